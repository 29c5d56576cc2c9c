package dev.weft.samples;

import dev.weft.core.ConnectionProfile;
import dev.weft.core.Credentials;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.X509Identity;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Transport;
import dev.weft.selection.EndorserSelectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * How a command connects to a Fabric network: a connection profile and the client identity, given
 * as a certificate and key or as a cryptogen-style MSP directory.
 */
final class ClientOptions {
    @Option(names = "--profile", paramLabel = "FILE",
            description = "Fabric connection profile (YAML or JSON), e.g. one written by 'weft network start'.")
    Path profile;

    @Option(names = "--msp", paramLabel = "MSPID",
            description = "The client's MSP id. Default: the profile's client organization.")
    String mspId;

    @Option(names = "--cert", paramLabel = "FILE", description = "The client's certificate (PEM).")
    Path certificate;

    @Option(names = "--key", paramLabel = "FILE", description = "The client's private key (PEM, PKCS#8 or SEC1).")
    Path key;

    @Option(names = "--msp-dir", paramLabel = "DIR",
            description = "An MSP directory (signcerts/ and keystore/), instead of --cert and --key.")
    Path mspDirectory;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Client TLS certificate, for mutual TLS.")
    Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Client TLS key, for mutual TLS.")
    Path tlsKey;

    @Option(names = "--channel", defaultValue = "mychannel", paramLabel = "NAME",
            description = "The channel. Default: ${DEFAULT-VALUE}.")
    String channel;

    @Option(names = "--selection", defaultValue = "policy", paramLabel = "STRATEGY",
            description = "How endorsers are chosen: policy (the default), the fewest profile peers that satisfy "
                    + "the endorsement policy; static, every profile peer; discovery, the layouts the peers' "
                    + "discovery service gives, which finds the other organisations' peers: for a profile with only "
                    + "your own peers, as Fabric's test network hands out; auto, discovery on a channel whose "
                    + "application capability is V1_2 or later and whose peers serve it, policy otherwise.")
    String selection;

    @Option(names = "--transport", defaultValue = "direct", paramLabel = "MODE",
            description = "How transactions reach the network: direct (the default), Weft endorses on the peers, "
                    + "broadcasts to an orderer and waits on the event streams itself; gateway, through one of your "
                    + "organisation's peers' Gateway service (Fabric 2.4+), as Fabric's gateway clients do; hybrid, "
                    + "through the Gateway service where the peers serve it, directly where not.")
    String transport;

    /** A gateway builder with the profile and identity; the caller adds options and builds it. */
    Gateway.Builder gateway() {
        if (profile == null) {
            throw new Weft.UsageException("--profile is required: the connection profile of the network to use");
        }
        ConnectionProfile connectionProfile = ConnectionProfile.load(existing(profile, "--profile"));
        Path certificateFile;
        Path keyFile;
        if (mspDirectory != null) {
            if (certificate != null || key != null) {
                throw new Weft.UsageException("give either --msp-dir or --cert and --key, not both");
            }
            certificateFile = onlyFile(existing(mspDirectory, "--msp-dir").resolve("signcerts"), "--msp-dir");
            keyFile = onlyFile(mspDirectory.resolve("keystore"), "--msp-dir");
        } else if (certificate != null && key != null) {
            certificateFile = existing(certificate, "--cert");
            keyFile = existing(key, "--key");
        } else {
            throw new Weft.UsageException("the client identity is missing: give --cert and --key, or --msp-dir");
        }
        String msp = mspId != null ? mspId : connectionProfile.clientOrganization()
                .map(ConnectionProfile.Organization::mspId)
                .orElseThrow(() -> new Weft.UsageException("--msp is required: the profile " + profile
                        + " names no client organization"));
        Signing signing = signing(msp, certificateFile, keyFile);
        Gateway.Builder builder = Gateway.builder()
                .identity(signing.identity())
                .signer(signing.signer())
                .connectionProfile(connectionProfile);
        builder.endorserSelector(switch (selection) {
            case "policy" -> EndorserSelectors.policyBased();
            case "static" -> EndorserSelectors.staticPeers();
            case "discovery" -> EndorserSelectors.discovery();
            case "auto" -> EndorserSelectors.auto();
            default -> throw new Weft.UsageException("--selection " + selection + ": expected policy, static, "
                    + "discovery or auto");
        });
        builder.transport(transport(transport));
        if (tlsCertificate != null || tlsKey != null) {
            if (tlsCertificate == null || tlsKey == null) {
                throw new Weft.UsageException("mutual TLS needs both --tls-cert and --tls-key");
            }
            builder.clientTls(Credentials.readCertificates(existing(tlsCertificate, "--tls-cert")),
                    Credentials.readPrivateKey(existing(tlsKey, "--tls-key")));
        }
        return builder;
    }

    /** An identity and the signer of its key. */
    record Signing(X509Identity identity, Signer signer) {
    }

    /** The identity and signer of a certificate file and its key file, checked to be a pair. */
    static Signing signing(String mspId, Path certificateFile, Path keyFile) {
        X509Certificate cert = Credentials.readCertificate(certificateFile);
        PrivateKey privateKey = Credentials.readPrivateKey(keyFile);
        Credentials.checkKeyPair(cert, privateKey);
        X509Identity identity = X509Identity.of(mspId, cert);
        return new Signing(identity, Signers.newPrivateKeySigner(identity, privateKey));
    }

    /** The transport a --transport value names. */
    static Transport transport(String value) {
        return switch (value) {
            case "direct" -> Transport.DIRECT;
            case "gateway" -> Transport.PEER_GATEWAY;
            case "hybrid" -> Transport.HYBRID;
            default -> throw new Weft.UsageException("--transport " + value + ": expected direct, gateway or hybrid");
        };
    }

    static Path existing(Path file, String option) {
        if (!Files.exists(file)) {
            throw new Weft.UsageException(option + ": " + file + " does not exist");
        }
        return file;
    }

    /** The single file in an MSP sub-directory (cryptogen writes exactly one). */
    static Path onlyFile(Path directory, String option) {
        if (!Files.isDirectory(directory)) {
            throw new Weft.UsageException(option + ": " + directory + " does not exist; an MSP directory holds "
                    + "signcerts/ and keystore/");
        }
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> regular = files.filter(Files::isRegularFile).sorted().toList();
            if (regular.size() != 1) {
                throw new Weft.UsageException(option + ": " + directory + " holds " + regular.size()
                        + " files; expected exactly one");
            }
            return regular.get(0);
        } catch (IOException e) {
            throw new Weft.UsageException(option + ": cannot list " + directory + ": " + e.getMessage());
        }
    }
}
