package dev.weft.orderer;

import static dev.weft.orderer.TestOrderers.envelope;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.GrpcCleanup;
import dev.weft.core.ManualScheduler;
import dev.weft.core.NodeError;
import dev.weft.core.Orderer;
import dev.weft.core.OrdererClient;
import dev.weft.core.SubmitException;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.hyperledger.fabric.protos.common.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link OrdererClients} against in-process orderers that answer as Fabric's orderer does, for the
 * answers a real orderer cannot be made to give on demand: SERVICE_UNAVAILABLE, NOT_FOUND,
 * INTERNAL_SERVER_ERROR, rejections with a chosen message, silence, a rejection in the middle of
 * pipelined envelopes; and for the client's own contract (close, arguments). The happy path, an
 * unreachable orderer and breaks with a real orderer behind them are in
 * {@link OrdererClientsReferenceNetworkTest}.
 */
class FailoverOrdererClientTest {
    /** Long enough never to fire in a test that is not about timeouts. */
    private static final Duration NO_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    private FakeOrderer fake(FakeOrderer orderer) {
        return orderer.start(grpc);
    }

    private static Throwable failure(CompletableFuture<?> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(20, SECONDS));
        return e.getCause();
    }

    // ---- stream reuse

    @Test
    void broadcast_severalTransactionsToOneOrderer_allOnOneStream() throws Exception {
        FakeOrderer orderer = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(orderer.orderer()))) {
            client.broadcast(envelope("tx1"), "tx1", NO_TIMEOUT).get(20, SECONDS);
            client.broadcast(envelope("tx2"), "tx2", NO_TIMEOUT).get(20, SECONDS);
            client.broadcast(envelope("tx3"), "tx3", NO_TIMEOUT).get(20, SECONDS);

            assertEquals(List.of("tx1", "tx2", "tx3"), orderer.received());
            assertEquals(1, orderer.callsStarted());
            assertEquals(1, orderer.streamsOpened());
        }
    }

    // ---- answers that send the transaction to the next orderer

    @ParameterizedTest
    @EnumSource(value = Status.class, names = {"SERVICE_UNAVAILABLE", "NOT_FOUND", "INTERNAL_SERVER_ERROR"})
    void broadcast_firstOrdererAnswersRetryableStatus_completesViaSecondAndNextTransactionStartsThere(Status status)
            throws Exception {
        FakeOrderer first = fake(FakeOrderer.answering(status, "try elsewhere"));
        FakeOrderer second = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(first.orderer(), second.orderer()))) {
            client.broadcast(envelope("tx1"), "tx1", NO_TIMEOUT).get(20, SECONDS);

            assertEquals(List.of("tx1"), first.received());
            assertEquals(List.of("tx1"), second.received());

            client.broadcast(envelope("tx2"), "tx2", NO_TIMEOUT).get(20, SECONDS);

            assertEquals(1, first.callsStarted(), "the second transaction must not go to the first orderer");
            assertEquals(List.of("tx1"), first.received());
            assertEquals(List.of("tx1", "tx2"), second.received());
            assertEquals(1, second.streamsOpened());
        }
    }

    // ---- rejections: not retryable, other orderers not asked

    @ParameterizedTest
    @EnumSource(value = Status.class, names = {"BAD_REQUEST", "FORBIDDEN", "REQUEST_ENTITY_TOO_LARGE"})
    void broadcast_firstOrdererRejects_submitExceptionNotRetryableAndSecondNotContacted(Status status)
            throws Exception {
        FakeOrderer first = fake(FakeOrderer.answering(status, "x"));
        FakeOrderer second = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(first.orderer(), second.orderer()))) {
            Throwable failure = failure(client.broadcast(envelope("tx1"), "tx1", NO_TIMEOUT));

            SubmitException e = assertInstanceOf(SubmitException.class, failure);
            assertFalse(e.retryable(), "a rejection is not retryable");
            assertEquals(TransactionStage.SUBMIT, e.stage());
            assertEquals("tx1", e.transactionId());
            assertTrue(e.getMessage().contains("rejected transaction tx1"), e.getMessage());
            assertEquals(List.of(new NodeError(first.target(), "", status.name(), "x")), e.details());
            assertEquals(0, second.callsStarted(), "the second orderer must not be contacted");
            assertEquals(List.of(), second.received());
        }
    }

    @Test
    void broadcast_afterRejection_nextTransactionSentOnNewStreamToSameOrderer() throws Exception {
        FakeOrderer orderer = fake(FakeOrderer.scripted((stream, envelope) -> stream.answer(
                envelope.getPayload().toStringUtf8().startsWith("bad") ? Status.BAD_REQUEST : Status.SUCCESS,
                "bad envelope")));
        try (OrdererClient client = OrdererClients.create(List.of(orderer.orderer()))) {
            Throwable failure = failure(client.broadcast(envelope("bad1"), "bad1", NO_TIMEOUT));
            assertInstanceOf(SubmitException.class, failure);

            client.broadcast(envelope("good2"), "good2", NO_TIMEOUT).get(20, SECONDS);

            assertEquals(List.of("bad1"), orderer.receivedOn(0));
            assertEquals(List.of("good2"), orderer.receivedOn(1));
        }
    }

    // ---- every orderer failed

    /** Moves time through back-off rounds until the future completes or the time given has passed. */
    private static void runRounds(ManualScheduler time, CompletableFuture<?> future, Duration total) throws Exception {
        Duration passed = Duration.ZERO;
        while (!future.isDone() && passed.compareTo(total) < 0) {
            // The round in flight ends with the future done, or a back-off timer beside the timeout timer.
            long end = System.nanoTime() + SECONDS.toNanos(20);
            while (!future.isDone() && time.pendingTasks() < 2) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("the round neither ended nor scheduled a back-off: " + time);
                }
                try {
                    future.get(5, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | ExecutionException e) {
                    // still running, or done: the loop condition decides
                }
            }
            if (future.isDone()) {
                return;
            }
            Duration step = time.pendingDelays().get(0);
            time.advance(step);
            passed = passed.plus(step);
        }
    }

    @Test
    void broadcast_allOrderersUnavailableUntilTheTimeout_retryableSubmitExceptionNamingEveryAttempt() throws Exception {
        FakeOrderer unavailable = fake(FakeOrderer.answering(Status.SERVICE_UNAVAILABLE, "no leader"));
        TestOrderers.Unreachable unreachable = TestOrderers.unreachable(grpc);
        ManualScheduler time = new ManualScheduler();
        try (OrdererClient client = OrdererClients.create(List.of(unavailable.orderer(), unreachable.orderer()), time)) {
            CompletableFuture<Orderer> broadcast = client.broadcast(envelope("tx1"), "tx1", Duration.ofSeconds(5));
            runRounds(time, broadcast, Duration.ofSeconds(6));

            SubmitException e = assertInstanceOf(SubmitException.class, failure(broadcast));
            assertTrue(e.retryable(), "no orderer available is retryable");
            assertEquals(TransactionStage.SUBMIT, e.stage());
            assertEquals("tx1", e.transactionId());
            assertTrue(e.details().size() >= 2 * 5, "the back-off is at most 1 s, so 5 s hold at least five rounds: "
                    + e.details());
            assertEquals(0, e.details().size() % 2, "every round asks both orderers: " + e.details());
            for (int i = 0; i < e.details().size(); i += 2) {
                NodeError first = e.details().get(i);
                assertEquals(unavailable.target(), first.address());
                assertEquals("SERVICE_UNAVAILABLE", first.status());
                assertEquals("no leader", first.message());
                NodeError second = e.details().get(i + 1);
                assertEquals(unreachable.target(), second.address());
                assertEquals("UNAVAILABLE", second.status());
            }
            assertTrue(e.getMessage().contains("within 5000 ms, over " + e.details().size() + " attempts"), e.getMessage());
            assertEquals(e.details().size() / 2, unavailable.received().size(), "one envelope per round on the fake");
        }
    }

    @Test
    void broadcast_noLeaderForTwoRounds_acceptedOnceTheOrdererHasOne() throws Exception {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        FakeOrderer electing = fake(FakeOrderer.scripted((stream, envelope) -> {
            if (seen.incrementAndGet() <= 2) {
                stream.answer(Status.SERVICE_UNAVAILABLE, "no Raft leader");
            } else {
                stream.answer(Status.SUCCESS, "");
            }
        }));
        ManualScheduler time = new ManualScheduler();
        try (OrdererClient client = OrdererClients.create(List.of(electing.orderer()), time)) {
            CompletableFuture<Orderer> broadcast = client.broadcast(envelope("tx1"), "tx1", Duration.ofSeconds(5));
            runRounds(time, broadcast, Duration.ofSeconds(5));

            assertEquals(electing.orderer(), broadcast.get(20, SECONDS));
            assertEquals(List.of("tx1", "tx1", "tx1"), electing.received());
            assertTrue(time.pendingDelays().isEmpty(), "timers left behind: " + time.pendingDelays());
        }
    }

    @Test
    void broadcast_backOff_growsAndStaysWithinItsBoundsWithJitter() throws Exception {
        FakeOrderer unavailable = fake(FakeOrderer.answering(Status.SERVICE_UNAVAILABLE, "no leader"));
        ManualScheduler time = new ManualScheduler();
        try (OrdererClient client = OrdererClients.create(List.of(unavailable.orderer()), time)) {
            CompletableFuture<Orderer> broadcast = client.broadcast(envelope("tx1"), "tx1", Duration.ofSeconds(60));
            long previousMax = 0;
            for (int round = 1; round <= 8; round++) {
                assertTrue(time.awaitPendingTasks(2, Duration.ofSeconds(20)));
                Duration wait = time.pendingDelays().get(0);
                long base = Math.min(1000, 50L << (round - 1));
                assertTrue(wait.toMillis() >= base / 2 && wait.toMillis() <= base,
                        "round " + round + ": waited " + wait.toMillis() + " ms, expected " + base / 2 + ".." + base);
                assertTrue(base >= previousMax);
                previousMax = base;
                time.advance(wait);
            }
            assertFalse(broadcast.isDone());
        }
    }

    // ---- no answer in time

    @Test
    void broadcast_ordererNeverAnswers_timeoutAtSubmitAndStuckStreamCancelled() throws Exception {
        FakeOrderer stalled = fake(FakeOrderer.stalled());
        try (OrdererClient client = OrdererClients.create(List.of(stalled.orderer()))) {
            Throwable failure = failure(client.broadcast(envelope("tx1"), "tx1", SHORT_TIMEOUT));

            TransactionTimeoutException e = assertInstanceOf(TransactionTimeoutException.class, failure);
            assertEquals(TransactionStage.SUBMIT, e.stage());
            assertEquals("tx1", e.transactionId());
            assertEquals(SHORT_TIMEOUT, e.timeout());
            assertTrue(e.retryable());
            assertEquals(List.of("tx1"), stalled.received());
            stalled.awaitCancelled(1);
        }
    }

    @Test
    void broadcast_afterTimeoutOnFirstOrderer_nextTransactionGoesToSecondFirst() throws Exception {
        FakeOrderer stalled = fake(FakeOrderer.stalled());
        FakeOrderer good = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(stalled.orderer(), good.orderer()))) {
            Throwable failure = failure(client.broadcast(envelope("tx1"), "tx1", SHORT_TIMEOUT));
            assertInstanceOf(TransactionTimeoutException.class, failure);
            // The reset reaches the orderer after the client switched its preference (see the
            // disabled test below for a broadcast sent before that).
            stalled.awaitCancelled(1);

            client.broadcast(envelope("tx2"), "tx2", NO_TIMEOUT).get(20, SECONDS);

            assertEquals(1, stalled.envelopesSent(), "the second transaction must not go to the stalled orderer");
            assertEquals(1, stalled.callsStarted());
            assertEquals(1, good.envelopesSent(), "the timed-out transaction is not sent on by the client");
            assertEquals(List.of("tx2"), good.received());
        }
    }

    /**
     * A caller that retries as soon as it learns of the timeout (the exception says it is
     * retryable) does so from the future's callback, which runs when the timeout completes it.
     */
    @Test
    void broadcast_retriedAsSoonAsTimeoutIsReported_retryGoesToNextOrdererFirst() throws Exception {
        FakeOrderer stalled = fake(FakeOrderer.stalled());
        FakeOrderer good = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(stalled.orderer(), good.orderer()))) {
            CompletableFuture<CompletableFuture<Orderer>> retry = new CompletableFuture<>();
            CompletableFuture<Orderer> stuck = client.broadcast(envelope("tx1"), "tx1", SHORT_TIMEOUT);
            stuck.whenComplete((ok, error) -> retry.complete(
                    client.broadcast(envelope("tx1-retry"), "tx1-retry", NO_TIMEOUT)));

            assertInstanceOf(TransactionTimeoutException.class, failure(stuck));
            retry.get(20, SECONDS).get(20, SECONDS);

            assertEquals(1, stalled.envelopesSent(), "the retry must not be sent to the orderer that just timed out");
            assertEquals(List.of("tx1-retry"), good.received());
        }
    }

    @Test
    void broadcast_anotherTransactionTimesOutOnTheSameStream_thisOneKeepsWaitingAndIsNotResent() throws Exception {
        FakeOrderer stalled = fake(FakeOrderer.stalled());
        FakeOrderer good = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(stalled.orderer(), good.orderer()))) {
            CompletableFuture<Orderer> patient = client.broadcast(envelope("tx1"), "tx1", Duration.ofSeconds(2));
            CompletableFuture<Orderer> impatient = client.broadcast(envelope("tx2"), "tx2", SHORT_TIMEOUT);

            assertInstanceOf(TransactionTimeoutException.class, failure(impatient));
            // The orderer may have tx1 already: another caller's timeout must neither fail it nor
            // send it elsewhere; it ends by its own timeout, and only then is the stream reset.
            assertFalse(patient.isDone(), "tx1 failed because of tx2's timeout");
            TransactionTimeoutException own = assertInstanceOf(TransactionTimeoutException.class, failure(patient));
            assertEquals(Duration.ofSeconds(2), own.timeout());
            stalled.awaitCancelled(1);
            assertEquals(2, stalled.envelopesSent());
            assertEquals(List.of(), good.received());
        }
    }

    @Test
    void broadcast_ordererUnavailableWith200InFlight_eachSentOnceThenFailedOverNotResentOneByOne() throws Exception {
        FakeOrderer down = fake(FakeOrderer.answering(Status.SERVICE_UNAVAILABLE, "no Raft leader"));
        FakeOrderer good = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(down.orderer(), good.orderer()))) {
            List<CompletableFuture<Orderer>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(client.broadcast(envelope("tx" + i), "tx" + i, NO_TIMEOUT));
            }
            for (CompletableFuture<Orderer> f : sent) {
                assertEquals(good.orderer(), f.get(20, SECONDS));
            }

            // An unavailable orderer refuses the rest too: resending them to it one by one would
            // cost n^2/2 envelopes (tens of thousands here) during a leader election.
            assertTrue(down.envelopesSent() <= 2 * 200, "envelopes sent to the unavailable orderer: "
                    + down.envelopesSent());
            assertEquals(200, good.received().size());
        }
    }

    @Test
    void broadcast_unreachableOrdererWithDirectExecutor_failsOverEveryTimeWithoutError() throws Exception {
        FakeOrderer good = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        dev.weft.core.EndpointConfig nowhere = dev.weft.core.EndpointConfig.builder("127.0.0.1:1").plaintext()
                .executor(Runnable::run).build();
        io.grpc.ManagedChannel refused = grpc.register(dev.weft.core.GrpcChannels.create(nowhere));
        try (OrdererClient client = OrdererClients.create(List.of(Orderer.of("nowhere", nowhere, refused),
                good.orderer()))) {
            for (int i = 0; i < 3; i++) {
                // A call that fails as it starts runs its callbacks on this thread, inside send().
                assertEquals(good.orderer(), client.broadcast(envelope("tx" + i), "tx" + i, NO_TIMEOUT)
                        .get(20, SECONDS));
            }
        }
    }

    // ---- pipelined envelopes and a rejection in the middle

    @Test
    void broadcast_rejectionInMiddleOfPipelinedEnvelopes_laterEnvelopeResentOnNewStream() throws Exception {
        FakeOrderer orderer = fake(FakeOrderer.scripted((stream, envelope) -> {
            if (stream.index == 0) {
                // Answer only once three envelopes are in, so they are surely pipelined on this stream.
                if (stream.receivedCount() == 3) {
                    stream.answer(Status.SUCCESS, "");
                    stream.answer(Status.BAD_REQUEST, "tx2 is malformed"); // ends the stream; tx3 unanswered
                }
            } else {
                stream.answer(Status.SUCCESS, "");
            }
        }));
        FakeOrderer other = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(orderer.orderer(), other.orderer()))) {
            CompletableFuture<Orderer> tx1 = client.broadcast(envelope("tx1"), "tx1", NO_TIMEOUT);
            CompletableFuture<Orderer> tx2 = client.broadcast(envelope("tx2"), "tx2", NO_TIMEOUT);
            CompletableFuture<Orderer> tx3 = client.broadcast(envelope("tx3"), "tx3", NO_TIMEOUT);

            tx1.get(20, SECONDS);
            SubmitException rejected = assertInstanceOf(SubmitException.class, failure(tx2));
            assertFalse(rejected.retryable());
            assertEquals("tx2", rejected.transactionId());
            assertEquals("tx2 is malformed", rejected.details().get(0).message());
            tx3.get(20, SECONDS);

            assertEquals(List.of("tx1", "tx2", "tx3"), orderer.receivedOn(0));
            assertEquals(2, orderer.streamsOpened());
            assertEquals(List.of("tx3"), orderer.receivedOn(1));
            assertEquals(0, other.callsStarted(), "tx3 is re-sent to the same orderer, not failed over");
        }
    }

    /**
     * Four rejected envelopes pipelined ahead of a good one: each rejection ends the stream, and
     * the envelopes behind it go again on a new one. The good envelope was never answered (never
     * even read after the first stream) and must not be failed on account of the others.
     */
    @Test
    void broadcast_fourRejectionsPipelinedAheadOfGoodEnvelope_goodEnvelopeStillAccepted() throws Exception {
        int total = 5;
        FakeOrderer orderer = fake(FakeOrderer.scripted((stream, envelope) -> {
            // Stream k carries the total - k envelopes not yet answered; answer once all are in, so
            // every stream is pipelined the same way in every run. The first one read is answered.
            if (stream.receivedCount() == total - stream.index) {
                String first = stream.firstReceived();
                stream.answer(first.startsWith("bad") ? Status.BAD_REQUEST : Status.SUCCESS, "rejected " + first);
            }
        }));
        try (OrdererClient client = OrdererClients.create(List.of(orderer.orderer()))) {
            List<CompletableFuture<Orderer>> bad = new ArrayList<>();
            for (int i = 1; i < total; i++) {
                bad.add(client.broadcast(envelope("bad" + i), "bad" + i, NO_TIMEOUT));
            }
            CompletableFuture<Orderer> good = client.broadcast(envelope("good"), "good", NO_TIMEOUT);

            for (CompletableFuture<Orderer> rejected : bad) {
                SubmitException e = assertInstanceOf(SubmitException.class, failure(rejected));
                assertFalse(e.retryable(), e.getMessage());
            }
            good.get(20, SECONDS);
            assertEquals(List.of("good"), orderer.receivedOn(total - 1));
        }
    }

    // ---- close

    @Test
    void close_thenBroadcast_submitExceptionAndCallersChannelsStayOpen() throws Exception {
        FakeOrderer first = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        FakeOrderer second = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        OrdererClient client = OrdererClients.create(List.of(first.orderer(), second.orderer()));
        client.broadcast(envelope("tx1"), "tx1", NO_TIMEOUT).get(20, SECONDS);

        client.close();
        CompletableFuture<Orderer> late = client.broadcast(envelope("tx2"), "tx2", NO_TIMEOUT);

        Throwable failure = failure(late);
        SubmitException refused = assertInstanceOf(SubmitException.class, failure);
        assertFalse(refused.retryable());
        assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
        first.awaitCancelled(1);
        assertFalse(first.managedChannel().isShutdown());
        assertFalse(second.managedChannel().isShutdown());
        assertEquals(List.of("tx1"), first.received());
        assertEquals(0, second.callsStarted());
    }

    @Test
    void close_whileBroadcastWaitsOnStalledOrderer_broadcastFailsAndStreamCancelled() throws Exception {
        FakeOrderer stalled = fake(FakeOrderer.stalled());
        OrdererClient client = OrdererClients.create(List.of(stalled.orderer()));
        CompletableFuture<Orderer> inFlight = client.broadcast(envelope("tx1"), "tx1", NO_TIMEOUT);
        stalled.awaitReceived(1);

        client.close();

        Throwable failure = failure(inFlight);
        assertFalse(failure instanceof TransactionTimeoutException, "must fail on close, not wait for the timeout");
        stalled.awaitCancelled(1);
        assertFalse(stalled.managedChannel().isShutdown());
    }

    /**
     * The client's callbacks run on the thread that closes the client (a direct executor), so the
     * cancellation of the stalled stream is handled inside close(), before close() reaches the
     * second orderer: the order in which a race between close() and a gRPC callback thread can
     * also play out with the default executor.
     */
    @Test
    void close_whileBroadcastWaitsOnStalledOrderer_envelopeNotSentToOtherOrderers() throws Exception {
        FakeOrderer stalled = FakeOrderer.stalled().start(grpc, true);
        FakeOrderer second = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        OrdererClient client = OrdererClients.create(List.of(stalled.orderer(), second.orderer()));
        CompletableFuture<Orderer> inFlight = client.broadcast(envelope("tx1"), "tx1", NO_TIMEOUT);
        stalled.awaitReceived(1);

        client.close();

        assertEquals(0, second.callsStarted(), "no Broadcast stream may be opened by close()");
        assertThrows(ExecutionException.class, () -> inFlight.get(20, SECONDS), "a closed client submits nothing");
    }

    // ---- arguments

    @Test
    void create_noOrderers_illegalArgumentMentioningOrderers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrdererClients.create(List.of()));
        assertTrue(e.getMessage().contains("orderers"), e.getMessage());
    }

    @Test
    void broadcast_nullArguments_nullPointerNamingTheArgument() {
        FakeOrderer orderer = fake(FakeOrderer.answering(Status.SUCCESS, ""));
        try (OrdererClient client = OrdererClients.create(List.of(orderer.orderer()))) {
            NullPointerException envelope = assertThrows(NullPointerException.class,
                    () -> client.broadcast(null, "tx1", NO_TIMEOUT));
            assertEquals("envelope", envelope.getMessage());
            NullPointerException txId = assertThrows(NullPointerException.class,
                    () -> client.broadcast(envelope("tx1"), null, NO_TIMEOUT));
            assertEquals("transactionId", txId.getMessage());
            NullPointerException timeout = assertThrows(NullPointerException.class,
                    () -> client.broadcast(envelope("tx1"), "tx1", null));
            assertEquals("timeout", timeout.getMessage());
            assertEquals(0, orderer.callsStarted(), "nothing is sent for a rejected call");
        }
    }
}
