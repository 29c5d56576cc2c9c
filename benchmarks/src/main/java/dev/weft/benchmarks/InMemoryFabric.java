package dev.weft.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * Two peers and an orderer as in-process gRPC services that answer at once, so that the client's
 * own work is what a benchmark measures: endorsers sign a fixed result ({@link Material.FakeEndorser}),
 * the orderer accepts every transaction and "commits" it as VALID in a block of its own, which the
 * peers' DeliverFiltered streams announce immediately. Everything runs on the calling thread
 * (direct executors), so time per operation is CPU per operation.
 */
final class InMemoryFabric implements AutoCloseable {
    private final Material material;
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<StreamObserver<DeliverResponse>> subscribers = new CopyOnWriteArrayList<>();
    private final Object ledger = new Object();
    private long height = 1; // block 0 is the genesis block
    final List<Peer> peers = new ArrayList<>();
    final Orderer orderer;

    InMemoryFabric(Material material) {
        this.material = material;
        String run = Long.toHexString(System.nanoTime());
        int port = 1;
        for (Material.FakeEndorser endorser : material.endorsers) {
            String name = "peer-" + endorser.name + "-" + run;
            start(name, new Endorser(endorser), new Deliver());
            peers.add(Peer.of(endorser.name, endorser.identity.mspId(), placeholder(port++), channel(name)));
        }
        String ordererName = "orderer-" + run;
        start(ordererName, new Broadcast());
        orderer = Orderer.of("orderer.example.com", placeholder(port), channel(ordererName));
    }

    /** Addresses for messages only: every call goes over the in-process channel. */
    private static EndpointConfig placeholder(int port) {
        return EndpointConfig.builder("127.0.0.1:" + port).plaintext().build();
    }

    private void start(String name, io.grpc.BindableService... services) {
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
        for (io.grpc.BindableService service : services) {
            builder.addService(service);
        }
        try {
            servers.add(builder.build().start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ManagedChannel channel(String name) {
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        channels.add(channel);
        return channel;
    }

    private FilteredBlock block(long number, List<String> txIds, HeaderType type) {
        FilteredBlock.Builder block = FilteredBlock.newBuilder().setChannelId("mychannel").setNumber(number);
        for (String txId : txIds) {
            block.addFilteredTransactions(FilteredTransaction.newBuilder().setTxid(txId).setType(type)
                    .setTxValidationCode(TxValidationCode.VALID));
        }
        return block.build();
    }

    /**
     * Commits the transactions, all VALID, in the next block and announces it on every open
     * DeliverFiltered stream. Under the ledger lock: blocks reach every stream in order, one send
     * at a time.
     */
    void commit(List<String> txIds) {
        synchronized (ledger) {
            DeliverResponse committed = DeliverResponse.newBuilder()
                    .setFilteredBlock(block(height++, txIds, HeaderType.ENDORSER_TRANSACTION)).build();
            for (StreamObserver<DeliverResponse> subscriber : subscribers) {
                subscriber.onNext(committed);
            }
        }
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
        try {
            for (Server server : servers) {
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Endorser extends EndorserGrpc.EndorserImplBase {
        private final Material.FakeEndorser endorser;

        Endorser(Material.FakeEndorser endorser) {
            this.endorser = endorser;
        }

        @Override
        public void processProposal(SignedProposal request, StreamObserver<ProposalResponse> out) {
            ByteString result = Material.FakeEndorser.function(request).equals("cscc/GetConfigBlock")
                    ? material.genesis.toByteString() : ByteString.copyFromUtf8("{\"ok\":true}");
            out.onNext(endorser.endorse(request, result));
            out.onCompleted();
        }
    }

    private final class Deliver extends DeliverGrpc.DeliverImplBase {
        @Override
        public StreamObserver<Envelope> deliverFiltered(StreamObserver<DeliverResponse> out) {
            ((ServerCallStreamObserver<DeliverResponse>) out).setOnCancelHandler(() -> subscribers.remove(out));
            return new StreamObserver<>() {
                @Override
                public void onNext(Envelope seek) {
                    // Every seek in the benchmarks is "newest, forever": send it, then every new block.
                    synchronized (ledger) {
                        out.onNext(DeliverResponse.newBuilder()
                                .setFilteredBlock(block(height - 1, List.of(""), HeaderType.CONFIG)).build());
                        subscribers.add(out);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    subscribers.remove(out);
                }

                @Override
                public void onCompleted() {
                    subscribers.remove(out);
                }
            };
        }
    }

    private final class Broadcast extends AtomicBroadcastGrpc.AtomicBroadcastImplBase {
        @Override
        public StreamObserver<Envelope> broadcast(StreamObserver<BroadcastResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(Envelope envelope) {
                    String txId;
                    try {
                        txId = ChannelHeader.parseFrom(Payload.parseFrom(envelope.getPayload()).getHeader()
                                .getChannelHeader()).getTxId();
                    } catch (InvalidProtocolBufferException e) {
                        out.onNext(BroadcastResponse.newBuilder().setStatus(Status.BAD_REQUEST).build());
                        out.onCompleted();
                        return;
                    }
                    out.onNext(BroadcastResponse.newBuilder().setStatus(Status.SUCCESS).build());
                    commit(List.of(txId));
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }
    }
}
