package dev.weft.core.internal;

import com.google.protobuf.ByteString;
import dev.weft.core.InternalApi;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256, the only hash Fabric uses on the wire (signatures, transaction ids, block hashes).
 * The JDK's implementation is used: it has CPU intrinsics and is faster than Bouncy Castle's.
 */
@InternalApi
public final class Hashing {
    private Hashing() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    public static byte[] sha256(byte[] data) {
        return sha256().digest(data);
    }

    /** SHA-256 of the concatenation of the given parts, without copying them into one array. */
    public static byte[] sha256(ByteString... parts) {
        MessageDigest digest = sha256();
        for (ByteString part : parts) {
            for (var buffer : part.asReadOnlyByteBufferList()) {
                digest.update(buffer);
            }
        }
        return digest.digest();
    }
}
