package dev.weft.testnet;

import dev.weft.core.internal.Blocks;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.GrpcChannels;
import dev.weft.core.SeekRequest;
import dev.weft.core.TransactionEnvelope;
import dev.weft.core.TransactionStatus;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.ProposalResponse;

/**
 * A Fabric client made of sdk-core builders and plain gRPC stubs, for testing the reference
 * network without Weft's pipeline: endorse on every peer, broadcast, and wait for the commit on a
 * peer's DeliverFiltered stream.
 */
final class RawClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    final ReferenceNetwork network;
    final ReferenceNetwork.User user;
    final String channel;
    private final Clock clock;
    private final Map<String, ManagedChannel> peers = new LinkedHashMap<>();
    private final ManagedChannel orderer;
    private final Map<String, ManagedChannel> orderers = new LinkedHashMap<>();

    RawClient(ReferenceNetwork network, ReferenceNetwork.User user) {
        this(network, user, Clock.systemUTC());
    }

    /** A client whose proposals and seeks are timestamped by {@code clock} (for networks on another clock). */
    RawClient(ReferenceNetwork network, ReferenceNetwork.User user, Clock clock) {
        this.clock = clock;
        this.network = network;
        this.user = user;
        this.channel = network.channel();
        for (ReferenceNetwork.Peer peer : network.peers()) {
            peers.put(peer.name(), GrpcChannels.create(config(peer)));
        }
        this.orderer = GrpcChannels.create(config(network.orderer()));
        orderers.put(network.orderer().name(), orderer);
        for (ReferenceNetwork.Orderer o : network.orderers()) {
            orderers.computeIfAbsent(o.name(), n -> GrpcChannels.create(config(o)));
        }
    }

    private dev.weft.core.EndpointConfig config(ReferenceNetwork.Node node) {
        return network.clientAuthRequired() ? node.endpointConfig(user) : node.endpointConfig();
    }

    ManagedChannel channelTo(ReferenceNetwork.Node node) {
        return node instanceof ReferenceNetwork.Orderer ? orderers.get(node.name()) : peers.get(node.name());
    }

    ChaincodeProposal proposal(String chaincode, String function, String... args) {
        return ChaincodeProposal.builder().identity(user.identity()).channel(channel).chaincode(chaincode)
                .function(function).arguments(args).clock(clock).build();
    }

    ProposalResponse endorse(ChaincodeProposal proposal, ReferenceNetwork.Peer peer) {
        return EndorserGrpc.newBlockingStub(peers.get(peer.name()))
                .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .processProposal(proposal.sign(user.signer()));
    }

    List<ProposalResponse> endorseAll(ChaincodeProposal proposal) {
        List<ProposalResponse> responses = new ArrayList<>();
        for (ReferenceNetwork.Peer peer : network.peers()) {
            responses.add(endorse(proposal, peer));
        }
        return responses;
    }

    /** Sends envelopes on one Broadcast stream and returns the responses (fewer if the stream ends early). */
    List<BroadcastResponse> broadcast(Envelope... envelopes) throws Exception {
        return broadcast(orderer, envelopes);
    }

    /** As {@link #broadcast(Envelope...)}, to any orderer channel (for clients made from files alone). */
    static List<BroadcastResponse> broadcast(ManagedChannel orderer, Envelope... envelopes) throws Exception {
        BlockingQueue<BroadcastResponse> responses = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<Envelope> stream = AtomicBroadcastGrpc.newStub(orderer).broadcast(new StreamObserver<>() {
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
        for (Envelope envelope : envelopes) {
            stream.onNext(envelope);
        }
        stream.onCompleted();
        done.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return new ArrayList<>(responses);
    }

    /** Endorses on every peer, broadcasts and waits for the commit; returns the status. */
    TransactionStatus submit(String chaincode, String function, String... args) throws Exception {
        ChaincodeProposal proposal = proposal(chaincode, function, args);
        List<ProposalResponse> responses = endorseAll(proposal);
        for (ProposalResponse r : responses) {
            if (r.getResponse().getStatus() != 200) {
                throw new AssertionError(function + " failed on a peer: " + r.getResponse().getMessage());
            }
        }
        Envelope envelope = TransactionEnvelope.create(proposal, responses).sign(user.signer());
        return submitAndWait(envelope, proposal.transactionId());
    }

    TransactionStatus submitAndWait(Envelope envelope, String txId) throws Exception {
        return submitAndWait(network.orderer(), envelope, txId);
    }

    /** Endorses on every peer, broadcasts to one orderer and waits for the commit. */
    TransactionStatus submitVia(ReferenceNetwork.Orderer via, String chaincode, String function, String... args)
            throws Exception {
        ChaincodeProposal proposal = proposal(chaincode, function, args);
        Envelope envelope = TransactionEnvelope.create(proposal, endorseAll(proposal)).sign(user.signer());
        return submitAndWait(via, envelope, proposal.transactionId());
    }

    TransactionStatus submitAndWait(ReferenceNetwork.Orderer via, Envelope envelope, String txId) throws Exception {
        ReferenceNetwork.Peer peer = network.peers().get(0);
        long from = peer.height(channel);
        List<BroadcastResponse> sent = broadcast(orderers.get(via.name()), envelope);
        if (sent.isEmpty() || sent.get(0).getStatusValue() != 200) {
            throw new AssertionError("broadcast failed: " + sent);
        }
        return waitForStatus(peer, txId, from);
    }

    /** Waits on DeliverFiltered until the transaction appears, starting at block {@code from}. */
    TransactionStatus waitForStatus(ReferenceNetwork.Peer peer, String txId, long from) throws Exception {
        BlockingQueue<DeliverResponse> received = new LinkedBlockingQueue<>();
        StreamObserver<Envelope> stream = DeliverGrpc.newStub(peers.get(peer.name())).deliverFiltered(collect(received));
        stream.onNext(seek(from, SeekRequest.FOREVER, SeekInfo.SeekBehavior.BLOCK_UNTIL_READY));
        try {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                DeliverResponse response = received.poll(100, TimeUnit.MILLISECONDS);
                if (response == null) {
                    continue;
                }
                if (!response.hasFilteredBlock()) {
                    throw new AssertionError("deliver ended with " + response.getStatus());
                }
                FilteredBlock block = response.getFilteredBlock();
                for (TransactionStatus status : Blocks.transactionStatuses(block)) {
                    if (status.transactionId().equals(txId)) {
                        return status;
                    }
                }
            }
            throw new AssertionError("transaction " + txId + " not committed within " + TIMEOUT);
        } finally {
            stream.onCompleted();
        }
    }

    /** Evaluates on the first peer and returns the payload as text (throws on a non-200 status). */
    String evaluate(String chaincode, String function, String... args) {
        ProposalResponse response = endorse(proposal(chaincode, function, args), network.peers().get(0));
        if (response.getResponse().getStatus() != 200) {
            throw new AssertionError(function + " failed: " + response.getResponse().getMessage());
        }
        return response.getResponse().getPayload().toString(StandardCharsets.UTF_8);
    }

    /** A seek as the user; bound to the user's TLS certificate when the network requires client certificates. */
    Envelope seek(long start, long stop, SeekInfo.SeekBehavior behavior) {
        SeekRequest.Builder seek = SeekRequest.builder().channel(channel).identity(user.identity())
                .startAt(start).stopAt(stop).behavior(behavior).clock(clock);
        if (network.clientAuthRequired()) {
            // Every node of such a network refuses a seek that is not bound to the TLS session.
            seek.tlsCertHash(config(network.orderer()).clientCertificateHash());
        }
        return seek.build().sign(user.signer());
    }

    /** Reads blocks [from, to] from a node's Deliver service. */
    List<Block> blocks(ReferenceNetwork.Node node, long from, long to) throws Exception {
        List<DeliverResponse> responses = deliver(node, seek(from, to, SeekInfo.SeekBehavior.BLOCK_UNTIL_READY));
        List<Block> blocks = new ArrayList<>();
        for (DeliverResponse r : responses) {
            if (r.hasBlock()) {
                blocks.add(r.getBlock());
            }
        }
        return blocks;
    }

    /** Sends one seek to a peer's (or, converted, the orderer's) Deliver and collects responses up to the status. */
    List<DeliverResponse> deliver(ReferenceNetwork.Node node, Envelope seek) throws Exception {
        BlockingQueue<DeliverResponse> received = new LinkedBlockingQueue<>();
        StreamObserver<Envelope> stream;
        if (node instanceof ReferenceNetwork.Orderer) {
            stream = AtomicBroadcastGrpc.newStub(orderer).deliver(new StreamObserver<>() {
                @Override
                public void onNext(org.hyperledger.fabric.protos.orderer.DeliverResponse r) {
                    received.add(r.hasBlock() ? DeliverResponse.newBuilder().setBlock(r.getBlock()).build()
                            : DeliverResponse.newBuilder().setStatus(r.getStatus()).build());
                }

                @Override
                public void onError(Throwable t) {
                    received.add(DeliverResponse.newBuilder()
                            .setStatus(org.hyperledger.fabric.protos.common.Status.INTERNAL_SERVER_ERROR).build());
                }

                @Override
                public void onCompleted() {
                }
            });
        } else {
            stream = DeliverGrpc.newStub(peers.get(node.name())).deliver(collect(received));
        }
        stream.onNext(seek);
        List<DeliverResponse> result = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            DeliverResponse r = received.poll(100, TimeUnit.MILLISECONDS);
            if (r == null) {
                continue;
            }
            result.add(r);
            if (!r.hasBlock() && !r.hasFilteredBlock()) {
                stream.onCompleted();
                return result;
            }
        }
        stream.onCompleted();
        throw new AssertionError("deliver did not finish within " + TIMEOUT + "; got " + result.size() + " responses");
    }

    private static StreamObserver<DeliverResponse> collect(BlockingQueue<DeliverResponse> queue) {
        return new StreamObserver<>() {
            @Override
            public void onNext(DeliverResponse value) {
                queue.add(value);
            }

            @Override
            public void onError(Throwable t) {
                queue.add(DeliverResponse.newBuilder()
                        .setStatus(org.hyperledger.fabric.protos.common.Status.INTERNAL_SERVER_ERROR).build());
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    @Override
    public void close() {
        List<ManagedChannel> all = new ArrayList<>(peers.values());
        all.addAll(orderers.values());
        for (ManagedChannel c : all) {
            c.shutdownNow();
        }
        for (ManagedChannel c : all) {
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
