package dev.weft.core;

/**
 * Signs Fabric messages on behalf of an identity.
 *
 * <p>Fabric verifies an ECDSA signature over the <b>SHA-256</b> digest of the message, for P-256
 * and P-384 keys alike, encoded as DER {@code SEQUENCE {r, s}} with <b>s at most half the curve
 * order</b>; a peer rejects anything else. {@link Signers#newPrivateKeySigner} does all of this.
 * An implementation backed by an HSM or a remote service must hash with SHA-256 and can pass its
 * raw signature through {@link Signatures#toLowS} before returning it.
 *
 * <p>Implementations must be thread-safe: the SDK signs from many threads at once.
 */
@FunctionalInterface
public interface Signer {
    /**
     * Signs a message.
     *
     * @param message the exact bytes to sign (a serialized proposal, payload or seek request)
     * @return a DER-encoded low-S ECDSA signature over SHA-256(message)
     */
    byte[] sign(byte[] message);
}
