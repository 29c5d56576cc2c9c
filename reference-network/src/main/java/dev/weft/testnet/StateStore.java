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
 *
 * <p>A block's writes are {@linkplain #apply applied} (visible to reads at once) and then
 * {@linkplain #commit committed} with the block's number as the store's savepoint. A durable
 * store makes a block's writes and its savepoint durable together or not at all; after a crash
 * the peer re-applies, from the block store, the blocks after the savepoint, as Fabric's peer
 * recovers its state database from its block files.
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

    /**
     * Ends a block: the writes applied since the last commit become durable together with
     * {@code blockNumber} as the savepoint.
     */
    void commit(long blockNumber);

    /** The number of the last committed block, or -1 if none has been (a new store). */
    long savepoint();

    @Override
    default void close() {
    }
}
