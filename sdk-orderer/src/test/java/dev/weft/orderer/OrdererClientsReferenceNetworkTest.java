package dev.weft.orderer;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.weft.core.BlockView;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.GrpcChannels;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.Orderer;
import dev.weft.core.OrdererClient;
import dev.weft.core.SeekRequest;
import dev.weft.core.SubmitException;
import dev.weft.core.TransactionEnvelope;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.core.TransactionView;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.DeliverResponse;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link OrdererClients} against the reference network's orderer, which answers Broadcast as
 * Fabric's does, with endorsed, signed transactions: the happy path at volume, and failover to it
 * from an unreachable orderer and from fakes that are unavailable, silent or break their stream.
 * Ordering is checked on the orderer's own Deliver service, not inferred from the answers.
 */
class OrdererClientsReferenceNetworkTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static ReferenceNetwork network;
    private static ReferenceNetwork.User user;
    private static final List<ManagedChannel> peerChannels = new ArrayList<>();

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    private String testName;
    private final AtomicInteger assetCount = new AtomicInteger();

    @BeforeAll
    static void startNetwork() {
        network = ReferenceNetwork.builder().start();
        user = network.user("Org1MSP");
        for (ReferenceNetwork.Peer peer : network.peers()) {
            peerChannels.add(GrpcChannels.create(peer.endpointConfig()));
        }
    }

    @AfterAll
    static void stopNetwork() throws InterruptedException {
        for (ManagedChannel channel : peerChannels) {
            channel.shutdownNow().awaitTermination(5, SECONDS);
        }
        if (network != null) {
            network.close();
        }
    }

    @BeforeEach
    void name(TestInfo info) {
        testName = info.getTestMethod().orElseThrow().getName().replaceAll("[^A-Za-z0-9]", "");
        testName = testName.substring(0, Math.min(12, testName.length()));
    }

    // ---- the real orderer

    @Test
    void broadcast_endorsedTransaction_completesAndIsOrdered() throws Exception {
        RealOrderer orderer = realOrderer();
        Map<String, Envelope> transactions = endorsedTransactions(1);
        long from = network.orderer().height(network.channel());
        try (OrdererClient client = OrdererClients.create(List.of(orderer.orderer))) {
            Map.Entry<String, Envelope> tx = transactions.entrySet().iterator().next();

            client.broadcast(tx.getValue(), tx.getKey(), TIMEOUT).get(20, SECONDS);

            awaitOrdered(orderer.channel, transactions.keySet(), from);
            assertEquals(1, orderer.broadcastCalls.get());
        }
    }

    @Test
    void broadcast_200ConcurrentTransactions_allCompleteOnOneStreamAndAreOrdered() throws Exception {
        RealOrderer orderer = realOrderer();
        Map<String, Envelope> transactions = endorsedTransactions(200);
        long from = network.orderer().height(network.channel());
        try (OrdererClient client = OrdererClients.create(List.of(orderer.orderer))) {
            List<CompletableFuture<Orderer>> sent = transactions.entrySet().parallelStream()
                    .map(tx -> client.broadcast(tx.getValue(), tx.getKey(), TIMEOUT))
                    .toList();

            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, SECONDS);

            assertEquals(1, orderer.broadcastCalls.get(), "every envelope must go on one Broadcast stream");
            awaitOrdered(orderer.channel, transactions.keySet(), from);
            long blocks = network.orderer().height(network.channel()) - from;
            assertTrue(blocks >= 2, "200 transactions at 100 per block need at least 2 blocks, got " + blocks);
        }
    }

    @Test
    void broadcast_unparsableEnvelopeRejectedByRealOrderer_submitExceptionThenNextTransactionOnNewStream()
            throws Exception {
        RealOrderer orderer = realOrderer();
        FakeOrderer other = FakeOrderer.answering(Status.SUCCESS, "").start(grpc);
        Envelope garbage = Envelope.newBuilder()
                .setPayload(ByteString.copyFrom(new byte[] {0x0A, 0x05, 0x01})) // truncated field
                .setSignature(ByteString.copyFromUtf8("sig"))
                .build();
        Map.Entry<String, Envelope> tx = endorsedTransactions(1).entrySet().iterator().next();
        long from = network.orderer().height(network.channel());
        try (OrdererClient client = OrdererClients.create(List.of(orderer.orderer, other.orderer()))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.broadcast(garbage, "garbage-tx", TIMEOUT).get(20, SECONDS));

            SubmitException rejected = assertInstanceOf(SubmitException.class, e.getCause());
            assertFalse(rejected.retryable());
            assertEquals("garbage-tx", rejected.transactionId());
            assertEquals(1, rejected.details().size(), rejected.details().toString());
            assertEquals(network.orderer().endpoint(), rejected.details().get(0).address());
            assertEquals("BAD_REQUEST", rejected.details().get(0).status());
            assertTrue(rejected.details().get(0).message().contains("bad header"), rejected.details().toString());
            assertEquals(0, other.callsStarted(), "a rejection is final: no other orderer is asked");

            // The orderer ended that stream after rejecting; the next transaction goes on a new one.
            client.broadcast(tx.getValue(), tx.getKey(), TIMEOUT).get(20, SECONDS);

            assertEquals(2, orderer.broadcastCalls.get());
            assertEquals(0, other.callsStarted());
            awaitOrdered(orderer.channel, Set.of(tx.getKey()), from);
        }
    }

    // ---- failover to the real orderer

    @Test
    void broadcast_firstOrdererUnreachable_completesViaSecondAndNextTransactionSkipsFirst() throws Exception {
        TestOrderers.Unreachable unreachable = TestOrderers.unreachable(grpc);
        RealOrderer orderer = realOrderer();
        List<Map.Entry<String, Envelope>> transactions = new ArrayList<>(endorsedTransactions(2).entrySet());
        long from = network.orderer().height(network.channel());
        try (OrdererClient client = OrdererClients.create(List.of(unreachable.orderer(), orderer.orderer))) {
            client.broadcast(transactions.get(0).getValue(), transactions.get(0).getKey(), TIMEOUT).get(20, SECONDS);
            assertEquals(1, unreachable.calls().get());

            client.broadcast(transactions.get(1).getValue(), transactions.get(1).getKey(), TIMEOUT).get(20, SECONDS);

            assertEquals(1, unreachable.calls().get(), "the second transaction must go to the reachable orderer first");
            assertEquals(1, orderer.broadcastCalls.get());
            awaitOrdered(orderer.channel, Set.of(transactions.get(0).getKey(), transactions.get(1).getKey()), from);
        }
    }

    @Test
    void broadcast_firstOrdererServiceUnavailable_completesViaSecondAndNextTransactionSkipsFirst() throws Exception {
        FakeOrderer unavailable = FakeOrderer.answering(Status.SERVICE_UNAVAILABLE, "no Raft leader").start(grpc);
        RealOrderer orderer = realOrderer();
        List<Map.Entry<String, Envelope>> transactions = new ArrayList<>(endorsedTransactions(2).entrySet());
        long from = network.orderer().height(network.channel());
        try (OrdererClient client = OrdererClients.create(List.of(unavailable.orderer(), orderer.orderer))) {
            client.broadcast(transactions.get(0).getValue(), transactions.get(0).getKey(), TIMEOUT).get(20, SECONDS);
            assertEquals(1, unavailable.received().size());

            client.broadcast(transactions.get(1).getValue(), transactions.get(1).getKey(), TIMEOUT).get(20, SECONDS);

            assertEquals(1, unavailable.callsStarted(), "the second transaction must go to the orderer that accepted");
            assertEquals(1, unavailable.received().size());
            assertEquals(1, orderer.broadcastCalls.get());
            awaitOrdered(orderer.channel, Set.of(transactions.get(0).getKey(), transactions.get(1).getKey()), from);
        }
    }

    @Test
    void broadcast_streamBreaksAfterFirstOrdererReadEnvelope_completesViaSecond() throws Exception {
        FakeOrderer breaking = FakeOrderer.failingWith(io.grpc.Status.UNAVAILABLE.withDescription("connection reset"))
                .start(grpc);
        RealOrderer orderer = realOrderer();
        Map<String, Envelope> transactions = endorsedTransactions(1);
        Map.Entry<String, Envelope> tx = transactions.entrySet().iterator().next();
        long from = network.orderer().height(network.channel());
        try (OrdererClient client = OrdererClients.create(List.of(breaking.orderer(), orderer.orderer))) {
            client.broadcast(tx.getValue(), tx.getKey(), TIMEOUT).get(20, SECONDS);

            assertEquals(1, breaking.received().size(), "the first orderer read the envelope before its stream broke");
            awaitOrdered(orderer.channel, transactions.keySet(), from);
        }
    }

    @Test
    void broadcast_firstOrdererStalls_timeoutAtSubmitThenNextTransactionGoesToSecondFirst() throws Exception {
        FakeOrderer stalled = FakeOrderer.stalled().start(grpc);
        RealOrderer orderer = realOrderer();
        List<Map.Entry<String, Envelope>> transactions = new ArrayList<>(endorsedTransactions(2).entrySet());
        long from = network.orderer().height(network.channel());
        try (OrdererClient client = OrdererClients.create(List.of(stalled.orderer(), orderer.orderer))) {
            String stuckId = transactions.get(0).getKey();
            CompletableFuture<Orderer> stuck = client.broadcast(transactions.get(0).getValue(), stuckId,
                    Duration.ofMillis(300));

            ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(20, SECONDS));
            TransactionTimeoutException timeout = assertInstanceOf(TransactionTimeoutException.class, e.getCause());
            assertEquals(TransactionStage.SUBMIT, timeout.stage());
            assertEquals(stuckId, timeout.transactionId());
            assertTrue(timeout.getMessage().contains(stuckId), timeout.getMessage());
            stalled.awaitCancelled(1);

            String nextId = transactions.get(1).getKey();
            client.broadcast(transactions.get(1).getValue(), nextId, TIMEOUT).get(20, SECONDS);

            assertEquals(1, stalled.callsStarted(), "the next transaction must not go to the stalled orderer first");
            assertEquals(1, stalled.received().size());
            awaitOrdered(orderer.channel, Set.of(nextId), from);
        }
    }

    // ---- helpers

    /** The reference orderer through a channel of this test, counting Broadcast calls. */
    private RealOrderer realOrderer() {
        ManagedChannel channel = grpc.register(GrpcChannels.create(network.orderer().endpointConfig()));
        AtomicInteger calls = new AtomicInteger();
        Channel counted = ClientInterceptors.intercept(channel, new FakeOrderer.BroadcastCallCounter(calls));
        return new RealOrderer(Orderer.of(network.orderer().name(), network.orderer().endpointConfig(), counted),
                channel, calls);
    }

    private record RealOrderer(Orderer orderer, ManagedChannel channel, AtomicInteger broadcastCalls) {
    }

    /** Endorsed (by both organisations, as the default policy needs) and signed CreateAsset transactions, by id. */
    private Map<String, Envelope> endorsedTransactions(int count) throws Exception {
        List<ChaincodeProposal> proposals = new ArrayList<>();
        List<List<ListenableFuture<ProposalResponse>>> endorsements = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String asset = testName + "-" + assetCount.incrementAndGet() + "-" + System.nanoTime();
            ChaincodeProposal proposal = ChaincodeProposal.builder().identity(user.identity())
                    .channel(network.channel()).chaincode("basic")
                    .function("CreateAsset").arguments(asset, "blue", "5", "Tom", "100")
                    .build();
            List<ListenableFuture<ProposalResponse>> responses = new ArrayList<>();
            for (ManagedChannel peer : peerChannels) {
                responses.add(EndorserGrpc.newFutureStub(peer).withDeadlineAfter(20, SECONDS)
                        .processProposal(proposal.sign(user.signer())));
            }
            proposals.add(proposal);
            endorsements.add(responses);
        }
        Map<String, Envelope> transactions = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            List<ProposalResponse> responses = new ArrayList<>();
            for (ListenableFuture<ProposalResponse> response : endorsements.get(i)) {
                responses.add(response.get(20, SECONDS));
            }
            ChaincodeProposal proposal = proposals.get(i);
            transactions.put(proposal.transactionId(),
                    TransactionEnvelope.create(proposal, responses).sign(user.signer()));
        }
        return transactions;
    }

    /**
     * Reads blocks from the orderer's Deliver service, from block {@code from} on, until every
     * transaction id has been seen in one (fails after 20 s).
     */
    private static void awaitOrdered(ManagedChannel orderer, Set<String> txIds, long from) throws Exception {
        BlockingQueue<DeliverResponse> received = new LinkedBlockingQueue<>();
        CompletableFuture<ClientCallStreamObserver<Envelope>> call = new CompletableFuture<>();
        ClientResponseObserver<Envelope, DeliverResponse> observer = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
                call.complete(requestStream);
            }

            @Override
            public void onNext(DeliverResponse value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                received.add(DeliverResponse.newBuilder().setStatus(Status.UNKNOWN).build());
            }

            @Override
            public void onCompleted() {
            }
        };
        AtomicBroadcastGrpc.newStub(orderer).deliver(observer).onNext(SeekRequest.builder()
                .channel(network.channel()).identity(user.identity())
                .startAt(from).stopAt(SeekRequest.FOREVER).behavior(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY)
                .build().sign(user.signer()));
        Set<String> missing = new HashSet<>(txIds);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!missing.isEmpty()) {
                DeliverResponse response = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (response == null) {
                    throw new AssertionError(missing.size() + " of " + txIds.size()
                            + " transactions not ordered within 20 s, e.g. " + missing.iterator().next());
                }
                if (!response.hasBlock()) {
                    throw new AssertionError("the orderer's Deliver ended with " + response.getStatus());
                }
                for (TransactionView tx : BlockView.of(response.getBlock()).transactions()) {
                    missing.remove(tx.transactionId());
                }
            }
        } finally {
            call.get().cancel("blocks read", null);
        }
    }
}
