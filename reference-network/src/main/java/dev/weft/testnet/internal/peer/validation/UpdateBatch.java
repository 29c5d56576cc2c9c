package dev.weft.testnet.internal.peer.validation;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.InternalApi;
import dev.weft.testnet.internal.ledger.KeyOrder;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVWrite;

/**
 * The public writes of a block's valid transactions so far (Fabric's {@code UpdateBatch}): per
 * namespace and key, in UTF-8 byte order, the last value written (null for a delete) and the
 * index of the transaction that wrote it. {@link MvccValidator} reads it as the overlay of
 * committed state that later transactions of the block must not have read past; the committer
 * applies it and hashes it.
 *
 * <p>Not thread-safe: one committing thread builds and reads it. The value arrays are not copied
 * and must not be modified.
 */
@InternalApi
public final class UpdateBatch {
    /** One key's final state in the block: value (null to delete) and the index of the transaction that wrote it. */
    public record Update(byte[] value, int transaction) {
    }

    private final NavigableMap<String, NavigableMap<String, Update>> updates = new TreeMap<>(KeyOrder.UTF8);

    /**
     * Adds the writes of the valid transaction at {@code transaction} in the block; a key written
     * again replaces the earlier write.
     *
     * @throws IllegalStateException if a namespace's read-write set does not parse (validation
     *     parses every one before a transaction is found valid)
     */
    public void add(TxReadWriteSet rwset, int transaction) {
        for (NsReadWriteSet ns : rwset.getNsRwsetList()) {
            KVRWSet kv;
            try {
                kv = KVRWSet.parseFrom(ns.getRwset());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("read-write set was parsed during validation", e);
            }
            for (KVWrite write : kv.getWritesList()) {
                put(ns.getNamespace(), write.getKey(), write.getIsDelete() ? null : write.getValue().toByteArray(),
                        transaction);
            }
        }
    }

    /** Records one write ({@code value} null for a delete) by the transaction at {@code transaction}. */
    public void put(String namespace, String key, byte[] value, int transaction) {
        updates.computeIfAbsent(namespace, n -> new TreeMap<>(KeyOrder.UTF8)).put(key, new Update(value, transaction));
    }

    /** The writes to one namespace, by key in UTF-8 order; empty if none. */
    public NavigableMap<String, Update> namespace(String namespace) {
        NavigableMap<String, Update> writes = updates.get(namespace);
        return writes == null ? Collections.emptyNavigableMap() : Collections.unmodifiableNavigableMap(writes);
    }

    /** Every write, by namespace then key, both in UTF-8 order. */
    public Map<String, NavigableMap<String, Update>> byNamespace() {
        return Collections.unmodifiableNavigableMap(updates);
    }

    public boolean isEmpty() {
        return updates.isEmpty();
    }
}
