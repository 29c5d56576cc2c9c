package dev.weft.testnet.internal.orderer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.Scheduler;
import dev.weft.core.WeftException;
import dev.weft.testnet.BlockCutter;
import dev.weft.testnet.ConsenterSupport;
import dev.weft.testnet.OrderingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigValue;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.hyperledger.fabric.protos.orderer.BatchTimeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Solo ordering ({@link SoloChain}) against a fake {@link ConsenterSupport} with a real
 * {@link DefaultBlockCutter} and a hand-driven {@link Scheduler}.
 *
 * <p>The chain orders on its own thread. Tests synchronise with {@link #drain()}: it sends a barrier
 * message through the chain's queue (validated at an old config sequence, so the chain re-validates
 * it on the ordering thread, where the fake notes it and rejects it) and waits for it to get there.
 * Everything ordered before the barrier has then been processed, and the barrier itself changes
 * nothing.
 */
class SoloChainTest {
    private static final String CHANNEL = "solo-test";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final FakeSupport support = new FakeSupport();
    private final RecordingScheduler scheduler = support.scheduler;
    private SoloChain chain;
    private int nextId;

    @AfterEach
    void haltChain() {
        if (chain != null) {
            chain.halt();
        }
    }

    // --- MaxMessageCount ---

    @Test
    void order_maxMessageCountOne_writesBlockPerMessageWithoutStartingTimer() throws Exception {
        start(config(1, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        Envelope c = env("c");

        chain.order(a, 0);
        chain.order(b, 0);
        chain.order(c, 0);
        drain();

        assertEquals(List.of(normal(a), normal(b), normal(c)), support.writes());
        assertEquals(List.of(), scheduler.tasks(), "no message was left pending, so no timer");
    }

    @Test
    void order_reachingMaxMessageCount_writesBlockWithoutTimerFiring() throws Exception {
        start(config(3, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        Envelope c = env("c");

        chain.order(a, 0);
        chain.order(b, 0);
        chain.order(c, 0);
        drain();

        assertEquals(List.of(normal(a, b, c)), support.writes());
        assertEquals(1, scheduler.tasks().size());
        assertTrue(scheduler.tasks().get(0).cancelled(), "the count cut must stop the timer");
    }

    @Test
    void order_moreThanMaxMessageCount_writesFullBlocksAndKeepsRemainderPending() throws Exception {
        start(config(2, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        Envelope c = env("c");
        Envelope d = env("d");
        Envelope e = env("e");

        for (Envelope m : List.of(a, b, c, d, e)) {
            chain.order(m, 0);
        }
        drain();

        assertEquals(List.of(normal(a, b), normal(c, d)), support.writes());
        ScheduledTask live = scheduler.onlyActive();
        live.fire();
        drain();
        assertEquals(List.of(normal(a, b), normal(c, d), normal(e)), support.writes());
    }

    @Test
    void createNextBlock_calledOncePerWrittenBlockInOrder() throws Exception {
        start(config(2, 1_000_000, "2s"));

        for (int i = 0; i < 6; i++) {
            chain.order(env("m" + i), 0);
        }
        drain();

        assertEquals(List.of(0L, 1L, 2L), support.writes().stream().map(Written::number).toList());
    }

    // --- batch timer ---

    @Test
    void order_partialBatch_startsExactlyOneTimerWithConfiguredBatchTimeout() throws Exception {
        start(config(10, 1_000_000, "1500ms"));

        chain.order(env("a"), 0);
        chain.order(env("b"), 0);
        chain.order(env("c"), 0);
        drain();

        assertEquals(List.of(), support.writes());
        List<ScheduledTask> tasks = scheduler.tasks();
        assertEquals(1, tasks.size(), "one timer for the whole pending batch");
        assertEquals(Duration.ofMillis(1500), tasks.get(0).delay());
        assertFalse(tasks.get(0).cancelled());
    }

    @Test
    void order_afterBatchTimeoutChangedInConfig_nextTimerUsesNewTimeout() throws Exception {
        start(config(10, 1_000_000, "2s"));
        chain.order(env("a"), 0);
        drain();
        scheduler.onlyActive().fire();
        drain();

        support.config = config(10, 1_000_000, "750ms");
        chain.order(env("b"), 0);
        drain();

        List<ScheduledTask> tasks = scheduler.tasks();
        assertEquals(2, tasks.size());
        assertEquals(Duration.ofSeconds(2), tasks.get(0).delay());
        assertEquals(Duration.ofMillis(750), tasks.get(1).delay());
    }

    @Test
    void timerFired_withPendingBatch_cutsItIntoOneBlock() throws Exception {
        start(config(10, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        chain.order(a, 0);
        chain.order(b, 0);
        drain();

        scheduler.onlyActive().fire();
        drain();

        assertEquals(List.of(normal(a, b)), support.writes());
    }

    @Test
    void timerFired_thenNewMessage_startsFreshTimerForNextBatch() throws Exception {
        start(config(10, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        chain.order(a, 0);
        drain();
        ScheduledTask first = scheduler.onlyActive();
        first.fire();
        drain();

        chain.order(b, 0);
        drain();

        assertEquals(2, scheduler.tasks().size(), "the fired timer is gone, so the next message needs a new one");
        ScheduledTask second = scheduler.tasks().get(1);
        assertFalse(second.cancelled());
        second.fire();
        drain();
        assertEquals(List.of(normal(a), normal(b)), support.writes());
    }

    @Test
    void timerFired_twice_secondFiringWritesNothing() throws Exception {
        start(config(10, 1_000_000, "2s"));
        Envelope a = env("a");
        chain.order(a, 0);
        drain();
        ScheduledTask timer = scheduler.onlyActive();

        timer.fire();
        timer.fire();
        drain();

        assertEquals(List.of(normal(a)), support.writes());
    }

    @Test
    void staleTimer_firingAfterSizeCut_writesNothing() throws Exception {
        start(config(2, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        chain.order(a, 0);
        drain();
        ScheduledTask stale = scheduler.onlyActive();
        chain.order(b, 0);
        drain();
        assertEquals(List.of(normal(a, b)), support.writes());

        stale.fire(); // as if it had gone off just before it was cancelled
        drain();

        assertEquals(List.of(normal(a, b)), support.writes());
    }

    @Test
    void staleTimer_firingWhileNewerTimerRuns_leavesNewerBatchPending() throws Exception {
        start(config(2, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        Envelope c = env("c");
        chain.order(a, 0);
        drain();
        ScheduledTask stale = scheduler.onlyActive();
        chain.order(b, 0); // cuts [a, b] by count
        chain.order(c, 0); // pending again: a new timer
        drain();
        ScheduledTask current = scheduler.onlyActive();

        stale.fire();
        drain();
        assertEquals(List.of(normal(a, b)), support.writes(), "the stale timer must not cut [c]");

        current.fire();
        drain();
        assertEquals(List.of(normal(a, b), normal(c)), support.writes());
    }

    @Test
    void order_laterMessageCompletingBatch_cancelsTimer() throws Exception {
        start(config(3, 1_000_000, "2s"));
        chain.order(env("a"), 0);
        chain.order(env("b"), 0);
        drain();
        ScheduledTask timer = scheduler.onlyActive();
        assertFalse(timer.cancelled());

        chain.order(env("c"), 0);
        drain();

        assertTrue(timer.cancelled());
        assertEquals(1, scheduler.tasks().size(), "no new timer: nothing is pending");
    }

    @Test
    void order_oversizeMessageWithPendingBatch_writesTwoBlocksAndCancelsTimer() throws Exception {
        start(config(10, 100, "2s"));
        Envelope a = env("a");
        Envelope big = sized(101);
        chain.order(a, 0);
        drain();
        ScheduledTask timer = scheduler.onlyActive();

        chain.order(big, 0);
        drain();

        assertEquals(List.of(normal(a), normal(big)), support.writes());
        assertTrue(timer.cancelled());
        assertEquals(1, scheduler.tasks().size());
    }

    @Test
    void order_overflowCutLeavingMessagePending_keepsRunningTimerWithoutStartingAnother() throws Exception {
        start(config(10, 100, "2s"));
        Envelope a = sized(60);
        Envelope b = sized(60);
        chain.order(a, 0);
        drain();
        ScheduledTask timer = scheduler.onlyActive();

        chain.order(b, 0); // 120 > 100: cuts [a], b left pending
        drain();

        assertEquals(List.of(normal(a)), support.writes());
        assertEquals(1, scheduler.tasks().size(), "as in Fabric, the running timer goes on");
        assertFalse(timer.cancelled());
        timer.fire();
        drain();
        assertEquals(List.of(normal(a), normal(b)), support.writes());
    }

    // --- config messages ---

    @Test
    void configure_withPendingBatch_writesPendingBlockThenConfigBlockAlone() throws Exception {
        start(config(10, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        Envelope update = env("config-update");
        chain.order(a, 0);
        chain.order(b, 0);
        drain();
        ScheduledTask timer = scheduler.onlyActive();

        chain.configure(update, 0);
        drain();

        assertEquals(List.of(normal(a, b), configBlock(update)), support.writes());
        assertTrue(timer.cancelled(), "nothing is pending after a config message");
    }

    @Test
    void configure_withNothingPending_writesOnlyConfigBlock() throws Exception {
        start(config(10, 1_000_000, "2s"));
        Envelope update = env("config-update");

        chain.configure(update, 0);
        drain();

        assertEquals(List.of(configBlock(update)), support.writes());
        assertEquals(List.of(), scheduler.tasks());
    }

    @Test
    void configure_thenCancelledTimerFires_writesNothingMore() throws Exception {
        start(config(10, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope update = env("config-update");
        chain.order(a, 0);
        drain();
        ScheduledTask timer = scheduler.onlyActive();
        chain.configure(update, 0);
        drain();

        timer.fire();
        drain();

        assertEquals(List.of(normal(a), configBlock(update)), support.writes());
    }

    @Test
    void configure_betweenNormalMessages_keepsArrivalOrder() throws Exception {
        start(config(10, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope update = env("config-update");
        Envelope b = env("b");

        chain.order(a, 0);
        chain.configure(update, 0);
        chain.order(b, 0);
        drain();
        scheduler.onlyActive().fire();
        drain();

        assertEquals(List.of(normal(a), configBlock(update), normal(b)), support.writes());
    }

    @Test
    void configure_validatedAtOldSequenceAndRejected_isDroppedAndLeavesPendingBatch() throws Exception {
        start(config(10, 1_000_000, "2s"));
        support.sequence.set(1);
        Envelope a = env("a");
        Envelope update = env("config-update");
        support.reject(m -> m.equals(update));
        chain.order(a, 1);
        chain.configure(update, 0);
        drain();

        assertEquals(List.of(), support.writes(), "a rejected config message must not cut the pending batch");
        assertEquals(List.of(update), support.revalidated());
        scheduler.onlyActive().fire();
        drain();
        assertEquals(List.of(normal(a)), support.writes());
    }

    // --- re-validation ---

    @Test
    void order_validatedAtOldSequenceAndRevalidateThrows_dropsMessage() throws Exception {
        start(config(1, 1_000_000, "2s"));
        support.sequence.set(2);
        Envelope bad = env("bad");
        Envelope good = env("good");
        support.reject(m -> m.equals(bad));

        chain.order(bad, 1);
        chain.order(good, 1);
        drain();

        assertEquals(List.of(bad, good), support.revalidated());
        assertEquals(List.of(normal(good)), support.writes());
    }

    @Test
    void order_validatedAtOldSequenceAndRevalidatePasses_keepsMessage() throws Exception {
        start(config(1, 1_000_000, "2s"));
        support.sequence.set(5);
        Envelope a = env("a");

        chain.order(a, 4);
        drain();

        assertEquals(List.of(a), support.revalidated());
        assertEquals(List.of(normal(a)), support.writes());
    }

    @Test
    void order_validatedAtCurrentSequence_isNotRevalidated() throws Exception {
        start(config(1, 1_000_000, "2s"));
        support.sequence.set(3);
        Envelope a = env("a");
        support.reject(m -> true);

        chain.order(a, 3);
        drain();

        assertEquals(List.of(), support.revalidated());
        assertEquals(List.of(normal(a)), support.writes());
    }

    @Test
    void order_sequenceAdvancedAfterSubmission_revalidatesAtOrderingTime() throws Exception {
        start(config(1, 1_000_000, "2s"));
        Envelope a = env("a");
        Envelope b = env("b");
        support.reject(m -> m.equals(b));

        chain.order(a, 0);
        drain();
        support.sequence.set(1);
        chain.order(b, 0);
        drain();

        assertEquals(List.of(b), support.revalidated());
        assertEquals(List.of(normal(a)), support.writes());
    }

    @Test
    void order_droppedMessage_doesNotStartTimer() throws Exception {
        start(config(10, 1_000_000, "2s"));
        support.sequence.set(1);
        Envelope bad = env("bad");
        support.reject(m -> m.equals(bad));

        chain.order(bad, 0);
        drain();

        assertEquals(List.of(), scheduler.tasks());
        assertEquals(List.of(), support.writes());
    }

    // --- halt ---

    @Test
    void beforeHalt_waitReadySucceedsAndErroredIsNotDone() {
        start(config(10, 1_000_000, "2s"));

        assertDoesNotThrow(chain::waitReady);
        assertFalse(chain.errored().isDone());
    }

    @Test
    void order_afterHalt_throwsOrderingException() {
        start(config(10, 1_000_000, "2s"));
        chain.halt();

        OrderingException e = assertThrows(OrderingException.class, () -> chain.order(env("a"), 0));
        assertTrue(e.getMessage().contains("halted"), e.getMessage());
        assertTrue(e.getMessage().contains(CHANNEL), e.getMessage());
        assertTrue(e.retryable(), "a client may retry elsewhere");
    }

    @Test
    void order_blockWriteFails_chainHaltsAndReportsError() throws Exception {
        start(config(1, 1_000_000, "2s"));
        support.writeFailure = new IllegalStateException("disk full");

        chain.order(env("a"), 0);

        Throwable cause = assertThrows(ExecutionException.class,
                () -> chain.errored().get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).getCause();
        assertEquals("disk full", cause.getMessage());
        assertThrows(OrderingException.class, () -> chain.order(env("b"), 0));
        assertThrows(OrderingException.class, chain::waitReady);
        assertTrue(support.writes().isEmpty());
    }

    @Test
    void configure_afterHalt_throwsOrderingException() {
        start(config(10, 1_000_000, "2s"));
        chain.halt();

        OrderingException e = assertThrows(OrderingException.class, () -> chain.configure(env("update"), 0));
        assertTrue(e.getMessage().contains("halted"), e.getMessage());
    }

    @Test
    void waitReady_afterHalt_throwsOrderingException() {
        start(config(10, 1_000_000, "2s"));
        chain.halt();

        OrderingException e = assertThrows(OrderingException.class, chain::waitReady);
        assertTrue(e.getMessage().contains("has halted"), e.getMessage());
    }

    @Test
    void errored_afterHalt_isCompletedExceptionallyWithOrderingException() {
        start(config(10, 1_000_000, "2s"));
        CompletableFuture<Void> errored = chain.errored();

        chain.halt();

        assertTrue(errored.isCompletedExceptionally());
        CompletionException e = assertThrows(CompletionException.class, errored::join);
        assertInstanceOf(OrderingException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains(CHANNEL), e.getCause().getMessage());
    }

    @Test
    void timerFired_afterHalt_writesNothingAndDoesNotThrow() throws Exception {
        start(config(10, 1_000_000, "2s"));
        chain.order(env("a"), 0);
        drain();
        ScheduledTask timer = scheduler.onlyActive();

        chain.halt();

        assertDoesNotThrow(timer::fire);
        assertEquals(List.of(), support.writes(), "pending messages are dropped on halt");
    }

    // --- ordering under concurrency ---

    @Test
    void order_manyMessagesFromSeveralThreads_blocksPreserveEachThreadsSubmissionOrder() throws Exception {
        start(config(7, 1_000_000, "2s"));
        int threads = 4;
        int perThread = 250;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            senders.add(CompletableFuture.runAsync(() -> {
                await(go);
                for (int i = 0; i < perThread; i++) {
                    chain.order(tagged(thread, i), 0);
                }
            }, runnable -> {
                Thread sender = new Thread(runnable, "sender-" + thread);
                sender.setDaemon(true);
                sender.start();
            }));
        }

        go.countDown();
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        drain();
        scheduler.onlyActive().fire(); // 1000 = 142 * 7 + 6: cut the last six
        drain();

        List<Written> writes = support.writes();
        assertEquals(143, writes.size());
        for (int i = 0; i < writes.size() - 1; i++) {
            assertEquals(7, writes.get(i).envelopes().size(), "block " + i);
        }
        assertEquals(6, writes.get(writes.size() - 1).envelopes().size());
        List<Envelope> all = writes.stream().flatMap(w -> w.envelopes().stream()).toList();
        assertEquals(threads * perThread, all.size());
        assertEquals(threads * perThread, new HashSet<>(all).size(), "no message duplicated");
        int[] next = new int[threads];
        for (Envelope m : all) {
            String[] parts = m.getPayload().toStringUtf8().split(":");
            int thread = Integer.parseInt(parts[0]);
            int index = Integer.parseInt(parts[1]);
            assertEquals(next[thread], index, "thread " + thread + "'s messages out of order");
            next[thread]++;
        }
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, next[t]);
        }
    }

    // --- helpers ---

    private void start(ChannelConfig config) {
        support.config = config;
        chain = new SoloChain(support);
        chain.start();
    }

    /** Waits until the chain has processed everything ordered so far (see the class comment). */
    private void drain() throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        Envelope barrier = Envelope.newBuilder()
                .setPayload(ByteString.copyFromUtf8("barrier-" + (++nextId)))
                .build();
        support.barriers.put(barrier, reached);
        chain.order(barrier, -1); // below any sequence: re-validated, so it reaches the fake
        reached.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private Envelope env(String name) {
        return Envelope.newBuilder()
                .setPayload(ByteString.copyFromUtf8(name + "#" + (++nextId)))
                .setSignature(ByteString.copyFromUtf8("sig"))
                .build();
    }

    /** A distinct envelope of exactly {@code bytes} bytes (payload plus signature). */
    private Envelope sized(int bytes) {
        byte[] payload = new byte[bytes];
        int id = ++nextId;
        for (int i = 0; i < bytes; i++) {
            payload[i] = (byte) (i < 4 ? id >>> (8 * i) : i);
        }
        return Envelope.newBuilder().setPayload(ByteString.copyFrom(payload)).build();
    }

    private static Envelope tagged(int thread, int index) {
        return Envelope.newBuilder()
                .setPayload(ByteString.copyFrom(thread + ":" + index, StandardCharsets.UTF_8))
                .build();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("start gate not opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ChannelConfig config(int maxMessageCount, int preferredMaxBytes, String batchTimeout) {
        BatchSize batchSize = BatchSize.newBuilder()
                .setMaxMessageCount(maxMessageCount)
                .setAbsoluteMaxBytes(10 * 1024 * 1024)
                .setPreferredMaxBytes(preferredMaxBytes)
                .build();
        ConfigGroup orderer = ConfigGroup.newBuilder()
                .putValues("BatchSize", ConfigValue.newBuilder().setValue(batchSize.toByteString()).build())
                .putValues("BatchTimeout", ConfigValue.newBuilder()
                        .setValue(BatchTimeout.newBuilder().setTimeout(batchTimeout).build().toByteString())
                        .build())
                .build();
        Config config = Config.newBuilder()
                .setChannelGroup(ConfigGroup.newBuilder().putGroups(ChannelConfig.ORDERER, orderer))
                .build();
        return ChannelConfig.fromConfig(CHANNEL, config);
    }

    private static Written normal(Envelope... envelopes) {
        return new Written(Kind.NORMAL, -1, List.of(envelopes));
    }

    private static Written configBlock(Envelope envelope) {
        return new Written(Kind.CONFIG, -1, List.of(envelope));
    }

    enum Kind { NORMAL, CONFIG }

    /** A block the chain wrote; {@code number} is left out of equality so expectations need not state it. */
    record Written(Kind kind, long number, List<Envelope> envelopes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Written w && kind == w.kind && envelopes.equals(w.envelopes);
        }

        @Override
        public int hashCode() {
            return kind.hashCode() * 31 + envelopes.hashCode();
        }

        @Override
        public String toString() {
            return kind + "#" + number + envelopes.stream()
                    .map(e -> e.getPayload().size() > 24 ? e.getPayload().size() + "B" : e.getPayload().toStringUtf8())
                    .toList();
        }
    }

    /** The support a chain gets from its channel, recording what the chain writes. */
    static final class FakeSupport implements ConsenterSupport {
        final RecordingScheduler scheduler = new RecordingScheduler();
        final AtomicLong sequence = new AtomicLong();
        final Map<Envelope, CompletableFuture<Void>> barriers = new ConcurrentHashMap<>();
        volatile ChannelConfig config;
        private volatile Predicate<Envelope> rejected = m -> false;
        volatile RuntimeException writeFailure;
        private final List<Envelope> revalidated = new CopyOnWriteArrayList<>();
        private final List<Written> writes = new CopyOnWriteArrayList<>();
        private final AtomicLong nextNumber = new AtomicLong();
        private final BlockCutter cutter = new DefaultBlockCutter(() -> config.batchSize().orElseThrow());

        void reject(Predicate<Envelope> which) {
            rejected = which;
        }

        List<Envelope> revalidated() {
            return List.copyOf(revalidated);
        }

        List<Written> writes() {
            return List.copyOf(writes);
        }

        @Override
        public String channelId() {
            return CHANNEL;
        }

        @Override
        public BlockCutter blockCutter() {
            return cutter;
        }

        @Override
        public ChannelConfig sharedConfig() {
            return config;
        }

        @Override
        public long sequence() {
            return sequence.get();
        }

        @Override
        public Scheduler scheduler() {
            return scheduler;
        }

        @Override
        public void revalidate(Envelope envelope) {
            CompletableFuture<Void> barrier = barriers.remove(envelope);
            if (barrier != null) {
                barrier.complete(null);
                throw new WeftException("barrier");
            }
            revalidated.add(envelope);
            if (rejected.test(envelope)) {
                throw new WeftException("rejected by the new config");
            }
        }

        @Override
        public Envelope reprocessConfig(Envelope config) {
            revalidate(config);
            return config;
        }

        @Override
        public Block createNextBlock(List<Envelope> batch) {
            BlockData.Builder data = BlockData.newBuilder();
            batch.forEach(e -> data.addData(e.toByteString()));
            return Block.newBuilder()
                    .setHeader(BlockHeader.newBuilder().setNumber(nextNumber.getAndIncrement()))
                    .setData(data)
                    .build();
        }

        @Override
        public void writeBlock(Block block, byte[] consenterMetadata) {
            if (writeFailure != null) {
                throw writeFailure;
            }
            writes.add(new Written(Kind.NORMAL, block.getHeader().getNumber(), envelopes(block)));
        }

        @Override
        public void writeConfigBlock(Block block, byte[] consenterMetadata) {
            writes.add(new Written(Kind.CONFIG, block.getHeader().getNumber(), envelopes(block)));
        }

        @Override
        public long height() {
            return writes.size();
        }

        @Override
        public java.util.Optional<Block> block(long number) {
            return java.util.Optional.empty(); // the fake keeps what was written, not the blocks
        }

        @Override
        public dev.weft.core.X509Identity identity() {
            throw new AssertionError("the solo chain does not sign");
        }

        @Override
        public byte[] sign(byte[] message) {
            throw new AssertionError("the solo chain does not sign");
        }

        @Override
        public void verifyBlockSignature(Block block) {
            throw new AssertionError("the solo chain does not verify blocks");
        }

        private static List<Envelope> envelopes(Block block) {
            List<Envelope> envelopes = new ArrayList<>();
            for (ByteString bytes : block.getData().getDataList()) {
                try {
                    envelopes.add(Envelope.parseFrom(bytes));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
            return envelopes;
        }
    }

    /** A task handed to the {@link RecordingScheduler}. */
    static final class ScheduledTask implements Scheduler.Cancellable {
        private final Duration delay;
        private final Runnable task;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicInteger fired = new AtomicInteger();

        ScheduledTask(Duration delay, Runnable task) {
            this.delay = delay;
            this.task = task;
        }

        Duration delay() {
            return delay;
        }

        boolean cancelled() {
            return cancelled.get();
        }

        /** Runs the task now, cancelled or not: a cancelled timer may already have gone off. */
        void fire() {
            fired.incrementAndGet();
            task.run();
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }

        @Override
        public String toString() {
            return "task(" + delay + (cancelled() ? ", cancelled" : "") + ", fired " + fired + ")";
        }
    }

    /** A scheduler that records its tasks; they run only when a test fires them. */
    static final class RecordingScheduler implements Scheduler {
        private final List<ScheduledTask> tasks = new CopyOnWriteArrayList<>();

        @Override
        public java.time.Clock clock() {
            return java.time.Clock.systemUTC();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            ScheduledTask scheduled = new ScheduledTask(delay, task);
            tasks.add(scheduled);
            return scheduled;
        }

        List<ScheduledTask> tasks() {
            return List.copyOf(tasks);
        }

        /** The one task neither cancelled nor fired; fails the test unless there is exactly one. */
        ScheduledTask onlyActive() {
            List<ScheduledTask> active = tasks.stream()
                    .filter(t -> !t.cancelled() && t.fired.get() == 0)
                    .toList();
            if (active.size() != 1) {
                fail("expected exactly one active timer, found " + tasks);
            }
            return active.get(0);
        }
    }
}
