package dev.weft.core;

import dev.weft.core.internal.EcCurves;
import dev.weft.core.internal.Pem;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes the PEM files that Fabric tools produce: certificates ({@code CERTIFICATE})
 * and EC private keys, both PKCS#8 ({@code PRIVATE KEY}, as cryptogen and Fabric CA write them)
 * and SEC1 ({@code EC PRIVATE KEY}, optionally preceded by {@code EC PARAMETERS}, as OpenSSL
 * writes them).
 *
 * <p>Every failure is a {@link CredentialException} that says what was found and what to do:
 * an RSA or Ed25519 key, a key on an unsupported curve, a password-protected key, a file with no
 * PEM in it, or a certificate that does not match its private key.
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * X509Certificate cert = Credentials.readCertificate(Path.of("signcerts/cert.pem"));
 * PrivateKey key = Credentials.readPrivateKey(Path.of("keystore/priv_sk"));
 * Credentials.checkKeyPair(cert, key);
 * }</pre>
 */
public final class Credentials {
    private Credentials() {
    }

    /** Reads the first certificate in a PEM file. */
    public static X509Certificate readCertificate(Path file) {
        return readCertificate(readFile(file, CERTIFICATE_HINT), file.toString());
    }

    /** Reads the first certificate in PEM text. */
    public static X509Certificate readCertificate(String pem) {
        return readCertificate(pem, "PEM text");
    }

    private static X509Certificate readCertificate(String pem, String source) {
        List<X509Certificate> certs = readCertificates(pem, source);
        if (certs.isEmpty()) {
            throw new CredentialException(source + " holds no CERTIFICATE block");
        }
        return certs.get(0);
    }

    /** Reads every certificate in a PEM file (a chain or a bundle of CA certificates). */
    public static List<X509Certificate> readCertificates(Path file) {
        return readCertificates(readFile(file, CERTIFICATE_HINT), file.toString());
    }

    /**
     * Reads every certificate in PEM text. Other PEM blocks of known types (keys, CRLs, requests)
     * are skipped; a block of a type Bouncy Castle does not know is an error.
     */
    public static List<X509Certificate> readCertificates(String pem) {
        return readCertificates(pem, "PEM text");
    }

    private static List<X509Certificate> readCertificates(String pem, String source) {
        List<X509Certificate> result = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : parsePem(pem, source)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    result.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new CredentialException(source + " holds a CERTIFICATE block that is not a valid X.509 certificate", e);
                }
            }
        }
        return List.copyOf(result);
    }

    /**
     * Parses a DER-encoded X.509 certificate.
     *
     * @throws CredentialException if the bytes are not a certificate
     */
    public static X509Certificate parseCertificate(byte[] der) {
        try {
            return new JcaX509CertificateConverter().getCertificate(new X509CertificateHolder(der));
        } catch (IOException | CertificateException e) {
            throw new CredentialException("not a DER-encoded X.509 certificate", e);
        }
    }

    /** Reads the EC private key in a PEM file. */
    public static PrivateKey readPrivateKey(Path file) {
        return readPrivateKey(readFile(file, KEY_HINT), file.toString());
    }

    /** Reads the EC private key in PEM text. */
    public static PrivateKey readPrivateKey(String pem) {
        return readPrivateKey(pem, "PEM text");
    }

    private static PrivateKey readPrivateKey(String pem, String source) {
        PrivateKeyInfo info = null;
        boolean sawCertificate = false;
        boolean sawPublicKey = false;
        for (Object object : parsePem(pem, source)) {
            if (object instanceof PrivateKeyInfo pki) {
                info = pki;
            } else if (object instanceof PEMKeyPair pair) {
                info = pair.getPrivateKeyInfo();
            } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                throw new CredentialException(source + " holds a password-protected private key; Weft needs it "
                        + "unencrypted (for example: openssl pkcs8 -in key.pem -out key-plain.pem -nocrypt), "
                        + "or supply your own Signer");
            } else if (object instanceof X509CertificateHolder) {
                sawCertificate = true;
            } else if (object instanceof SubjectPublicKeyInfo) {
                sawPublicKey = true;
            }
            if (info != null) {
                break;
            }
        }
        if (info == null) {
            String found = sawCertificate ? " (it holds a certificate: pass the private key file instead)"
                    : sawPublicKey ? " (it holds a public key, not a private key)" : "";
            throw new CredentialException(source + " holds no private key" + found);
        }
        return toPrivateKey(info, source);
    }

    private static PrivateKey toPrivateKey(PrivateKeyInfo info, String source) {
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
            throw new CredentialException(source + " holds an RSA private key; Fabric identities use ECDSA keys "
                    + "on P-256 or P-384 (enroll again with an EC key, e.g. Fabric CA's default 'ecdsa 256')");
        }
        if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
            throw new CredentialException(source + " holds an Ed25519 private key; Weft signs with ECDSA P-256 or "
                    + "P-384 keys (Ed25519 needs Fabric 3.0 and is not supported yet)");
        }
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
            throw new CredentialException(source + " holds a private key of unsupported type " + algorithm
                    + "; Fabric identities use ECDSA keys on P-256 or P-384");
        }
        var params = info.getPrivateKeyAlgorithm().getParameters();
        if (params == null || params instanceof ASN1Null) {
            throw new CredentialException(source + " holds an EC private key that does not name its curve; "
                    + "re-export it with the curve named (openssl pkcs8 -topk8 -nocrypt -in key.pem)");
        }
        if (params instanceof ASN1Sequence) {
            throw new CredentialException(source + " holds an EC private key with explicit curve parameters; "
                    + "re-export it with a named curve (openssl ec -in key.pem -param_enc named_curve)");
        }
        if (!(params instanceof ASN1ObjectIdentifier curveOid) || EcCurves.byOid(curveOid) == null) {
            throw new CredentialException(source + " holds an EC private key on an unsupported curve ("
                    + params + "); Fabric identities use " + String.join(" or ", EcCurves.supportedNames()));
        }
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (IOException | GeneralSecurityException e) {
            throw new CredentialException(source + " holds an EC private key that cannot be decoded", e);
        }
    }

    /**
     * Checks that a certificate carries the public key of a private key.
     *
     * @throws CredentialException if they do not belong together, naming the certificate subject
     */
    public static void checkKeyPair(X509Certificate certificate, PrivateKey key) {
        ECPublicKeyParameters fromCert = EcCurves.publicKeyParameters(certificate.getPublicKey());
        ECPrivateKeyParameters priv = EcCurves.privateKeyParameters(key);
        if (EcCurves.of(priv.getParameters()) != EcCurves.of(fromCert.getParameters())) {
            throw new CredentialException("the private key is on " + EcCurves.of(priv.getParameters()).displayName()
                    + " but the certificate " + certificate.getSubjectX500Principal().getName() + " is on "
                    + EcCurves.of(fromCert.getParameters()).displayName() + ": they do not belong together");
        }
        var derived = new FixedPointCombMultiplier()
                .multiply(priv.getParameters().getG(), priv.getD()).normalize();
        if (!derived.equals(fromCert.getQ().normalize())) {
            throw new CredentialException("the private key does not match the certificate "
                    + certificate.getSubjectX500Principal().getName()
                    + ": check that the key and certificate files come from the same enrollment");
        }
    }

    /** The certificate in PEM form, byte for byte as Fabric (Go) writes it. */
    public static String toPem(X509Certificate certificate) {
        try {
            return Pem.encode("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new CredentialException("certificate cannot be encoded", e);
        }
    }

    /**
     * The private key as unencrypted PKCS#8 PEM ({@code PRIVATE KEY}). EC keys are written as
     * cryptogen and Fabric CA write them: the SEC1 key inside names no curve (the PKCS#8 wrapper
     * does) and carries the public key, which some tools require.
     */
    public static String toPem(PrivateKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded == null || !"PKCS#8".equals(key.getFormat())) {
            throw new CredentialException("the private key cannot be exported as PKCS#8 (it may live in an HSM)");
        }
        if (key instanceof java.security.interfaces.ECPrivateKey) {
            ECPrivateKeyParameters priv = EcCurves.privateKeyParameters(key);
            EcCurves curve = EcCurves.of(priv.getParameters());
            var q = new FixedPointCombMultiplier().multiply(priv.getParameters().getG(), priv.getD()).normalize();
            try {
                encoded = new PrivateKeyInfo(
                        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve.oid()),
                        new ECPrivateKey(curve.order().bitLength(), priv.getD(),
                                new DERBitString(q.getEncoded(false)), null))
                        .getEncoded();
            } catch (IOException e) {
                throw new CredentialException("the EC private key cannot be encoded", e);
            }
        }
        return Pem.encode("PRIVATE KEY", encoded);
    }

    private static List<Object> parsePem(String pem, String source) {
        if (pem == null || pem.isBlank()) {
            throw new CredentialException(source + " is empty; expected PEM text starting with -----BEGIN");
        }
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new CredentialException(source + " is not valid PEM: " + e.getMessage(), e);
        }
        if (objects.isEmpty()) {
            throw new CredentialException(source + " holds no PEM block; expected text starting with -----BEGIN");
        }
        return objects;
    }

    private static final String CERTIFICATE_HINT = "openssl x509 -inform DER -in FILE -out cert.pem";
    private static final String KEY_HINT = "openssl pkey -inform DER -in FILE -out key.pem";

    /**
     * The text of a PEM file. A binary file is refused with a message that says so; one that
     * starts like DER (an ASN.1 SEQUENCE) names the openssl command that converts it.
     */
    private static String readFile(Path file, String conversion) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CredentialException(file + " does not exist", e);
        } catch (IOException e) {
            throw new CredentialException(file + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            if (bytes.length > 1 && (bytes[0] & 0xff) == 0x30) {
                throw new CredentialException(file + " is DER (binary ASN.1); Weft needs PEM text starting with "
                        + "-----BEGIN: convert it with " + conversion.replace("FILE", file.toString()), e);
            }
            throw new CredentialException(file + " is a binary file, not PEM text starting with -----BEGIN", e);
        }
    }

    /**
     * Checks that a certificate is valid at an instant, before anything is sent with it: peers
     * and orderers refuse an expired or not-yet-valid certificate with an opaque error.
     *
     * @param role what the certificate is for, as the message names it (e.g. "the client identity's certificate")
     * @throws CredentialException naming the certificate, its validity and the instant
     */
    public static void checkValidAt(X509Certificate certificate, Instant at, String role) {
        Instant from = certificate.getNotBefore().toInstant();
        Instant until = certificate.getNotAfter().toInstant();
        String subject = certificate.getSubjectX500Principal().getName();
        if (at.isAfter(until)) {
            throw new CredentialException(role + " (" + subject + ") expired at " + until + " (now " + at
                    + "); renew it (for a Fabric CA: fabric-ca-client reenroll) and use the new certificate");
        }
        if (at.isBefore(from)) {
            throw new CredentialException(role + " (" + subject + ") is not valid until " + from + " (now " + at
                    + "); check this machine's clock, or wait until then");
        }
    }
}
