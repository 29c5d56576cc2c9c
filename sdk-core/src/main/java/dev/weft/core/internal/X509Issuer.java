package dev.weft.core.internal;

import dev.weft.core.CredentialException;
import dev.weft.core.InternalApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.operator.ContentSigner;

/**
 * Issues X.509 certificates with EC keys, in the shape Fabric's cryptogen gives them: a
 * self-signed CA per organisation, signing and TLS certificates with OU, key-usage and SAN
 * extensions, subject and authority key identifiers. Certificate signatures are ECDSA-SHA256,
 * deterministic and low-S, made with {@link Ecdsa}.
 *
 * <p>Used by the reference network to generate crypto material and by tests; not for production
 * certificate authorities.
 */
@InternalApi
public final class X509Issuer {
    private static final SecureRandom RANDOM = new SecureRandom();

    private X509Issuer() {
    }

    /** A certificate and its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
    }

    /** A new EC key pair on the curve. */
    public static KeyPair newKeyPair(EcCurves curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve == EcCurves.P256 ? "secp256r1" : "secp384r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new CredentialException("cannot generate an EC key pair on " + curve.displayName(), e);
        }
    }

    public static Spec certificate(String subject) {
        return new Spec(subject);
    }

    /** What to put in a certificate. Not thread-safe. */
    public static final class Spec {
        private final X500Name subject;
        private Instant notBefore = Instant.now().minusSeconds(300);
        private Instant notAfter = Instant.now().plusSeconds(10L * 365 * 24 * 3600);
        private boolean ca;
        private KeyPair keyPair;
        private EcCurves curve = EcCurves.P256;
        private final List<GeneralName> subjectAltNames = new ArrayList<>();
        private final List<KeyPurposeId> extendedKeyUsages = new ArrayList<>();
        private Integer keyUsage;
        private BigInteger serial;

        private Spec(String subject) {
            this.subject = new X500Name(Objects.requireNonNull(subject, "subject"));
        }

        public Spec validity(Instant from, Instant until) {
            this.notBefore = from;
            this.notAfter = until;
            return this;
        }

        public Spec ca(boolean ca) {
            this.ca = ca;
            return this;
        }

        public Spec curve(EcCurves curve) {
            this.curve = curve;
            return this;
        }

        /** Certify an existing key pair instead of generating one. */
        public Spec keyPair(KeyPair keyPair) {
            this.keyPair = keyPair;
            return this;
        }

        public Spec dnsNames(String... names) {
            for (String name : names) {
                subjectAltNames.add(new GeneralName(GeneralName.dNSName, name));
            }
            return this;
        }

        public Spec ipAddresses(String... addresses) {
            for (String address : addresses) {
                subjectAltNames.add(new GeneralName(GeneralName.iPAddress, address));
            }
            return this;
        }

        /** Key usage bits from {@link KeyUsage}; defaults: CA = signing + cert/CRL signing, leaf = digital signature. */
        public Spec keyUsage(int bits) {
            this.keyUsage = bits;
            return this;
        }

        /** TLS server and client authentication, in that order (cryptogen's TLS certificates). */
        public Spec serverAndClientAuth() {
            return extendedKeyUsages(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        }

        /** Extended key usages, in the given order. */
        public Spec extendedKeyUsages(KeyPurposeId... usages) {
            extendedKeyUsages.clear();
            extendedKeyUsages.addAll(List.of(usages));
            return this;
        }

        public Spec serial(BigInteger serial) {
            this.serial = serial;
            return this;
        }

        public Issued selfSigned() {
            KeyPair pair = keyPair != null ? keyPair : newKeyPair(curve);
            return build(pair, subject, pair.getPrivate(), null);
        }

        public Issued issuedBy(Issued issuer) {
            KeyPair pair = keyPair != null ? keyPair : newKeyPair(curve);
            X500Name issuerName = X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
            return build(pair, issuerName, issuer.key(), issuer.certificate().getPublicKey());
        }

        private Issued build(KeyPair pair, X500Name issuerName, PrivateKey signingKey, PublicKey issuerKey) {
            try {
                BigInteger serialNumber = serial != null ? serial : new BigInteger(128, RANDOM);
                X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuerName, serialNumber,
                        Date.from(notBefore), Date.from(notAfter), subject,
                        SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()));
                int usage = keyUsage != null ? keyUsage
                        : ca ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyCertSign | KeyUsage.cRLSign
                        : KeyUsage.digitalSignature;
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
                if (!extendedKeyUsages.isEmpty()) {
                    builder.addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(extendedKeyUsages.toArray(new KeyPurposeId[0])));
                }
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                if (ca) {
                    // cryptogen gives CA certificates a subject key identifier and leaves only an
                    // authority key identifier on the certificates they issue.
                    builder.addExtension(Extension.subjectKeyIdentifier, false,
                            new SubjectKeyIdentifier(keyIdentifier(pair.getPublic())));
                }
                if (issuerKey != null) {
                    builder.addExtension(Extension.authorityKeyIdentifier, false,
                            new AuthorityKeyIdentifier(keyIdentifier(issuerKey)));
                }
                if (!subjectAltNames.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(subjectAltNames.toArray(new GeneralName[0])));
                }
                X509Certificate cert = new JcaX509CertificateConverter()
                        .getCertificate(builder.build(new LowSSigner(EcCurves.privateKeyParameters(signingKey))));
                return new Issued(cert, pair.getPrivate());
            } catch (IOException | GeneralSecurityException e) {
                throw new CredentialException("cannot issue certificate for " + subject, e);
            }
        }
    }

    /** cryptogen's key identifier: SHA-256 of the public key bits (for EC keys, the uncompressed point). */
    private static byte[] keyIdentifier(PublicKey key) {
        return Hashing.sha256(SubjectPublicKeyInfo.getInstance(key.getEncoded()).getPublicKeyData().getBytes());
    }

    /** A Bouncy Castle content signer backed by {@link Ecdsa}: SHA-256, deterministic, low-S. */
    private static final class LowSSigner implements ContentSigner {
        private static final AlgorithmIdentifier ECDSA_SHA256 = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
        private final ECPrivateKeyParameters key;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        LowSSigner(ECPrivateKeyParameters key) {
            this.key = key;
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return ECDSA_SHA256;
        }

        @Override
        public OutputStream getOutputStream() {
            return buffer;
        }

        @Override
        public byte[] getSignature() {
            return Ecdsa.sign(key, buffer.toByteArray());
        }
    }
}
