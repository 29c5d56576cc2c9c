package dev.weft.handlers.internal;

import static dev.weft.handlers.internal.StepFixtures.failure;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.CommitException;
import dev.weft.core.CommitStatusException;
import dev.weft.core.ManualScheduler;
import dev.weft.core.NodeError;
import dev.weft.core.SubmitException;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionStatus;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import dev.weft.handlers.internal.StepFixtures.FakeCommits;
import dev.weft.handlers.internal.StepFixtures.FakeOrderers;
import dev.weft.handlers.internal.StepFixtures.Terminal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AwaitCommitTest {
    private FakeCommits commits;
    private AwaitCommit step;
    private TxContext context;
    private final ManualScheduler time = new ManualScheduler();

    @BeforeEach
    void setUp() {
        commits = new FakeCommits();
        step = new AwaitCommit(StepFixtures.services(FakeOrderers.unused(), commits, time));
        context = StepFixtures.submitWithProposal();
    }

    /** Stands in for BROADCAST: records that it ran (and what was registered by then). */
    private Terminal broadcast(List<String> registeredWhenRun) {
        return new Terminal(c -> {
            registeredWhenRun.addAll(commits.events);
            return CompletableFuture.completedFuture(TxResult.of(c.transactionId(), ByteString.copyFromUtf8("done")));
        });
    }

    @Test
    void handle_readyPending_registersButDoesNotRunNextHandler() throws Exception {
        List<String> seenByBroadcast = new CopyOnWriteArrayList<>();
        Terminal broadcast = broadcast(seenByBroadcast);

        CompletableFuture<TxResult> future = StepFixtures.run(context, step, broadcast);

        FakeCommits.FakeRegistration registration = commits.only();
        assertEquals("mychannel", registration.channelId);
        assertEquals(context.transactionId(), registration.transactionId);
        assertTrue(broadcast.received.isEmpty(), "broadcast ran before the event stream was ready");
        assertFalse(future.isDone());

        registration.ready.complete(null);
        assertSame(context, broadcast.only(), "the next handler gets the context unchanged");
        assertEquals(List.of("register " + context.transactionId()), seenByBroadcast,
                "registration must come before the broadcast, and stay open during it");

        registration.status.complete(new TransactionStatus(context.transactionId(), 7, 0, TxValidationCode.VALID_VALUE));
        future.get(20, SECONDS);
    }

    @Test
    void handle_valid_resultCarriesCommitStatusAndRegistrationClosed() throws Exception {
        Terminal broadcast = broadcast(new ArrayList<>());
        CompletableFuture<TxResult> future = StepFixtures.run(context, step, broadcast);
        FakeCommits.FakeRegistration registration = commits.only();
        registration.ready.complete(null);
        TransactionStatus status = new TransactionStatus(context.transactionId(), 42, 3, TxValidationCode.VALID_VALUE);
        registration.status.complete(status);

        TxResult result = future.get(20, SECONDS);

        assertEquals(status, result.commit().orElseThrow());
        assertEquals(42, result.blockNumber());
        assertEquals(TxValidationCode.VALID, result.validationCode());
        assertEquals("done", result.resultAsString());
        assertEquals(1, registration.closed.get());
    }

    @Test
    void handle_mvccReadConflict_failsWithRetryableCommitException() throws Exception {
        CompletableFuture<TxResult> future = StepFixtures.run(context, step, broadcast(new ArrayList<>()));
        FakeCommits.FakeRegistration registration = commits.only();
        registration.ready.complete(null);
        registration.status.complete(new TransactionStatus(context.transactionId(), 9, 1, 11));

        CommitException error = assertInstanceOf(CommitException.class, failure(future));

        assertEquals(TxValidationCode.MVCC_READ_CONFLICT, error.validationCode());
        assertEquals(9, error.blockNumber());
        assertTrue(error.retryable());
        assertEquals(TransactionStage.COMMIT, error.stage());
        assertEquals(context.transactionId(), error.transactionId());
        assertTrue(error.getMessage().contains("MVCC_READ_CONFLICT"), error.getMessage());
        assertEquals(1, registration.closed.get());
    }

    @Test
    void handle_endorsementPolicyFailure_failsWithNonRetryableCommitException() throws Exception {
        CompletableFuture<TxResult> future = StepFixtures.run(context, step, broadcast(new ArrayList<>()));
        FakeCommits.FakeRegistration registration = commits.only();
        registration.ready.complete(null);
        registration.status.complete(new TransactionStatus(context.transactionId(), 9, 1,
                TxValidationCode.ENDORSEMENT_POLICY_FAILURE_VALUE));

        CommitException error = assertInstanceOf(CommitException.class, failure(future));

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, error.validationCode());
        assertFalse(error.retryable());
        assertEquals(1, registration.closed.get());
    }

    @Test
    void handle_noStatusWithinCommitTimeout_failsWithCommitStageTimeout() throws Exception {
        TxContext shortWait = context.toBuilder().commitTimeout(Duration.ofMillis(200)).build();
        Terminal broadcast = broadcast(new ArrayList<>());
        CompletableFuture<TxResult> future = StepFixtures.run(shortWait, step, broadcast);
        FakeCommits.FakeRegistration registration = commits.only();
        registration.ready.complete(null);
        time.advance(Duration.ofMillis(199));
        assertFalse(future.isDone(), "still within the commit timeout");
        time.advance(Duration.ofMillis(1));

        TransactionTimeoutException error = assertInstanceOf(TransactionTimeoutException.class, failure(future));

        assertEquals(TransactionStage.COMMIT, error.stage());
        assertEquals(Duration.ofMillis(200), error.timeout());
        assertEquals(shortWait.transactionId(), error.transactionId());
        assertTrue(error.retryable());
        assertEquals(1, broadcast.received.size(), "the transaction was broadcast before the wait");
        assertEquals(1, registration.closed.get());
    }

    @Test
    void handle_readyNeverCompletes_retryableCommitStatusErrorWithStreamFailuresAndNothingBroadcast()
            throws Exception {
        TxContext shortWait = context.toBuilder().submitTimeout(Duration.ofMillis(200)).build();
        Terminal broadcast = broadcast(new ArrayList<>());
        CompletableFuture<TxResult> future = StepFixtures.run(shortWait, step, broadcast);
        NodeError unreachable = new NodeError("peer0:7051", "Org1MSP", "UNAVAILABLE", "connection refused");
        commits.only().failures.add(unreachable);
        time.advance(Duration.ofMillis(200));

        CommitStatusException error = assertInstanceOf(CommitStatusException.class, failure(future));

        assertEquals(TransactionStage.COMMIT, error.stage());
        assertTrue(error.retryable(), "nothing was broadcast, so submitting again is safe");
        assertTrue(error.getMessage().contains("was not broadcast"), error.getMessage());
        assertEquals(List.of(unreachable), error.details());
        assertTrue(broadcast.received.isEmpty(), "nothing may be broadcast while the commit could be missed");
        assertEquals(1, commits.only().closed.get());
    }

    @Test
    void handle_nextHandlerFails_failsWithThatErrorAndClosesRegistration() throws Exception {
        SubmitException rejected = new SubmitException("orderer said BAD_REQUEST", context.transactionId(), List.of(),
                null, false);
        CompletableFuture<TxResult> future = StepFixtures.run(context, step, Terminal.failing(rejected));
        FakeCommits.FakeRegistration registration = commits.only();
        registration.ready.complete(null);

        assertSame(rejected, failure(future));
        assertEquals(1, registration.closed.get());
        assertEquals(List.of("register " + context.transactionId(), "close " + context.transactionId()), commits.events);
    }

    @Test
    void handle_eventsLost_failsWithCommitStatusExceptionAndClosesRegistration() throws Exception {
        CompletableFuture<TxResult> future = StepFixtures.run(context, step, broadcast(new ArrayList<>()));
        FakeCommits.FakeRegistration registration = commits.only();
        registration.ready.complete(null);
        CommitStatusException lost = new CommitStatusException("every event source failed", context.transactionId(),
                List.of(), null);
        registration.status.completeExceptionally(lost);

        assertSame(lost, failure(future));
        assertEquals(1, registration.closed.get());
    }
}
