package dev.weft.events;

import dev.weft.core.EndpointConfig;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.Peer;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * An in-process peer whose {@code DeliverFiltered} answers as a script says, for the cases the
 * reference network cannot produce (refusals, out-of-order blocks, exact block numbers). It
 * records the first seek envelope of every stream and which streams the client cancelled.
 */
final class FakeDeliverPeer {
    /** How the fake answers the first seek of its {@code stream}-th stream (0-based). */
    interface Script {
        void answer(int stream, Envelope seek, StreamObserver<DeliverResponse> out);
    }

    private static final AtomicInteger NAMES = new AtomicInteger();

    private final String host;
    private final Script script;
    private final List<Envelope> seeks = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> cancelled = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<DeliverResponse>> outs = new CopyOnWriteArrayList<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final ManagedChannel channel;

    private FakeDeliverPeer(String host, Script script, GrpcCleanup grpc) {
        this.host = host;
        this.script = script;
        String name = "fake-deliver-" + NAMES.incrementAndGet() + "-" + host;
        try {
            grpc.register(InProcessServerBuilder.forName(name).addService(new Service()).build().start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.channel = grpc.register(InProcessChannelBuilder.forName(name).build());
    }

    static FakeDeliverPeer start(String host, GrpcCleanup grpc, Script script) {
        return new FakeDeliverPeer(host, script, grpc);
    }

    /** {@code host:7051}, as NodeErrors name it. */
    String target() {
        return host + ":7051";
    }

    Peer peer() {
        return peer(EndpointConfig.builder(target()).build());
    }

    Peer peer(EndpointConfig endpoint) {
        return Peer.of(host, "Org1MSP", endpoint, channel);
    }

    ManagedChannel channel() {
        return channel;
    }

    int streams() {
        return streams.get();
    }

    /** The first seek of each stream so far, waiting until there are at least {@code n}. */
    List<Envelope> awaitSeeks(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Fabric.TIMEOUT_SECONDS);
        synchronized (this) {
            while (seeks.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(host + " expected " + n + " seeks, got " + seeks.size());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return new ArrayList<>(seeks);
    }

    /** Waits until the client has cancelled the {@code stream}-th stream. */
    void awaitCancelled(int stream) throws InterruptedException {
        awaitSeeks(stream + 1);
        if (!cancelled.get(stream).await(Fabric.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError(host + ": stream " + stream + " was not cancelled by the client");
        }
    }

    /**
     * The response side of the {@code stream}-th stream, for a test to send on later (sends are
     * serialised with the script's).
     */
    StreamObserver<DeliverResponse> out(int stream) throws InterruptedException {
        awaitSeeks(stream + 1);
        return outs.get(stream);
    }

    // ---- responses

    static FilteredTransaction tx(String id, TxValidationCode code) {
        return FilteredTransaction.newBuilder().setTxid(id).setTxValidationCode(code).build();
    }

    static DeliverResponse block(long number, FilteredTransaction... txs) {
        return DeliverResponse.newBuilder().setFilteredBlock(FilteredBlock.newBuilder().setChannelId("mychannel")
                .setNumber(number).addAllFilteredTransactions(List.of(txs))).build();
    }

    static DeliverResponse status(Status status) {
        return DeliverResponse.newBuilder().setStatus(status).build();
    }

    /** Answers with a Fabric status and ends the stream, as a peer refusing the seek does. */
    static void refuse(StreamObserver<DeliverResponse> out, Status status) {
        out.onNext(status(status));
        out.onCompleted();
    }

    static void unavailable(StreamObserver<DeliverResponse> out) {
        out.onError(io.grpc.Status.UNAVAILABLE.withDescription("fake peer went away").asRuntimeException());
    }

    private final class Service extends DeliverGrpc.DeliverImplBase {
        @Override
        public StreamObserver<Envelope> deliverFiltered(StreamObserver<DeliverResponse> responses) {
            CountDownLatch cancel = new CountDownLatch(1);
            ((ServerCallStreamObserver<DeliverResponse>) responses).setOnCancelHandler(cancel::countDown);
            StreamObserver<DeliverResponse> out = new Serialized(responses);
            return new StreamObserver<>() {
                private boolean first = true;

                @Override
                public void onNext(Envelope seek) {
                    if (!first) {
                        return;
                    }
                    first = false;
                    int stream;
                    synchronized (FakeDeliverPeer.this) {
                        stream = streams.getAndIncrement();
                        cancelled.add(cancel);
                        outs.add(out);
                        seeks.add(seek);
                        FakeDeliverPeer.this.notifyAll();
                    }
                    script.answer(stream, seek, out);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
    }

    /** A response observer whose calls may come from the script's thread and the test's. */
    private static final class Serialized implements StreamObserver<DeliverResponse> {
        private final StreamObserver<DeliverResponse> delegate;

        Serialized(StreamObserver<DeliverResponse> delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized void onNext(DeliverResponse value) {
            delegate.onNext(value);
        }

        @Override
        public synchronized void onError(Throwable t) {
            delegate.onError(t);
        }

        @Override
        public synchronized void onCompleted() {
            delegate.onCompleted();
        }
    }
}
