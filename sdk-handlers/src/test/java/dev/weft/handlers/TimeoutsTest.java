package dev.weft.handlers;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.GrpcChannels;
import dev.weft.core.ManualScheduler;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.core.WeftException;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every timeout of a transaction runs on the gateway's one scheduler: driven here by a
 * {@link ManualScheduler}, so the tests move time instead of waiting for it. The stage timeouts
 * apply, and a transaction's budget bounds all stages together and is named where it runs out.
 */
class TimeoutsTest {
    /** Blocks are cut only after an hour: a broadcast transaction waits for its commit until the test ends. */
    private static ReferenceNetwork slowBlocks;
    private static ReferenceNetwork network;
    private static final List<ManagedChannel> channels = new ArrayList<>();
    private final ManualScheduler time = new ManualScheduler();

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        slowBlocks = ReferenceNetwork.builder().batchTimeout(Duration.ofHours(1)).batchSize(10_000, 99 * 1024 * 1024,
                99 * 1024 * 1024).start();
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (ReferenceNetwork n : new ReferenceNetwork[] {network, slowBlocks}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @AfterEach
    void unstall() {
        network.peers().forEach(p -> p.stallEndorsements(false));
    }

    private Gateway.Builder gateway(ReferenceNetwork on) {
        ReferenceNetwork.User user = on.user("Org1MSP");
        Gateway.Builder builder = Gateway.builder().identity(user.identity()).signer(user.signer()).scheduler(time);
        for (ReferenceNetwork.Peer peer : on.peers()) {
            ManagedChannel channel = GrpcChannels.create(peer.endpointConfig());
            channels.add(channel);
            builder.addPeer(Peer.of(peer.name(), peer.mspId(), peer.endpointConfig(), channel));
        }
        ManagedChannel channel = GrpcChannels.create(on.orderer().endpointConfig());
        channels.add(channel);
        return builder.addOrderer(Orderer.of(on.orderer().name(), on.orderer().endpointConfig(), channel));
    }

    /** Signals once the wrapped step has started its work (its timers are on the scheduler by then). */
    private static java.util.function.UnaryOperator<Handler> started(CompletableFuture<Void> started) {
        return step -> (ctx, chain) -> {
            CompletableFuture<TxResult> result = step.handle(ctx, chain);
            started.complete(null);
            return result;
        };
    }

    private static TransactionTimeoutException timeout(CompletableFuture<TxResult> tx) throws Exception {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> tx.get(20, SECONDS));
        return assertInstanceOf(TransactionTimeoutException.class, WeftException.unwrap(e));
    }

    private static Transaction createAsset(Gateway gateway) {
        return gateway.network("mychannel").contract("basic").newTransaction("CreateAsset")
                .arguments("asset-" + UUID.randomUUID(), "blue", "5", "Tom", "100");
    }

    @Test
    void endorse_stalledPeer_timesOutExactlyWhenTheEndorseTimeoutHasPassed() throws Exception {
        CompletableFuture<Void> endorsing = new CompletableFuture<>();
        try (Gateway gateway = gateway(network).endorseTimeout(Duration.ofSeconds(15))
                .handler(PipelineStep.ENDORSE, started(endorsing)).build()) {
            network.peer("Org2MSP").stallEndorsements(true);
            CompletableFuture<TxResult> tx = createAsset(gateway).submitAsync();
            endorsing.get(20, SECONDS);

            time.advance(Duration.ofMillis(14_999));
            assertFalse(tx.isDone(), "timed out before the endorse timeout");
            time.advance(Duration.ofMillis(1));

            TransactionTimeoutException error = timeout(tx);
            assertEquals(TransactionStage.ENDORSE, error.stage());
            assertEquals(Duration.ofSeconds(15), error.timeout());
            assertTrue(error.budget().isEmpty(), "no budget was set: the stage's own timeout ran out");
        }
    }

    @Test
    void timeout_budgetShorterThanTheEndorseTimeout_runsOutInEndorseAndSaysSo() throws Exception {
        CompletableFuture<Void> endorsing = new CompletableFuture<>();
        try (Gateway gateway = gateway(network).handler(PipelineStep.ENDORSE, started(endorsing)).build()) {
            network.peer("Org2MSP").stallEndorsements(true);
            CompletableFuture<TxResult> tx = createAsset(gateway).timeout(Duration.ofSeconds(2)).submitAsync();
            endorsing.get(20, SECONDS);

            time.advance(Duration.ofSeconds(2));

            TransactionTimeoutException error = timeout(tx);
            assertEquals(TransactionStage.ENDORSE, error.stage());
            assertEquals(Duration.ofSeconds(2), error.budget().orElseThrow());
            assertTrue(error.getMessage().contains("the transaction's time budget of 2000 ms ran out in this stage"),
                    error.getMessage());
        }
    }

    @Test
    void timeout_budgetSpansTheStages_runsOutWhileWaitingForTheCommit() throws Exception {
        CompletableFuture<Void> broadcastDone = new CompletableFuture<>();
        try (Gateway gateway = gateway(slowBlocks)
                .handler(PipelineStep.BROADCAST, broadcast -> (ctx, chain) -> broadcast.handle(ctx, chain)
                        .whenComplete((r, e) -> broadcastDone.complete(null)))
                .build()) {
            CompletableFuture<TxResult> tx = createAsset(gateway).timeout(Duration.ofSeconds(30)).submitAsync();
            broadcastDone.get(20, SECONDS);
            // Endorse and submit took no time on this clock: the commit wait gets all 30 s that are left.
            assertTrue(time.awaitTaskDueIn(Duration.ofSeconds(30), Duration.ofSeconds(20)), "no commit wait set");

            time.advance(Duration.ofSeconds(29));
            assertFalse(tx.isDone(), "the commit wait took the rest of the budget, not the 60 s commit timeout");
            time.advance(Duration.ofSeconds(1));

            TransactionTimeoutException error = timeout(tx);
            assertEquals(TransactionStage.COMMIT, error.stage());
            assertEquals(Duration.ofSeconds(30), error.budget().orElseThrow());
        }
    }

    @Test
    void commitTimeout_noBudget_stageTimeoutAppliesAlone() throws Exception {
        CompletableFuture<Void> broadcastDone = new CompletableFuture<>();
        try (Gateway gateway = gateway(slowBlocks).commitTimeout(Duration.ofSeconds(10))
                .handler(PipelineStep.BROADCAST, broadcast -> (ctx, chain) -> broadcast.handle(ctx, chain)
                        .whenComplete((r, e) -> broadcastDone.complete(null)))
                .build()) {
            CompletableFuture<TxResult> tx = createAsset(gateway).submitAsync();
            broadcastDone.get(20, SECONDS);
            assertTrue(time.awaitTaskDueIn(Duration.ofSeconds(10), Duration.ofSeconds(20)), "no commit wait set");

            time.advance(Duration.ofSeconds(10));

            TransactionTimeoutException error = timeout(tx);
            assertEquals(TransactionStage.COMMIT, error.stage());
            assertEquals(Duration.ofSeconds(10), error.timeout());
            assertTrue(error.budget().isEmpty());
        }
    }

    @Test
    void evaluate_stalledFirstPeer_nextPeerAskedWhenHalfTheTimeHasPassed() throws Exception {
        try (Gateway gateway = gateway(network).evaluateTimeout(Duration.ofSeconds(4)).build()) {
            network.peer("Org1MSP").stallEndorsements(true);
            CompletableFuture<TxResult> tx = gateway.network("mychannel").contract("basic")
                    .newTransaction("AssetExists").arguments("x").evaluateAsync();
            assertTrue(time.awaitPendingTasks(1, Duration.ofSeconds(20)));

            time.advance(Duration.ofSeconds(2)); // the first attempt's half of the time

            assertEquals("false", tx.get(20, SECONDS).resultAsString(), "Org2's peer answered");
        }
    }
}
