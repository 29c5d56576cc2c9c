package dev.weft.core;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.EcCurves;
import dev.weft.core.internal.Ecdsa;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.hyperledger.fabric.protos.peer.Endorsement;

/**
 * Verifies ECDSA signatures the way Fabric peers and orderers do: SHA-256 digest, canonical DER,
 * and s no greater than half the curve order (a valid but high-S signature is rejected).
 *
 * <p>Stateless and thread-safe. For repeated checks against the identities of a channel, prefer
 * {@link MspIdentity#verify}, which reuses the decoded key.
 */
public final class Signatures {
    private Signatures() {
    }

    /** Whether {@code signature} is a valid low-S signature by the certificate's key over {@code message}. */
    public static boolean verify(X509Certificate certificate, byte[] message, byte[] signature) {
        return verify(certificate.getPublicKey(), message, signature);
    }

    /**
     * Whether {@code signature} is a valid low-S signature by {@code key} over {@code message}.
     * A key Fabric cannot verify with (RSA, an unsupported curve) gives false, as it does in Fabric.
     */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(signature, "signature");
        ECPublicKeyParameters params;
        try {
            params = EcCurves.publicKeyParameters(key);
        } catch (CredentialException e) {
            return false;
        }
        return Ecdsa.verify(params, message, signature);
    }

    /**
     * Verifies an endorsement as a committing peer does: the endorser's signature over
     * {@code proposalResponsePayload ‖ endorsement.endorser}. Only the signature is checked; use
     * {@link ChannelMsps} to also check that the endorser is a valid member of the channel.
     *
     * @return false if the signature is invalid or high-S, or the endorser's key is not an ECDSA
     *     key on a curve Fabric supports
     * @throws ProtocolException if the endorser field is not a serialized X.509 identity
     */
    public static boolean verifyEndorsement(ByteString proposalResponsePayload, Endorsement endorsement) {
        X509Identity endorser = X509Identity.fromSerialized(endorsement.getEndorser());
        byte[] signed = proposalResponsePayload.concat(endorsement.getEndorser()).toByteArray();
        return verify(endorser.certificate(), signed, endorsement.getSignature().toByteArray());
    }

    /** SHA-256 of a message: the digest an ECDSA signer signs, for signers that take a digest. */
    public static byte[] digest(byte[] message) {
        return dev.weft.core.internal.Hashing.sha256(Objects.requireNonNull(message, "message"));
    }

    /**
     * Checks a signature made elsewhere (an offline signer, an HSM, another process) by the
     * signer's key over {@code message}, and returns it in the low-S form Fabric requires.
     *
     * @throws IllegalArgumentException if it is not a DER ECDSA signature over SHA-256(message)
     *     by the key of the signer's certificate
     */
    public static byte[] requireValid(X509Identity signer, byte[] message, byte[] signature) {
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(signature, "signature");
        PublicKey key = signer.certificate().getPublicKey();
        byte[] lowS;
        try {
            lowS = toLowS(key, signature);
        } catch (IllegalArgumentException | CredentialException e) {
            throw new IllegalArgumentException("the signature is not a DER ECDSA signature for the key of " + signer
                    + ": " + e.getMessage(), e);
        }
        if (!verify(key, message, lowS)) {
            throw new IllegalArgumentException("the signature does not verify with the certificate of " + signer
                    + ": sign SHA-256 of the message bytes with that identity's private key");
        }
        return lowS;
    }

    /** Whether a DER ECDSA signature by the given key's curve has a low s. */
    public static boolean isLowS(PublicKey key, byte[] signature) {
        return Ecdsa.isLowS(signature, EcCurves.of(EcCurves.publicKeyParameters(key).getParameters()));
    }

    /**
     * Returns the low-S form of a DER ECDSA signature made with a key on the given public key's
     * curve (the same signature when s is already low). For {@link Signer} implementations whose
     * backend (an HSM, a cloud KMS) does not normalise s.
     *
     * @throws IllegalArgumentException if the signature is not canonical DER
     */
    public static byte[] toLowS(PublicKey key, byte[] signature) {
        return Ecdsa.normalize(signature, EcCurves.of(EcCurves.publicKeyParameters(key).getParameters()));
    }
}
