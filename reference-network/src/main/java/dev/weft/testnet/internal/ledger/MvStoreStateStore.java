package dev.weft.testnet.internal.ledger;

import dev.weft.core.InternalApi;
import dev.weft.testnet.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * World state in one file, kept by H2's MVStore: a sorted map per namespace, and the savepoint.
 *
 * <p>Why MVStore: it is pure Java (no native library, so the reference network runs wherever the
 * SDK does, where RocksDB's JNI jar weighs 92 MB for its platforms), small (0.4 MB), maintained
 * with the H2 database, and its commits are atomic: the changes since the last commit are written
 * as one checksummed chunk, and a store opened after a crash is at its last complete commit. A
 * block's writes and its savepoint therefore survive a crash together or not at all; the file is
 * not forced at each commit, because the peer stores (and forces) the block first and replays
 * blocks after the savepoint on restart.
 *
 * <p>Keys are kept as their UTF-8 bytes (each byte one {@code char}), so that the maps' order is
 * Fabric's byte order. Values are the version, block and transaction number, then the value.
 */
@InternalApi
public final class MvStoreStateStore implements StateStore {
    private static final String SAVEPOINT = "savepoint";
    private static final String NAMESPACE_PREFIX = "ns/";
    private static final int VERSION_BYTES = 2 * Long.BYTES;

    private final Path file;
    private final MVStore store;
    private final MVMap<String, Long> meta;
    private final Map<String, MVMap<String, byte[]>> namespaces = new ConcurrentHashMap<>();

    private MvStoreStateStore(Path file, MVStore store) {
        this.file = file;
        this.store = store;
        this.meta = store.openMap("meta", new MVMap.Builder<String, Long>());
    }

    /**
     * Opens the state file, creating it (and its directory) if it does not exist.
     *
     * @throws UncheckedIOException if the file cannot be created or read, or is not a state file
     */
    public static MvStoreStateStore open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of state file " + file + ": " + e.getMessage(), e);
        }
        try {
            return new MvStoreStateStore(file, new MVStore.Builder().fileName(file.toString()).autoCommitDisabled()
                    .open());
        } catch (MVStoreException e) {
            throw new UncheckedIOException("cannot open state file " + file + ": " + e.getMessage(),
                    new IOException(e));
        }
    }

    @Override
    public Optional<VersionedValue> get(String namespace, String key) {
        MVMap<String, byte[]> map = namespace(namespace, false);
        if (map == null) {
            return Optional.empty();
        }
        byte[] stored = map.get(encode(key));
        return stored == null ? Optional.empty() : Optional.of(decode(stored));
    }

    @Override
    public Iterator<Entry> range(String namespace, String startKey, String endKey) {
        MVMap<String, byte[]> map = namespace(namespace, false);
        if (map == null || (!endKey.isEmpty() && KeyOrder.compare(startKey, endKey) >= 0)) {
            return Collections.emptyIterator();
        }
        String end = endKey.isEmpty() ? null : encode(endKey);
        Cursor<String, byte[]> cursor = map.cursor(encode(startKey));
        return new Iterator<>() {
            private Entry next = advance();

            private Entry advance() {
                if (!cursor.hasNext()) {
                    return null;
                }
                String key = cursor.next();
                if (end != null && key.compareTo(end) >= 0) {
                    return null;
                }
                return new Entry(decodeKey(key), decode(cursor.getValue()));
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Entry next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Entry entry = next;
                next = advance();
                return entry;
            }
        };
    }

    @Override
    public void apply(List<Write> writes, long blockNumber, long transactionNumber) {
        for (Write write : writes) {
            MVMap<String, byte[]> map = namespace(write.namespace(), true);
            if (write.value() == null) {
                map.remove(encode(write.key()));
            } else {
                map.put(encode(write.key()), ByteBuffer.allocate(VERSION_BYTES + write.value().length)
                        .putLong(blockNumber).putLong(transactionNumber).put(write.value()).array());
            }
        }
    }

    @Override
    public void commit(long blockNumber) {
        meta.put(SAVEPOINT, blockNumber);
        try {
            store.commit();
        } catch (MVStoreException e) {
            throw new UncheckedIOException("cannot write state file " + file + " at block " + blockNumber + ": "
                    + e.getMessage(), new IOException(e));
        }
    }

    @Override
    public long savepoint() {
        Long savepoint = meta.get(SAVEPOINT);
        return savepoint == null ? -1 : savepoint;
    }

    @Override
    public void close() {
        if (!store.isClosed()) {
            store.close();
        }
    }

    private MVMap<String, byte[]> namespace(String namespace, boolean create) {
        MVMap<String, byte[]> map = namespaces.get(namespace);
        if (map != null) {
            return map;
        }
        String name = NAMESPACE_PREFIX + namespace;
        if (!create && !store.hasMap(name)) {
            return null;
        }
        return namespaces.computeIfAbsent(namespace, n -> store.openMap(name, new MVMap.Builder<String, byte[]>()
                .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE)));
    }

    /** A key as its UTF-8 bytes, one char each: String order is then unsigned byte order. */
    private static String encode(String key) {
        return new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String decodeKey(String stored) {
        return new String(stored.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static VersionedValue decode(byte[] stored) {
        ByteBuffer buffer = ByteBuffer.wrap(stored);
        long block = buffer.getLong();
        long transaction = buffer.getLong();
        return new VersionedValue(Arrays.copyOfRange(stored, VERSION_BYTES, stored.length), block, transaction);
    }
}
