package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import dev.weft.core.InternalApi;
import dev.weft.testnet.ChaincodeStub;
import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.ledger.KeyOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRead;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVWrite;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.QueryReads;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.RangeQueryInfo;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.Version;

/**
 * Simulates one transaction against committed state and records what Fabric's
 * {@code RWSetBuilder} records: reads with the version read (absent for a missing key), writes and
 * deletes (the last one per key wins), and range queries with every key and version returned,
 * whether the iterator was exhausted and, if not, the last key read as end key. Namespaces and
 * keys are sorted as Fabric sorts them. Reads see committed state only; Fabric does not let a
 * transaction read its own writes.
 *
 * <p>The caller holds the peer's state read lock for the whole simulation.
 */
@InternalApi
public final class TxSimulator {
    /** Results per page of a range query: the peer's default {@code totalQueryLimit} page for the shim. */
    static final int PAGE_SIZE = 100;

    private final StateStore state;
    private final Map<String, Namespace> namespaces = new TreeMap<>(KeyOrder.UTF8);
    private final List<RangeIterator> openIterators = new ArrayList<>();

    public TxSimulator(StateStore state) {
        this.state = state;
    }

    private static final class Namespace {
        final Map<String, KVRead> reads = new TreeMap<>(KeyOrder.UTF8);
        final Map<String, KVWrite> writes = new TreeMap<>(KeyOrder.UTF8);
        final Map<String, RangeQueryInfo> ranges = new LinkedHashMap<>();
    }

    private Namespace ns(String namespace) {
        return namespaces.computeIfAbsent(namespace, n -> new Namespace());
    }

    public byte[] get(String namespace, String key) {
        Optional<StateStore.VersionedValue> value = state.get(namespace, key);
        KVRead.Builder read = KVRead.newBuilder().setKey(key);
        value.ifPresent(v -> read.setVersion(version(v)));
        ns(namespace).reads.put(key, read.build());
        return value.map(StateStore.VersionedValue::value).orElse(null);
    }

    public void put(String namespace, String key, byte[] value) {
        ns(namespace).writes.put(key, KVWrite.newBuilder().setKey(key).setValue(ByteString.copyFrom(value)).build());
    }

    public void delete(String namespace, String key) {
        ns(namespace).writes.put(key, KVWrite.newBuilder().setKey(key).setIsDelete(true).build());
    }

    /** A recording iterator over {@code [startKey, endKey)}; an empty end key means unbounded. */
    public ChaincodeStub.StateIterator range(String namespace, String startKey, String endKey) {
        RangeIterator iterator = new RangeIterator(namespace, startKey, endKey,
                state.range(namespace, startKey, endKey));
        openIterators.add(iterator);
        return iterator;
    }

    /** The read-write set; closes range iterators the chaincode left open, as Fabric does. */
    public TxReadWriteSet results() {
        for (RangeIterator iterator : List.copyOf(openIterators)) {
            iterator.close();
        }
        TxReadWriteSet.Builder rwset = TxReadWriteSet.newBuilder().setDataModel(TxReadWriteSet.DataModel.KV);
        for (var e : namespaces.entrySet()) {
            Namespace ns = e.getValue();
            KVRWSet kv = KVRWSet.newBuilder()
                    .addAllReads(ns.reads.values())
                    .addAllRangeQueriesInfo(ns.ranges.values())
                    .addAllWrites(ns.writes.values())
                    .build();
            rwset.addNsRwset(NsReadWriteSet.newBuilder().setNamespace(e.getKey()).setRwset(kv.toByteString()));
        }
        return rwset.build();
    }

    static Version version(StateStore.VersionedValue value) {
        return Version.newBuilder().setBlockNum(value.blockNumber()).setTxNum(value.transactionNumber()).build();
    }

    /**
     * A range query as the peer serves it to the shim: results are fetched in pages of
     * {@link #PAGE_SIZE} (the first page when the query is opened), and every key fetched counts as
     * read, whether or not the chaincode looks at it, exactly as Fabric records it.
     */
    private final class RangeIterator implements ChaincodeStub.StateIterator {
        private final String namespace;
        private final String startKey;
        private final String endKey;
        private final Iterator<StateStore.Entry> entries;
        private final QueryReads.Builder reads = QueryReads.newBuilder();
        private final ArrayDeque<StateStore.Entry> page = new ArrayDeque<>();
        private String lastFetched;
        private boolean exhausted;
        private boolean closed;

        RangeIterator(String namespace, String startKey, String endKey, Iterator<StateStore.Entry> entries) {
            this.namespace = namespace;
            this.startKey = startKey;
            this.endKey = endKey;
            this.entries = entries;
            fetchPage();
        }

        private void fetchPage() {
            while (page.size() < PAGE_SIZE && entries.hasNext()) {
                StateStore.Entry entry = entries.next();
                reads.addKvReads(KVRead.newBuilder().setKey(entry.key()).setVersion(version(entry.value())));
                lastFetched = entry.key();
                page.add(entry);
            }
            if (!entries.hasNext()) {
                exhausted = true;
            }
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            if (page.isEmpty() && !exhausted) {
                fetchPage();
            }
            return !page.isEmpty();
        }

        @Override
        public ChaincodeStub.KeyValue next() {
            if (!hasNext()) {
                throw new NoSuchElementException("range query exhausted");
            }
            StateStore.Entry entry = page.poll();
            return new ChaincodeStub.KeyValue(entry.key(), entry.value().value());
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            openIterators.remove(this);
            // Fabric records the query's own end key once exhausted, else the last key fetched.
            String recordedEnd = exhausted || lastFetched == null ? endKey : lastFetched;
            RangeQueryInfo info = RangeQueryInfo.newBuilder()
                    .setStartKey(startKey)
                    .setEndKey(recordedEnd)
                    .setItrExhausted(exhausted)
                    .setRawReads(reads)
                    .build();
            ns(namespace).ranges.putIfAbsent(startKey + "\u0000" + recordedEnd + "\u0000" + exhausted, info);
        }
    }
}
