package dev.weft.testnet.internal.ledger;

import dev.weft.core.InternalApi;
import dev.weft.testnet.StateStore;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** World state in memory: one sorted map per namespace. */
@InternalApi
public final class InMemoryStateStore implements StateStore {
    private final Map<String, ConcurrentSkipListMap<String, VersionedValue>> namespaces = new ConcurrentHashMap<>();
    private volatile long savepoint = -1;

    @Override
    public Optional<VersionedValue> get(String namespace, String key) {
        var ns = namespaces.get(namespace);
        return ns == null ? Optional.empty() : Optional.ofNullable(ns.get(key));
    }

    @Override
    public Iterator<Entry> range(String namespace, String startKey, String endKey) {
        var ns = namespaces.get(namespace);
        if (ns == null) {
            return Collections.emptyIterator();
        }
        NavigableMap<String, VersionedValue> view = endKey.isEmpty()
                ? ns.tailMap(startKey, true)
                : KeyOrder.compare(startKey, endKey) >= 0 ? Collections.emptyNavigableMap()
                : ns.subMap(startKey, true, endKey, false);
        return view.entrySet().stream().map(e -> new Entry(e.getKey(), e.getValue())).iterator();
    }

    @Override
    public void apply(List<Write> writes, long blockNumber, long transactionNumber) {
        for (Write write : writes) {
            var ns = namespaces.computeIfAbsent(write.namespace(), n -> new ConcurrentSkipListMap<>(KeyOrder.UTF8));
            if (write.value() == null) {
                ns.remove(write.key());
            } else {
                ns.put(write.key(), new VersionedValue(write.value(), blockNumber, transactionNumber));
            }
        }
    }

    @Override
    public void commit(long blockNumber) {
        savepoint = blockNumber;
    }

    @Override
    public long savepoint() {
        return savepoint;
    }
}
