package dev.weft.testnet;

import dev.weft.core.Credentials;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.X509Issuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Crypto material of a running network, read back from {@link ReferenceNetwork#writeTo(Path)}
 * (cryptogen's layout), so that tests can sign as a peer or issue extra certificates from an
 * organisation's real CA.
 */
final class NetworkCrypto {
    private final Path root;

    NetworkCrypto(ReferenceNetwork network, Path directory) {
        network.writeTo(directory);
        this.root = directory;
    }

    /** The signer of a peer's enrollment key ({@code peers/<name>/msp/keystore/priv_sk}). */
    Signer peerSigner(ReferenceNetwork.Peer peer) {
        return Signers.newPrivateKeySigner(key(find("/peers/" + peer.name() + "/msp/keystore/priv_sk")));
    }

    /** A peer's TLS certificate and key ({@code peers/<name>/tls/server.crt} and {@code server.key}). */
    X509Issuer.Issued peerTls(ReferenceNetwork.Peer peer) {
        Path dir = find("/peers/" + peer.name() + "/tls/server.key").getParent();
        return new X509Issuer.Issued(Credentials.readCertificate(dir.resolve("server.crt")), key(dir.resolve("server.key")));
    }

    /** The organisation CA of a peer's organisation, with its key. */
    X509Issuer.Issued organizationCa(ReferenceNetwork.Peer peer) {
        String domain = peer.name().substring(peer.name().indexOf('.') + 1);
        Path dir = find("/peerOrganizations/" + domain + "/ca/priv_sk").getParent();
        return new X509Issuer.Issued(Credentials.readCertificate(dir.resolve("ca." + domain + "-cert.pem")),
                key(dir.resolve("priv_sk")));
    }

    /** A client identity and signer issued by the peer organisation's real CA, valid in the given window. */
    Client client(ReferenceNetwork.Peer peer, String commonName, Instant notBefore, Instant notAfter) {
        String domain = peer.name().substring(peer.name().indexOf('.') + 1);
        X509Issuer.Issued issued = X509Issuer.certificate("C=US,ST=California,L=San Francisco,OU=client,CN="
                        + commonName + "@" + domain)
                .validity(notBefore, notAfter)
                .issuedBy(organizationCa(peer));
        return new Client(X509Identity.of(peer.mspId(), issued.certificate()),
                Signers.newPrivateKeySigner(issued.key()));
    }

    /** A client identity from a CA no channel MSP knows, claiming {@code mspId}. */
    static Client foreign(String mspId) {
        X509Issuer.Issued issued = X509Issuer.certificate("C=US,OU=client,CN=evil")
                .ca(false)
                .issuedBy(X509Issuer.certificate("CN=evil-ca").ca(true).selfSigned());
        return new Client(X509Identity.of(mspId, issued.certificate()), Signers.newPrivateKeySigner(issued.key()));
    }

    record Client(X509Identity identity, Signer signer) {
    }

    private Path find(String suffix) {
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> found = files.filter(p -> p.toString().replace('\\', '/').endsWith(suffix)).toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one file ending with " + suffix + " under " + root + ", found " + found);
            }
            return found.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PrivateKey key(Path file) {
        return Credentials.readPrivateKey(file);
    }
}
