package dev.weft.testnet.internal.ledger;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.InternalApi;
import dev.weft.testnet.BlockStore;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.hyperledger.fabric.protos.common.Block;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocks in files in one directory, laid out like Fabric's block files.
 *
 * <p>The directory holds:
 * <ul>
 *   <li>{@code blockfile_000000}, {@code blockfile_000001}, ...: the blocks in order, appended and never rewritten.
 *       Each block is one record: the length of the block's bytes (4 bytes, big-endian), the CRC32C of those bytes
 *       (4 bytes, big-endian), then the bytes ({@link Block#toByteArray()}). A block goes into a new file when it
 *       would make the current one larger than the maximum file size (64 MiB unless given); a block larger than
 *       that gets a file of its own.
 *   <li>{@code index}: one 12-byte entry per block, in block order: the number of the file holding the block
 *       (4 bytes) and the offset of its record in that file (8 bytes), both big-endian.
 * </ul>
 *
 * <p>Durability: {@link #append} returns only once the block's record has been forced to disk
 * ({@link FileChannel#force}), so a block whose append returned survives a crash of the process or of the
 * machine. The index is written after the record and not forced: it can always be rebuilt from the block files.
 *
 * <p>Recovery, when the store is opened: the index entries are checked in order against the block files (each
 * must point where the previous record ends, at a complete record whose checksum matches, which parses as a
 * block, and whose number is the next one); the first entry that fails and all after it are dropped. The block
 * files are then read on from the last good record for records that were written but not indexed. The first
 * incomplete or corrupt record found there is taken for a write cut short by a crash (a torn tail): its file is
 * truncated where the record starts, later block files are deleted, the index is rewritten to match, and a
 * warning says what was dropped. A block is therefore never lost once its append returned, unless the disk
 * itself loses or corrupts it; a corrupt record in the middle of the files drops every block after it. Opening
 * reads every block once, to rebuild the transaction id index in memory.
 *
 * <p>Thread-safe: one append at a time while any number of threads read; reads do not wait for an append's
 * force. A thread interrupted during a read or an append gets an {@link UncheckedIOException}, and the store
 * reopens the file the interrupt closed for the other threads. A directory is meant for one store at a time:
 * a second open of a directory that is open in this JVM is refused (other processes are not checked).
 */
@InternalApi
public final class FileBlockStore implements BlockStore {
    /** The default maximum size of a block file: 64 MiB, Fabric's default. */
    public static final long DEFAULT_MAX_SEGMENT_BYTES = 64L * 1024 * 1024;
    /** The name of the index file. */
    public static final String INDEX_FILE = "index";

    static final int RECORD_HEADER_BYTES = 8;
    static final int INDEX_ENTRY_BYTES = 12;

    private static final Logger LOG = LoggerFactory.getLogger(FileBlockStore.class);
    private static final String SEGMENT_PREFIX = "blockfile_";
    private static final Pattern SEGMENT_NAME = Pattern.compile(SEGMENT_PREFIX + "(\\d{6,9})");
    /** How often an operation reopens a file that other threads' interrupts closed before giving up. */
    private static final int REOPEN_ATTEMPTS = 10;
    /** The directories of the stores open in this JVM (real paths). */
    private static final Set<Path> OPEN_DIRECTORIES = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final Path realDirectory;
    private final long maxSegmentBytes;
    /** Held by the appender (and by close), so that one append runs at a time. */
    private final Object appendLock = new Object();

    // Guarded by this: what readers see. Changed by the appender, holding appendLock too.
    private final List<StoreFile> segments = new ArrayList<>();
    private final Map<String, Long> transactions = new HashMap<>();
    private int[] segmentOf = new int[64];
    private long[] offsetOf = new long[64];
    private int[] lengthOf = new int[64];
    private int height;

    // Guarded by appendLock.
    private StoreFile index;
    private StoreFile tail;
    private long tailSize;
    /** Set when a failed append may have left bytes past {@link #tailSize} in the tail file. */
    private boolean tailMayHaveGarbage;

    private volatile boolean closed;

    private FileBlockStore(Path directory, Path realDirectory, long maxSegmentBytes) {
        this.directory = directory;
        this.realDirectory = realDirectory;
        this.maxSegmentBytes = maxSegmentBytes;
    }

    /**
     * Opens the store in a directory, creating the directory if needed, with block files of at most
     * {@link #DEFAULT_MAX_SEGMENT_BYTES}.
     *
     * @throws UncheckedIOException if the directory or its files cannot be created, read or repaired
     * @throws IllegalStateException if a store in this JVM has the directory open
     */
    public static FileBlockStore open(Path directory) {
        return open(directory, DEFAULT_MAX_SEGMENT_BYTES);
    }

    /**
     * Opens the store in a directory, creating the directory if needed.
     *
     * @param maxSegmentBytes the size a block file does not grow past, unless a block alone is larger
     * @throws IllegalArgumentException if {@code maxSegmentBytes} is not positive
     * @throws UncheckedIOException if the directory or its files cannot be created, read or repaired
     * @throws IllegalStateException if a store in this JVM has the directory open
     */
    public static FileBlockStore open(Path directory, long maxSegmentBytes) {
        if (maxSegmentBytes <= 0) {
            throw new IllegalArgumentException("maxSegmentBytes must be positive: " + maxSegmentBytes);
        }
        Path realDirectory;
        try {
            Files.createDirectories(directory);
            realDirectory = directory.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create block store directory " + directory + ": " + e, e);
        }
        if (!OPEN_DIRECTORIES.add(realDirectory)) {
            throw new IllegalStateException("block store " + directory + " is already open");
        }
        FileBlockStore store = new FileBlockStore(directory, realDirectory, maxSegmentBytes);
        try {
            store.recover();
            return store;
        } catch (RuntimeException | Error e) {
            try {
                store.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public synchronized long height() {
        checkOpen();
        return height;
    }

    @Override
    public Block block(long number) {
        StoreFile file;
        long offset;
        int length;
        synchronized (this) {
            checkOpen();
            if (number < 0 || number >= height) {
                throw new IllegalArgumentException("no block " + number + " (height " + height + ")");
            }
            int i = (int) number;
            file = segments.get(segmentOf[i]);
            offset = offsetOf[i];
            length = lengthOf[i];
        }
        ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + length);
        io(file, "read block " + number + " at offset " + offset, channel -> {
            record.clear();
            readFully(channel, record, offset);
            return null;
        });
        Found found = decode(record.getInt(0), record.getInt(4), record.array(), RECORD_HEADER_BYTES, length,
                number);
        if (found.problem() != null) {
            String message = "block " + number + " in " + file.path + " at offset " + offset + " is corrupt: "
                    + found.problem();
            throw new UncheckedIOException(message, new IOException(message));
        }
        return found.block();
    }

    @Override
    public void append(Block block) {
        synchronized (appendLock) {
            checkOpen();
            long number = block.getHeader().getNumber();
            int at = height; // only the appender changes it
            if (number != at) {
                throw new IllegalArgumentException("block " + number + " appended at height " + at);
            }
            if (at == Integer.MAX_VALUE) {
                throw new IllegalStateException("block store " + directory + " is full (" + at + " blocks)");
            }
            byte[] bytes = block.toByteArray();
            if (bytes.length == 0) {
                throw new IllegalArgumentException("block " + number + " is empty (no header, no data)");
            }
            if (bytes.length > Integer.MAX_VALUE - RECORD_HEADER_BYTES) {
                throw new IllegalArgumentException("block " + number + " is too large: " + bytes.length + " bytes");
            }
            List<String> txIds = TransactionIds.of(block);
            if (tailMayHaveGarbage) {
                discardAfterTail();
            }
            long recordBytes = RECORD_HEADER_BYTES + (long) bytes.length;
            if (tailSize > 0 && tailSize + recordBytes > maxSegmentBytes) {
                roll();
            }
            StoreFile segment = tail;
            int segmentNumber = segments.size() - 1; // only the appender changes it
            long offset = tailSize;
            ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES).putInt(bytes.length).putInt(crc(bytes, 0,
                    bytes.length));
            ByteBuffer body = ByteBuffer.wrap(bytes);
            try {
                io(segment, "write block " + number + " at offset " + offset, channel -> {
                    header.clear();
                    body.clear();
                    writeFully(channel, header, offset);
                    writeFully(channel, body, offset + RECORD_HEADER_BYTES);
                    channel.force(false);
                    return null;
                });
            } catch (RuntimeException e) {
                tailMayHaveGarbage = true;
                try {
                    discardAfterTail();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            tailSize = offset + recordBytes;
            writeIndexEntries(at, new int[] {segmentNumber}, new long[] {offset}, 1);
            synchronized (this) {
                add(segmentNumber, offset, bytes.length, txIds);
            }
        }
    }

    @Override
    public synchronized OptionalLong blockOf(String transactionId) {
        checkOpen();
        Long number = transactions.get(transactionId);
        return number == null ? OptionalLong.empty() : OptionalLong.of(number);
    }

    /** Closes the files; the store cannot be used afterwards. Closing again does nothing. */
    @Override
    public void close() {
        synchronized (appendLock) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            UncheckedIOException failure = null;
            List<StoreFile> files = new ArrayList<>(segments);
            if (index != null) {
                files.add(index);
            }
            for (StoreFile file : files) {
                try {
                    file.close();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = new UncheckedIOException("cannot close " + file.path + ": " + e, e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            OPEN_DIRECTORIES.remove(realDirectory);
            if (failure != null) {
                throw failure;
            }
        }
    }

    @Override
    public String toString() {
        return "FileBlockStore[" + directory + "]";
    }

    // ---- recovery

    /** Opens the files, checks the index against the block files, reads on for unindexed blocks, repairs. */
    private void recover() {
        synchronized (appendLock) {
            synchronized (this) {
                openSegments();
                index = StoreFile.open(this, directory.resolve(INDEX_FILE), true);
                long[] sizes = new long[segments.size()];
                for (int i = 0; i < sizes.length; i++) {
                    sizes[i] = io(segments.get(i), "read the size", FileChannel::size);
                }
                ByteBuffer entries = readIndex();
                int indexEntries = entries.capacity() / INDEX_ENTRY_BYTES;

                int segment = 0;
                long offset = 0;
                int fromIndex = 0;
                while (fromIndex < indexEntries) {
                    while (offset == sizes[segment] && segment + 1 < sizes.length) {
                        segment++;
                        offset = 0;
                    }
                    int entrySegment = entries.getInt(fromIndex * INDEX_ENTRY_BYTES);
                    long entryOffset = entries.getLong(fromIndex * INDEX_ENTRY_BYTES + Integer.BYTES);
                    if (entrySegment != segment || entryOffset != offset) {
                        break;
                    }
                    Found found = readRecord(segment, offset, sizes[segment], height);
                    if (found.problem() != null) {
                        break;
                    }
                    add(segment, offset, found.length(), TransactionIds.of(found.block()));
                    offset += RECORD_HEADER_BYTES + (long) found.length();
                    fromIndex++;
                }
                while (true) {
                    while (offset == sizes[segment] && segment + 1 < sizes.length) {
                        segment++;
                        offset = 0;
                    }
                    if (offset == sizes[segment]) {
                        break;
                    }
                    Found found = readRecord(segment, offset, sizes[segment], height);
                    if (found.problem() != null) {
                        dropTornTail(segment, offset, sizes, found.problem());
                        break;
                    }
                    add(segment, offset, found.length(), TransactionIds.of(found.block()));
                    offset += RECORD_HEADER_BYTES + (long) found.length();
                }
                tail = segments.get(segment);
                tailSize = offset;
                repairIndex(entries.capacity(), indexEntries, fromIndex);
            }
        }
    }

    /** Opens the block files, which must be numbered from 0 without a gap; creates the first if there is none. */
    private void openSegments() {
        TreeMap<Integer, Path> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(file -> {
                String name = file.getFileName().toString();
                Matcher matcher = SEGMENT_NAME.matcher(name);
                if (matcher.matches() && segmentName(Integer.parseInt(matcher.group(1))).equals(name)) {
                    found.put(Integer.parseInt(matcher.group(1)), file);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list block store directory " + directory + ": " + e, e);
        }
        int expected = 0;
        for (var entry : found.entrySet()) {
            if (entry.getKey() != expected) {
                String message = "block store " + directory + " has " + entry.getValue().getFileName()
                        + " but no " + segmentName(expected);
                throw new UncheckedIOException(message, new IOException(message));
            }
            segments.add(StoreFile.open(this, entry.getValue(), false));
            expected++;
        }
        if (segments.isEmpty()) {
            segments.add(StoreFile.create(this, directory.resolve(segmentName(0))));
            syncDirectory();
        }
    }

    /** The index file's whole entries. */
    private ByteBuffer readIndex() {
        long size = io(index, "read the size", FileChannel::size);
        long whole = Math.min(size, Integer.MAX_VALUE - INDEX_ENTRY_BYTES) / INDEX_ENTRY_BYTES * INDEX_ENTRY_BYTES;
        ByteBuffer entries = ByteBuffer.allocate((int) whole);
        io(index, "read the entries", channel -> {
            entries.clear();
            readFully(channel, entries, 0);
            return null;
        });
        return entries;
    }

    /** Reads and checks the record at an offset of a block file. */
    private Found readRecord(int segment, long offset, long size, long expectedNumber) {
        StoreFile file = segments.get(segment);
        long left = size - offset;
        if (left < RECORD_HEADER_BYTES) {
            return Found.problem("incomplete record header (" + left + " of " + RECORD_HEADER_BYTES + " bytes)");
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
        io(file, "read the record header at offset " + offset, channel -> {
            header.clear();
            readFully(channel, header, offset);
            return null;
        });
        int length = header.getInt(0);
        int crc = header.getInt(4);
        if (length <= 0 || length > Integer.MAX_VALUE - RECORD_HEADER_BYTES) {
            return Found.problem("invalid record length " + length);
        }
        if (length > left - RECORD_HEADER_BYTES) {
            return Found.problem("incomplete record (" + (left - RECORD_HEADER_BYTES) + " of " + length
                    + " bytes)");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        io(file, "read the record at offset " + offset, channel -> {
            body.clear();
            readFully(channel, body, offset + RECORD_HEADER_BYTES);
            return null;
        });
        return decode(length, crc, body.array(), 0, length, expectedNumber);
    }

    /**
     * Cuts a block file at a torn or corrupt record and deletes the block files after it (last first, so that a
     * crash meanwhile leaves no gap).
     */
    private void dropTornTail(int segment, long offset, long[] sizes, String problem) {
        StoreFile file = segments.get(segment);
        io(file, "truncate to " + offset + " bytes", channel -> {
            channel.truncate(offset);
            channel.force(true);
            return null;
        });
        LOG.warn("block store {}: torn tail in {} at offset {} ({}): truncated the file there, dropping {} bytes;"
                + " {} blocks kept", directory, file.path, offset, problem, sizes[segment] - offset, height);
        for (int later = segments.size() - 1; later > segment; later--) {
            StoreFile laterFile = segments.remove(later);
            try {
                laterFile.close();
                Files.delete(laterFile.path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + laterFile.path + " after the torn tail: " + e, e);
            }
            LOG.warn("block store {}: deleted {} ({} bytes), which came after the torn tail", directory,
                    laterFile.path, sizes[later]);
        }
        syncDirectory();
    }

    /** Makes the index file hold exactly the entries of the blocks found. */
    private void repairIndex(long indexBytes, int indexEntries, int fromIndex) {
        if (indexBytes == (long) height * INDEX_ENTRY_BYTES && fromIndex == height
                && io(index, "read the size", FileChannel::size) == indexBytes) {
            return;
        }
        if (indexEntries > fromIndex) {
            LOG.warn("block store {}: entries {} to {} of {} do not match the block files; rewriting the index from"
                    + " entry {}", directory, fromIndex, indexEntries - 1, index.path, fromIndex);
        } else if (height > fromIndex) {
            LOG.info("block store {}: adding {} missing entries to {}", directory, height - fromIndex, index.path);
        }
        io(index, "truncate to " + fromIndex + " entries", channel -> {
            channel.truncate((long) fromIndex * INDEX_ENTRY_BYTES);
            return null;
        });
        int count = height - fromIndex;
        writeIndexEntries(fromIndex, Arrays.copyOfRange(segmentOf, fromIndex, height),
                Arrays.copyOfRange(offsetOf, fromIndex, height), count);
    }

    // ---- appending

    /** Records a block stored at an offset of a block file. Holds this. */
    private void add(int segment, long offset, int length, List<String> txIds) {
        if (height == segmentOf.length) {
            int capacity = (int) Math.min(Integer.MAX_VALUE, 2L * height);
            segmentOf = Arrays.copyOf(segmentOf, capacity);
            offsetOf = Arrays.copyOf(offsetOf, capacity);
            lengthOf = Arrays.copyOf(lengthOf, capacity);
        }
        segmentOf[height] = segment;
        offsetOf[height] = offset;
        lengthOf[height] = length;
        for (String txId : txIds) {
            // The first occurrence wins: a later duplicate is recorded invalid, not indexed.
            transactions.putIfAbsent(txId, (long) height);
        }
        height++;
    }

    /** Starts the next block file. */
    private void roll() {
        StoreFile next = StoreFile.create(this, directory.resolve(segmentName(segments.size())));
        syncDirectory();
        synchronized (this) {
            segments.add(next);
        }
        tail = next;
        tailSize = 0;
    }

    /** Cuts what a failed append may have left after the last record of the tail file. */
    private void discardAfterTail() {
        long size = tailSize;
        io(tail, "truncate to " + size + " bytes after a failed append", channel -> {
            channel.truncate(size);
            channel.force(true);
            return null;
        });
        tailMayHaveGarbage = false;
    }

    /**
     * Writes index entries from an entry number. The index is not forced, and a failure to write it only logs:
     * the blocks are in the block files, and the next open rebuilds the index from them.
     */
    private void writeIndexEntries(int from, int[] segmentNumbers, long[] offsets, int count) {
        int batch = 4096;
        try {
            for (int start = 0; start < count; start += batch) {
                int n = Math.min(batch, count - start);
                ByteBuffer entries = ByteBuffer.allocate(n * INDEX_ENTRY_BYTES);
                for (int i = start; i < start + n; i++) {
                    entries.putInt(segmentNumbers[i]).putLong(offsets[i]);
                }
                long position = (long) (from + start) * INDEX_ENTRY_BYTES;
                io(index, "write index entries at offset " + position, channel -> {
                    entries.clear();
                    writeFully(channel, entries, position);
                    return null;
                });
            }
        } catch (UncheckedIOException e) {
            LOG.warn("block store {}: cannot write the index from entry {}; the next open rebuilds it from the"
                    + " block files", directory, from, e);
        }
    }

    // ---- helpers

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("block store " + directory + " is closed");
        }
    }

    private static String segmentName(int number) {
        return String.format("%s%06d", SEGMENT_PREFIX, number);
    }

    /** Forces the directory, so that files created or deleted in it stay so; not possible on every platform. */
    private void syncDirectory() {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("block store {}: cannot force the directory: {}", directory, e.toString());
        }
    }

    /** An operation on a file's channel; it must be repeatable (positioned reads and writes). */
    @FunctionalInterface
    private interface ChannelOperation<T> {
        T apply(FileChannel channel) throws IOException;
    }

    /**
     * Runs an operation on a file's channel. If another thread's interrupt closed the channel, reopens it and
     * runs the operation again. I/O failures, and this thread's interrupt, become {@link UncheckedIOException}.
     */
    private <T> T io(StoreFile file, String what, ChannelOperation<T> operation) {
        for (int attempt = 1; ; attempt++) {
            try {
                return operation.apply(file.channel());
            } catch (ClosedByInterruptException e) {
                throw new UncheckedIOException("interrupted: " + what + " in " + file.path, e);
            } catch (ClosedChannelException e) {
                checkOpen();
                if (attempt >= REOPEN_ATTEMPTS) {
                    throw new UncheckedIOException("cannot " + what + " in " + file.path
                            + ": the file was closed by other threads' interrupts " + attempt + " times", e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot " + what + " in " + file.path + ": " + e, e);
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            long at = position + buffer.position();
            if (channel.read(buffer, at) < 0) {
                throw new EOFException("end of file at offset " + at);
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + buffer.position());
        }
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** Checks a record's bytes: length, checksum, block, number. */
    private static Found decode(int length, int crc, byte[] bytes, int offset, int expectedLength,
            long expectedNumber) {
        if (length != expectedLength) {
            return Found.problem("record length " + length + ", expected " + expectedLength);
        }
        if (crc(bytes, offset, length) != crc) {
            return Found.problem("checksum mismatch");
        }
        Block block;
        try {
            block = Block.parser().parseFrom(bytes, offset, length);
        } catch (InvalidProtocolBufferException e) {
            return Found.problem("not a block: " + e.getMessage());
        }
        if (block.getHeader().getNumber() != expectedNumber) {
            return Found.problem("block " + block.getHeader().getNumber() + " where block " + expectedNumber
                    + " was expected");
        }
        return new Found(block, length, null);
    }

    /** A record read: the block and its length, or what is wrong with it. */
    private record Found(Block block, int length, String problem) {
        static Found problem(String problem) {
            return new Found(null, 0, problem);
        }
    }

    /** A file of the store and its channel, reopened when an interrupt closed it (but not after the store closed). */
    private static final class StoreFile {
        final Path path;
        private final FileBlockStore store;
        private FileChannel channel;

        private StoreFile(FileBlockStore store, Path path, FileChannel channel) {
            this.store = store;
            this.path = path;
            this.channel = channel;
        }

        static StoreFile open(FileBlockStore store, Path path, boolean create) {
            try {
                FileChannel channel = create
                        ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                                StandardOpenOption.WRITE)
                        : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                return new StoreFile(store, path, channel);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + path + ": " + e, e);
            }
        }

        static StoreFile create(FileBlockStore store, Path path) {
            try {
                return new StoreFile(store, path, FileChannel.open(path, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + path + ": " + e, e);
            }
        }

        synchronized FileChannel channel() throws IOException {
            store.checkOpen();
            if (!channel.isOpen()) {
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            return channel;
        }

        synchronized void close() throws IOException {
            channel.close();
        }
    }
}
