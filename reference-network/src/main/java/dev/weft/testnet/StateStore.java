package dev.weft.testnet;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * A peer's world state for one channel: versioned key/value pairs per namespace (chaincode),
 * where a version is the {@code (block, transaction)} that last wrote the key, exactly as in
 * Fabric's state database. Keys are ordered by their UTF-8 bytes, as Fabric orders them.
 *
 * <p>The peer serialises commits against simulations itself; implementations need only be safe
 * for concurrent reads and a single writer.
 */
public interface StateStore extends AutoCloseable {
    /** A value and the version that wrote it. */
    record VersionedValue(byte[] value, long blockNumber, long transactionNumber) {
    }

    /** A key with its versioned value, as a range scan returns it. */
    record Entry(String key, VersionedValue value) {
    }

    /** One write of a committed block: the key, the new value (null for a delete). */
    record Write(String namespace, String key, byte[] value) {
    }

    Optional<VersionedValue> get(String namespace, String key);

    /**
     * The keys of a namespace from {@code startKey} (inclusive) to {@code endKey} (exclusive; empty
     * for "to the end"), in key order.
     */
    Iterator<Entry> range(String namespace, String startKey, String endKey);

    /**
     * Applies the writes of one valid transaction of a committed block, giving each written key
     * the version {@code (blockNumber, transactionNumber)}.
     */
    void apply(List<Write> writes, long blockNumber, long transactionNumber);

    @Override
    default void close() {
    }
}
