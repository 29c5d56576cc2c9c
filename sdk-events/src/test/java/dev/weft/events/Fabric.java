package dev.weft.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.core.ChaincodeProposal;
import dev.weft.core.GrpcChannels;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.Peer;
import dev.weft.core.SeekRequest;
import dev.weft.core.TransactionEnvelope;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.ProposalResponse;

/**
 * Test helper over the reference network: endorses transactions of the {@code basic} chaincode
 * with plain gRPC stubs, broadcasts them, reads committed filtered blocks independently of the
 * code under test, and makes {@link Peer}s (optionally intercepted) for the commit status source.
 *
 * <p>The channels it creates for endorsing, broadcasting and reading are its own and are shut
 * down by {@link #close()}; channels made by {@link #eventPeer} are registered with the test's
 * {@link GrpcCleanup}.
 */
final class Fabric implements AutoCloseable {
    static final String CHANNEL = "mychannel";
    static final long TIMEOUT_SECONDS = 20;

    final ReferenceNetwork network;
    final ReferenceNetwork.User user;
    private final Map<String, ManagedChannel> peerChannels = new LinkedHashMap<>();
    private final ManagedChannel orderer;

    /** A transaction ready to broadcast. */
    record Tx(String id, Envelope envelope) {
    }

    private Fabric(ReferenceNetwork network) {
        this.network = network;
        this.user = network.user("Org1MSP");
        for (ReferenceNetwork.Peer peer : network.peers()) {
            peerChannels.put(peer.name(), GrpcChannels.create(peer.endpointConfig()));
        }
        this.orderer = GrpcChannels.create(network.orderer().endpointConfig());
    }

    static Fabric start() {
        return start(ReferenceNetwork.builder());
    }

    /** A network from the builder; its chaincode {@code basic} must take the asset-transfer functions. */
    static Fabric start(ReferenceNetwork.Builder builder) {
        ReferenceNetwork network = builder.start();
        try {
            return new Fabric(network);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    ReferenceNetwork.Peer org1() {
        return network.peer("Org1MSP");
    }

    ReferenceNetwork.Peer org2() {
        return network.peer("Org2MSP");
    }

    /** A source builder with the user's identity and signer and short reconnect delays. */
    CommitStatusSources.Builder sourceBuilder() {
        return CommitStatusSources.builder().identity(user.identity()).signer(user.signer())
                .reconnectDelay(java.time.Duration.ofMillis(20), java.time.Duration.ofMillis(200));
    }

    /** A new channel to a peer, shut down (and checked for leaks) by the test's {@link GrpcCleanup}. */
    ManagedChannel newChannel(ReferenceNetwork.Peer peer, GrpcCleanup grpc) {
        return grpc.register(GrpcChannels.create(peer.endpointConfig()));
    }

    /** A Peer for the source over {@code channel}, through the given interceptors. */
    static Peer eventPeer(ReferenceNetwork.Peer peer, Channel channel, ClientInterceptor... interceptors) {
        return Peer.of(peer.name(), peer.mspId(), peer.endpointConfig(), ClientInterceptors.intercept(channel,
                interceptors));
    }

    /** A Peer for the source over a new channel (registered with {@code grpc}) through the interceptors. */
    Peer eventPeer(ReferenceNetwork.Peer peer, GrpcCleanup grpc, ClientInterceptor... interceptors) {
        return eventPeer(peer, newChannel(peer, grpc), interceptors);
    }

    static String newAssetId() {
        return "asset-" + UUID.randomUUID();
    }

    ChaincodeProposal proposal(String function, String... args) {
        return ChaincodeProposal.builder().identity(user.identity()).channel(CHANNEL).chaincode("basic")
                .function(function).arguments(args).build();
    }

    /** Endorses on the given peers (concurrently) and builds the signed transaction. */
    CompletableFuture<Tx> endorseAsync(List<ReferenceNetwork.Peer> endorsers, String function, String... args) {
        ChaincodeProposal proposal = proposal(function, args);
        List<CompletableFuture<ProposalResponse>> responses = new ArrayList<>();
        for (ReferenceNetwork.Peer peer : endorsers) {
            CompletableFuture<ProposalResponse> response = new CompletableFuture<>();
            EndorserGrpc.newStub(peerChannels.get(peer.name())).withWaitForReady()
                    .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .processProposal(proposal.sign(user.signer()), new StreamObserver<>() {
                        @Override
                        public void onNext(ProposalResponse value) {
                            response.complete(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            response.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            responses.add(response);
        }
        return CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).thenApply(none -> {
            List<ProposalResponse> endorsed = responses.stream().map(CompletableFuture::join).toList();
            for (ProposalResponse r : endorsed) {
                if (r.getResponse().getStatus() != 200) {
                    throw new AssertionError(function + " was not endorsed: " + r.getResponse().getMessage());
                }
            }
            return new Tx(proposal.transactionId(),
                    TransactionEnvelope.create(proposal, endorsed).sign(user.signer()));
        });
    }

    Tx endorse(List<ReferenceNetwork.Peer> endorsers, String function, String... args) throws Exception {
        return endorseAsync(endorsers, function, args).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** A CreateAsset of a new asset endorsed by every organisation (commits VALID). */
    Tx create() throws Exception {
        return create(Fabric.newAssetId());
    }

    Tx create(String assetId) throws Exception {
        return endorse(network.peers(), "CreateAsset", assetId, "blue", "5", "Tom", "100");
    }

    /** {@code count} CreateAsset transactions, endorsed concurrently. */
    List<Tx> createMany(int count) throws Exception {
        List<CompletableFuture<Tx>> txs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            txs.add(endorseAsync(network.peers(), "CreateAsset", newAssetId(), "blue", "5", "Tom", "100"));
        }
        List<Tx> result = new ArrayList<>();
        for (CompletableFuture<Tx> tx : txs) {
            result.add(tx.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
        return result;
    }

    /** Broadcasts on one stream; fails unless the orderer accepted every envelope. */
    void broadcast(List<Tx> txs) throws Exception {
        BlockingQueue<BroadcastResponse> responses = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<Envelope> stream = AtomicBroadcastGrpc.newStub(orderer).withWaitForReady()
                .broadcast(new StreamObserver<>() {
                    @Override
                    public void onNext(BroadcastResponse value) {
                        responses.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (Tx tx : txs) {
            stream.onNext(tx.envelope());
        }
        stream.onCompleted();
        done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(txs.size(), responses.size(), "broadcast responses: " + responses);
        for (BroadcastResponse r : responses) {
            assertEquals(Status.SUCCESS, r.getStatus(), "broadcast refused: " + r);
        }
    }

    void broadcast(Tx... txs) throws Exception {
        broadcast(List.of(txs));
    }

    /** Filtered blocks [from, to] read from a peer with a plain DeliverFiltered call. */
    List<FilteredBlock> filteredBlocks(Channel channel, long from, long to) throws Exception {
        BlockingQueue<DeliverResponse> received = new LinkedBlockingQueue<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        StreamObserver<Envelope> stream = DeliverGrpc.newStub(channel).withWaitForReady()
                .deliverFiltered(new StreamObserver<>() {
                    @Override
                    public void onNext(DeliverResponse value) {
                        received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(null);
                    }
                });
        stream.onNext(SeekRequest.builder().channel(CHANNEL).identity(user.identity()).startAt(from).stopAt(to)
                .behavior(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY).build().sign(user.signer()));
        List<FilteredBlock> blocks = new ArrayList<>();
        try {
            while (true) {
                DeliverResponse r = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (r == null) {
                    throw new AssertionError("no deliver response within " + TIMEOUT_SECONDS + " s");
                }
                if (r.hasFilteredBlock()) {
                    blocks.add(r.getFilteredBlock());
                    continue;
                }
                assertEquals(Status.SUCCESS, r.getStatus(), "deliver of blocks " + from + ".." + to);
                return blocks;
            }
        } finally {
            stream.onCompleted();
        }
    }

    /**
     * Filtered blocks [from, to] as the peer committed them, waiting for the peer to commit them
     * (the seek starts no later than the peer's newest block, which it accepts even while lagging).
     */
    List<FilteredBlock> filteredBlocks(ReferenceNetwork.Peer peer, long from, long to) throws Exception {
        long start = Math.min(from, Math.max(0, peer.height(CHANNEL) - 1));
        return filteredBlocks(peerChannels.get(peer.name()), start, to).stream()
                .filter(b -> b.getNumber() >= from).toList();
    }

    FilteredBlock filteredBlock(ReferenceNetwork.Peer peer, long number) throws Exception {
        return filteredBlocks(peer, number, number).get(0);
    }

    /** The transaction at {@code index} of block {@code number} as the peer committed it. */
    FilteredTransaction committed(ReferenceNetwork.Peer peer, long number, int index) throws Exception {
        FilteredBlock block = filteredBlock(peer, number);
        return block.getFilteredTransactions(index);
    }

    /**
     * Waits (on a DeliverFiltered stream of its own, from block {@code from}) until the peer has
     * committed the transaction; returns the block number.
     */
    long awaitCommitted(ReferenceNetwork.Peer peer, String txId, long from) throws Exception {
        BlockingQueue<DeliverResponse> received = new LinkedBlockingQueue<>();
        CompletableFuture<ClientCallStreamObserver<Envelope>> call = new CompletableFuture<>();
        DeliverGrpc.newStub(peerChannels.get(peer.name())).withWaitForReady()
                .deliverFiltered(new ClientResponseObserver<Envelope, DeliverResponse>() {
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
                        received.add(DeliverResponse.newBuilder().setStatus(Status.SERVICE_UNAVAILABLE).build());
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        long start = Math.min(from, Math.max(0, peer.height(CHANNEL) - 1));
        call.join().onNext(SeekRequest.builder().channel(CHANNEL).identity(user.identity()).startAt(start)
                .stopNever().behavior(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY).build().sign(user.signer()));
        try {
            while (true) {
                DeliverResponse r = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (r == null) {
                    throw new AssertionError(txId + " not committed on " + peer.name() + " within "
                            + TIMEOUT_SECONDS + " s");
                }
                if (!r.hasFilteredBlock()) {
                    throw new AssertionError("deliver from " + peer.name() + " ended with " + r.getStatus());
                }
                for (FilteredTransaction tx : r.getFilteredBlock().getFilteredTransactionsList()) {
                    if (tx.getTxid().equals(txId)) {
                        return r.getFilteredBlock().getNumber();
                    }
                }
            }
        } finally {
            call.join().cancel("seen", null);
        }
    }

    @Override
    public void close() {
        List<ManagedChannel> all = new ArrayList<>(peerChannels.values());
        all.add(orderer);
        all.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : all) {
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        network.close();
    }
}
