package dev.weft.orderer;

import dev.weft.core.EndpointConfig;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.Orderer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;

/**
 * An in-process {@code AtomicBroadcast} that answers like Fabric's orderer does
 * ({@code orderer/common/broadcast}): one {@link BroadcastResponse} per envelope, in the order the
 * envelopes arrived, and after any answer other than SUCCESS the stream ends (onCompleted) and
 * later envelopes on it are neither read nor answered. What it answers is up to a {@link Script},
 * for the cases a real orderer cannot be made to produce (unavailable, rejections with a chosen
 * message, stalls, streams that break).
 *
 * <p>It records every envelope it read and every stream the client opened or cancelled, and the
 * channel it hands out counts the Broadcast calls the client started on it (synchronously, so a
 * test can tell whether a broadcast touched this orderer at all).
 */
final class FakeOrderer extends AtomicBroadcastGrpc.AtomicBroadcastImplBase {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long WAIT_MILLIS = 10_000;

    /** What the fake does with each envelope it reads; called serially per stream. */
    interface Script {
        void onEnvelope(Stream stream, Envelope envelope);
    }

    private final String target;
    private final Script script;
    private final Object monitor = new Object();
    private final List<Stream> streams = new ArrayList<>();
    private final List<String> received = new ArrayList<>();
    private int cancelled;
    private final AtomicInteger callsStarted = new AtomicInteger();
    private final AtomicInteger envelopesSent = new AtomicInteger();
    private ManagedChannel managedChannel;
    private Orderer orderer;

    private FakeOrderer(String target, Script script) {
        this.target = target;
        this.script = script;
    }

    /** Answers every envelope with {@code status} (and so, unless SUCCESS, ends each stream after one answer). */
    static FakeOrderer answering(Status status, String info) {
        return scripted((stream, envelope) -> stream.answer(status, info));
    }

    /** Reads envelopes and never answers them. */
    static FakeOrderer stalled() {
        return scripted((stream, envelope) -> { });
    }

    /** Reads an envelope, then fails the stream with a transport-level status instead of answering. */
    static FakeOrderer failingWith(io.grpc.Status status) {
        return scripted((stream, envelope) -> stream.fail(status));
    }

    static FakeOrderer scripted(Script script) {
        int id = IDS.incrementAndGet();
        return new FakeOrderer("orderer" + id + ".fake.example.com:7050", script);
    }

    /** Starts the in-process server and a channel to it, both shut down by {@code grpc} after the test. */
    FakeOrderer start(GrpcCleanup grpc) {
        return start(grpc, false);
    }

    /**
     * Like {@link #start(GrpcCleanup)}; with {@code directExecutor} the channel runs the client's
     * callbacks on the thread that caused them (as a caller-supplied direct executor would), which
     * makes a callback triggered by the client itself, such as a cancellation, run before that
     * client method returns.
     */
    FakeOrderer start(GrpcCleanup grpc, boolean directExecutor) {
        String serverName = "fake-orderer-" + target + "-" + System.nanoTime();
        try {
            grpc.register(InProcessServerBuilder.forName(serverName).addService(this).build().start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        InProcessChannelBuilder channel = InProcessChannelBuilder.forName(serverName);
        if (directExecutor) {
            channel.directExecutor();
        }
        managedChannel = grpc.register(channel.build());
        Channel counted = ClientInterceptors.intercept(managedChannel, new BroadcastCallCounter(callsStarted, envelopesSent));
        orderer = Orderer.of("fake-" + target, EndpointConfig.builder(target).plaintext().build(), counted);
        return this;
    }

    Orderer orderer() {
        return orderer;
    }

    ManagedChannel managedChannel() {
        return managedChannel;
    }

    String target() {
        return target;
    }

    /** Broadcast calls the client started on this orderer's channel (counted on the client side). */
    int callsStarted() {
        return callsStarted.get();
    }

    /** Envelopes the client sent to this orderer (counted on the client side, as they are sent). */
    int envelopesSent() {
        return envelopesSent.get();
    }

    /** Payloads (as text) of the envelopes this orderer read, in order, over all streams. */
    List<String> received() {
        synchronized (monitor) {
            return List.copyOf(received);
        }
    }

    /** Payloads read on one stream (0 = the first stream the client opened). */
    List<String> receivedOn(int streamIndex) {
        synchronized (monitor) {
            return List.copyOf(streams.get(streamIndex).received);
        }
    }

    int streamsOpened() {
        synchronized (monitor) {
            return streams.size();
        }
    }

    int streamsCancelled() {
        synchronized (monitor) {
            return cancelled;
        }
    }

    void awaitReceived(int count) throws InterruptedException {
        await(() -> received.size() >= count, "orderer " + target + " to read " + count + " envelope(s)");
    }

    void awaitCancelled(int count) throws InterruptedException {
        await(() -> cancelled >= count, "the client to cancel " + count + " stream(s) on orderer " + target);
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        synchronized (monitor) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("gave up waiting for " + what + "; read " + received + " on "
                            + streams.size() + " stream(s), " + cancelled + " cancelled");
                }
                monitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    @Override
    public StreamObserver<Envelope> broadcast(StreamObserver<BroadcastResponse> responseObserver) {
        ServerCallStreamObserver<BroadcastResponse> responses = (ServerCallStreamObserver<BroadcastResponse>) responseObserver;
        Stream stream;
        synchronized (monitor) {
            stream = new Stream(streams.size(), responses);
            streams.add(stream);
            monitor.notifyAll();
        }
        responses.setOnCancelHandler(() -> {
            synchronized (monitor) {
                stream.ended = true;
                cancelled++;
                monitor.notifyAll();
            }
        });
        return new StreamObserver<>() {
            @Override
            public void onNext(Envelope envelope) {
                synchronized (monitor) {
                    if (stream.ended) {
                        return; // Fabric's orderer stops reading after ending the stream
                    }
                    stream.received.add(envelope.getPayload().toStringUtf8());
                    received.add(envelope.getPayload().toStringUtf8());
                    monitor.notifyAll();
                }
                script.onEnvelope(stream, envelope);
            }

            @Override
            public void onError(Throwable t) {
                synchronized (monitor) {
                    stream.ended = true;
                }
            }

            @Override
            public void onCompleted() {
                // The client half-closed: Fabric's orderer ends the stream once it has answered.
                stream.complete();
            }
        };
    }

    /** One Broadcast stream as the fake sees it. */
    final class Stream {
        final int index;
        final List<String> received = new ArrayList<>();
        private final ServerCallStreamObserver<BroadcastResponse> responses;
        private boolean ended;

        Stream(int index, ServerCallStreamObserver<BroadcastResponse> responses) {
            this.index = index;
            this.responses = responses;
        }

        /** Envelopes read on this stream so far. */
        int receivedCount() {
            synchronized (monitor) {
                return received.size();
            }
        }

        /** The payload of the first envelope read on this stream. */
        String firstReceived() {
            synchronized (monitor) {
                return received.get(0);
            }
        }

        /** Answers the oldest unanswered envelope; a non-SUCCESS answer ends the stream, as in Fabric. */
        void answer(Status status, String info) {
            synchronized (monitor) {
                if (ended) {
                    return;
                }
                responses.onNext(BroadcastResponse.newBuilder().setStatus(status).setInfo(info).build());
                if (status != Status.SUCCESS) {
                    ended = true;
                    responses.onCompleted();
                }
            }
        }

        /** Ends the stream with a gRPC error (a transport failure as the client sees it). */
        void fail(io.grpc.Status status) {
            synchronized (monitor) {
                if (ended) {
                    return;
                }
                ended = true;
                responses.onError(status.asRuntimeException());
            }
        }

        void complete() {
            synchronized (monitor) {
                if (ended) {
                    return;
                }
                ended = true;
                responses.onCompleted();
            }
        }
    }

    /** Counts the Broadcast calls started, and envelopes sent, through a channel (on the caller's thread). */
    static final class BroadcastCallCounter implements ClientInterceptor {
        private final AtomicInteger calls;
        private final AtomicInteger envelopes;

        BroadcastCallCounter(AtomicInteger calls) {
            this(calls, new AtomicInteger());
        }

        BroadcastCallCounter(AtomicInteger calls, AtomicInteger envelopes) {
            this.calls = calls;
            this.envelopes = envelopes;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            if (!method.getFullMethodName().equals(AtomicBroadcastGrpc.getBroadcastMethod().getFullMethodName())) {
                return next.newCall(method, options);
            }
            calls.incrementAndGet();
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void sendMessage(Q message) {
                    envelopes.incrementAndGet();
                    super.sendMessage(message);
                }
            };
        }
    }
}
