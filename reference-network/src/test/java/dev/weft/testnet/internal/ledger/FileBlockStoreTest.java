package dev.weft.testnet.internal.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.testnet.internal.CapturedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.Payload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-backed block store: reading back, reopening, rolling over, and recovering from torn tails. */
class FileBlockStoreTest {
    private static final String FIRST_SEGMENT = "blockfile_000000";

    @TempDir
    Path dir;

    @Test
    void append_blocks_readBackWithHeightAndTransactionIds() {
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(0, store.height());
            appendBlocks(store, 0, 20);
            assertEquals(20, store.height());
            assertBlocks(store, 20);
            assertEquals(OptionalLong.empty(), store.blockOf("no-such-tx"));
        }
    }

    @Test
    void blockOf_duplicateTransactionIdInLaterBlock_keepsTheFirstBlock() {
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            store.append(block(0, 0, "tx-a", "tx-b"));
            store.append(block(1, 0, "tx-c", "tx-a"));
            store.append(block(2, 0, "tx-b"));
            assertEquals(OptionalLong.of(0), store.blockOf("tx-a"));
            assertEquals(OptionalLong.of(0), store.blockOf("tx-b"));
            assertEquals(OptionalLong.of(1), store.blockOf("tx-c"));
        }
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(OptionalLong.of(0), store.blockOf("tx-a"));
            assertEquals(OptionalLong.of(0), store.blockOf("tx-b"));
            assertEquals(OptionalLong.of(1), store.blockOf("tx-c"));
        }
    }

    @Test
    void append_wrongNumber_throwsIllegalArgumentAndStoresNothing() {
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.append(block(1, 0, "tx")));
            assertEquals("block 1 appended at height 0", e.getMessage());
            store.append(standardBlock(0));
            assertThrows(IllegalArgumentException.class, () -> store.append(standardBlock(0)));
            assertThrows(IllegalArgumentException.class, () -> store.append(standardBlock(2)));
            assertEquals(1, store.height());
        }
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(1, store.height());
        }
    }

    @Test
    void block_atOrPastHeight_throwsIllegalArgument() {
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertThrows(IllegalArgumentException.class, () -> store.block(0));
            appendBlocks(store, 0, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.block(3));
            assertEquals("no block 3 (height 3)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.block(-1));
        }
    }

    @Test
    void reopen_afterClose_sameBlocksAndAppendingContinues() {
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            appendBlocks(store, 0, 10);
        }
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(10, store.height());
            assertBlocks(store, 10);
            appendBlocks(store, 10, 5);
        }
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(15, store.height());
            assertBlocks(store, 15);
        }
    }

    @Test
    void smallSegments_rollOverAndReadBackAfterReopen() throws IOException {
        int max = 1024;
        List<Block> blocks = new ArrayList<>();
        try (FileBlockStore store = FileBlockStore.open(dir, max)) {
            for (int n = 0; n < 30; n++) {
                // Block 17 is larger than a whole segment: it gets one of its own.
                Block block = block(n, n == 17 ? 3000 : 100, "tx-" + n);
                store.append(block);
                blocks.add(block);
            }
        }
        List<Path> segments = segments();
        assertTrue(segments.size() > 2, "segments: " + segments);
        for (Path segment : segments) {
            long size = Files.size(segment);
            assertTrue(size <= max || size == record(blocks.get(17)), segment + " has " + size + " bytes");
        }
        try (FileBlockStore store = FileBlockStore.open(dir, max)) {
            assertEquals(30, store.height());
            for (int n = 0; n < 30; n++) {
                assertEquals(blocks.get(n), store.block(n));
                assertEquals(OptionalLong.of(n), store.blockOf("tx-" + n));
            }
            store.append(block(30, 100, "tx-30"));
        }
        // A different maximum on reopen still reads what is there.
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(31, store.height());
            assertEquals(blocks.get(17), store.block(17));
            assertEquals(OptionalLong.of(30), store.blockOf("tx-30"));
        }
    }

    @Test
    void tornTail_lastRecordCutInTheMiddle_truncatedToTheIntactBlocks() throws IOException {
        long intactEnd = appendAndMeasure(5);
        Path segment = dir.resolve(FIRST_SEGMENT);
        long size = Files.size(segment);
        truncate(segment, intactEnd + (size - intactEnd) / 2);
        assertRecovered(4, intactEnd, (size - intactEnd) / 2);
    }

    @Test
    void tornTail_zeroBytesAfterTheLastRecord_truncatedAway() throws IOException {
        appendAndMeasure(5);
        Path segment = dir.resolve(FIRST_SEGMENT);
        long size = Files.size(segment);
        Files.write(segment, new byte[64], StandardOpenOption.APPEND);
        assertRecovered(5, size, 64);
    }

    @Test
    void tornTail_flippedByteInTheLastRecord_checksumFailsAndRecordDropped() throws IOException {
        long intactEnd = appendAndMeasure(5);
        Path segment = dir.resolve(FIRST_SEGMENT);
        long size = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, size - 3);
            one.put(0, (byte) (one.get(0) ^ 0x40));
            one.rewind();
            channel.write(one, size - 3);
        }
        assertRecovered(4, intactEnd, size - intactEnd);
    }

    @Test
    void tornTail_inAnEarlierSegment_laterSegmentsDeleted() throws IOException {
        try (FileBlockStore store = FileBlockStore.open(dir, 1024)) {
            for (int n = 0; n < 30; n++) {
                store.append(block(n, 100, "tx-" + n));
            }
        }
        List<Path> segments = segments();
        assertTrue(segments.size() > 2, "segments: " + segments);
        Path first = segments.get(0);
        long intactEnd;
        int kept;
        try (FileBlockStore store = FileBlockStore.open(dir, 1024)) {
            // The records of the first file: find where its last record starts.
            kept = 0;
            intactEnd = 0;
            long size = Files.size(first);
            while (intactEnd + record(store.block(kept)) < size) {
                intactEnd += record(store.block(kept));
                kept++;
            }
        }
        truncate(first, Files.size(first) - 1);
        try (CapturedLog log = CapturedLog.start(); FileBlockStore store = FileBlockStore.open(dir, 1024)) {
            assertEquals(kept, store.height());
            assertEquals(intactEnd, Files.size(first));
            assertEquals(List.of(first), segments());
            assertEquals(segments.size() - 1, log.lines(dir.toString(), "deleted").size());
            store.append(block(kept, 100, "tx-again"));
        }
        try (FileBlockStore store = FileBlockStore.open(dir, 1024)) {
            assertEquals(kept + 1, store.height());
            assertEquals(OptionalLong.of(kept), store.blockOf("tx-again"));
            assertEquals(OptionalLong.empty(), store.blockOf("tx-" + kept));
        }
    }

    @Test
    void index_missing_rebuiltFromTheSegments() throws IOException {
        appendAndMeasure(8);
        Path index = dir.resolve(FileBlockStore.INDEX_FILE);
        long indexSize = Files.size(index);
        Files.delete(index);
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(8, store.height());
            assertBlocks(store, 8);
        }
        assertEquals(indexSize, Files.size(index));
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(8, store.height());
        }
    }

    @Test
    void index_cutInTheMiddleOfAnEntry_rebuiltFromTheSegments() throws IOException {
        appendAndMeasure(8);
        Path index = dir.resolve(FileBlockStore.INDEX_FILE);
        long indexSize = Files.size(index);
        assertEquals(8L * FileBlockStore.INDEX_ENTRY_BYTES, indexSize);
        truncate(index, 3 * FileBlockStore.INDEX_ENTRY_BYTES + 5);
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(8, store.height());
            assertBlocks(store, 8);
            appendBlocks(store, 8, 1);
        }
        assertEquals(9L * FileBlockStore.INDEX_ENTRY_BYTES, Files.size(index));
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(9, store.height());
            assertBlocks(store, 9);
        }
    }

    @Test
    void index_garbageEntries_rebuiltFromTheSegments() throws IOException {
        appendAndMeasure(8);
        Path index = dir.resolve(FileBlockStore.INDEX_FILE);
        try (FileChannel channel = FileChannel.open(index, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8}),
                    2L * FileBlockStore.INDEX_ENTRY_BYTES);
        }
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(8, store.height());
            assertBlocks(store, 8);
        }
    }

    @Test
    void index_longerThanTheData_heightFromTheSegments() throws IOException {
        int k = 4;
        long endOfK;
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            appendBlocks(store, 0, 8);
            endOfK = 0;
            for (int n = 0; n <= k; n++) {
                endOfK += record(store.block(n));
            }
        }
        Path segment = dir.resolve(FIRST_SEGMENT);
        truncate(segment, endOfK);
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(k + 1, store.height());
            assertBlocks(store, k + 1);
            assertEquals(OptionalLong.empty(), store.blockOf(txId(k + 1, 0)));
            assertEquals(endOfK, Files.size(segment));
            appendBlocks(store, k + 1, 1);
        }
        assertEquals((k + 2L) * FileBlockStore.INDEX_ENTRY_BYTES, Files.size(dir.resolve(FileBlockStore.INDEX_FILE)));
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(k + 2, store.height());
            assertBlocks(store, k + 2);
        }
    }

    @Test
    void concurrentReaders_whileOneThreadAppends_seeCompleteBlocks() throws Exception {
        int blocks = 200;
        ExecutorService threads = Executors.newFixedThreadPool(5);
        try (FileBlockStore store = FileBlockStore.open(dir, 8 * 1024)) {
            AtomicBoolean done = new AtomicBoolean();
            Future<?> appender = threads.submit(() -> {
                try {
                    appendBlocks(store, 0, blocks);
                } finally {
                    done.set(true);
                }
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(threads.submit(() -> {
                    int reads = 0;
                    while (!done.get() || reads < 50) {
                        long height = store.height();
                        if (height == 0) {
                            continue;
                        }
                        long n = ThreadLocalRandom.current().nextLong(height);
                        assertEquals(standardBlock(n), store.block(n));
                        // What a height covers is indexed by transaction id too.
                        assertEquals(OptionalLong.of(height - 1), store.blockOf(txId(height - 1, 1)));
                        reads++;
                    }
                    return reads;
                }));
            }
            appender.get(20, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertTrue(reader.get(20, TimeUnit.SECONDS) >= 50);
            }
            assertEquals(blocks, store.height());
        } finally {
            threads.shutdownNow();
        }
        try (FileBlockStore store = FileBlockStore.open(dir, 8 * 1024)) {
            assertEquals(blocks, store.height());
            assertBlocks(store, blocks);
        }
    }

    @Test
    void interruptedReader_failsAlone_storeKeepsWorking() {
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            appendBlocks(store, 0, 3);
            Thread.currentThread().interrupt();
            try {
                assertThrows(UncheckedIOException.class, () -> store.block(1));
            } finally {
                assertTrue(Thread.interrupted());
            }
            // The interrupt closed the file's channel; the store reopens it.
            assertEquals(standardBlock(1), store.block(1));
            appendBlocks(store, 3, 2);
            assertBlocks(store, 5);
        }
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(5, store.height());
        }
    }

    @Test
    void afterClose_callsThrowIllegalState() {
        FileBlockStore store = FileBlockStore.open(dir);
        appendBlocks(store, 0, 2);
        store.close();
        store.close(); // again: nothing
        String message = "block store " + dir + " is closed";
        assertEquals(message, assertThrows(IllegalStateException.class, store::height).getMessage());
        assertEquals(message, assertThrows(IllegalStateException.class, () -> store.block(0)).getMessage());
        assertEquals(message, assertThrows(IllegalStateException.class,
                () -> store.append(standardBlock(2))).getMessage());
        assertEquals(message, assertThrows(IllegalStateException.class,
                () -> store.blockOf(txId(0, 0))).getMessage());
    }

    @Test
    void open_directoryAlreadyOpen_refused() {
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertThrows(IllegalStateException.class, () -> FileBlockStore.open(dir));
            store.append(standardBlock(0));
        }
        try (FileBlockStore store = FileBlockStore.open(dir.resolve("."))) {
            assertEquals(1, store.height());
        }
    }

    // ---- helpers

    /** Appends blocks 0 to n - 1, closes, and returns where block n - 1's record starts (one segment). */
    private long appendAndMeasure(int n) {
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            appendBlocks(store, 0, n);
            long end = 0;
            for (int i = 0; i < n - 1; i++) {
                end += record(store.block(i));
            }
            return end;
        }
    }

    /**
     * Reopens after damage to the tail of the first segment: the intact blocks are kept, the file is cut where they
     * end, a warning names it, and appending continues across another reopen.
     */
    private void assertRecovered(int intact, long intactEnd, long dropped) throws IOException {
        Path segment = dir.resolve(FIRST_SEGMENT);
        try (CapturedLog log = CapturedLog.start(); FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(intact, store.height());
            assertBlocks(store, intact);
            assertEquals(OptionalLong.empty(), store.blockOf(txId(intact, 0)));
            assertEquals(intactEnd, Files.size(segment));
            List<String> warnings = log.lines("WARN", segment.toString(), "offset " + intactEnd,
                    "dropping " + dropped + " bytes");
            assertEquals(1, warnings.size(), () -> log.lines(dir.toString()).toString());
            appendBlocks(store, intact, 1);
        }
        try (FileBlockStore store = FileBlockStore.open(dir)) {
            assertEquals(intact + 1, store.height());
            assertBlocks(store, intact + 1);
            appendBlocks(store, intact + 1, 1);
            assertEquals(intact + 2, store.height());
        }
    }

    private static void appendBlocks(FileBlockStore store, long from, int count) {
        for (long n = from; n < from + count; n++) {
            store.append(standardBlock(n));
        }
    }

    private static void assertBlocks(FileBlockStore store, long count) {
        for (long n = 0; n < count; n++) {
            assertEquals(standardBlock(n), store.block(n));
            assertEquals(OptionalLong.of(n), store.blockOf(txId(n, 0)));
            assertEquals(OptionalLong.of(n), store.blockOf(txId(n, 1)));
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().startsWith("blockfile_")).sorted().toList();
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    private static long record(Block block) {
        return FileBlockStore.RECORD_HEADER_BYTES + block.getSerializedSize();
    }

    private static String txId(long block, int tx) {
        return "tx-" + block + "-" + tx;
    }

    /** Block n with two transactions, {@link #txId(long, int) tx-n-0 and tx-n-1}. */
    private static Block standardBlock(long n) {
        return block(n, (int) (n % 7) * 10, txId(n, 0), txId(n, 1));
    }

    private static Block block(long number, int padding, String... txIds) {
        BlockData.Builder data = BlockData.newBuilder();
        for (String txId : txIds) {
            ChannelHeader channelHeader = ChannelHeader.newBuilder().setChannelId("mychannel").setTxId(txId).build();
            Payload payload = Payload.newBuilder()
                    .setHeader(Header.newBuilder().setChannelHeader(channelHeader.toByteString()))
                    .setData(ByteString.copyFromUtf8("payload of " + txId + " " + "x".repeat(padding)))
                    .build();
            data.addData(Envelope.newBuilder().setPayload(payload.toByteString()).build().toByteString());
        }
        return Block.newBuilder()
                .setHeader(BlockHeader.newBuilder()
                        .setNumber(number)
                        .setPreviousHash(ByteString.copyFromUtf8("previous " + (number - 1)))
                        .setDataHash(ByteString.copyFromUtf8("data " + number)))
                .setData(data)
                .build();
    }
}
