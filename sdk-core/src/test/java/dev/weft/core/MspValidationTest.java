package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.X509Issuer;
import dev.weft.core.internal.X509Issuer.Issued;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.hyperledger.fabric.protos.common.MSPRole.MSPRoleType;
import org.hyperledger.fabric.protos.msp.FabricCryptoConfig;
import org.hyperledger.fabric.protos.msp.FabricMSPConfig;
import org.hyperledger.fabric.protos.msp.FabricNodeOUs;
import org.hyperledger.fabric.protos.msp.FabricOUIdentifier;
import org.hyperledger.fabric.protos.msp.MSPConfig;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fabric MSP rules checked with generated PKI: chains through intermediates, impostor CAs,
 * validity periods, CRLs, node OUs and their certifiers, admin lists, OU restrictions, caching in
 * {@link ChannelMsps}, principals and signature verification, and rejected MSP definitions.
 */
class MspValidationTest {
    private static final String MSP_ID = "TestMSP";

    /** The time at which validations run. */
    private static final Instant AT = Instant.parse("2030-06-01T00:00:00Z");

    private static final Instant ROOT_FROM = Instant.parse("2029-01-01T00:00:00Z");
    private static final Instant ROOT_UNTIL = Instant.parse("2040-01-01T00:00:00Z");
    private static final Instant INTERMEDIATE_FROM = Instant.parse("2029-06-01T00:00:00Z");
    private static final Instant INTERMEDIATE_UNTIL = Instant.parse("2035-01-01T00:00:00Z");
    private static final Instant LEAF_FROM = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant LEAF_UNTIL = Instant.parse("2031-01-01T00:00:00Z");

    private static final String ROOT_DN = "C=US,O=org1,CN=ca.org1";
    private static final String INTERMEDIATE_DN = "C=US,O=org1,CN=ica.org1";

    private static Issued root;
    private static Issued intermediate;
    private static Issued otherRoot;

    @BeforeAll
    static void createPki() {
        root = X509Issuer.certificate(ROOT_DN).ca(true).validity(ROOT_FROM, ROOT_UNTIL).selfSigned();
        intermediate = X509Issuer.certificate(INTERMEDIATE_DN).ca(true)
                .validity(INTERMEDIATE_FROM, INTERMEDIATE_UNTIL).issuedBy(root);
        otherRoot = X509Issuer.certificate("C=US,O=org2,CN=ca.org2").ca(true)
                .validity(ROOT_FROM, ROOT_UNTIL).selfSigned();
    }

    // ---------------------------------------------------------------- helpers

    private static Issued leaf(String subject, Issued issuer) {
        return X509Issuer.certificate(subject).ca(false).validity(LEAF_FROM, LEAF_UNTIL).issuedBy(issuer);
    }

    private static ByteString pem(X509Certificate cert) {
        return ByteString.copyFrom(Credentials.toPem(cert), StandardCharsets.US_ASCII);
    }

    /** An MSP definition with the given roots and Fabric's default crypto config. */
    private static FabricMSPConfig.Builder mspConfig(Issued... roots) {
        FabricMSPConfig.Builder builder = FabricMSPConfig.newBuilder()
                .setName(MSP_ID)
                .setCryptoConfig(FabricCryptoConfig.newBuilder()
                        .setSignatureHashFamily("SHA2")
                        .setIdentityIdentifierHashFunction("SHA256"));
        for (Issued r : roots) {
            builder.addRootCerts(pem(r.certificate()));
        }
        return builder;
    }

    /** Root and intermediate of the shared PKI. */
    private static FabricMSPConfig.Builder rootAndIntermediate() {
        return mspConfig(root).addIntermediateCerts(pem(intermediate.certificate()));
    }

    private static FabricOUIdentifier ou(String value, Issued certifier) {
        FabricOUIdentifier.Builder builder = FabricOUIdentifier.newBuilder().setOrganizationalUnitIdentifier(value);
        if (certifier != null) {
            builder.setCertificate(pem(certifier.certificate()));
        }
        return builder.build();
    }

    /** NodeOUs enabled with cryptogen's OU names, each certified by {@code certifier} (null: any CA). */
    private static FabricNodeOUs nodeOus(Issued certifier) {
        return FabricNodeOUs.newBuilder()
                .setEnable(true)
                .setClientOuIdentifier(ou("client", certifier))
                .setPeerOuIdentifier(ou("peer", certifier))
                .setAdminOuIdentifier(ou("admin", certifier))
                .setOrdererOuIdentifier(ou("orderer", certifier))
                .build();
    }

    private static ByteString serialized(X509Certificate cert) {
        return X509Identity.of(MSP_ID, cert).serialized();
    }

    private static MspIdentity validate(FabricMSPConfig.Builder config, X509Certificate cert) {
        return validate(config, cert, AT);
    }

    private static MspIdentity validate(FabricMSPConfig.Builder config, X509Certificate cert, Instant at) {
        return Msp.fromConfig(config.build()).validate(cert, serialized(cert), at);
    }

    private static IdentityValidationException invalid(FabricMSPConfig.Builder config, X509Certificate cert) {
        return invalid(config, cert, AT);
    }

    private static IdentityValidationException invalid(FabricMSPConfig.Builder config, X509Certificate cert,
            Instant at) {
        Msp msp = Msp.fromConfig(config.build());
        return assertThrows(IdentityValidationException.class, () -> msp.validate(cert, serialized(cert), at));
    }

    private static ChannelMsps channel(FabricMSPConfig.Builder config) {
        return ChannelMsps.of(List.of(Msp.fromConfig(config.build())), Clock.fixed(AT, ZoneOffset.UTC));
    }

    /** A PEM CRL signed by {@code signer}, naming {@code issuerDn} as issuer, revoking the serials. */
    private static ByteString crl(X500Name issuerDn, Issued signer, BigInteger... serials)
            throws IOException, OperatorCreationException {
        Date thisUpdate = Date.from(Instant.parse("2030-02-01T00:00:00Z"));
        X509v2CRLBuilder builder = new X509v2CRLBuilder(issuerDn, thisUpdate);
        builder.setNextUpdate(Date.from(Instant.parse("2031-02-01T00:00:00Z")));
        for (BigInteger serial : serials) {
            builder.addCRLEntry(serial, thisUpdate, CRLReason.keyCompromise);
        }
        var holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.key()));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(holder);
        }
        return ByteString.copyFromUtf8(out.toString());
    }

    private static ByteString crlBy(Issued issuer, BigInteger... serials) throws Exception {
        return crl(X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()), issuer, serials);
    }

    private static void assertMessageContains(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
    }

    private static Set<MSPRoleType> roles(MSPRoleType... roles) {
        EnumSet<MSPRoleType> set = EnumSet.of(MSPRoleType.MEMBER);
        set.addAll(List.of(roles));
        return set;
    }

    // ---------------------------------------------------------------- chains

    @Test
    void validate_leafUnderIntermediate_chainIsLeafIntermediateRoot() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);

        MspIdentity identity = validate(rootAndIntermediate(), leaf.certificate());

        assertEquals(List.of(leaf.certificate(), intermediate.certificate(), root.certificate()), identity.chain());
        assertEquals(MSP_ID, identity.mspId());
        assertEquals(serialized(leaf.certificate()), identity.serialized());
        assertEquals(roles(), identity.roles(), "without NodeOUs a member is only MEMBER");
        // The validity period is the intersection of the chain's periods.
        assertEquals(LEAF_FROM, identity.notBefore());
        assertEquals(LEAF_UNTIL, identity.notAfter());
    }

    @Test
    void validate_leafDirectlyUnderRoot_chainIsLeafRoot() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", root);

        MspIdentity identity = validate(mspConfig(root), leaf.certificate());

        assertEquals(List.of(leaf.certificate(), root.certificate()), identity.chain());
    }

    @Test
    void validate_intermediateWhoseValidityEndsBeforeLeafs_notAfterIsIntermediates() {
        Issued shortIca = X509Issuer.certificate("C=US,O=org1,CN=short-ica").ca(true)
                .validity(INTERMEDIATE_FROM, Instant.parse("2030-09-01T00:00:00Z")).issuedBy(root);
        Issued leaf = leaf("C=US,O=org1,CN=user1", shortIca);

        MspIdentity identity = validate(mspConfig(root).addIntermediateCerts(pem(shortIca.certificate())),
                leaf.certificate());

        assertEquals(LEAF_FROM, identity.notBefore());
        assertEquals(Instant.parse("2030-09-01T00:00:00Z"), identity.notAfter());
    }

    @Test
    void validate_leafUnderIntermediateMissingFromMsp_throwsNotIssued() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);

        IdentityValidationException e = invalid(mspConfig(root), leaf.certificate());

        assertMessageContains(e, "is not issued by a CA of MSP " + MSP_ID, "CN=ica.org1");
    }

    @Test
    void validate_leafIssuedByUnknownCa_throwsNotIssued() {
        Issued leaf = leaf("C=US,O=org2,CN=user1", otherRoot);

        IdentityValidationException e = invalid(rootAndIntermediate(), leaf.certificate());

        assertMessageContains(e, "is not issued by a CA of MSP " + MSP_ID, "CN=ca.org2");
    }

    @Test
    void validate_leafIssuedByImpostorCaWithSameSubject_throwsNotIssued() {
        Issued impostor = X509Issuer.certificate(ROOT_DN).ca(true).validity(ROOT_FROM, ROOT_UNTIL).selfSigned();
        assertEquals(root.certificate().getSubjectX500Principal(), impostor.certificate().getSubjectX500Principal());
        Issued leaf = leaf("C=US,O=org1,CN=mallory", impostor);

        IdentityValidationException e = invalid(mspConfig(root), leaf.certificate());

        assertMessageContains(e, "is not issued by a CA of MSP " + MSP_ID, "CN=ca.org1");
    }

    @Test
    void validate_impostorIntermediateWithSameSubject_throwsNotIssued() {
        // The impostor intermediate has the real intermediate's name but is signed by another root.
        Issued impostorIca = X509Issuer.certificate(INTERMEDIATE_DN).ca(true)
                .validity(INTERMEDIATE_FROM, INTERMEDIATE_UNTIL).issuedBy(otherRoot);
        Issued leaf = leaf("C=US,O=org1,CN=mallory", impostorIca);

        IdentityValidationException e = invalid(rootAndIntermediate(), leaf.certificate());

        assertMessageContains(e, "is not issued by a CA of MSP " + MSP_ID);
    }

    @Test
    void validate_twoRootsWithSameSubject_findsTheOneWhoseKeyVerifies() {
        // CA key rollover: the old and the new root share a name; each validates its own leaves.
        Issued newRoot = X509Issuer.certificate(ROOT_DN).ca(true).validity(ROOT_FROM, ROOT_UNTIL).selfSigned();
        Issued oldLeaf = leaf("C=US,O=org1,CN=old", root);
        Issued newLeaf = leaf("C=US,O=org1,CN=new", newRoot);
        FabricMSPConfig.Builder config = mspConfig(root, newRoot);

        assertEquals(root.certificate(), validate(config, oldLeaf.certificate()).chain().get(1));
        assertEquals(newRoot.certificate(), validate(config, newLeaf.certificate()).chain().get(1));
    }

    @Test
    void validate_intermediateCertificateAsIdentity_throwsCaCannotBeIdentity() {
        IdentityValidationException e = invalid(rootAndIntermediate(), intermediate.certificate());

        assertMessageContains(e, "is a CA certificate", "CN=ica.org1");
    }

    // ---------------------------------------------------------------- validity periods

    @Test
    void validate_expiredIntermediate_throwsNamingIssuerValidity() {
        Issued expiredIca = X509Issuer.certificate("C=US,O=org1,CN=expired-ica").ca(true)
                .validity(INTERMEDIATE_FROM, Instant.parse("2030-03-01T00:00:00Z")).issuedBy(root);
        Issued leaf = leaf("C=US,O=org1,CN=user1", expiredIca);

        IdentityValidationException e = invalid(
                mspConfig(root).addIntermediateCerts(pem(expiredIca.certificate())), leaf.certificate());

        assertMessageContains(e, "CN=expired-ica", "(issuer of", "CN=user1",
                "valid from " + INTERMEDIATE_FROM + " to 2030-03-01T00:00:00Z", "not at " + AT);
    }

    @Test
    void validate_expiredRoot_throws() {
        Issued expiredRoot = X509Issuer.certificate("C=US,O=org3,CN=ca.org3").ca(true)
                .validity(ROOT_FROM, Instant.parse("2030-05-31T23:59:59Z")).selfSigned();
        Issued leaf = leaf("C=US,O=org3,CN=user1", expiredRoot);

        IdentityValidationException e = invalid(mspConfig(expiredRoot), leaf.certificate());

        assertMessageContains(e, "CN=ca.org3", "not at " + AT);
    }

    @Test
    void validate_notYetValidLeaf_throwsNamingLeafValidity() {
        Instant from = Instant.parse("2030-07-01T00:00:00Z");
        Issued leaf = X509Issuer.certificate("C=US,O=org1,CN=future").ca(false)
                .validity(from, LEAF_UNTIL).issuedBy(intermediate);

        IdentityValidationException e = invalid(rootAndIntermediate(), leaf.certificate());

        assertMessageContains(e, "CN=future", "valid from " + from + " to " + LEAF_UNTIL, "not at " + AT);
        assertFalse(e.getMessage().contains("issuer of"), "the leaf itself is reported: " + e.getMessage());
    }

    @Test
    void validate_atExactValidityBounds_isValid() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate();

        assertEquals(MSP_ID, validate(config, leaf.certificate(), LEAF_FROM).mspId());
        assertEquals(MSP_ID, validate(config, leaf.certificate(), LEAF_UNTIL).mspId());
        invalid(config, leaf.certificate(), LEAF_UNTIL.plusSeconds(1));
        invalid(config, leaf.certificate(), LEAF_FROM.minusSeconds(1));
    }

    // ---------------------------------------------------------------- revocation

    @Test
    void validate_leafRevokedByCrlOfItsIssuer_throwsRevoked() throws Exception {
        Issued leaf = leaf("C=US,O=org1,CN=revoked", intermediate);
        BigInteger serial = leaf.certificate().getSerialNumber();

        IdentityValidationException e = invalid(
                rootAndIntermediate().addRevocationList(crlBy(intermediate, serial)), leaf.certificate());

        assertMessageContains(e, "revoked", "CN=revoked", serial.toString(16));
    }

    @Test
    void validate_crlOfIssuerRevokingOtherSerials_doesNotRevoke() throws Exception {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        BigInteger other = leaf.certificate().getSerialNumber().add(BigInteger.ONE);

        MspIdentity identity = validate(rootAndIntermediate().addRevocationList(crlBy(intermediate, other)),
                leaf.certificate());

        assertEquals(MSP_ID, identity.mspId());
    }

    @Test
    void validate_intermediateRevokedByRootCrl_throwsRevoked() throws Exception {
        Issued ica = X509Issuer.certificate("C=US,O=org1,CN=revoked-ica").ca(true)
                .validity(INTERMEDIATE_FROM, INTERMEDIATE_UNTIL).issuedBy(root);
        Issued leaf = leaf("C=US,O=org1,CN=user1", ica);

        IdentityValidationException e = invalid(mspConfig(root).addIntermediateCerts(pem(ica.certificate()))
                .addRevocationList(crlBy(root, ica.certificate().getSerialNumber())), leaf.certificate());

        assertMessageContains(e, "revoked", "CN=revoked-ica");
    }

    @Test
    void validate_crlFromDifferentCaWithSameSerial_doesNotRevoke() throws Exception {
        BigInteger serial = new BigInteger("1234567890abcdef", 16);
        Issued leaf = X509Issuer.certificate("C=US,O=org1,CN=user1").ca(false).validity(LEAF_FROM, LEAF_UNTIL)
                .serial(serial).issuedBy(intermediate);
        // otherRoot is a CA of the MSP too, and its CRL lists the same serial number.
        FabricMSPConfig.Builder config = mspConfig(root, otherRoot)
                .addIntermediateCerts(pem(intermediate.certificate()))
                .addRevocationList(crlBy(otherRoot, serial));

        MspIdentity identity = validate(config, leaf.certificate());

        assertEquals(MSP_ID, identity.mspId());
        // The same serial issued by otherRoot is revoked: the CRL itself is effective.
        Issued otherLeaf = X509Issuer.certificate("C=US,O=org2,CN=user1").ca(false).validity(LEAF_FROM, LEAF_UNTIL)
                .serial(serial).issuedBy(otherRoot);
        assertMessageContains(invalid(config, otherLeaf.certificate()), "revoked");
    }

    @Test
    void validate_crlInIssuersNameSignedByImpostorKey_doesNotRevoke() throws Exception {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        Issued impostor = X509Issuer.certificate(INTERMEDIATE_DN).ca(true)
                .validity(INTERMEDIATE_FROM, INTERMEDIATE_UNTIL).selfSigned();
        ByteString forged = crl(X500Name.getInstance(intermediate.certificate().getSubjectX500Principal().getEncoded()),
                impostor, leaf.certificate().getSerialNumber());

        MspIdentity identity = validate(rootAndIntermediate().addRevocationList(forged), leaf.certificate());

        assertEquals(MSP_ID, identity.mspId());
    }

    @Test
    void fromConfig_unreadableRevocationList_throwsChannelConfigException() {
        FabricMSPConfig config = mspConfig(root)
                .addRevocationList(ByteString.copyFromUtf8("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"))
                .build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(config));

        assertMessageContains(e, MSP_ID, "revocation_list");
    }

    // ---------------------------------------------------------------- node OUs

    @Test
    void validate_nodeOusEnabledLeafWithoutNodeOu_throwsExactlyOne() {
        Issued leaf = leaf("C=US,O=org1,OU=department1,CN=user1", intermediate);

        IdentityValidationException e = invalid(rootAndIntermediate().setFabricNodeOus(nodeOus(null)),
                leaf.certificate());

        assertMessageContains(e, "exactly one node OU", "but has 0");
    }

    @Test
    void validate_nodeOusEnabledLeafWithTwoNodeOus_throwsExactlyOne() {
        Issued leaf = leaf("C=US,O=org1,OU=client,OU=peer,CN=user1", intermediate);

        IdentityValidationException e = invalid(rootAndIntermediate().setFabricNodeOus(nodeOus(null)),
                leaf.certificate());

        assertMessageContains(e, "exactly one node OU", "but has 2");
    }

    @Test
    void validate_nodeOusEnabledLeafWithPeerOu_hasPeerRole() {
        Issued leaf = leaf("C=US,O=org1,OU=peer,CN=peer0", intermediate);

        MspIdentity identity = validate(rootAndIntermediate().setFabricNodeOus(nodeOus(null)), leaf.certificate());

        assertEquals(roles(MSPRoleType.PEER), identity.roles());
        assertTrue(identity.hasRole(MSPRoleType.PEER));
        assertFalse(identity.hasRole(MSPRoleType.CLIENT));
    }

    @ParameterizedTest
    @EnumSource(value = MSPRoleType.class, names = {"CLIENT", "PEER", "ADMIN", "ORDERER"})
    void validate_nodeOusEnabledLeafWithOneNodeOu_hasThatRoleOnly(MSPRoleType role) {
        String ou = role.name().toLowerCase();
        Issued leaf = leaf("C=US,O=org1,OU=department1,OU=" + ou + ",CN=node", intermediate);

        MspIdentity identity = validate(rootAndIntermediate().setFabricNodeOus(nodeOus(null)), leaf.certificate());

        assertEquals(roles(role), identity.roles());
        assertEquals(Set.of("department1", ou), identity.organizationalUnits());
    }

    @Test
    void validate_nodeOusWithCustomOuNames_usesConfiguredNames() {
        FabricNodeOUs custom = FabricNodeOUs.newBuilder().setEnable(true)
                .setClientOuIdentifier(ou("app", null))
                .setPeerOuIdentifier(ou("node", null))
                .build();
        Issued node = leaf("C=US,O=org1,OU=node,CN=peer0", intermediate);
        Issued peerNamed = leaf("C=US,O=org1,OU=peer,CN=peer1", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate().setFabricNodeOus(custom);

        assertEquals(roles(MSPRoleType.PEER), validate(config, node.certificate()).roles());
        assertMessageContains(invalid(config, peerNamed.certificate()), "but has 0");
    }

    @Test
    void validate_nodeOusDisabled_nodeOuIgnoredAndNoneRequired() {
        FabricNodeOUs disabled = nodeOus(null).toBuilder().setEnable(false).build();
        Issued plain = leaf("C=US,O=org1,CN=user1", intermediate);
        Issued two = leaf("C=US,O=org1,OU=client,OU=peer,CN=user2", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate().setFabricNodeOus(disabled);

        assertEquals(roles(), validate(config, plain.certificate()).roles());
        assertEquals(roles(), validate(config, two.certificate()).roles());
    }

    @Test
    void validate_nodeOuCertifierIsIssuingRoot_ouCounts() {
        Issued leaf = leaf("C=US,O=org1,OU=peer,CN=peer0", root);

        MspIdentity identity = validate(mspConfig(root, otherRoot).setFabricNodeOus(nodeOus(root)),
                leaf.certificate());

        assertEquals(roles(MSPRoleType.PEER), identity.roles());
    }

    @Test
    void validate_nodeOuCertifiedByAnotherRoot_rejectedAsCertifierMismatch() {
        // Both roots are CAs of the MSP, but the node OUs are certified by root only (Fabric:
        // "certifiersIdentifier does not match").
        Issued leaf = leaf("C=US,O=org2,OU=peer,CN=peer0", otherRoot);
        FabricMSPConfig.Builder config = mspConfig(root, otherRoot).setFabricNodeOus(nodeOus(root));

        IdentityValidationException e = invalid(config, leaf.certificate());

        assertMessageContains(e, "node OU 'peer'", "not issued by the CA", "CN=ca.org1");
    }

    @Test
    void validate_nodeOuCertifierIsRootButLeafUnderIntermediate_rejected() {
        // Fabric compares the certifier with the leaf's direct issuer, not with any CA of the chain.
        Issued leaf = leaf("C=US,O=org1,OU=client,CN=user1", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate().setFabricNodeOus(nodeOus(root));

        assertMessageContains(invalid(config, leaf.certificate()), "node OU 'client'", "not issued by the CA");
    }

    @Test
    void validate_duplicatedNodeOu_countsTwiceAndIsRejected() {
        Issued leaf = leaf("C=US,O=org1,OU=client,OU=client,CN=user1", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate().setFabricNodeOus(nodeOus(null));

        assertMessageContains(invalid(config, leaf.certificate()), "exactly one node OU", "but has 2");
    }

    @Test
    void validate_ouWithEscapedCharacters_comparedUnescaped() {
        Issued leaf = leaf("C=US,O=org1,OU=dept\\,one,CN=user1", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate().addOrganizationalUnitIdentifiers(ou("dept,one", null));

        assertEquals(Set.of("dept,one"), validate(config, leaf.certificate()).organizationalUnits());
    }

    @Test
    void validate_rsaCertificateUnderEcRoot_typedValidationError() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Issued leaf = X509Issuer.certificate("C=US,O=org1,CN=rsa").validity(LEAF_FROM, LEAF_UNTIL)
                .keyPair(rsa.generateKeyPair()).issuedBy(intermediate);

        assertMessageContains(invalid(rootAndIntermediate(), leaf.certificate()), "not an EC public key");
    }

    @Test
    void fromConfig_rootCertificateNotACa_rejected() {
        Issued notCa = leaf("C=US,O=org1,CN=not-a-ca", root);
        FabricMSPConfig config = mspConfig().addRootCerts(pem(notCa.certificate())).build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(config));
        assertMessageContains(e, "root_certs", "not a CA certificate");
    }

    @Test
    void fromConfig_nodeOuCertifierOutsideTheMsp_rejected() {
        FabricMSPConfig config = mspConfig(root).setFabricNodeOus(nodeOus(otherRoot)).build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(config));
        assertMessageContains(e, "not one of its CA certificates");
    }

    @Test
    void validate_nodeOuCertifierIsIntermediate_countsOnlyForItsLeaves() {
        FabricMSPConfig.Builder config = rootAndIntermediate().setFabricNodeOus(nodeOus(intermediate));
        Issued underIntermediate = leaf("C=US,O=org1,OU=client,CN=user1", intermediate);
        Issued underRoot = leaf("C=US,O=org1,OU=client,CN=user2", root);

        assertEquals(roles(MSPRoleType.CLIENT), validate(config, underIntermediate.certificate()).roles());
        // The root issues the intermediate, so Fabric's certification-tree rule rejects its direct leaves.
        assertMessageContains(invalid(config, underRoot.certificate()), "edge of the certification tree");
    }

    // ---------------------------------------------------------------- admins

    @Test
    void validate_certificateInAdminsList_hasAdminRole() {
        Issued admin = leaf("C=US,O=org1,CN=admin", intermediate);
        Issued user = leaf("C=US,O=org1,CN=user1", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate().addAdmins(pem(admin.certificate()));

        assertEquals(roles(MSPRoleType.ADMIN), validate(config, admin.certificate()).roles());
        assertEquals(roles(), validate(config, user.certificate()).roles());
    }

    @Test
    void validate_adminsListWithNodeOus_addsAdminToNodeRole() {
        Issued admin = leaf("C=US,O=org1,OU=client,CN=admin", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate()
                .setFabricNodeOus(nodeOus(null))
                .addAdmins(pem(admin.certificate()));

        assertEquals(roles(MSPRoleType.CLIENT, MSPRoleType.ADMIN), validate(config, admin.certificate()).roles());
    }

    @Test
    void validate_sameSubjectAsAdminButDifferentCertificate_isNotAdmin() {
        Issued admin = leaf("C=US,O=org1,CN=admin", intermediate);
        Issued lookalike = leaf("C=US,O=org1,CN=admin", intermediate);
        FabricMSPConfig.Builder config = rootAndIntermediate().addAdmins(pem(admin.certificate()));

        assertEquals(roles(), validate(config, lookalike.certificate()).roles());
    }

    // ---------------------------------------------------------------- organizational_unit_identifiers

    @Test
    void validate_organizationalUnitIdentifiers_restrictMembership() {
        FabricMSPConfig.Builder config = rootAndIntermediate()
                .addOrganizationalUnitIdentifiers(ou("department1", null));
        Issued member = leaf("C=US,O=org1,OU=department1,CN=user1", intermediate);
        Issued outsider = leaf("C=US,O=org1,OU=department2,CN=user2", intermediate);
        Issued noOu = leaf("C=US,O=org1,CN=user3", intermediate);

        assertEquals(Set.of("department1"), validate(config, member.certificate()).organizationalUnits());
        assertMessageContains(invalid(config, outsider.certificate()), "none of the organizational units", "CN=user2");
        assertMessageContains(invalid(config, noOu.certificate()), "has no organizational unit");
    }

    @Test
    void validate_organizationalUnitIdentifiers_anyListedOuIsEnough() {
        FabricMSPConfig.Builder config = rootAndIntermediate()
                .addOrganizationalUnitIdentifiers(ou("department1", null))
                .addOrganizationalUnitIdentifiers(ou("department2", null));
        Issued member = leaf("C=US,O=org1,OU=department2,CN=user2", intermediate);

        assertEquals(MSP_ID, validate(config, member.certificate()).mspId());
    }

    @Test
    void validate_organizationalUnitIdentifierWithCertifier_requiresCertifierInChain() {
        FabricMSPConfig.Builder config = mspConfig(root, otherRoot)
                .addOrganizationalUnitIdentifiers(ou("department1", root));
        Issued certified = leaf("C=US,O=org1,OU=department1,CN=user1", root);
        Issued otherCa = leaf("C=US,O=org2,OU=department1,CN=user2", otherRoot);

        assertEquals(MSP_ID, validate(config, certified.certificate()).mspId());
        assertMessageContains(invalid(config, otherCa.certificate()), "none of the organizational units");
    }

    // ---------------------------------------------------------------- ChannelMsps

    @Test
    void channelMspsValidate_sameBytesTwice_returnsSameInstance() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        ChannelMsps msps = channel(rootAndIntermediate());
        ByteString bytes = serialized(leaf.certificate());

        MspIdentity first = msps.validate(bytes);

        assertSame(first, msps.validate(bytes));
        assertSame(first, msps.validate(ByteString.copyFrom(bytes.toByteArray())), "keyed by content, not reference");
        assertSame(first, msps.validate(bytes, LEAF_UNTIL), "still valid at the end of the period");
    }

    @Test
    void channelMspsValidate_differentChannelMsps_doNotShareCache() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        ByteString bytes = serialized(leaf.certificate());

        assertNotSame(channel(rootAndIntermediate()).validate(bytes), channel(rootAndIntermediate()).validate(bytes));
    }

    @Test
    void channelMspsValidate_cachedIdentityAfterNotAfter_throws() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        ChannelMsps msps = channel(rootAndIntermediate());
        ByteString bytes = serialized(leaf.certificate());
        msps.validate(bytes);

        Instant later = LEAF_UNTIL.plusSeconds(1);
        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> msps.validate(bytes, later));

        assertMessageContains(e, "CN=user1", "valid from " + LEAF_FROM + " to " + LEAF_UNTIL, "not at " + later);
    }

    @Test
    void channelMspsValidate_cachedIdentityBeforeNotBefore_throws() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        ChannelMsps msps = channel(rootAndIntermediate());
        ByteString bytes = serialized(leaf.certificate());
        msps.validate(bytes);

        assertThrows(IdentityValidationException.class, () -> msps.validate(bytes, LEAF_FROM.minusSeconds(1)));
    }

    @Test
    void channelMspsValidate_cachedIdentityUnderShortLivedIntermediate_throwsAfterIntermediateExpires() {
        Instant icaUntil = Instant.parse("2030-09-01T00:00:00Z");
        Issued shortIca = X509Issuer.certificate("C=US,O=org1,CN=short-ica").ca(true)
                .validity(INTERMEDIATE_FROM, icaUntil).issuedBy(root);
        Issued leaf = leaf("C=US,O=org1,CN=user1", shortIca);
        ChannelMsps msps = channel(mspConfig(root).addIntermediateCerts(pem(shortIca.certificate())));
        ByteString bytes = serialized(leaf.certificate());
        msps.validate(bytes);

        assertThrows(IdentityValidationException.class, () -> msps.validate(bytes, icaUntil.plusSeconds(1)));
    }

    @Test
    void channelMspsValidate_invalidIdentity_isNotCached() {
        // Rejected while not yet valid, accepted later: a failure must not be remembered.
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        ChannelMsps msps = channel(rootAndIntermediate());
        ByteString bytes = serialized(leaf.certificate());

        assertThrows(IdentityValidationException.class, () -> msps.validate(bytes, LEAF_FROM.minusSeconds(60)));
        assertEquals(MSP_ID, msps.validate(bytes, AT).mspId());
    }

    @Test
    void channelMspsValidate_usesItsClock() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        Msp msp = Msp.fromConfig(rootAndIntermediate().build());
        ChannelMsps late = ChannelMsps.of(List.of(msp), Clock.fixed(LEAF_UNTIL.plusSeconds(3600), ZoneOffset.UTC));

        assertThrows(IdentityValidationException.class, () -> late.validate(serialized(leaf.certificate())));
    }

    @Test
    void channelMspsValidate_bytesNotAnIdentity_throws() {
        ChannelMsps msps = channel(rootAndIntermediate());

        IdentityValidationException e = assertThrows(IdentityValidationException.class,
                () -> msps.validate(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01, 0x02})));

        assertMessageContains(e, "not a serialized msp.SerializedIdentity");
    }

    @Test
    void channelMspsValidate_idBytesNotPem_throws() {
        ChannelMsps msps = channel(rootAndIntermediate());
        ByteString bytes = SerializedIdentity.newBuilder().setMspid(MSP_ID)
                .setIdBytes(ByteString.copyFromUtf8("not a certificate")).build().toByteString();

        IdentityValidationException e = assertThrows(IdentityValidationException.class, () -> msps.validate(bytes));

        assertMessageContains(e, "does not hold a PEM certificate");
    }

    @Test
    void channelMspsOf_twoMspsWithSameId_throwsIllegalArgument() {
        Msp a = Msp.fromConfig(mspConfig(root).build());
        Msp b = Msp.fromConfig(mspConfig(otherRoot).build());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChannelMsps.of(List.of(a, b)));

        assertMessageContains(e, MSP_ID);
    }

    // ---------------------------------------------------------------- principals

    @Test
    void satisfies_rolePrincipal_matchesHeldRolesOfSameMspOnly() {
        Issued leaf = leaf("C=US,O=org1,OU=peer,CN=peer0", intermediate);
        MspIdentity peer = validate(rootAndIntermediate().setFabricNodeOus(nodeOus(null)), leaf.certificate());

        assertTrue(peer.satisfies(Principal.role(MSP_ID, MSPRoleType.MEMBER)));
        assertTrue(peer.satisfies(Principal.role(MSP_ID, MSPRoleType.PEER)));
        assertFalse(peer.satisfies(Principal.role(MSP_ID, MSPRoleType.CLIENT)));
        assertFalse(peer.satisfies(Principal.role(MSP_ID, MSPRoleType.ADMIN)));
        assertFalse(peer.satisfies(Principal.role("OtherMSP", MSPRoleType.MEMBER)));
        assertFalse(peer.satisfies(Principal.role("OtherMSP", MSPRoleType.PEER)));
    }

    @Test
    void satisfies_unitPrincipal_matchesCertificateOusOfSameMspOnly() {
        Issued leaf = leaf("C=US,O=org1,OU=department1,OU=client,CN=user1", intermediate);
        MspIdentity user = validate(rootAndIntermediate().setFabricNodeOus(nodeOus(null)), leaf.certificate());

        assertTrue(user.satisfies(new Principal.Unit(MSP_ID, "department1")));
        assertTrue(user.satisfies(new Principal.Unit(MSP_ID, "client")));
        assertFalse(user.satisfies(new Principal.Unit(MSP_ID, "department2")));
        assertFalse(user.satisfies(new Principal.Unit("OtherMSP", "department1")));
    }

    @Test
    void satisfies_identityPrincipal_matchesExactSerializedIdentityOnly() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        Issued other = leaf("C=US,O=org1,CN=user1", intermediate);
        MspIdentity user = validate(rootAndIntermediate(), leaf.certificate());

        assertTrue(user.satisfies(new Principal.Identity(MSP_ID, serialized(leaf.certificate()))));
        assertFalse(user.satisfies(new Principal.Identity(MSP_ID, serialized(other.certificate()))));
        assertFalse(user.satisfies(new Principal.Identity("OtherMSP", serialized(leaf.certificate()))));
    }

    @Test
    void satisfies_principalsDecodedFromProto_behaveLikeConstructedOnes() {
        Issued leaf = leaf("C=US,O=org1,OU=department1,OU=admin,CN=admin", intermediate);
        MspIdentity admin = validate(rootAndIntermediate().setFabricNodeOus(nodeOus(null)), leaf.certificate());

        assertTrue(admin.satisfies(Principal.fromProto(Principal.role(MSP_ID, MSPRoleType.ADMIN).toProto())));
        assertTrue(admin.satisfies(Principal.fromProto(new Principal.Unit(MSP_ID, "department1").toProto())));
        assertTrue(admin.satisfies(Principal.fromProto(
                new Principal.Identity(MSP_ID, serialized(leaf.certificate())).toProto())));
        assertFalse(admin.satisfies(Principal.fromProto(Principal.role(MSP_ID, MSPRoleType.ORDERER).toProto())));
    }

    // ---------------------------------------------------------------- signatures

    @Test
    void verify_signatureByLeafKey_acceptsOriginalAndRejectsTamperedMessage() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        MspIdentity identity = validate(rootAndIntermediate(), leaf.certificate());
        byte[] message = "a proposal".getBytes(StandardCharsets.UTF_8);

        byte[] signature = Signers.newPrivateKeySigner(leaf.key()).sign(message);

        assertTrue(identity.verify(message, signature));
        byte[] tampered = message.clone();
        tampered[0] ^= 1;
        assertFalse(identity.verify(tampered, signature));
        byte[] badSignature = signature.clone();
        badSignature[badSignature.length - 1] ^= 1;
        assertFalse(identity.verify(message, badSignature));
    }

    @Test
    void verify_signatureByAnotherKey_isRejected() {
        Issued leaf = leaf("C=US,O=org1,CN=user1", intermediate);
        Issued other = leaf("C=US,O=org1,CN=user2", intermediate);
        MspIdentity identity = validate(rootAndIntermediate(), leaf.certificate());
        byte[] message = "a proposal".getBytes(StandardCharsets.UTF_8);

        assertFalse(identity.verify(message, Signers.newPrivateKeySigner(other.key()).sign(message)));
        assertFalse(identity.verify(message, Signers.newPrivateKeySigner(intermediate.key()).sign(message)));
    }

    // ---------------------------------------------------------------- rejected definitions

    @Test
    void fromConfig_noRootCertificates_throwsChannelConfigException() {
        FabricMSPConfig config = mspConfig().addIntermediateCerts(pem(intermediate.certificate())).build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(config));

        assertMessageContains(e, MSP_ID, "has no root certificates");
    }

    @Test
    void fromConfig_sha3HashFamily_throwsChannelConfigException() {
        FabricMSPConfig config = mspConfig(root)
                .setCryptoConfig(FabricCryptoConfig.newBuilder()
                        .setSignatureHashFamily("SHA3")
                        .setIdentityIdentifierHashFunction("SHA3_256"))
                .build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(config));

        assertMessageContains(e, MSP_ID, "SHA3");
    }

    @Test
    void fromConfig_idemixMspConfig_throwsChannelConfigException() {
        MSPConfig idemix = MSPConfig.newBuilder().setType(1).setConfig(ByteString.copyFromUtf8("idemix")).build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(idemix));

        assertMessageContains(e, "type 1", "not supported");
    }

    @Test
    void fromConfig_fabricMspConfigWrappedInMspConfig_readsIt() {
        MSPConfig wrapped = MSPConfig.newBuilder().setType(0).setConfig(mspConfig(root).build().toByteString()).build();

        Msp msp = Msp.fromConfig(wrapped);

        assertEquals(MSP_ID, msp.id());
        assertEquals(List.of(root.certificate()), msp.rootCertificates());
    }

    @Test
    void fromConfig_mspConfigWithUndecodableBytes_throwsChannelConfigException() {
        MSPConfig broken = MSPConfig.newBuilder().setType(0)
                .setConfig(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})).build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(broken));

        assertMessageContains(e, "not a FabricMSPConfig");
    }

    @Test
    void fromConfig_noName_throwsChannelConfigException() {
        FabricMSPConfig config = mspConfig(root).setName("").build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(config));

        assertMessageContains(e, "no name");
    }

    @Test
    void fromConfig_rootCertNotPem_throwsChannelConfigException() {
        FabricMSPConfig config = mspConfig(root)
                .addRootCerts(ByteString.copyFromUtf8("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
                .build();

        ChannelConfigException e = assertThrows(ChannelConfigException.class, () -> Msp.fromConfig(config));

        assertMessageContains(e, MSP_ID, "root_certs");
    }
}
