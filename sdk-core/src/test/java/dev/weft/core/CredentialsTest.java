package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.EcCurves;
import dev.weft.core.internal.X509Issuer;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PEM loading of certificates and private keys in the formats cryptogen, Fabric CA and OpenSSL
 * write, the errors for everything Weft cannot use, PEM round trips and {@link X509Identity}.
 * Inputs other than the Fabric 2.5.12 fixtures are produced with Bouncy Castle's PEM writers.
 */
class CredentialsTest {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private static final String USER1_CERT_PEM = Fixtures.text("crypto/org1-user1-cert.pem");
    private static final String USER1_KEY_PEM = Fixtures.text("crypto/org1-user1-key.pem");
    private static final String ORG2_USER1_KEY_PEM = Fixtures.text("crypto/org2-user1-key.pem");
    private static final X509Certificate USER1_CERT = Credentials.readCertificate(USER1_CERT_PEM);

    @TempDir
    Path tempDir;

    // ---------------------------------------------------------------- loading: happy paths

    @Test
    void readPrivateKey_pkcs8FixtureKey_matchesFixtureCertificate() {
        assertTrue(USER1_KEY_PEM.contains("-----BEGIN PRIVATE KEY-----"), "fixture is PKCS#8");

        PrivateKey key = Credentials.readPrivateKey(USER1_KEY_PEM);

        assertEquals("EC", key.getAlgorithm());
        Credentials.checkKeyPair(USER1_CERT, key);
        assertEquals(EcCurves.P256, EcCurves.of(((ECPrivateKey) key).getParams()));
    }

    @Test
    void readCertificate_fixtureCertificate_hasFabricSubject() {
        X509Certificate cert = Credentials.readCertificate(USER1_CERT_PEM);

        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=User1@org1.example.com"),
                cert.getSubjectX500Principal().getName());
        assertTrue(cert.getPublicKey() instanceof ECPublicKey);
    }

    @ParameterizedTest
    @EnumSource(EcCurves.class)
    void readPrivateKey_sec1EcPrivateKey_loadsKeyMatchingItsCertificate(EcCurves curve) {
        X509Issuer.Issued issued = X509Issuer.certificate("CN=sec1").keyPair(bcEcKeyPair(curve)).selfSigned();
        String pem = pem(issued.key());
        assertTrue(pem.startsWith("-----BEGIN EC PRIVATE KEY-----"), pem);

        PrivateKey key = Credentials.readPrivateKey(pem);

        assertEquals(((ECPrivateKey) issued.key()).getS(), ((ECPrivateKey) key).getS());
        assertEquals(curve, EcCurves.of(((ECPrivateKey) key).getParams()));
        Credentials.checkKeyPair(issued.certificate(), key);
    }

    @Test
    void readPrivateKey_sec1PrecededByEcParameters_loadsKey() {
        // `openssl ecparam -name prime256v1 -genkey` writes the curve OID block first.
        X509Issuer.Issued issued = X509Issuer.certificate("CN=ecparam").keyPair(bcEcKeyPair(EcCurves.P256)).selfSigned();
        String ecParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        assertEquals(ecParameters, pem(new PemObject("EC PARAMETERS", encoded(SECObjectIdentifiers.secp256r1))));
        String pem = ecParameters + pem(issued.key());

        PrivateKey key = Credentials.readPrivateKey(pem);

        assertEquals(((ECPrivateKey) issued.key()).getS(), ((ECPrivateKey) key).getS());
        Credentials.checkKeyPair(issued.certificate(), key);
    }

    @Test
    void readCertificateAndKey_crlfLineEndings_loadSameAsLf() {
        String certCrlf = USER1_CERT_PEM.replace("\n", "\r\n");
        String keyCrlf = USER1_KEY_PEM.replace("\n", "\r\n");
        assertTrue(certCrlf.contains("\r\n") && keyCrlf.contains("\r\n"));

        X509Certificate cert = Credentials.readCertificate(certCrlf);
        PrivateKey key = Credentials.readPrivateKey(keyCrlf);

        assertEquals(USER1_CERT, cert);
        assertEquals(Credentials.readPrivateKey(USER1_KEY_PEM), key);
        Credentials.checkKeyPair(cert, key);
    }

    @Test
    void readCertificateAndKey_textAroundPemBlock_isIgnored() {
        String cert = "Certificate:\n    Subject: CN=User1@org1.example.com\nsubject=/CN=x\n\n"
                + USER1_CERT_PEM + "\ntrailing notes after the block\n";
        String key = "Bag Attributes\n    localKeyID: 01 02 03\nKey Attributes: <No Attributes>\n"
                + USER1_KEY_PEM + "-- end of file --";

        assertEquals(USER1_CERT, Credentials.readCertificate(cert));
        Credentials.checkKeyPair(USER1_CERT, Credentials.readPrivateKey(key));
    }

    @Test
    void readCertificates_bundleOfSeveralBlocks_returnsAllInOrder() {
        List<String> names = List.of("org1-ca.pem", "org2-ca.pem", "orderer-ca.pem", "org1-tlsca.pem");
        StringBuilder bundle = new StringBuilder();
        for (String name : names) {
            bundle.append(Fixtures.text("crypto/" + name));
        }

        List<X509Certificate> certs = Credentials.readCertificates(bundle.toString());

        assertEquals(names.size(), certs.size());
        for (int i = 0; i < names.size(); i++) {
            assertEquals(Fixtures.certificate(names.get(i)), certs.get(i), names.get(i));
        }
        assertEquals(certs.get(0), Credentials.readCertificate(bundle.toString()), "first of the bundle");
    }

    @Test
    void readCertificates_bundleWithKeyBlock_ignoresNonCertificateBlocks() {
        String mixed = USER1_KEY_PEM + USER1_CERT_PEM + Fixtures.text("crypto/org1-ca.pem");

        List<X509Certificate> certs = Credentials.readCertificates(mixed);

        assertEquals(List.of(USER1_CERT, Fixtures.certificate("org1-ca.pem")), certs);
    }

    @Test
    void readFromPath_certificateBundleAndKeyFiles_sameAsFromString() throws IOException {
        Path certFile = Files.writeString(tempDir.resolve("cert.pem"), USER1_CERT_PEM);
        Path keyFile = Files.writeString(tempDir.resolve("priv_sk"), USER1_KEY_PEM);
        String bundle = Fixtures.text("crypto/org1-ca.pem") + Fixtures.text("crypto/org2-ca.pem");
        Path bundleFile = Files.writeString(tempDir.resolve("cacerts.pem"), bundle);

        X509Certificate cert = Credentials.readCertificate(certFile);
        PrivateKey key = Credentials.readPrivateKey(keyFile);
        List<X509Certificate> cas = Credentials.readCertificates(bundleFile);

        assertEquals(USER1_CERT, cert);
        assertEquals(Credentials.readPrivateKey(USER1_KEY_PEM), key);
        Credentials.checkKeyPair(cert, key);
        assertEquals(Credentials.readCertificates(bundle), cas);
        assertEquals(2, cas.size());
    }

    @Test
    void parseCertificate_derOfFixture_equalsPemCertificate() throws GeneralSecurityException {
        assertEquals(USER1_CERT, Credentials.parseCertificate(USER1_CERT.getEncoded()));
    }

    @Test
    void parseCertificate_garbageBytes_throwsCredentialException() {
        CredentialException e = assertThrows(CredentialException.class,
                () -> Credentials.parseCertificate(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}));
        assertTrue(e.getMessage().contains("X.509 certificate"), e.getMessage());
    }

    // ---------------------------------------------------------------- loading: errors

    @Test
    void readPrivateKey_rsaPkcs8_throwsAskingForEcKey() throws Exception {
        KeyPair rsa = rsaKeyPair();
        String pem = pem(new JcaPKCS8Generator(rsa.getPrivate(), null));
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), pem);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("RSA private key"), e.getMessage());
        assertTrue(e.getMessage().contains("ECDSA keys on P-256 or P-384"), e.getMessage());
    }

    @Test
    void readPrivateKey_rsaTraditional_throwsAskingForEcKey() throws Exception {
        String pem = pem(rsaKeyPair().getPrivate());
        assertTrue(pem.startsWith("-----BEGIN RSA PRIVATE KEY-----"), pem);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("RSA private key"), e.getMessage());
        assertTrue(e.getMessage().contains("enroll again with an EC key"), e.getMessage());
    }

    @Test
    void readPrivateKey_encryptedPkcs8_throwsTellingHowToDecrypt() throws Exception {
        PrivateKey key = Credentials.readPrivateKey(USER1_KEY_PEM);
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(BC)
                .setPassword("secret".toCharArray())
                .build();
        String pem = pem(new JcaPKCS8Generator(key, encryptor));
        assertTrue(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), pem);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("password-protected"), e.getMessage());
        assertTrue(e.getMessage().contains("-nocrypt"), e.getMessage());
    }

    @Test
    void readPrivateKey_legacyEncryptedSec1_throwsTellingHowToDecrypt() throws Exception {
        PrivateKey key = X509Issuer.newKeyPair(EcCurves.P256).getPrivate();
        var encryptor = new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build("secret".toCharArray());
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(key, encryptor);
        }
        String pem = out.toString();
        assertTrue(pem.startsWith("-----BEGIN EC PRIVATE KEY-----"), pem);
        assertTrue(pem.contains("Proc-Type: 4,ENCRYPTED"), pem);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("password-protected"), e.getMessage());
        assertTrue(e.getMessage().contains("unencrypted"), e.getMessage());
    }

    @Test
    void readPrivateKey_secp256k1Pkcs8_throwsUnsupportedCurve() throws Exception {
        KeyPair k1 = secp256k1KeyPair();
        String pem = pem(new JcaPKCS8Generator(k1.getPrivate(), null));
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), pem);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("unsupported curve"), e.getMessage());
        assertTrue(e.getMessage().contains("P-256 or P-384"), e.getMessage());
    }

    @Test
    void readPrivateKey_secp256k1Sec1_throwsUnsupportedCurve() throws Exception {
        String pem = pem(secp256k1KeyPair().getPrivate());
        assertTrue(pem.startsWith("-----BEGIN EC PRIVATE KEY-----"), pem);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("unsupported curve"), e.getMessage());
        assertTrue(e.getMessage().contains("P-256 or P-384"), e.getMessage());
    }

    @Test
    void readPrivateKey_sec1WithoutCurveParameters_throwsCredentialException() {
        // RFC 5915 requires the curve in SEC1 keys and Go's x509.ParseECPrivateKey rejects a key
        // without it: the curve cannot be known.
        ECPrivateKey key = (ECPrivateKey) X509Issuer.newKeyPair(EcCurves.P256).getPrivate();
        String pem = pem(new PemObject("EC PRIVATE KEY",
                encoded(new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS()))));

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("does not name its curve"), e.getMessage());
    }

    @Test
    void readPrivateKey_ed25519_throwsNotSupported() throws Exception {
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String pem = pem(ed.getPrivate());
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), pem);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("Ed25519"), e.getMessage());
        assertTrue(e.getMessage().contains("ECDSA P-256 or P-384"), e.getMessage());
    }

    @Test
    void checkKeyPair_org1CertWithOrg2Key_throwsNamingCertificate() {
        PrivateKey org2Key = Credentials.readPrivateKey(ORG2_USER1_KEY_PEM);

        CredentialException e = assertThrows(CredentialException.class,
                () -> Credentials.checkKeyPair(USER1_CERT, org2Key));

        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertTrue(e.getMessage().contains("User1@org1.example.com"), e.getMessage());
        assertTrue(e.getMessage().contains("same enrollment"), e.getMessage());
    }

    @Test
    void newPrivateKeySigner_identityWithForeignKey_throwsCredentialException() {
        X509Identity identity = X509Identity.of("Org1MSP", USER1_CERT);
        PrivateKey org2Key = Credentials.readPrivateKey(ORG2_USER1_KEY_PEM);

        CredentialException e = assertThrows(CredentialException.class,
                () -> Signers.newPrivateKeySigner(identity, org2Key));

        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertTrue(e.getMessage().contains("same enrollment"), e.getMessage());
    }

    @Test
    void newPrivateKeySigner_identityWithOwnKey_signsVerifiably() {
        X509Identity identity = X509Identity.of("Org1MSP", USER1_CERT);
        Signer signer = Signers.newPrivateKeySigner(identity, Credentials.readPrivateKey(USER1_KEY_PEM));
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);

        assertTrue(Signatures.verify(USER1_CERT, message, signer.sign(message)));
    }

    @Test
    void checkKeyPair_p256KeyWithP384Cert_throwsNamingBothCurves() {
        X509Certificate p384Cert = X509Issuer.certificate("CN=p384").curve(EcCurves.P384).selfSigned().certificate();
        PrivateKey p256Key = Credentials.readPrivateKey(USER1_KEY_PEM);

        CredentialException e = assertThrows(CredentialException.class,
                () -> Credentials.checkKeyPair(p384Cert, p256Key));

        assertTrue(e.getMessage().contains("P-256"), e.getMessage());
        assertTrue(e.getMessage().contains("P-384"), e.getMessage());
        assertTrue(e.getMessage().contains("do not belong together"), e.getMessage());
    }

    @Test
    void readPrivateKey_garbageText_throwsNoPemBlock() {
        CredentialException e = assertThrows(CredentialException.class,
                () -> Credentials.readPrivateKey("this is not a key at all\njust some words\n"));

        assertTrue(e.getMessage().contains("no PEM block"), e.getMessage());
        assertTrue(e.getMessage().contains("-----BEGIN"), e.getMessage());
    }

    @Test
    void readCertificate_garbageText_throwsNoPemBlock() {
        CredentialException e = assertThrows(CredentialException.class,
                () -> Credentials.readCertificate("Lorem ipsum dolor sit amet"));

        assertTrue(e.getMessage().contains("no PEM block"), e.getMessage());
    }

    @Test
    void readPrivateKeyAndCertificate_emptyOrBlank_throwsIsEmpty() {
        for (String empty : new String[] {"", "  \n\t\r\n"}) {
            CredentialException keyError = assertThrows(CredentialException.class,
                    () -> Credentials.readPrivateKey(empty));
            CredentialException certError = assertThrows(CredentialException.class,
                    () -> Credentials.readCertificate(empty));

            assertTrue(keyError.getMessage().contains("is empty"), keyError.getMessage());
            assertTrue(keyError.getMessage().contains("-----BEGIN"), keyError.getMessage());
            assertTrue(certError.getMessage().contains("is empty"), certError.getMessage());
        }
    }

    @Test
    void readPrivateKey_invalidBase64InsideBlock_throwsNotValidPem() {
        String pem = "-----BEGIN PRIVATE KEY-----\n@@@@ not *base64* at all ####\n-----END PRIVATE KEY-----\n";

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("not valid PEM"), e.getMessage());
    }

    @Test
    void readCertificate_base64OfNonCertificateInsideBlock_throwsNotValidPem() {
        String pem = "-----BEGIN CERTIFICATE-----\nSGVsbG8sIHRoaXMgaXMgbm90IGEgY2VydGlmaWNhdGUh\n-----END CERTIFICATE-----\n";

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readCertificate(pem));

        assertTrue(e.getMessage().contains("not valid PEM"), e.getMessage());
    }

    @Test
    void readPrivateKey_truncatedKeyBody_throwsCredentialException() {
        // Drop the last base64 line: the DER no longer parses.
        String[] lines = USER1_KEY_PEM.split("\n");
        String truncated = lines[0] + "\n" + lines[1] + "\n" + lines[lines.length - 1] + "\n";

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(truncated));

        assertTrue(e.getMessage().contains("PEM text"), e.getMessage());
    }

    @Test
    void readPrivateKey_certificateInsteadOfKey_throwsMentioningCertificate() {
        CredentialException e = assertThrows(CredentialException.class,
                () -> Credentials.readPrivateKey(USER1_CERT_PEM));

        assertTrue(e.getMessage().contains("no private key"), e.getMessage());
        assertTrue(e.getMessage().contains("certificate"), e.getMessage());
        assertTrue(e.getMessage().contains("pass the private key file"), e.getMessage());
    }

    @Test
    void readPrivateKey_certificateFileInsteadOfKeyFile_messageNamesFile() throws IOException {
        Path certFile = Files.writeString(tempDir.resolve("cert.pem"), USER1_CERT_PEM);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(certFile));

        assertTrue(e.getMessage().contains(certFile.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("certificate"), e.getMessage());
    }

    @Test
    void readPrivateKey_publicKeyInsteadOfKey_throwsMentioningPublicKey() {
        String pem = pem(USER1_CERT.getPublicKey());
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----"), pem);

        CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(pem));

        assertTrue(e.getMessage().contains("public key"), e.getMessage());
    }

    @Test
    void readCertificate_keyInsteadOfCertificate_throwsNoCertificateBlock() {
        CredentialException e = assertThrows(CredentialException.class,
                () -> Credentials.readCertificate(USER1_KEY_PEM));

        assertTrue(e.getMessage().contains("no CERTIFICATE block"), e.getMessage());
    }

    @Test
    void readFromPath_missingFile_throwsDoesNotExist() {
        Path missing = tempDir.resolve("keystore").resolve("priv_sk");

        CredentialException keyError = assertThrows(CredentialException.class,
                () -> Credentials.readPrivateKey(missing));
        CredentialException certError = assertThrows(CredentialException.class,
                () -> Credentials.readCertificate(missing));
        CredentialException certsError = assertThrows(CredentialException.class,
                () -> Credentials.readCertificates(missing));

        for (CredentialException e : List.of(keyError, certError, certsError)) {
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- PEM output

    @Test
    void toPemCertificate_fixture_equalsFabricWrittenFileExactly() {
        for (String name : List.of("org1-user1-cert.pem", "org1-ca.pem", "org2-peer0-cert.pem",
                "orderer-tls-server-cert.pem", "org2-admin-cert.pem")) {
            String text = Fixtures.text("crypto/" + name);

            assertEquals(text, Credentials.toPem(Credentials.readCertificate(text)), name);
        }
    }

    @Test
    void toPemCertificate_crlfInput_isNormalisedToGoFormat() {
        String crlf = USER1_CERT_PEM.replace("\n", "\r\n");

        assertEquals(USER1_CERT_PEM, Credentials.toPem(Credentials.readCertificate(crlf)));
    }

    @Test
    void toPemPrivateKey_fixtureKey_rereadsToEqualKey() {
        PrivateKey key = Credentials.readPrivateKey(USER1_KEY_PEM);

        String pem = Credentials.toPem(key);
        PrivateKey reread = Credentials.readPrivateKey(pem);

        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), pem);
        assertTrue(pem.endsWith("-----END PRIVATE KEY-----\n"), pem);
        assertEquals(key, reread);
        assertEquals(((ECPrivateKey) key).getS(), ((ECPrivateKey) reread).getS());
        Credentials.checkKeyPair(USER1_CERT, reread);
    }

    @ParameterizedTest
    @EnumSource(EcCurves.class)
    void toPemPrivateKey_generatedKey_rereadsToSameScalarAndCurve(EcCurves curve) {
        X509Issuer.Issued issued = X509Issuer.certificate("CN=roundtrip").curve(curve).selfSigned();

        PrivateKey reread = Credentials.readPrivateKey(Credentials.toPem(issued.key()));

        assertEquals(((ECPrivateKey) issued.key()).getS(), ((ECPrivateKey) reread).getS());
        assertEquals(curve, EcCurves.of(((ECPrivateKey) reread).getParams()));
        Credentials.checkKeyPair(issued.certificate(), reread);
    }

    // ---------------------------------------------------------------- X509Identity

    @Test
    void x509IdentityOf_fixtureCert_serializesAsSerializedIdentityWithPem() throws Exception {
        X509Identity identity = X509Identity.of("Org1MSP", USER1_CERT);

        SerializedIdentity proto = SerializedIdentity.parseFrom(identity.serialized());

        assertEquals("Org1MSP", proto.getMspid());
        assertEquals(USER1_CERT_PEM, proto.getIdBytes().toString(StandardCharsets.US_ASCII));
        assertEquals(proto, identity.toProto());
        assertEquals("Org1MSP", identity.mspId());
        assertEquals(USER1_CERT, identity.certificate());
    }

    @Test
    void x509IdentityFromPem_fixtureText_equalsOf() {
        assertEquals(X509Identity.of("Org1MSP", USER1_CERT), X509Identity.fromPem("Org1MSP", USER1_CERT_PEM));
    }

    @Test
    void x509IdentityFromSerialized_ownSerialization_equalsOriginal() {
        X509Identity original = X509Identity.of("Org1MSP", USER1_CERT);

        X509Identity parsed = X509Identity.fromSerialized(original.serialized());

        assertEquals(original, parsed);
        assertEquals(original.hashCode(), parsed.hashCode());
        assertEquals("Org1MSP", parsed.mspId());
        assertEquals(USER1_CERT, parsed.certificate());
    }

    @Test
    void x509IdentityFromSerialized_nonCanonicalPem_keepsBytesUntouched() {
        // A client that wrote CRLF PEM: the bytes must be kept as they are, since signatures and
        // transaction ids are computed over them.
        ByteString wire = SerializedIdentity.newBuilder()
                .setMspid("Org1MSP")
                .setIdBytes(ByteString.copyFromUtf8(USER1_CERT_PEM.replace("\n", "\r\n")))
                .build()
                .toByteString();

        X509Identity parsed = X509Identity.fromSerialized(wire);

        assertEquals(wire, parsed.serialized());
        assertArrayEquals(wire.toByteArray(), parsed.serialized().toByteArray());
        assertEquals(USER1_CERT, parsed.certificate());
        assertNotEquals(X509Identity.of("Org1MSP", USER1_CERT), parsed, "equality is over serialized bytes");
        assertEquals(parsed, X509Identity.fromSerialized(ByteString.copyFrom(wire.toByteArray())));
    }

    @Test
    void x509IdentityOf_differentMspIdOrCert_notEqual() {
        X509Identity org1 = X509Identity.of("Org1MSP", USER1_CERT);

        assertNotEquals(org1, X509Identity.of("Org2MSP", USER1_CERT));
        assertNotEquals(org1, X509Identity.of("Org1MSP", Fixtures.certificate("org1-admin-cert.pem")));
    }

    @Test
    void x509IdentityOf_blankMspId_throwsIllegalArgument() {
        for (String blank : new String[] {"", " ", "\t\n"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> X509Identity.of(blank, USER1_CERT));
            assertTrue(e.getMessage().contains("mspId"), e.getMessage());
        }
    }

    @Test
    void x509IdentityFromSerialized_garbageBytes_throwsProtocolException() {
        ByteString garbage = ByteString.copyFrom(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0x42});

        ProtocolException e = assertThrows(ProtocolException.class, () -> X509Identity.fromSerialized(garbage));

        assertTrue(e.getMessage().contains("SerializedIdentity"), e.getMessage());
    }

    @Test
    void x509IdentityFromSerialized_idBytesNotPem_throwsProtocolException() {
        ByteString wire = SerializedIdentity.newBuilder()
                .setMspid("Org1MSP")
                .setIdBytes(ByteString.copyFromUtf8("not a certificate"))
                .build()
                .toByteString();

        ProtocolException e = assertThrows(ProtocolException.class, () -> X509Identity.fromSerialized(wire));

        assertTrue(e.getMessage().contains("Org1MSP"), e.getMessage());
        assertTrue(e.getMessage().contains("PEM certificate"), e.getMessage());
    }

    @Test
    void x509IdentityFromSerialized_noMspId_throwsProtocolException() {
        ByteString wire = SerializedIdentity.newBuilder()
                .setIdBytes(ByteString.copyFromUtf8(USER1_CERT_PEM))
                .build()
                .toByteString();

        ProtocolException e = assertThrows(ProtocolException.class, () -> X509Identity.fromSerialized(wire));

        assertTrue(e.getMessage().contains("MSP id"), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (object instanceof PemObjectGenerator generator) {
                writer.writeObject(generator);
            } else {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static KeyPair rsaKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /**
     * A key pair from Bouncy Castle's provider: its SEC1 form carries the curve OID and the public
     * key, as OpenSSL writes them (the JDK's PKCS#8 encoding leaves the inner curve parameters out).
     */
    private static KeyPair bcEcKeyPair(EcCurves curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
            generator.initialize(new ECGenParameterSpec(curve == EcCurves.P256 ? "secp256r1" : "secp384r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(ASN1Object object) {
        try {
            return object.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair secp256k1KeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
        generator.initialize(new ECGenParameterSpec("secp256k1"));
        return generator.generateKeyPair();
    }
}
