package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.hyperledger.fabric.protos.common.MSPRole.MSPRoleType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MSP validation and policy evaluation against the MSPs of a real Fabric 2.5.12 channel (the
 * genesis config block of {@code mychannel}) and the cryptogen certificates of that network.
 */
class RealCertificatesTest {
    private static final Instant NOT_BEFORE = Instant.parse("2026-11-21T12:06:00Z");
    private static final Instant NOT_AFTER = Instant.parse("2036-11-18T12:06:00Z");

    private ChannelConfig config;

    @BeforeEach
    void readGenesisConfig() {
        // A fresh config per test: ChannelMsps caches validated identities.
        config = ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);
    }

    private static ByteString serialized(String mspId, String certFile) {
        return X509Identity.of(mspId, Fixtures.certificate(certFile)).serialized();
    }

    private MspIdentity identity(String mspId, String certFile) {
        return config.msps().validate(serialized(mspId, certFile));
    }

    @Test
    void fromBlock_genesisBlock_hasTheThreeMspsOfTheNetwork() {
        assertEquals(Set.of("Org1MSP", "Org2MSP", "OrdererMSP"), config.msps().ids());
        assertEquals(Set.of("Org1MSP", "Org2MSP"), config.applicationMspIds());
        assertEquals(Set.of("OrdererMSP"), config.ordererMspIds());
        for (Msp msp : config.msps().all()) {
            assertTrue(msp.nodeOus().enabled(), msp.id() + " has NodeOUs enabled");
            assertEquals(1, msp.rootCertificates().size(), msp.id());
            assertEquals(1, msp.tlsRootCertificates().size(), msp.id());
        }
    }

    @ParameterizedTest(name = "{0} in {1} -> {2}")
    @CsvSource({
        "org1-user1-cert.pem,     Org1MSP,    CLIENT,  org1-ca.pem",
        "org2-user1-cert.pem,     Org2MSP,    CLIENT,  org2-ca.pem",
        "org1-admin-cert.pem,     Org1MSP,    ADMIN,   org1-ca.pem",
        "org2-admin-cert.pem,     Org2MSP,    ADMIN,   org2-ca.pem",
        "org1-peer0-cert.pem,     Org1MSP,    PEER,    org1-ca.pem",
        "org2-peer0-cert.pem,     Org2MSP,    PEER,    org2-ca.pem",
        "orderer-cert.pem,        OrdererMSP, ORDERER, orderer-ca.pem",
        "orderer-admin-cert.pem,  OrdererMSP, ADMIN,   orderer-ca.pem",
    })
    void validate_everyRealEnrollmentCertificate_validatesAgainstItsOrgCaWithItsNodeRole(
            String certFile, String mspId, MSPRoleType role, String caFile) {
        X509Certificate cert = Fixtures.certificate(certFile);
        ByteString bytes = serialized(mspId, certFile);

        MspIdentity identity = config.msps().validate(bytes);

        assertEquals(mspId, identity.mspId());
        assertEquals(EnumSet.of(MSPRoleType.MEMBER, role), EnumSet.copyOf(identity.roles()));
        assertEquals(cert, identity.certificate());
        assertEquals(bytes, identity.serialized());
        assertEquals(List.of(cert, Fixtures.certificate(caFile)), identity.chain());
        assertEquals(Set.of(role.name().toLowerCase()), identity.organizationalUnits());
        assertEquals(NOT_BEFORE, identity.notBefore());
        assertEquals(NOT_AFTER, identity.notAfter());
    }

    @Test
    void validate_realUser1Certificate_verifiesSignatureMadeWithItsRealKey() {
        MspIdentity user1 = identity("Org1MSP", "org1-user1-cert.pem");
        byte[] message = "proposal bytes".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Signers.newPrivateKeySigner(Fixtures.key("org1-user1-key.pem")).sign(message);

        assertTrue(user1.verify(message, signature));
        assertFalse(user1.verify("proposal bytez".getBytes(StandardCharsets.UTF_8), signature));
        // Org2's user1 key is a different key: its signature is not user1@org1's.
        byte[] other = Signers.newPrivateKeySigner(Fixtures.key("org2-user1-key.pem")).sign(message);
        assertFalse(user1.verify(message, other));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "org1-peer0-tls-server-cert.pem,  Org1MSP,    org1-tlsca.pem,    org1-ca.pem",
        "org2-peer0-tls-server-cert.pem,  Org2MSP,    org2-tlsca.pem,    org2-ca.pem",
        "orderer-tls-server-cert.pem,     OrdererMSP, orderer-tlsca.pem, orderer-ca.pem",
    })
    void tlsRootCertificates_everyRealTlsServerCertificate_isIssuedByItsOrgTlsRoot(
            String tlsFile, String mspId, String tlsCaFile, String caFile) throws Exception {
        X509Certificate tlsCert = Fixtures.certificate(tlsFile);
        Msp msp = config.msps().msp(mspId).orElseThrow();

        assertEquals(List.of(Fixtures.certificate(tlsCaFile)), msp.tlsRootCertificates());
        X509Certificate tlsRoot = msp.tlsRootCertificates().get(0);
        assertEquals(tlsRoot.getSubjectX500Principal(), tlsCert.getIssuerX500Principal());
        assertEquals(tlsRoot.getSubjectX500Principal(), tlsRoot.getIssuerX500Principal(), "TLS root is self-issued");
        assertDoesNotThrow(() -> tlsCert.verify(tlsRoot.getPublicKey()));
        // The TLS CA is separate from the signing CA: the signing root did not issue the TLS cert.
        X509Certificate signingRoot = msp.rootCertificates().get(0);
        assertEquals(Fixtures.certificate(caFile), signingRoot);
        assertThrows(SignatureException.class, () -> tlsCert.verify(signingRoot.getPublicKey()));
    }

    @Test
    void validate_tlsServerCertificateAsIdentity_throwsNotIssuedByMspCa() {
        ByteString bytes = serialized("Org1MSP", "org1-peer0-tls-server-cert.pem");

        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> config.msps().validate(bytes));
        assertTrue(e.getMessage().contains("is not issued by a CA of MSP Org1MSP"), e.getMessage());
    }

    @Test
    void validate_org1CertificateClaimedAsOrg2Msp_throws() {
        ByteString bytes = serialized("Org2MSP", "org1-user1-cert.pem");

        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> config.msps().validate(bytes));
        assertTrue(e.getMessage().contains("not issued by a CA of MSP Org2MSP"), e.getMessage());
        assertTrue(e.getMessage().contains("ca.org1.example.com"), "names the unknown issuer: " + e.getMessage());
    }

    @Test
    void validate_org1PeerClaimedAsOrdererMsp_throws() {
        ByteString bytes = serialized("OrdererMSP", "org1-peer0-cert.pem");

        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> config.msps().validate(bytes));
        assertTrue(e.getMessage().contains("OrdererMSP"), e.getMessage());
    }

    @Test
    void validate_afterCertificatesExpire_throwsNamingValidityPeriod() {
        Instant at = Instant.parse("2037-01-01T00:00:00Z");
        ByteString bytes = serialized("Org1MSP", "org1-user1-cert.pem");

        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> config.msps().validate(bytes, at));
        assertTrue(e.getMessage().contains("valid from " + NOT_BEFORE + " to " + NOT_AFTER), e.getMessage());
        assertTrue(e.getMessage().contains("not at " + at), e.getMessage());
    }

    @Test
    void validate_beforeCertificatesAreValid_throwsNamingValidityPeriod() {
        Instant at = Instant.parse("2026-11-20T00:00:00Z");
        ByteString bytes = serialized("Org2MSP", "org2-peer0-cert.pem");

        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> config.msps().validate(bytes, at));
        assertTrue(e.getMessage().contains("valid from " + NOT_BEFORE + " to " + NOT_AFTER), e.getMessage());
        assertTrue(e.getMessage().contains("not at " + at), e.getMessage());
    }

    @Test
    void validate_byConfigClock_usesFixedClockTimeNotSystemTime() {
        // VALID_CLOCK says 2027-06-01; a config read with a clock in 2037 rejects the same identity.
        ChannelConfig expired = ChannelConfig.fromBlock(Fixtures.peerBlock(0),
                java.time.Clock.fixed(Instant.parse("2037-01-01T00:00:00Z"), java.time.ZoneOffset.UTC));
        ByteString bytes = serialized("Org1MSP", "org1-user1-cert.pem");

        assertEquals("Org1MSP", config.msps().validate(bytes).mspId());
        assertThrows(IdentityValidationException.class, () -> expired.msps().validate(bytes));
    }

    @Test
    void validate_caCertificateAsIdentity_throwsCaCannotBeIdentity() {
        ByteString bytes = serialized("Org1MSP", "org1-ca.pem");

        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> config.msps().validate(bytes));
        assertTrue(e.getMessage().contains("is a CA certificate"), e.getMessage());
        assertTrue(e.getMessage().contains("ca.org1.example.com"), e.getMessage());
    }

    @Test
    void validate_unknownMspId_throwsListingChannelMsps() {
        ByteString bytes = serialized("Org3MSP", "org1-user1-cert.pem");

        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> config.msps().validate(bytes));
        String message = e.getMessage();
        assertTrue(message.contains("'Org3MSP' is not a member of the channel"), message);
        assertTrue(message.contains("Org1MSP") && message.contains("Org2MSP") && message.contains("OrdererMSP"),
                message);
    }

    @Test
    void validate_sameRealIdentityTwice_returnsCachedInstance() {
        ByteString bytes = serialized("Org1MSP", "org1-peer0-cert.pem");

        MspIdentity first = config.msps().validate(bytes);

        assertSame(first, config.msps().validate(ByteString.copyFrom(bytes.toByteArray())));
    }

    @Test
    void evaluate_applicationWriters_satisfiedByClientNotByPeer() {
        MspIdentity user1 = identity("Org1MSP", "org1-user1-cert.pem");
        MspIdentity peer0 = identity("Org1MSP", "org1-peer0-cert.pem");

        assertTrue(config.evaluate("/Channel/Application/Writers", List.of(user1)));
        assertFalse(config.evaluate("/Channel/Application/Writers", List.of(peer0)));
    }

    @Test
    void evaluate_applicationEndorsement_needsBothOrgPeers() {
        MspIdentity peer1 = identity("Org1MSP", "org1-peer0-cert.pem");
        MspIdentity peer2 = identity("Org2MSP", "org2-peer0-cert.pem");
        MspIdentity user1 = identity("Org1MSP", "org1-user1-cert.pem");
        MspIdentity user2 = identity("Org2MSP", "org2-user1-cert.pem");

        assertFalse(config.evaluate("/Channel/Application/Endorsement", List.of(peer1)));
        assertFalse(config.evaluate("/Channel/Application/Endorsement", List.of(peer2)));
        assertFalse(config.evaluate("/Channel/Application/Endorsement", List.of(peer1, peer1)),
                "the same peer twice is one org");
        assertFalse(config.evaluate("/Channel/Application/Endorsement", List.of(peer1, user2)),
                "Org2's client is not an Org2 peer");
        assertFalse(config.evaluate("/Channel/Application/Endorsement", List.of(user1, user2)));
        assertTrue(config.evaluate("/Channel/Application/Endorsement", List.of(peer1, peer2)));
        assertTrue(config.evaluate("/Channel/Application/Endorsement", List.of(peer2, user1, peer1)));
    }

    @Test
    void evaluate_ordererBlockValidation_satisfiedByOrdererIdentityOnly() {
        MspIdentity orderer = identity("OrdererMSP", "orderer-cert.pem");
        MspIdentity peer1 = identity("Org1MSP", "org1-peer0-cert.pem");

        assertTrue(config.evaluate("/Channel/Orderer/BlockValidation", List.of(orderer)));
        assertFalse(config.evaluate("/Channel/Orderer/BlockValidation", List.of(peer1)));
    }

    @Test
    void evaluate_channelReaders_satisfiedByOrg2Peer() {
        MspIdentity peer2 = identity("Org2MSP", "org2-peer0-cert.pem");

        assertTrue(config.evaluate("/Channel/Readers", List.of(peer2)));
        assertFalse(config.evaluate("/Channel/Readers", List.of()));
    }

    @Test
    void evaluate_channelAdmins_needsMajorityOfApplicationAndOrdererAdmins() {
        // /Channel/Admins = MAJORITY Admins over {Application, Orderer}: both groups must agree.
        MspIdentity admin1 = identity("Org1MSP", "org1-admin-cert.pem");
        MspIdentity admin2 = identity("Org2MSP", "org2-admin-cert.pem");
        MspIdentity ordererAdmin = identity("OrdererMSP", "orderer-admin-cert.pem");

        assertFalse(config.evaluate("/Channel/Admins", List.of(admin1, admin2)));
        assertFalse(config.evaluate("/Channel/Admins", List.of(admin1, ordererAdmin)));
        assertTrue(config.evaluate("/Channel/Admins", List.of(admin1, admin2, ordererAdmin)));
    }

    @Test
    void evaluate_unknownPolicyPath_throwsIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config.evaluate("/Channel/Application/NoSuchPolicy", List.of()));
        assertTrue(e.getMessage().contains("/Channel/Application/NoSuchPolicy"), e.getMessage());
    }

    @Test
    void validateMembership_expiredCertificate_isStillAMemberAsInFabricsMsp() {
        ChannelConfig config = ChannelConfig.fromBlock(Fixtures.peerBlock(0),
                java.time.Clock.fixed(Instant.parse("2040-01-01T00:00:00Z"), java.time.ZoneOffset.UTC));
        ByteString user1 = X509Identity.of("Org1MSP", Fixtures.certificate("org1-user1-cert.pem")).serialized();

        IdentityValidationException expired = assertThrows(IdentityValidationException.class,
                () -> config.msps().validate(user1));
        assertTrue(expired.getMessage().contains("2036"), expired.getMessage());
        MspIdentity member = config.msps().validateMembership(user1);
        assertTrue(member.hasRole(MSPRoleType.CLIENT));
        // The cache does not turn a membership check into a pass for the time-checked validation.
        assertThrows(IdentityValidationException.class, () -> config.msps().validate(user1));
        ByteString foreign = X509Identity.of("Org2MSP", Fixtures.certificate("org1-user1-cert.pem")).serialized();
        assertThrows(IdentityValidationException.class, () -> config.msps().validateMembership(foreign));
    }
}
