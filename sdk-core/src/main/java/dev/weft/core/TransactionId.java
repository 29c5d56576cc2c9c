package dev.weft.core;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.Hashing;
import dev.weft.core.internal.Hex;
import java.security.SecureRandom;
import java.util.Objects;
import org.hyperledger.fabric.protos.common.SignatureHeader;

/**
 * A Fabric transaction id with what it is derived from: the creator, a fresh nonce, and the
 * serialized {@code common.SignatureHeader} that carries both.
 *
 * <p>{@code tx_id = lowercase_hex(SHA-256(nonce ‖ creator))}, where creator is the serialized
 * {@code msp.SerializedIdentity}. Peers recompute it and reject a proposal whose id differs.
 *
 * <p>Immutable and thread-safe. An id is used for exactly one transaction; a retry after an
 * MVCC conflict needs a new one (a new nonce gives a new id).
 */
public final class TransactionId {
    /** Nonce length used by every Fabric client (Fabric's {@code crypto.NonceSize}). */
    public static final int NONCE_LENGTH = 24;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ByteString creator;
    private final ByteString nonce;
    private final String value;
    private final ByteString signatureHeader;

    private TransactionId(ByteString creator, ByteString nonce) {
        this.creator = creator;
        this.nonce = nonce;
        this.value = compute(nonce, creator);
        this.signatureHeader = SignatureHeader.newBuilder().setCreator(creator).setNonce(nonce).build().toByteString();
    }

    /** A new id for the identity, with a random 24-byte nonce. */
    public static TransactionId create(X509Identity creator) {
        Objects.requireNonNull(creator, "creator");
        return of(creator.serialized(), newNonce());
    }

    /** The id of a given creator and nonce, as found in an existing transaction. */
    public static TransactionId of(ByteString serializedCreator, ByteString nonce) {
        Objects.requireNonNull(serializedCreator, "serializedCreator");
        Objects.requireNonNull(nonce, "nonce");
        if (serializedCreator.isEmpty()) {
            throw new IllegalArgumentException("creator must not be empty");
        }
        if (nonce.isEmpty()) {
            throw new IllegalArgumentException("nonce must not be empty");
        }
        return new TransactionId(serializedCreator, nonce);
    }

    /** 24 random bytes from a {@link SecureRandom}. */
    public static ByteString newNonce() {
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return ByteString.copyFrom(nonce);
    }

    /** {@code lowercase_hex(SHA-256(nonce ‖ creator))}. */
    public static String compute(ByteString nonce, ByteString serializedCreator) {
        return Hex.encode(Hashing.sha256(nonce, serializedCreator));
    }

    /** The serialized {@code msp.SerializedIdentity} of the creator. */
    public ByteString creator() {
        return creator;
    }

    public ByteString nonce() {
        return nonce;
    }

    /** The 64-character transaction id; also {@link #toString()}. */
    public String value() {
        return value;
    }

    /** The serialized {@code common.SignatureHeader{creator, nonce}}. */
    public ByteString signatureHeader() {
        return signatureHeader;
    }

    @Override
    public String toString() {
        return value;
    }
}
