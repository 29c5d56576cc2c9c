package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.internal.EcCurves;
import dev.weft.core.internal.Ecdsa;
import dev.weft.core.internal.Hex;
import dev.weft.core.internal.X509Issuer;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ECDSA signing and verification as Fabric requires it: SHA-256 whatever the curve, low-S,
 * canonical DER, deterministic nonces; checked against Bouncy Castle's and the JDK's providers,
 * RFC 6979 test vectors and the Fabric 2.5.12 fixture keys.
 */
class SigningTest {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    /** Group orders from SEC 2 / FIPS 186-4, independent of the code under test. */
    private static final BigInteger P256_N =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    private static final BigInteger P384_N = new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
            + "C7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16);

    private static final X509Certificate ORG1_CERT = Fixtures.certificate("org1-user1-cert.pem");
    private static final PrivateKey ORG1_KEY = Fixtures.key("org1-user1-key.pem");
    private static final PrivateKey ORG2_KEY = Fixtures.key("org2-user1-key.pem");

    // ---------------------------------------------------------------- low-S

    @Test
    void sign_p256Thousand_allLowSAndVerify() {
        KeyPair pair = X509Issuer.newKeyPair(EcCurves.P256);
        Signer signer = Signers.newPrivateKeySigner(pair.getPrivate());
        BigInteger halfOrder = P256_N.shiftRight(1);
        assertEquals(halfOrder, EcCurves.P256.halfOrder());

        assertAllLowSAndValid(signer, pair.getPublic(), 1_000, halfOrder);
    }

    @Test
    void sign_p384TwoHundred_allLowSAndVerify() {
        KeyPair pair = X509Issuer.newKeyPair(EcCurves.P384);
        Signer signer = Signers.newPrivateKeySigner(pair.getPrivate());
        BigInteger halfOrder = P384_N.shiftRight(1);
        assertEquals(halfOrder, EcCurves.P384.halfOrder());

        assertAllLowSAndValid(signer, pair.getPublic(), 200, halfOrder);
    }

    private static void assertAllLowSAndValid(Signer signer, PublicKey publicKey, int count, BigInteger halfOrder) {
        Set<BigInteger> rs = new HashSet<>();
        for (int i = 0; i < count; i++) {
            byte[] message = ("message #" + i).getBytes(StandardCharsets.UTF_8);
            byte[] signature = signer.sign(message);

            BigInteger[] decoded = Ecdsa.decode(signature);
            assertNotNull(decoded, "canonical DER for message " + i);
            assertTrue(decoded[1].signum() > 0, "s > 0 for message " + i);
            assertTrue(decoded[1].compareTo(halfOrder) <= 0, "s <= n/2 for message " + i);
            assertTrue(Signatures.isLowS(publicKey, signature), "isLowS for message " + i);
            assertTrue(Signatures.verify(publicKey, message, signature), "verifies for message " + i);
            rs.add(decoded[0]);
        }
        assertEquals(count, rs.size(), "each message gets its own nonce");
    }

    @ParameterizedTest
    @EnumSource(EcCurves.class)
    void verify_highSTwinOfValidSignature_rejectedUntilNormalised(EcCurves curve) throws GeneralSecurityException {
        KeyPair pair = X509Issuer.newKeyPair(curve);
        byte[] message = ("high-S on " + curve).getBytes(StandardCharsets.UTF_8);
        byte[] low = Signers.newPrivateKeySigner(pair.getPrivate()).sign(message);
        BigInteger[] rs = Ecdsa.decode(low);
        BigInteger n = curve == EcCurves.P256 ? P256_N : P384_N;
        byte[] high = Ecdsa.encode(rs[0], n.subtract(rs[1]));

        // The twin is a mathematically valid ECDSA signature: a lenient verifier accepts it.
        assertTrue(bcVerify("SHA256withECDSA", pair.getPublic(), message, high), "BC accepts the high-S twin");
        assertTrue(Signatures.isLowS(pair.getPublic(), low));
        assertFalse(Signatures.isLowS(pair.getPublic(), high));
        assertFalse(Signatures.verify(pair.getPublic(), message, high), "Fabric rejects high S");

        byte[] normalised = Signatures.toLowS(pair.getPublic(), high);

        assertArrayEquals(low, normalised);
        assertTrue(Signatures.isLowS(pair.getPublic(), normalised));
        assertTrue(Signatures.verify(pair.getPublic(), message, normalised));
        assertArrayEquals(low, Signatures.toLowS(pair.getPublic(), low), "low S is left as it is");
    }

    @Test
    void isLowS_exactlyHalfOrderAndOneAbove_boundaryAtHalfOrder() {
        PublicKey key = ORG1_CERT.getPublicKey();
        BigInteger half = P256_N.shiftRight(1);
        BigInteger r = BigInteger.valueOf(12345);

        assertTrue(Signatures.isLowS(key, Ecdsa.encode(r, half)));
        assertFalse(Signatures.isLowS(key, Ecdsa.encode(r, half.add(BigInteger.ONE))));
        assertFalse(Signatures.isLowS(key, new byte[] {0x30, 0x00}), "not DER");
    }

    @Test
    void toLowS_nonDerInput_throwsIllegalArgument() {
        assertThrows(IllegalArgumentException.class,
                () -> Signatures.toLowS(ORG1_CERT.getPublicKey(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}));
    }

    // ---------------------------------------------------------------- SHA-256 for every curve

    @Test
    void sign_p384_isEcdsaOverSha256() throws GeneralSecurityException {
        KeyPair pair = X509Issuer.newKeyPair(EcCurves.P384);
        byte[] message = "P-384 still hashes with SHA-256 in Fabric".getBytes(StandardCharsets.UTF_8);

        byte[] signature = Signers.newPrivateKeySigner(pair.getPrivate()).sign(message);

        assertTrue(bcVerify("SHA256withECDSA", pair.getPublic(), message, signature));
        assertFalse(bcVerify("SHA384withECDSA", pair.getPublic(), message, signature));
    }

    @Test
    void verify_p384SignatureOverSha384_rejected() throws GeneralSecurityException {
        KeyPair pair = X509Issuer.newKeyPair(EcCurves.P384);
        byte[] message = "signed with SHA384withECDSA".getBytes(StandardCharsets.UTF_8);
        Signature jca = Signature.getInstance("SHA384withECDSA");
        jca.initSign(pair.getPrivate());
        jca.update(message);
        // Normalise so that the only difference from what Fabric wants is the hash.
        byte[] signature = Signatures.toLowS(pair.getPublic(), jca.sign());
        assertTrue(bcVerify("SHA384withECDSA", pair.getPublic(), message, signature), "valid over SHA-384");

        assertFalse(Signatures.verify(pair.getPublic(), message, signature));
    }

    @Test
    void sign_p256_isEcdsaOverSha256() throws GeneralSecurityException {
        byte[] message = "P-256".getBytes(StandardCharsets.UTF_8);

        byte[] signature = Signers.newPrivateKeySigner(ORG1_KEY).sign(message);

        assertTrue(bcVerify("SHA256withECDSA", ORG1_CERT.getPublicKey(), message, signature));
        assertTrue(jdkVerify("SHA256withECDSA", ORG1_CERT.getPublicKey(), message, signature));
    }

    // ---------------------------------------------------------------- strict DER

    @Test
    void verify_trailingGarbageByte_returnsFalse() {
        byte[] message = "strict DER".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Signers.newPrivateKeySigner(ORG1_KEY).sign(message);
        assertTrue(Signatures.verify(ORG1_CERT, message, signature));

        for (byte extra : new byte[] {0x00, 0x01, (byte) 0xFF}) {
            byte[] padded = Arrays.copyOf(signature, signature.length + 1);
            padded[signature.length] = extra;

            assertFalse(Signatures.verify(ORG1_CERT, message, padded), "trailing " + extra);
        }
    }

    @Test
    void verify_nonMinimalInteger_returnsFalse() {
        byte[] message = "non-minimal".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Signers.newPrivateKeySigner(ORG1_KEY).sign(message);
        BigInteger[] rs = Ecdsa.decode(signature);
        byte[] r = rs[0].toByteArray();
        byte[] s = rs[1].toByteArray();
        assertArrayEquals(signature, der(r, s), "test encoder matches");

        assertFalse(Signatures.verify(ORG1_CERT, message, der(prepend((byte) 0, r), s)), "r padded");
        assertFalse(Signatures.verify(ORG1_CERT, message, der(r, prepend((byte) 0, s))), "s padded");
        assertFalse(Signatures.verify(ORG1_CERT, message, der(prepend((byte) 0, prepend((byte) 0, r)), s)));
    }

    @Test
    void verify_nonMinimalSequenceLength_returnsFalse() {
        byte[] message = "long form length".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Signers.newPrivateKeySigner(ORG1_KEY).sign(message);
        byte[] longForm = new byte[signature.length + 1];
        longForm[0] = 0x30;
        longForm[1] = (byte) 0x81;
        System.arraycopy(signature, 1, longForm, 2, signature.length - 1);

        assertFalse(Signatures.verify(ORG1_CERT, message, longForm));
    }

    @Test
    void verify_negativeInteger_returnsFalse() {
        byte[] message = "negative".getBytes(StandardCharsets.UTF_8);
        BigInteger[] rs = Ecdsa.decode(Signers.newPrivateKeySigner(ORG1_KEY).sign(message));
        byte[] r = rs[0].toByteArray();
        // Drop the 0x00 sign byte of an r with its top bit set, or set the top bit of r: a negative INTEGER.
        byte[] negative = r[0] == 0 ? Arrays.copyOfRange(r, 1, r.length) : r.clone();
        negative[0] |= (byte) 0x80;

        assertFalse(Signatures.verify(ORG1_CERT, message, der(negative, rs[1].toByteArray())));
    }

    @Test
    void verify_rOrSZeroOrOutOfRange_returnsFalse() {
        byte[] message = "range".getBytes(StandardCharsets.UTF_8);
        BigInteger[] rs = Ecdsa.decode(Signers.newPrivateKeySigner(ORG1_KEY).sign(message));

        assertFalse(Signatures.verify(ORG1_CERT, message, Ecdsa.encode(BigInteger.ZERO, rs[1])), "r = 0");
        assertFalse(Signatures.verify(ORG1_CERT, message, Ecdsa.encode(rs[0], BigInteger.ZERO)), "s = 0");
        assertFalse(Signatures.verify(ORG1_CERT, message, Ecdsa.encode(rs[0].add(P256_N), rs[1])), "r + n");
        assertFalse(Signatures.verify(ORG1_CERT, message, Ecdsa.encode(P256_N, rs[1])), "r = n");
    }

    @Test
    void verify_everyTruncation_returnsFalseWithoutException() {
        byte[] message = "truncated".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Signers.newPrivateKeySigner(ORG1_KEY).sign(message);

        for (int length = 0; length < signature.length; length++) {
            byte[] truncated = Arrays.copyOf(signature, length);

            assertFalse(Signatures.verify(ORG1_CERT, message, truncated), "length " + length);
        }
    }

    @Test
    void verify_singleByteCorruptions_returnFalseWithoutException() {
        byte[] message = "bit flips".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Signers.newPrivateKeySigner(ORG1_KEY).sign(message);

        for (int i = 0; i < signature.length; i++) {
            for (int bit : new int[] {0, 7}) {
                byte[] corrupted = signature.clone();
                corrupted[i] ^= (byte) (1 << bit);

                assertFalse(Signatures.verify(ORG1_CERT, message, corrupted), "byte " + i + " bit " + bit);
            }
        }
    }

    // ---------------------------------------------------------------- deterministic nonces

    @Test
    void sign_sameKeyAndMessageTwice_identicalSignatures() {
        byte[] message = "deterministic".getBytes(StandardCharsets.UTF_8);
        Signer first = Signers.newPrivateKeySigner(ORG1_KEY);
        Signer second = Signers.newPrivateKeySigner(Fixtures.key("org1-user1-key.pem"));

        byte[] a = first.sign(message);
        byte[] b = first.sign(message);
        byte[] c = second.sign(message.clone());

        assertArrayEquals(a, b);
        assertArrayEquals(a, c);
        assertFalse(Arrays.equals(a, first.sign("deterministic!".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void sign_rfc6979P256Sha256Sample_matchesTestVectorInLowSForm() throws GeneralSecurityException {
        // RFC 6979 A.2.5, P-256, SHA-256, message "sample".
        PrivateKey key = privateKey("secp256r1",
                "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
        BigInteger r = new BigInteger("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716", 16);
        BigInteger s = new BigInteger("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8", 16);

        byte[] signature = Signers.newPrivateKeySigner(key).sign("sample".getBytes(StandardCharsets.US_ASCII));

        BigInteger[] rs = Ecdsa.decode(signature);
        assertEquals(r, rs[0]);
        assertEquals(P256_N.subtract(s), rs[1], "the vector's s is high: Weft returns n - s");
    }

    @Test
    void sign_rfc6979P384Sha256Sample_matchesTestVectorInLowSForm() throws GeneralSecurityException {
        // RFC 6979 A.2.6, P-384, SHA-256 (as Fabric hashes), message "sample".
        PrivateKey key = privateKey("secp384r1", "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA"
                + "9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5");
        BigInteger r = new BigInteger("21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E"
                + "354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD", 16);
        BigInteger s = new BigInteger("F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D4"
                + "5DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0", 16);

        byte[] signature = Signers.newPrivateKeySigner(key).sign("sample".getBytes(StandardCharsets.US_ASCII));

        BigInteger[] rs = Ecdsa.decode(signature);
        assertEquals(r, rs[0]);
        assertEquals(P384_N.subtract(s), rs[1], "the vector's s is high: Weft returns n - s");
    }

    // ---------------------------------------------------------------- fixture keys

    @Test
    void sign_fixtureUser1Key_verifiesWithFixtureCert() {
        byte[] message = "org1 user1".getBytes(StandardCharsets.UTF_8);

        byte[] signature = Signers.newPrivateKeySigner(ORG1_KEY).sign(message);

        assertTrue(Signatures.verify(ORG1_CERT, message, signature));
        assertTrue(Signatures.verify(ORG1_CERT.getPublicKey(), message, signature));
    }

    @Test
    void verify_org2SignatureAgainstOrg1Cert_returnsFalse() {
        byte[] message = "who signed this?".getBytes(StandardCharsets.UTF_8);

        byte[] signature = Signers.newPrivateKeySigner(ORG2_KEY).sign(message);

        assertTrue(Signatures.verify(Fixtures.certificate("org2-user1-cert.pem"), message, signature));
        assertFalse(Signatures.verify(ORG1_CERT, message, signature));
    }

    @Test
    void verify_tamperedMessage_returnsFalse() {
        byte[] message = "transfer 10 coins to alice".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Signers.newPrivateKeySigner(ORG1_KEY).sign(message);
        assertTrue(Signatures.verify(ORG1_CERT, message, signature));

        byte[] flipped = message.clone();
        flipped[9] ^= 0x01;
        byte[] extended = Arrays.copyOf(message, message.length + 1);

        assertFalse(Signatures.verify(ORG1_CERT, flipped, signature));
        assertFalse(Signatures.verify(ORG1_CERT, extended, signature));
        assertFalse(Signatures.verify(ORG1_CERT, new byte[0], signature));
    }

    @Test
    void newPrivateKeySigner_unsupportedKeys_throwCredentialException() throws GeneralSecurityException {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        KeyPairGenerator k1 = KeyPairGenerator.getInstance("EC", BC);
        k1.initialize(new ECGenParameterSpec("secp256k1"));

        CredentialException rsaError = assertThrows(CredentialException.class,
                () -> Signers.newPrivateKeySigner(rsa.generateKeyPair().getPrivate()));
        CredentialException k1Error = assertThrows(CredentialException.class,
                () -> Signers.newPrivateKeySigner(k1.generateKeyPair().getPrivate()));

        assertTrue(rsaError.getMessage().contains("P-256 or P-384"), rsaError.getMessage());
        assertTrue(k1Error.getMessage().contains("P-256 or P-384"), k1Error.getMessage());
    }

    @Test
    void newPrivateKeySigner_toString_doesNotRevealScalar() {
        PrivateKey p384 = X509Issuer.newKeyPair(EcCurves.P384).getPrivate();
        assertNoScalar(ORG1_KEY, Signers.newPrivateKeySigner(ORG1_KEY).toString());
        assertNoScalar(ORG1_KEY, Signers.newPrivateKeySigner(X509Identity.of("Org1MSP", ORG1_CERT), ORG1_KEY).toString());
        assertNoScalar(p384, Signers.newPrivateKeySigner(p384).toString());
    }

    private static void assertNoScalar(PrivateKey key, String text) {
        BigInteger d = ((ECPrivateKey) key).getS();
        String lower = text.toLowerCase(Locale.ROOT);
        assertFalse(text.isEmpty());
        assertFalse(lower.contains(d.toString(16)), text);
        assertFalse(lower.contains(Hex.encode(d.toByteArray()).toLowerCase(Locale.ROOT)), text);
        assertFalse(text.contains(d.toString(10)), text);
        assertFalse(text.contains(Base64.getEncoder().encodeToString(key.getEncoded())), text);
    }

    // ---------------------------------------------------------------- external signers

    @Test
    void toLowS_jcaDefaultSha256WithEcdsa_alwaysVerifies() throws GeneralSecurityException {
        KeyPair pair = X509Issuer.newKeyPair(EcCurves.P256);
        Signature jca = Signature.getInstance("SHA256withECDSA");
        int highS = 0;
        for (int i = 0; i < 50; i++) {
            byte[] message = ("hsm payload " + i).getBytes(StandardCharsets.UTF_8);
            jca.initSign(pair.getPrivate());
            jca.update(message);
            byte[] raw = jca.sign();

            byte[] normalised = Signatures.toLowS(pair.getPublic(), raw);

            assertTrue(Signatures.verify(pair.getPublic(), message, normalised), "run " + i);
            assertTrue(Signatures.isLowS(pair.getPublic(), normalised), "run " + i);
            if (Signatures.isLowS(pair.getPublic(), raw)) {
                assertSame(raw, normalised, "already low: returned as is, run " + i);
                assertTrue(Signatures.verify(pair.getPublic(), message, raw), "run " + i);
            } else {
                highS++;
                assertFalse(Signatures.verify(pair.getPublic(), message, raw), "raw high S rejected, run " + i);
            }
        }
        // The JDK does not normalise s: about half of its signatures are high-S (all 50 low: p = 2^-50).
        assertTrue(highS > 0, "no high-S signature in 50 runs");
    }

    // ---------------------------------------------------------------- helpers

    private static boolean bcVerify(String algorithm, PublicKey key, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(algorithm, BC);
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }

    private static boolean jdkVerify(String algorithm, PublicKey key, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }

    private static PrivateKey privateKey(String curveName, String hexScalar) throws GeneralSecurityException {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(curveName));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(hexScalar, 16), spec));
    }

    /** DER SEQUENCE of two INTEGERs with the given content bytes, as is (short-form lengths). */
    private static byte[] der(byte[] r, byte[] s) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0x02);
        body.write(r.length);
        body.writeBytes(r);
        body.write(0x02);
        body.write(s.length);
        body.writeBytes(s);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.write(body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] prepend(byte b, byte[] bytes) {
        byte[] out = new byte[bytes.length + 1];
        out[0] = b;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }
}
