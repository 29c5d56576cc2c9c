package dev.weft.core;

import com.google.protobuf.ByteString;

/**
 * A message the client must sign, for signing elsewhere ("offline"): by a key the SDK never sees,
 * in an HSM, a wallet or another process. Take {@link #bytes()} (or their SHA-256,
 * {@link #digest()}, for signers that sign digests), sign them with the creator's key as Fabric
 * requires (ECDSA over SHA-256, DER), and attach the signature with {@link #withSignature}; the
 * SDK checks it against the creator's certificate at once and normalises it to low-S.
 *
 * <pre>{@code
 * Proposal proposal = contract.newTransaction("CreateAsset").arguments("asset1", "blue").newProposal();
 * byte[] signature = hsm.signDigest(proposal.digest());          // made elsewhere
 * EndorsedTransaction endorsed = proposal.withSignature(signature).endorse();
 * }</pre>
 *
 * <p>Implementations are immutable and thread-safe: {@code withSignature} returns a new object.
 *
 * @param <T> the signed form
 */
public interface Signable<T> {
    /** The exact bytes to sign (a serialized proposal, transaction payload or seek request). */
    ByteString bytes();

    /** SHA-256 of {@link #bytes()}: what an ECDSA signer that takes a digest signs. */
    default byte[] digest() {
        return Signatures.digest(bytes().toByteArray());
    }

    /** Whether a signature is attached (or the gateway's signer signed it). */
    boolean isSigned();

    /**
     * This message with a signature made elsewhere.
     *
     * @param signature a DER ECDSA signature over SHA-256({@link #bytes()}) by the creator's key
     *     (high-S signatures are accepted and normalised)
     * @throws IllegalArgumentException if the signature does not verify with the creator's
     *     certificate, naming the creator
     */
    T withSignature(byte[] signature);
}
