package dev.weft.handlers.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.GrpcChannels;
import dev.weft.core.ManualScheduler;
import dev.weft.core.Orderer;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cancellation listeners do not pile up: a transaction's endorsement calls wait on that
 * transaction's own signal, and a context without one (a handler's or the gateway's own) attaches
 * nothing anywhere, in particular not to a signal shared by the whole process.
 */
class CancellationTest {
    private static RealPeers peers;
    private static ManagedChannel ordererChannel;
    private static Orderer orderer;

    @BeforeAll
    static void start() {
        peers = new RealPeers();
        ordererChannel = GrpcChannels.create(peers.network.orderer().endpointConfig());
        orderer = Orderer.of(peers.network.orderer().name(), peers.network.orderer().endpointConfig(), ordererChannel);
    }

    @AfterAll
    static void stop() {
        if (ordererChannel != null) {
            ordererChannel.shutdownNow();
        }
        if (peers != null) {
            peers.close();
        }
    }

    @Test
    void manyTransactions_thenNothingHangsOffTheSharedSignal() throws Exception {
        try (Gateway gateway = Gateway.builder().identity(peers.user.identity()).signer(peers.user.signer())
                .addPeer(peers.org1).addPeer(peers.org2).addOrderer(orderer).build()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            List<CompletableFuture<TxResult>> running = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                running.add(contract.newTransaction("CreateAsset")
                        .arguments("asset-" + UUID.randomUUID(), "blue", "5", "Tom", "100").submitAsync());
                running.add(contract.newTransaction("AssetExists").arguments("no-such-asset").evaluateAsync());
            }
            for (CompletableFuture<TxResult> tx : running) {
                tx.get(60, SECONDS);
            }
            gateway.network("mychannel").channelConfig(); // the gateway's own read, without any signal

            // Endorsement steps run on contexts that carry no cancellation signal, as a handler's may.
            Services services = StepFixtures.services(peers.user.identity(), peers.user.signer(),
                    List.of(peers.org1, peers.org2), StepFixtures.FakeOrderers.unused(), new StepFixtures.UnusedCommits(),
                    StepFixtures.unusedConfigs(), new ManualScheduler());
            for (int i = 0; i < 50; i++) {
                var proposal = peers.createAsset();
                TxContext bare = TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "CreateAsset")
                        .endorsers(List.of(peers.org1, peers.org2)).proposal(proposal, peers.sign(proposal)).build();
                assertFalse(bare.get(Cancellation.KEY).isPresent());
                StepFixtures.run(bare, new Endorse(services), StepFixtures.Terminal.returning("endorsed")).get(20, SECONDS);
                var evaluate = TxContext.builder(TxContext.Kind.EVALUATE, "mychannel", "basic", "AssetExists")
                        .endorsers(List.of(peers.org1)).proposal(proposal, peers.sign(proposal)).build();
                StepFixtures.run(evaluate, new Evaluate(services), StepFixtures.Terminal.returning("evaluated"))
                        .get(20, SECONDS);
            }
        }

        assertEquals(0, Cancellation.NONE.getNumberOfDependents(),
                "listeners were attached to the signal of contexts without one");
    }

    @Test
    void onCancel_withSignal_runsWhenCancelledAndIsCancelledSaysSo() {
        CompletableFuture<Void> signal = new CompletableFuture<>();
        TxContext context = TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "CreateAsset")
                .put(Cancellation.KEY, signal).build();
        List<String> ran = new ArrayList<>();
        Cancellation.onCancel(context, () -> ran.add("cancelled"));

        assertFalse(Cancellation.isCancelled(context));
        assertTrue(ran.isEmpty());
        signal.complete(null);
        assertTrue(Cancellation.isCancelled(context));
        assertEquals(List.of("cancelled"), ran);
    }
}
