package dev.weft.testnet.internal.orderer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.testnet.BlockCutter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.junit.jupiter.api.Test;

/**
 * Fabric's block cutting rules ({@code orderer/common/blockcutter}) as {@link DefaultBlockCutter}
 * applies them, with envelopes of exact payload and signature sizes.
 */
class BlockCutterTest {
    private static final int ABSOLUTE_MAX_BYTES = 10 * 1024 * 1024;

    private int nextId;

    /** A distinct envelope of exactly {@code payloadBytes} + {@code signatureBytes} bytes. */
    private Envelope env(int payloadBytes, int signatureBytes) {
        int id = ++nextId;
        return Envelope.newBuilder()
                .setPayload(ByteString.copyFrom(filled(payloadBytes, id)))
                .setSignature(ByteString.copyFrom(filled(signatureBytes, id * 31)))
                .build();
    }

    /** A distinct envelope whose payload alone is {@code bytes} long. */
    private Envelope env(int bytes) {
        return env(bytes, 0);
    }

    private static byte[] filled(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            // the first bytes carry the id so that envelopes of equal sizes differ
            bytes[i] = (byte) (i < 4 ? seed >>> (8 * i) : seed + i);
        }
        return bytes;
    }

    private static BatchSize batchSize(int maxMessageCount, int preferredMaxBytes) {
        return BatchSize.newBuilder()
                .setMaxMessageCount(maxMessageCount)
                .setAbsoluteMaxBytes(ABSOLUTE_MAX_BYTES)
                .setPreferredMaxBytes(preferredMaxBytes)
                .build();
    }

    private static DefaultBlockCutter cutter(int maxMessageCount, int preferredMaxBytes) {
        BatchSize size = batchSize(maxMessageCount, preferredMaxBytes);
        return new DefaultBlockCutter(() -> size);
    }

    // --- MaxMessageCount ---

    @Test
    void ordered_belowMaxMessageCount_returnsNoBatchAndReportsPending() {
        DefaultBlockCutter cutter = cutter(3, 1000);

        BlockCutter.Result first = cutter.ordered(env(10));
        BlockCutter.Result second = cutter.ordered(env(10));

        assertEquals(List.of(), first.batches());
        assertTrue(first.pending());
        assertEquals(List.of(), second.batches());
        assertTrue(second.pending());
    }

    @Test
    void ordered_reachingMaxMessageCount_cutsBatchOfExactlyThatManyAndReportsNothingPending() {
        DefaultBlockCutter cutter = cutter(3, 1000);
        Envelope a = env(10);
        Envelope b = env(10);
        Envelope c = env(10);

        cutter.ordered(a);
        cutter.ordered(b);
        BlockCutter.Result third = cutter.ordered(c);

        assertEquals(List.of(List.of(a, b, c)), third.batches());
        assertFalse(third.pending());
        assertEquals(List.of(), cutter.cut(), "the count cut must leave nothing pending");
    }

    @Test
    void ordered_afterCountCut_startsNewBatchCountingFromZero() {
        DefaultBlockCutter cutter = cutter(2, 1000);
        Envelope a = env(10);
        Envelope b = env(10);
        Envelope c = env(10);
        Envelope d = env(10);

        assertEquals(List.of(List.of(a, b)), concat(cutter.ordered(a), cutter.ordered(b)));
        BlockCutter.Result third = cutter.ordered(c);
        assertEquals(List.of(), third.batches());
        assertTrue(third.pending());
        BlockCutter.Result fourth = cutter.ordered(d);
        assertEquals(List.of(List.of(c, d)), fourth.batches());
        assertFalse(fourth.pending());
    }

    @Test
    void ordered_maxMessageCountOne_cutsEveryMessageAlone() {
        DefaultBlockCutter cutter = cutter(1, 1000);
        Envelope a = env(10);
        Envelope b = env(10);

        BlockCutter.Result first = cutter.ordered(a);
        BlockCutter.Result second = cutter.ordered(b);

        assertEquals(List.of(List.of(a)), first.batches());
        assertFalse(first.pending());
        assertEquals(List.of(List.of(b)), second.batches());
        assertFalse(second.pending());
    }

    @Test
    void ordered_maxMessageCountAboveSignedIntRange_isReadUnsigned() {
        // uint32 0xFFFFFFFF: read signed it would be -1 and cut every message
        DefaultBlockCutter cutter = cutter(-1, 1000);

        BlockCutter.Result result = cutter.ordered(env(10));

        assertEquals(List.of(), result.batches());
        assertTrue(result.pending());
    }

    // --- PreferredMaxBytes ---

    @Test
    void ordered_messageOverflowingPreferredMaxBytes_cutsPreviousBatchFirstAndKeepsMessagePending() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope a = env(40);
        Envelope b = env(40);
        Envelope c = env(30); // 80 + 30 = 110 > 100

        cutter.ordered(a);
        cutter.ordered(b);
        BlockCutter.Result result = cutter.ordered(c);

        assertEquals(List.of(List.of(a, b)), result.batches());
        assertTrue(result.pending(), "the overflowing message starts the next batch");
        assertEquals(List.of(c), cutter.cut());
    }

    @Test
    void ordered_pendingFillingExactlyPreferredMaxBytes_doesNotCutUntilNextMessageOverflows() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope a = env(60);
        Envelope b = env(40); // 60 + 40 = 100, not over
        Envelope c = env(1); // 101 > 100

        cutter.ordered(a);
        BlockCutter.Result second = cutter.ordered(b);
        assertEquals(List.of(), second.batches());
        assertTrue(second.pending());

        BlockCutter.Result third = cutter.ordered(c);
        assertEquals(List.of(List.of(a, b)), third.batches());
        assertTrue(third.pending());
        assertEquals(List.of(c), cutter.cut());
    }

    @Test
    void ordered_oversizeMessageWithPendingBatch_cutsPendingThenReturnsMessageAlone() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope a = env(10);
        Envelope b = env(10);
        Envelope big = env(101);

        cutter.ordered(a);
        cutter.ordered(b);
        BlockCutter.Result result = cutter.ordered(big);

        assertEquals(List.of(List.of(a, b), List.of(big)), result.batches());
        assertFalse(result.pending());
        assertEquals(List.of(), cutter.cut(), "the oversize message must not stay pending");
    }

    @Test
    void ordered_oversizeMessageWithoutPendingBatch_returnsOnlyItsOwnBatch() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope big = env(5000);

        BlockCutter.Result result = cutter.ordered(big);

        assertEquals(List.of(List.of(big)), result.batches(), "no empty batch may precede it");
        assertFalse(result.pending());
        assertEquals(List.of(), cutter.cut());
    }

    @Test
    void ordered_oversizeMessage_leavesNoBytesCountedForTheNextBatch() {
        DefaultBlockCutter cutter = cutter(10, 100);
        cutter.ordered(env(101));
        Envelope a = env(100);

        BlockCutter.Result result = cutter.ordered(a);

        assertEquals(List.of(), result.batches(), "the oversize message's bytes must not count");
        assertTrue(result.pending());
    }

    @Test
    void ordered_messageOfExactlyPreferredMaxBytesWithPendingBatch_isNotOversizeAndStaysPending() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope a = env(1);
        Envelope exact = env(100);

        cutter.ordered(a);
        BlockCutter.Result result = cutter.ordered(exact);

        // an oversize message would come back as a batch of its own: [[a], [exact]], nothing pending
        assertEquals(List.of(List.of(a)), result.batches());
        assertTrue(result.pending());
        assertEquals(List.of(exact), cutter.cut());
    }

    @Test
    void ordered_messageOfExactlyPreferredMaxBytesAlone_staysPending() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope exact = env(100);

        BlockCutter.Result result = cutter.ordered(exact);

        assertEquals(List.of(), result.batches());
        assertTrue(result.pending());
        assertEquals(List.of(exact), cutter.cut());
    }

    @Test
    void ordered_preferredMaxBytesAboveSignedIntRange_isReadUnsigned() {
        // uint32 0xFFFFFFFF (4 GiB): read signed it would be -1 and every message oversize
        DefaultBlockCutter cutter = cutter(10, -1);

        BlockCutter.Result result = cutter.ordered(env(1000, 1000));

        assertEquals(List.of(), result.batches());
        assertTrue(result.pending());
    }

    @Test
    void ordered_emptyEnvelopes_areCutOnlyByCount() {
        DefaultBlockCutter cutter = cutter(2, 0);
        Envelope a = Envelope.getDefaultInstance();
        Envelope b = Envelope.getDefaultInstance();

        BlockCutter.Result first = cutter.ordered(a);
        BlockCutter.Result second = cutter.ordered(b);

        assertEquals(List.of(), first.batches(), "0 bytes is not over a PreferredMaxBytes of 0");
        assertTrue(first.pending());
        assertEquals(1, second.batches().size());
        assertEquals(2, second.batches().get(0).size());
        assertFalse(second.pending());
    }

    // --- size = payload + signature ---

    @Test
    void sizeOf_countsPayloadPlusSignatureBytes() {
        assertEquals(0, DefaultBlockCutter.sizeOf(Envelope.getDefaultInstance()));
        assertEquals(70, DefaultBlockCutter.sizeOf(env(70, 0)));
        assertEquals(70, DefaultBlockCutter.sizeOf(env(0, 70)));
        assertEquals(125, DefaultBlockCutter.sizeOf(env(50, 75)));
    }

    @Test
    void ordered_signatureBytesPushPendingOverPreferredMaxBytes_cutsPreviousBatch() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope a = env(30, 30); // 60
        Envelope b = env(20, 21); // 41: payload alone (80) would fit, with signatures 101 does not

        cutter.ordered(a);
        BlockCutter.Result result = cutter.ordered(b);

        assertEquals(List.of(List.of(a)), result.batches());
        assertTrue(result.pending());
    }

    @Test
    void ordered_payloadPlusSignatureExactlyPreferredMaxBytes_fitsWithoutCut() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope a = env(30, 30); // 60
        Envelope b = env(20, 20); // 40: exactly 100 in all

        cutter.ordered(a);
        BlockCutter.Result result = cutter.ordered(b);

        assertEquals(List.of(), result.batches());
        assertTrue(result.pending());
        assertEquals(List.of(a, b), cutter.cut());
    }

    @Test
    void ordered_smallPayloadWithLargeSignature_isOversize() {
        DefaultBlockCutter cutter = cutter(10, 100);
        Envelope a = env(5);
        Envelope big = env(1, 100); // 101

        cutter.ordered(a);
        BlockCutter.Result result = cutter.ordered(big);

        assertEquals(List.of(List.of(a), List.of(big)), result.batches());
        assertFalse(result.pending());
    }

    // --- cut() ---

    @Test
    void cut_withPendingMessages_returnsThemInOrderAndClears() {
        DefaultBlockCutter cutter = cutter(10, 1000);
        Envelope a = env(10);
        Envelope b = env(20);
        Envelope c = env(30);
        cutter.ordered(a);
        cutter.ordered(b);
        cutter.ordered(c);

        List<Envelope> batch = cutter.cut();

        assertEquals(List.of(a, b, c), batch);
        assertSame(a, batch.get(0));
        assertEquals(List.of(), cutter.cut(), "a second cut finds nothing");
    }

    @Test
    void cut_withNothingPending_returnsEmptyList() {
        DefaultBlockCutter cutter = cutter(10, 1000);

        assertEquals(List.of(), cutter.cut());
    }

    @Test
    void cut_resetsPendingBytes() {
        DefaultBlockCutter cutter = cutter(10, 100);
        cutter.ordered(env(90));
        cutter.cut();
        Envelope a = env(90);

        BlockCutter.Result result = cutter.ordered(a);

        assertEquals(List.of(), result.batches(), "90 bytes from before the cut must not count");
        assertTrue(result.pending());
    }

    @Test
    void cut_resetsMessageCount() {
        DefaultBlockCutter cutter = cutter(3, 1000);
        cutter.ordered(env(1));
        cutter.ordered(env(1));
        cutter.cut();
        Envelope a = env(1);
        Envelope b = env(1);

        assertEquals(List.of(), cutter.ordered(a).batches());
        assertEquals(List.of(), cutter.ordered(b).batches(), "messages from before the cut must not count");
    }

    // --- batch size read on every message ---

    @Test
    void ordered_readsBatchSizeFromSupplierOnEveryMessage() {
        AtomicInteger reads = new AtomicInteger();
        BatchSize size = batchSize(10, 1000);
        DefaultBlockCutter cutter = new DefaultBlockCutter(() -> {
            reads.incrementAndGet();
            return size;
        });

        cutter.ordered(env(1));
        cutter.ordered(env(1));
        cutter.ordered(env(1));

        assertEquals(3, reads.get());
    }

    @Test
    void ordered_maxMessageCountLoweredBelowPending_cutsEverythingPendingWithNextMessage() {
        AtomicReference<BatchSize> size = new AtomicReference<>(batchSize(10, 1000));
        DefaultBlockCutter cutter = new DefaultBlockCutter(size::get);
        Envelope a = env(1);
        Envelope b = env(1);
        Envelope c = env(1);
        Envelope d = env(1);
        cutter.ordered(a);
        cutter.ordered(b);
        cutter.ordered(c);

        size.set(batchSize(2, 1000));
        BlockCutter.Result result = cutter.ordered(d);

        assertEquals(List.of(List.of(a, b, c, d)), result.batches());
        assertFalse(result.pending());
    }

    @Test
    void ordered_maxMessageCountRaised_letsBatchGrowPastOldLimit() {
        AtomicReference<BatchSize> size = new AtomicReference<>(batchSize(2, 1000));
        DefaultBlockCutter cutter = new DefaultBlockCutter(size::get);
        Envelope a = env(1);
        Envelope b = env(1);
        Envelope c = env(1);
        cutter.ordered(a);

        size.set(batchSize(3, 1000));
        BlockCutter.Result second = cutter.ordered(b);
        BlockCutter.Result third = cutter.ordered(c);

        assertEquals(List.of(), second.batches());
        assertTrue(second.pending());
        assertEquals(List.of(List.of(a, b, c)), third.batches());
    }

    @Test
    void ordered_preferredMaxBytesLowered_makesNextMessageOversize() {
        AtomicReference<BatchSize> size = new AtomicReference<>(batchSize(10, 1000));
        DefaultBlockCutter cutter = new DefaultBlockCutter(size::get);
        Envelope a = env(50);
        Envelope b = env(50);
        cutter.ordered(a);

        size.set(batchSize(10, 40));
        BlockCutter.Result result = cutter.ordered(b);

        assertEquals(List.of(List.of(a), List.of(b)), result.batches());
        assertFalse(result.pending());
    }

    @Test
    void ordered_limitsChangedSoOverflowAndCountBothCut_returnsTwoBatches() {
        AtomicReference<BatchSize> size = new AtomicReference<>(batchSize(3, 100));
        DefaultBlockCutter cutter = new DefaultBlockCutter(size::get);
        Envelope a = env(60);
        Envelope b = env(50); // overflows 100 with a, not oversize
        cutter.ordered(a);

        size.set(batchSize(1, 100));
        BlockCutter.Result result = cutter.ordered(b);

        assertEquals(List.of(List.of(a), List.of(b)), result.batches());
        assertFalse(result.pending());
    }

    // --- immutability ---

    @Test
    void ordered_returnedBatches_areUnmodifiable() {
        DefaultBlockCutter cutter = cutter(10, 100);
        cutter.ordered(env(10));
        BlockCutter.Result result = cutter.ordered(env(200));

        assertThrows(UnsupportedOperationException.class, () -> result.batches().add(List.of()));
        assertThrows(UnsupportedOperationException.class, () -> result.batches().get(0).add(env(1)));
        assertThrows(UnsupportedOperationException.class, () -> result.batches().get(1).clear());
    }

    @Test
    void ordered_countCutBatch_isUnmodifiableAndUnaffectedByLaterMessages() {
        DefaultBlockCutter cutter = cutter(2, 1000);
        Envelope a = env(1);
        Envelope b = env(1);
        cutter.ordered(a);
        List<Envelope> batch = cutter.ordered(b).batches().get(0);

        cutter.ordered(env(1));
        cutter.ordered(env(1));

        assertEquals(List.of(a, b), batch);
        assertThrows(UnsupportedOperationException.class, () -> batch.remove(0));
    }

    @Test
    void cut_returnedBatch_isUnmodifiableAndUnaffectedByLaterMessages() {
        DefaultBlockCutter cutter = cutter(10, 1000);
        Envelope a = env(1);
        cutter.ordered(a);
        List<Envelope> batch = cutter.cut();

        cutter.ordered(env(1));

        assertEquals(List.of(a), batch);
        assertThrows(UnsupportedOperationException.class, () -> batch.add(env(1)));
    }

    @Test
    void result_constructedFromMutableList_keepsACopy() {
        Envelope a = env(1);
        List<List<Envelope>> batches = new ArrayList<>();
        batches.add(List.of(a));

        BlockCutter.Result result = new BlockCutter.Result(batches, true);
        batches.add(List.of(env(2)));

        assertEquals(List.of(List.of(a)), result.batches());
        assertThrows(UnsupportedOperationException.class, () -> result.batches().clear());
    }

    private static List<List<Envelope>> concat(BlockCutter.Result... results) {
        List<List<Envelope>> all = new ArrayList<>();
        for (BlockCutter.Result result : results) {
            all.addAll(result.batches());
        }
        return all;
    }
}
