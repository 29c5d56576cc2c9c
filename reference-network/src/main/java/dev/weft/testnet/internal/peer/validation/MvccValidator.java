package dev.weft.testnet.internal.peer.validation;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.InternalApi;
import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.ledger.KeyOrder;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRead;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.RangeQueryInfo;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * The state-dependent checks of Fabric's ledger validator
 * ({@code core/ledger/kvledger/txmgmt/validation}), run in block order on each transaction the
 * block validator left valid: every key it read must still have the version it read, and no
 * earlier valid transaction of the block may have written it ({@code MVCC_READ_CONFLICT}); every
 * range it queried, re-run over committed state overlaid with those earlier writes, must return
 * the same keys and versions ({@code PHANTOM_READ_CONFLICT}).
 *
 * <p>Holds no state of its own. The caller must keep committed state from changing during a
 * block's checks (the peer holds the channel's state write lock).
 */
@InternalApi
public final class MvccValidator {
    private final StateStore state;

    /** @param state the channel's committed world state */
    public MvccValidator(StateStore state) {
        this.state = state;
    }

    /**
     * Checks one transaction's reads against committed state and {@code earlier}, the writes of
     * the block's earlier valid transactions.
     *
     * @return {@code VALID}, {@code MVCC_READ_CONFLICT}, {@code PHANTOM_READ_CONFLICT} or
     *     {@code BAD_RWSET} (a namespace whose read-write set does not parse)
     */
    public TxValidationCode validate(TxReadWriteSet rwset, UpdateBatch earlier) {
        for (NsReadWriteSet ns : rwset.getNsRwsetList()) {
            KVRWSet kv;
            try {
                kv = KVRWSet.parseFrom(ns.getRwset());
            } catch (InvalidProtocolBufferException e) {
                return TxValidationCode.BAD_RWSET;
            }
            Map<String, UpdateBatch.Update> blockWrites = earlier.namespace(ns.getNamespace());
            for (KVRead read : kv.getReadsList()) {
                if (blockWrites.containsKey(read.getKey())) {
                    return TxValidationCode.MVCC_READ_CONFLICT;
                }
                Optional<StateStore.VersionedValue> committed = state.get(ns.getNamespace(), read.getKey());
                boolean readAbsent = !read.hasVersion();
                if (committed.isEmpty() != readAbsent || (committed.isPresent()
                        && (committed.get().blockNumber() != read.getVersion().getBlockNum()
                        || committed.get().transactionNumber() != read.getVersion().getTxNum()))) {
                    return TxValidationCode.MVCC_READ_CONFLICT;
                }
            }
            for (RangeQueryInfo range : kv.getRangeQueriesInfoList()) {
                if (!rangeUnchanged(ns.getNamespace(), range, blockWrites)) {
                    return TxValidationCode.PHANTOM_READ_CONFLICT;
                }
            }
        }
        return TxValidationCode.VALID;
    }

    /**
     * Re-runs a range query over committed state overlaid with the block's earlier writes and
     * compares keys and versions with what the simulation read (Fabric's rangeQueryResultsValidator).
     * A query that was not exhausted is re-run up to and including its last key.
     */
    private boolean rangeUnchanged(String namespace, RangeQueryInfo range, Map<String, UpdateBatch.Update> blockWrites) {
        if (range.hasReadsMerkleHashes()) {
            return false; // this peer never records merkle summaries; treat one as a changed range
        }
        String start = range.getStartKey();
        String end = range.getEndKey();
        boolean includeEnd = !range.getItrExhausted();
        TreeMap<String, long[]> current = new TreeMap<>(KeyOrder.UTF8);
        String scanEnd = includeEnd ? "" : end;
        Iterator<StateStore.Entry> committed = state.range(namespace, start, scanEnd);
        while (committed.hasNext()) {
            StateStore.Entry e = committed.next();
            if (includeEnd && !end.isEmpty() && KeyOrder.compare(e.key(), end) > 0) {
                break;
            }
            current.put(e.key(), new long[] {e.value().blockNumber(), e.value().transactionNumber()});
        }
        for (var write : blockWrites.entrySet()) {
            String key = write.getKey();
            boolean inRange = KeyOrder.compare(key, start) >= 0 && (end.isEmpty()
                    || (includeEnd ? KeyOrder.compare(key, end) <= 0 : KeyOrder.compare(key, end) < 0));
            if (!inRange) {
                continue;
            }
            if (write.getValue().value() == null) {
                current.remove(key);
            } else {
                // Written earlier in this block, so not committed when the simulation ran: -1 marks a
                // version no simulation read (block numbers of committed versions are never -1).
                current.put(key, new long[] {-1, write.getValue().transaction()});
            }
        }
        List<KVRead> reads = range.getRawReads().getKvReadsList();
        Iterator<Map.Entry<String, long[]>> now = current.entrySet().iterator();
        for (KVRead read : reads) {
            if (!now.hasNext()) {
                return false;
            }
            Map.Entry<String, long[]> entry = now.next();
            if (!entry.getKey().equals(read.getKey()) || entry.getValue()[0] != read.getVersion().getBlockNum()
                    || entry.getValue()[1] != read.getVersion().getTxNum()) {
                return false;
            }
        }
        return !range.getItrExhausted() || !now.hasNext();
    }
}
