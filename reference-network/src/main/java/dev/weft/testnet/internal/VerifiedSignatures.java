package dev.weft.testnet.internal;

import com.google.protobuf.ByteString;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.internal.Hashing;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signature checks shared by the nodes of one reference network. Every signature of a transaction
 * is checked by several nodes of the network (its creator's by the orderer and by each committing
 * peer, each endorsement by each peer, a proposal by each endorser); since the nodes share a JVM,
 * a check is made once and its result remembered for the others. The result depends only on the
 * identity, the signed bytes and the signature, which together form the key, so no node can see a
 * result another would not have computed itself.
 *
 * <p>Thread-safe; bounded (forgets everything when full).
 */
@InternalApi
public final class VerifiedSignatures {
    private static final int LIMIT = 200_000;

    private final Map<ByteString, Boolean> results = new ConcurrentHashMap<>();

    /** Whether {@code signature} is {@code signer}'s signature over {@code message}. */
    public boolean verify(MspIdentity signer, ByteString message, ByteString signature) {
        ByteString key = key(signer.serialized(), message, signature);
        Boolean known = results.get(key);
        if (known != null) {
            return known;
        }
        boolean valid = signer.verify(message.toByteArray(), signature.toByteArray());
        if (results.size() >= LIMIT) {
            results.clear();
        }
        results.put(key, valid);
        return valid;
    }

    /** How many checks are remembered (for tests). */
    int size() {
        return results.size();
    }

    /** SHA-256 over the three parts, each preceded by its length, so that no two inputs share a key. */
    private static ByteString key(ByteString identity, ByteString message, ByteString signature) {
        MessageDigest digest = Hashing.sha256();
        for (ByteString part : new ByteString[] {identity, message, signature}) {
            digest.update(ByteBuffer.allocate(4).putInt(part.size()).array());
            for (ByteBuffer buffer : part.asReadOnlyByteBufferList()) {
                digest.update(buffer);
            }
        }
        return ByteString.copyFrom(digest.digest());
    }
}
