package dev.weft.testnet.internal.crypto;

import com.google.protobuf.ByteString;
import dev.weft.core.Credentials;
import dev.weft.core.InternalApi;
import dev.weft.core.internal.X509Issuer.Issued;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.protos.msp.FabricCryptoConfig;
import org.hyperledger.fabric.protos.msp.FabricMSPConfig;
import org.hyperledger.fabric.protos.msp.FabricNodeOUs;
import org.hyperledger.fabric.protos.msp.FabricOUIdentifier;
import org.hyperledger.fabric.protos.msp.MSPConfig;

/**
 * The crypto material of one organisation, as cryptogen makes it: a signing CA and a TLS CA, the
 * organisation's nodes (peers or orderers) and its users (Admin, User1), each with a signing and
 * a TLS certificate.
 *
 * @param mspId the MSP id, e.g. {@code Org1MSP}
 * @param domain the organisation's domain, e.g. {@code org1.example.com}
 * @param ordererOrganization whether this is an orderer organisation
 * @param ca the CA that issues signing (enrollment) certificates
 * @param tlsCa the CA that issues TLS certificates
 * @param nodes peers or orderers by host name ({@code peer0.org1.example.com})
 * @param users users by name ({@code Admin@org1.example.com}, {@code User1@org1.example.com})
 */
@InternalApi
public record OrganizationCrypto(String mspId, String domain, boolean ordererOrganization, Issued ca, Issued tlsCa,
        Map<String, Member> nodes, Map<String, Member> users) {

    /** A node or user: its signing certificate and key, and its TLS certificate and key. */
    public record Member(String name, Issued signing, Issued tls) {
    }

    public Member admin() {
        return users.get("Admin@" + domain);
    }

    public Member user(String name) {
        Member member = users.get(name + "@" + domain);
        if (member == null) {
            throw new IllegalArgumentException("organization " + mspId + " has no user " + name
                    + " (users: " + users.keySet() + ")");
        }
        return member;
    }

    /**
     * The organisation's MSP definition as configtxgen writes it into a channel config: one root
     * CA, one TLS root CA, node OUs client/peer/admin/orderer certified by the root CA, SHA2.
     */
    public MSPConfig mspConfig() {
        ByteString caPem = pem(ca.certificate());
        FabricMSPConfig config = FabricMSPConfig.newBuilder()
                .setName(mspId)
                .addRootCerts(caPem)
                .addTlsRootCerts(pem(tlsCa.certificate()))
                .setCryptoConfig(FabricCryptoConfig.newBuilder()
                        .setSignatureHashFamily("SHA2")
                        .setIdentityIdentifierHashFunction("SHA256"))
                .setFabricNodeOus(FabricNodeOUs.newBuilder()
                        .setEnable(true)
                        .setClientOuIdentifier(ou(caPem, "client"))
                        .setPeerOuIdentifier(ou(caPem, "peer"))
                        .setAdminOuIdentifier(ou(caPem, "admin"))
                        .setOrdererOuIdentifier(ou(caPem, "orderer")))
                .build();
        return MSPConfig.newBuilder().setType(0).setConfig(config.toByteString()).build();
    }

    /** The certificates that may sign this organisation's TLS certificates. */
    public List<X509Certificate> tlsRoots() {
        return List.of(tlsCa.certificate());
    }

    private static FabricOUIdentifier ou(ByteString certifier, String ou) {
        return FabricOUIdentifier.newBuilder().setCertificate(certifier).setOrganizationalUnitIdentifier(ou).build();
    }

    private static ByteString pem(X509Certificate certificate) {
        return ByteString.copyFrom(Credentials.toPem(certificate), StandardCharsets.US_ASCII);
    }
}
