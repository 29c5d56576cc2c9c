package dev.weft.testnet.internal.crypto;

import dev.weft.core.InternalApi;
import dev.weft.core.internal.X509Issuer;
import dev.weft.core.internal.X509Issuer.Issued;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Generates organisations' crypto material with the subjects, extensions and validity that
 * Fabric's cryptogen uses, so that certificates from the reference network look like those of a
 * real test network: subject {@code C=US, ST=California, L=San Francisco, [O=domain, | OU=role,]
 * CN=name}; valid from the whole minute minus five minutes, for 3650 days.
 */
@InternalApi
public final class CryptoGenerator {
    private static final String LOCALITY = "C=US,ST=California,L=San Francisco";
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private final Instant notBefore;
    private final Instant notAfter;

    public CryptoGenerator(Instant now) {
        this.notBefore = now.plusSeconds(30).truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
        this.notAfter = notBefore.plus(VALIDITY);
    }

    /** The domain cryptogen would use for an MSP id: {@code Org1MSP} → {@code org1.example.com}. */
    public static String domainFor(String mspId, boolean orderer) {
        if (orderer) {
            return "example.com";
        }
        String base = mspId.endsWith("MSP") ? mspId.substring(0, mspId.length() - 3) : mspId;
        return base.toLowerCase(Locale.ROOT) + ".example.com";
    }

    /** A peer organisation with {@code peers} peers ({@code peer0..}), an Admin and the given users. */
    public OrganizationCrypto peerOrganization(String mspId, int peers, List<String> users) {
        String domain = domainFor(mspId, false);
        Issued ca = ca("ca." + domain, domain);
        Issued tlsCa = ca("tlsca." + domain, domain);
        Map<String, OrganizationCrypto.Member> nodes = new LinkedHashMap<>();
        for (int i = 0; i < peers; i++) {
            String host = "peer" + i + "." + domain;
            nodes.put(host, member(host, "peer", ca, tlsCa, "peer" + i));
        }
        return new OrganizationCrypto(mspId, domain, false, ca, tlsCa, nodes, users(domain, users, ca, tlsCa));
    }

    /** An orderer organisation with one orderer ({@code orderer.example.com}) and an Admin. */
    public OrganizationCrypto ordererOrganization(String mspId) {
        return ordererOrganization(mspId, 1);
    }

    /**
     * An orderer organisation with {@code orderers} orderers, named as Fabric's test network names
     * them ({@code orderer.example.com}, {@code orderer2.example.com}, ...), and an Admin.
     */
    public OrganizationCrypto ordererOrganization(String mspId, int orderers) {
        String domain = domainFor(mspId, true);
        Issued ca = ca("ca." + domain, domain);
        Issued tlsCa = ca("tlsca." + domain, domain);
        Map<String, OrganizationCrypto.Member> nodes = new LinkedHashMap<>();
        for (String host : ordererNames(domain, orderers)) {
            nodes.put(host, member(host, "orderer", ca, tlsCa, host.substring(0, host.indexOf('.'))));
        }
        return new OrganizationCrypto(mspId, domain, true, ca, tlsCa, nodes, users(domain, List.of(), ca, tlsCa));
    }

    /** The host names of an orderer organisation's orderers: {@code orderer.<domain>}, {@code orderer2.<domain>}, ... */
    public static List<String> ordererNames(String domain, int orderers) {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 1; i <= orderers; i++) {
            names.add((i == 1 ? "orderer" : "orderer" + i) + "." + domain);
        }
        return names;
    }

    private Map<String, OrganizationCrypto.Member> users(String domain, List<String> names, Issued ca, Issued tlsCa) {
        Map<String, OrganizationCrypto.Member> users = new LinkedHashMap<>();
        String admin = "Admin@" + domain;
        users.put(admin, member(admin, "admin", ca, tlsCa, null));
        for (String name : names) {
            String full = name + "@" + domain;
            users.put(full, member(full, "client", ca, tlsCa, null));
        }
        return users;
    }

    private Issued ca(String commonName, String domain) {
        return X509Issuer.certificate(LOCALITY + ",O=" + domain + ",CN=" + commonName)
                .ca(true)
                .validity(notBefore, notAfter)
                .extendedKeyUsages(KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth)
                .selfSigned();
    }

    private OrganizationCrypto.Member member(String name, String ou, Issued ca, Issued tlsCa, String shortHost) {
        Issued signing = X509Issuer.certificate(LOCALITY + ",OU=" + ou + ",CN=" + name)
                .validity(notBefore, notAfter)
                .issuedBy(ca);
        X509Issuer.Spec tls = X509Issuer.certificate(LOCALITY + ",CN=" + name)
                .validity(notBefore, notAfter)
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)
                .serverAndClientAuth();
        if (shortHost != null) {
            // Nodes: their name, short name, localhost and the loopback address; users get no SAN.
            tls.dnsNames(name, shortHost, "localhost").ipAddresses("127.0.0.1");
        }
        return new OrganizationCrypto.Member(name, signing, tls.issuedBy(tlsCa));
    }
}
