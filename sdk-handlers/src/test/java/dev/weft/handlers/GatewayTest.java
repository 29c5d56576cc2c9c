package dev.weft.handlers;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.BlockView;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.CommitException;
import dev.weft.core.GrpcChannels;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import dev.weft.core.SubmitException;
import dev.weft.core.TransactionStatus;
import dev.weft.events.CloseableIterator;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Gateway builder's checks and its pipeline wiring, through the public API against one
 * reference network, with peers and orderer over channels this test owns.
 */
class GatewayTest {
    private static ReferenceNetwork network;
    private static ReferenceNetwork.User user;
    private static ManagedChannel org1Channel;
    private static ManagedChannel org2Channel;
    private static ManagedChannel ordererChannel;
    private static Peer org1;
    private static Peer org2;
    private static Orderer orderer;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        user = network.user("Org1MSP");
        ReferenceNetwork.Peer peer1 = network.peer("Org1MSP");
        ReferenceNetwork.Peer peer2 = network.peer("Org2MSP");
        org1Channel = GrpcChannels.create(peer1.endpointConfig());
        org2Channel = GrpcChannels.create(peer2.endpointConfig());
        ordererChannel = GrpcChannels.create(network.orderer().endpointConfig());
        org1 = Peer.of(peer1.name(), peer1.mspId(), peer1.endpointConfig(), org1Channel);
        org2 = Peer.of(peer2.name(), peer2.mspId(), peer2.endpointConfig(), org2Channel);
        orderer = Orderer.of(network.orderer().name(), network.orderer().endpointConfig(), ordererChannel);
    }

    @AfterAll
    static void stop() {
        for (ManagedChannel channel : new ManagedChannel[] {org1Channel, org2Channel, ordererChannel}) {
            if (channel != null) {
                channel.shutdownNow();
            }
        }
        if (network != null) {
            network.close();
        }
    }

    /** Identity, signer, both peers and the orderer, all over the test's channels. */
    private static Gateway.Builder complete() {
        return Gateway.builder().identity(user.identity()).signer(user.signer()).addPeer(org1).addPeer(org2)
                .addOrderer(orderer);
    }

    private static String newAssetId() {
        return "asset-" + UUID.randomUUID();
    }

    private static Handler named(String name, Handler body) {
        return new Handler() {
            @Override
            public CompletableFuture<TxResult> handle(TxContext ctx, Chain chain) {
                return body.handle(ctx, chain);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @Test
    void submitAsync_callbacks_runOnTheGatewaysExecutorNotOnSdkThreads() throws Exception {
        java.util.concurrent.ExecutorService application = java.util.concurrent.Executors.newFixedThreadPool(2,
                r -> new Thread(r, "application-executor"));
        try (Gateway gateway = complete().executor(application).build()) {
            CompletableFuture<String> thread = gateway.network("mychannel").contract("basic")
                    .newTransaction("CreateAsset").arguments(newAssetId(), "red", "3", "Ann", "50").submitAsync()
                    .thenApply(result -> Thread.currentThread().getName());

            // Completed from the event stream's callback, but handed to the application's executor,
            // so a slow callback here cannot hold up other transactions' commit events.
            assertEquals("application-executor", thread.get(20, SECONDS));
        } finally {
            application.shutdownNow();
        }
    }

    @Test
    void cancel_afterEndorsementBeforeBroadcast_nothingIsBroadcast() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> held = new CompletableFuture<>();
        CompletableFuture<Throwable> broadcastOutcome = new CompletableFuture<>();
        CompletableFuture<String> cancelledTxId = new CompletableFuture<>();
        try (Gateway gateway = complete()
                .handler(PipelineStep.SIGN_ENVELOPE, sign -> (ctx, chain) -> {
                    if (cancelledTxId.complete(ctx.transactionId())) {
                        held.complete(null);
                        return release.thenCompose(v -> sign.handle(ctx, chain));
                    }
                    return sign.handle(ctx, chain);
                })
                .handler(PipelineStep.BROADCAST, broadcast -> (ctx, chain) -> broadcast.handle(ctx, chain)
                        .whenComplete((r, e) -> broadcastOutcome.complete(e)))
                .build()) {
            long height = network.orderer().height("mychannel");
            CompletableFuture<TxResult> submit = gateway.network("mychannel").contract("basic")
                    .newTransaction("CreateAsset").arguments(newAssetId(), "red", "3", "Ann", "50").submitAsync();
            held.get(20, SECONDS);

            assertTrue(submit.cancel(true));
            release.complete(null);

            Throwable outcome = broadcastOutcome.get(20, SECONDS);
            assertInstanceOf(java.util.concurrent.CancellationException.class, outcome);
            assertTrue(outcome.getMessage().contains("nothing was sent"), outcome.getMessage());
            // Had it reached the orderer, it would be ordered no later than a transaction sent after it.
            TxResult later = gateway.network("mychannel").contract("basic").newTransaction("CreateAsset")
                    .arguments(newAssetId(), "red", "3", "Ann", "50").submitAsync().get(20, SECONDS);
            List<String> ordered = new ArrayList<>();
            try (CloseableIterator<Block> blocks = gateway.network("mychannel").events().startBlock(height)
                    .stopBlock(later.blockNumber()).blocks()) {
                blocks.forEachRemaining(b -> BlockView.of(b).transactions().forEach(t -> ordered.add(t.transactionId())));
            }
            assertTrue(ordered.contains(later.transactionId()), "the blocks read are those up to the later one");
            assertFalse(ordered.contains(cancelledTxId.get()), "the cancelled transaction was ordered: " + ordered);
        }
    }

    @Test
    void build_withoutIdentity_throwsNamingIdentity() {
        Gateway.Builder builder = Gateway.builder().signer(user.signer()).addPeer(org1);

        IllegalStateException error = assertThrows(IllegalStateException.class, builder::build);

        assertTrue(error.getMessage().contains("identity"), error.getMessage());
    }

    @Test
    void submit_gatewayWithoutSigner_refusedSayingHowToSign() {
        try (Gateway gateway = Gateway.builder().identity(user.identity()).addPeer(org1).addOrderer(orderer).build()) {
            Contract contract = gateway.network("mychannel").contract("basic");

            IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> contract.submit("CreateAsset", "a", "blue", "1", "Tom", "1"));

            assertTrue(error.getMessage().contains("no signer"), error.getMessage());
            assertTrue(error.getMessage().contains("newProposal"), error.getMessage());
        }
    }

    @Test
    void build_withoutPeers_throwsIllegalState() {
        Gateway.Builder builder = Gateway.builder().identity(user.identity()).signer(user.signer()).addOrderer(orderer);

        IllegalStateException error = assertThrows(IllegalStateException.class, builder::build);

        assertTrue(error.getMessage().contains("no peers"), error.getMessage());
    }

    @Test
    void build_samePeerTwice_throwsIaeNamingPeer() {
        Gateway.Builder builder = complete().addPeer(org1);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, builder::build);

        assertTrue(error.getMessage().contains(org1.name()), error.getMessage());
    }

    @Test
    void timeouts_nonPositive_throwIaeNamingTimeout() {
        assertRejectsNonPositive("endorseTimeout", d -> Gateway.builder().endorseTimeout(d));
        assertRejectsNonPositive("evaluateTimeout", d -> Gateway.builder().evaluateTimeout(d));
        assertRejectsNonPositive("submitTimeout", d -> Gateway.builder().submitTimeout(d));
        assertRejectsNonPositive("commitTimeout", d -> Gateway.builder().commitTimeout(d));
    }

    private static void assertRejectsNonPositive(String name, Consumer<Duration> setter) {
        for (Duration d : List.of(Duration.ZERO, Duration.ofSeconds(-5))) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> setter.accept(d));
            assertTrue(error.getMessage().contains(name), error.getMessage());
        }
    }

    @Test
    void network_emptyChannelId_throwsIae() {
        try (Gateway gateway = complete().build()) {
            assertThrows(IllegalArgumentException.class, () -> gateway.network(""));
        }
    }

    @Test
    void network_afterClose_throwsIllegalState() {
        Gateway gateway = complete().build();
        gateway.close();

        assertThrows(IllegalStateException.class, () -> gateway.network("mychannel"));
    }

    @Test
    void contract_emptyName_throwsIae() {
        try (Gateway gateway = complete().build()) {
            Network channel = gateway.network("mychannel");

            assertThrows(IllegalArgumentException.class, () -> channel.contract(""));
            assertThrows(IllegalArgumentException.class, () -> channel.contract("basic").newTransaction(""));
        }
    }

    @Test
    void commitTimeout_zero_throwsIaeNamingTheTimeoutWhereItIsSet() {
        try (Gateway gateway = complete().build()) {
            Transaction transaction = gateway.network("mychannel").contract("basic").newTransaction("CreateAsset");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> transaction.commitTimeout(Duration.ZERO));

            assertTrue(e.getMessage().contains("commitTimeout"), e.getMessage());
        }
    }

    @Test
    void handler_customizerWrapsEndorse_getsBuiltInAndWrapperRunsOnEvaluate() throws Exception {
        AtomicReference<Handler> builtIn = new AtomicReference<>();
        List<TxContext> seenByWrapper = new CopyOnWriteArrayList<>();
        Gateway.Builder builder = complete().handler(PipelineStep.ENDORSE, endorse -> {
            builtIn.set(endorse);
            return (ctx, chain) -> {
                seenByWrapper.add(ctx);
                return endorse.handle(ctx, chain);
            };
        });

        try (Gateway gateway = builder.build()) {
            TxResult result = gateway.network("mychannel").contract("basic").newTransaction("AssetExists")
                    .arguments("no-such-asset").evaluateAsync().get(20, SECONDS);

            assertEquals("false", result.resultAsString());
        }
        assertNotNull(builtIn.get(), "the customizer was not called");
        assertEquals("Evaluate", builtIn.get().toString(), "an evaluate's ENDORSE step asks one peer at a time");
        TxContext evaluate = seenByWrapper.stream().filter(c -> c.function().equals("AssetExists")).findFirst()
                .orElseThrow(() -> new AssertionError("the wrapper did not see the evaluate: " + seenByWrapper));
        assertTrue(evaluate.isEvaluate());
        assertFalse(evaluate.transactionId().isEmpty(), "ENDORSE runs after SIGN_PROPOSAL");
    }

    @Test
    void handler_twoCustomizersForOneStep_laterWrapsEarlier() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        Gateway.Builder builder = complete()
                .handler(PipelineStep.CHECK_RESPONSES, validate -> named("inner", (ctx, chain) -> {
                    calls.add("inner around " + validate);
                    return validate.handle(ctx, chain);
                }))
                .handler(PipelineStep.CHECK_RESPONSES, inner -> (ctx, chain) -> {
                    calls.add("outer around " + inner);
                    return inner.handle(ctx, chain);
                });

        try (Gateway gateway = builder.build()) {
            gateway.network("mychannel").contract("basic").newTransaction("AssetExists").arguments("x")
                    .evaluateAsync().get(20, SECONDS);
        }

        assertEquals(List.of("outer around inner", "inner around EvaluationResult"), calls);
    }

    @Test
    void close_withCallerChannel_doesNotShutdownChannel() throws Exception {
        try (Gateway gateway = complete().build()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            TxResult submitted = contract.newTransaction("CreateAsset").arguments(newAssetId(), "red", "3", "Ann", "50")
                    .submitAsync().get(20, SECONDS);
            assertEquals(TxValidationCode.VALID, submitted.validationCode());
        }

        assertFalse(org1Channel.isShutdown());
        assertFalse(org2Channel.isShutdown());
        assertFalse(ordererChannel.isShutdown());
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(user.identity()).channel("mychannel")
                .chaincode("basic").function("AssetExists").arguments("x").build();
        ProposalResponse stillWorks = EndorserGrpc.newBlockingStub(org1Channel).withDeadlineAfter(10, SECONDS)
                .processProposal(proposal.sign(user.signer()));
        assertEquals(200, stillWorks.getResponse().getStatus());
    }

    @Test
    void close_withGatewayCreatedChannel_shutsItDown() throws Exception {
        ReferenceNetwork.Peer peer1 = network.peer("Org1MSP");
        List<Peer> endorsers = new CopyOnWriteArrayList<>();
        Gateway gateway = Gateway.builder().identity(user.identity()).signer(user.signer())
                .addPeer(peer1.name(), peer1.mspId(), peer1.endpointConfig())
                .handler(PipelineStep.ENDORSE, endorse -> (ctx, chain) -> {
                    endorsers.addAll(ctx.endorsers());
                    return endorse.handle(ctx, chain);
                })
                .build();
        ManagedChannel created;
        try {
            gateway.network("mychannel").contract("basic").newTransaction("AssetExists").arguments("x")
                    .evaluateAsync().get(20, SECONDS);
            Peer peer = endorsers.stream().filter(p -> p.name().equals(peer1.name())).findFirst()
                    .orElseThrow(() -> new AssertionError("the gateway's peer was not asked: " + endorsers));
            created = assertInstanceOf(ManagedChannel.class, peer.channel());
            assertFalse(created.isShutdown(), "open while the gateway is");
        } finally {
            gateway.close();
        }

        assertTrue(created.isShutdown());
    }

    @Test
    void evaluate_withoutOrderers_works() throws Exception {
        try (Gateway gateway = Gateway.builder().identity(user.identity()).signer(user.signer()).addPeer(org1)
                .addPeer(org2).build()) {
            byte[] result = gateway.network("mychannel").contract("basic").evaluate("AssetExists", "no-such-asset");

            assertEquals("false", new String(result, StandardCharsets.UTF_8));
        }
    }

    @Test
    void submit_withoutOrderers_usesTheOrdererTheChannelConfigNames() throws Exception {
        try (Gateway gateway = Gateway.builder().identity(user.identity()).signer(user.signer()).addPeer(org1)
                .addPeer(org2).build()) {
            TxResult result = gateway.network("mychannel").contract("basic")
                    .newTransaction("CreateAsset").arguments(newAssetId(), "red", "3", "Ann", "50").submitAsync()
                    .get(20, SECONDS);

            assertEquals(TxValidationCode.VALID, result.validationCode());
            // Named by its endpoint, as the config names it: no profile or builder gave it a name.
            assertEquals(network.orderer().endpoint(), result.orderer().orElseThrow().name());
        }
    }

    @Test
    void addHandler_countingHandler_seesEverySubmitAndEvaluate() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Handler counting = (ctx, chain) -> {
            seen.add(ctx.kind() + " " + ctx.function());
            return chain.proceed(ctx);
        };
        String asset = newAssetId();

        try (Gateway gateway = complete().addHandler(counting).build()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            contract.newTransaction("CreateAsset").arguments(asset, "green", "7", "Max", "70").submitAsync()
                    .get(20, SECONDS);
            String read = contract.newTransaction("ReadAsset").arguments(asset).evaluateAsync().get(20, SECONDS)
                    .resultAsString();
            contract.newTransaction("AssetExists").arguments(asset).evaluateAsync().get(20, SECONDS);

            assertTrue(read.contains("Max"), read);
        }

        assertEquals(List.of("SUBMIT CreateAsset", "EVALUATE ReadAsset", "EVALUATE AssetExists"), seen,
                "every transaction once, and the gateway's own config reads not at all");
    }

    @Test
    void put_extensionOnTheTransaction_reachesEveryHandlerAndOnlyThatTransaction() throws Exception {
        ContextKey<String> trace = ContextKey.named("trace-id");
        List<String> seen = new CopyOnWriteArrayList<>();
        Handler recording = (ctx, chain) -> {
            seen.add(ctx.function() + "=" + ctx.get(trace).orElse("none"));
            return chain.proceed(ctx);
        };

        try (Gateway gateway = complete().addHandler(recording)
                .handler(PipelineStep.ENDORSE, endorse -> (ctx, chain) -> {
                    seen.add("endorse=" + ctx.get(trace).orElse("none"));
                    return endorse.handle(ctx, chain);
                }).build()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            contract.newTransaction("GetAllAssets").put(trace, "t-42").evaluateAsync().get(20, SECONDS);
            contract.newTransaction("AssetExists").arguments("x").evaluateAsync().get(20, SECONDS);
        }

        assertEquals(List.of("GetAllAssets=t-42", "endorse=t-42", "AssetExists=none", "endorse=none"), seen);
    }

    @Test
    void addHandler_retryOnCommitException_secondAttemptHasNewTransactionId() throws Exception {
        List<String> attempts = new CopyOnWriteArrayList<>();
        List<Throwable> retriedOn = new CopyOnWriteArrayList<>();
        Handler retry = (ctx, chain) -> chain.proceed(ctx).exceptionallyCompose(error -> {
            retriedOn.add(error);
            return error instanceof CommitException commit && commit.retryable()
                    ? chain.proceed(ctx) : CompletableFuture.failedFuture(error);
        });
        Gateway.Builder builder = complete().addHandler(retry).handler(PipelineStep.AWAIT_COMMIT,
                awaitCommit -> (ctx, chain) -> {
                    attempts.add(ctx.transactionId());
                    if (attempts.size() == 1) {
                        // As if the first attempt had been committed with an MVCC read conflict.
                        return CompletableFuture.failedFuture(new CommitException(new TransactionStatus(
                                ctx.transactionId(), 1, 0, TxValidationCode.MVCC_READ_CONFLICT_VALUE)));
                    }
                    return awaitCommit.handle(ctx, chain);
                });

        TxResult result;
        try (Gateway gateway = builder.build()) {
            result = gateway.network("mychannel").contract("basic").newTransaction("CreateAsset")
                    .arguments(newAssetId(), "blue", "1", "Eve", "10").submitAsync().get(20, SECONDS);
        }

        assertEquals(2, attempts.size(), attempts.toString());
        assertNotEquals(attempts.get(0), attempts.get(1), "a retry must be a new transaction");
        assertEquals(attempts.get(1), result.transactionId());
        assertEquals(TxValidationCode.VALID, result.validationCode());
        assertEquals(1, retriedOn.size());
        assertInstanceOf(CommitException.class, retriedOn.get(0), "the retry handler sees the failure unwrapped");
    }
}
