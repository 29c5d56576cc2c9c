package dev.weft.core;

import dev.weft.core.internal.EcCurves;
import dev.weft.core.internal.Ecdsa;
import java.security.PrivateKey;
import java.util.Objects;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;

/**
 * Factories for {@link Signer}s.
 *
 * <pre>{@code
 * Signer signer = Signers.newPrivateKeySigner(identity, Credentials.readPrivateKey(keyPath));
 * }</pre>
 */
public final class Signers {
    private Signers() {
    }

    /**
     * A signer for an EC private key on P-256 or P-384: ECDSA over SHA-256, deterministic nonces
     * (RFC 6979), low-S DER output, computed with Bouncy Castle. The returned signer is immutable
     * and thread-safe, and its {@code toString()} never reveals the key.
     *
     * @throws CredentialException if the key is not an EC key on a supported curve
     */
    public static Signer newPrivateKeySigner(PrivateKey key) {
        Objects.requireNonNull(key, "key");
        return new EcdsaSigner(EcCurves.privateKeyParameters(key));
    }

    /**
     * Like {@link #newPrivateKeySigner(PrivateKey)}, after checking that the key belongs to the
     * identity's certificate, so that a mismatched pair fails here rather than at the peer.
     *
     * @throws CredentialException if the key does not match the certificate
     */
    public static Signer newPrivateKeySigner(X509Identity identity, PrivateKey key) {
        Objects.requireNonNull(identity, "identity");
        Credentials.checkKeyPair(identity.certificate(), key);
        return newPrivateKeySigner(key);
    }

    private static final class EcdsaSigner implements Signer {
        private final ECPrivateKeyParameters key;

        EcdsaSigner(ECPrivateKeyParameters key) {
            this.key = key;
        }

        @Override
        public byte[] sign(byte[] message) {
            return Ecdsa.sign(key, message);
        }

        @Override
        public String toString() {
            return "EcdsaSigner[" + EcCurves.of(key.getParameters()).displayName() + "]";
        }
    }
}
