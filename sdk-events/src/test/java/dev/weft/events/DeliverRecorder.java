package dev.weft.events;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;

/**
 * A client interceptor that records every {@code DeliverFiltered} call made through a channel:
 * the seek envelopes sent, the block numbers received and how the call ended. Other methods pass
 * through untouched.
 */
final class DeliverRecorder implements ClientInterceptor {
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    /** One recorded DeliverFiltered call. */
    static final class Call {
        final List<Envelope> seeks = new CopyOnWriteArrayList<>();
        final List<Long> blocks = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile Status closeStatus;

        SeekInfo seekInfo() {
            if (seeks.isEmpty()) {
                throw new AssertionError("no seek was sent on this call");
            }
            try {
                return SeekInfo.parseFrom(Payload.parseFrom(seeks.get(0).getPayload()).getData());
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("the seek is not a Payload with a SeekInfo", e);
            }
        }

        Status awaitClosed() throws InterruptedException {
            if (!closed.await(Fabric.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the DeliverFiltered call did not end within " + Fabric.TIMEOUT_SECONDS + " s");
            }
            return closeStatus;
        }

        @Override
        public String toString() {
            return "Call[seeks=" + seeks.size() + ", blocks=" + blocks + ", closed=" + closeStatus + "]";
        }
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    int count() {
        return calls.size();
    }

    /** Waits until at least {@code n} calls have been started and each has sent its seek. */
    List<Call> awaitCalls(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Fabric.TIMEOUT_SECONDS);
        synchronized (this) {
            while (calls.size() < n || calls.stream().limit(n).anyMatch(c -> c.seeks.isEmpty())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " DeliverFiltered calls, saw " + calls);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return calls();
    }

    private synchronized void changed() {
        notifyAll();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        if (!method.getFullMethodName().equals(DeliverGrpc.getDeliverFilteredMethod().getFullMethodName())) {
            return call;
        }
        Call record = new Call();
        calls.add(record);
        changed();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onMessage(R message) {
                        DeliverResponse response = (DeliverResponse) message;
                        if (response.hasFilteredBlock()) {
                            record.blocks.add(response.getFilteredBlock().getNumber());
                        }
                        super.onMessage(message);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        record.closeStatus = status;
                        record.closed.countDown();
                        changed();
                        super.onClose(status, trailers);
                    }
                }, headers);
            }

            @Override
            public void sendMessage(Q message) {
                record.seeks.add((Envelope) message);
                changed();
                super.sendMessage(message);
            }
        };
    }
}
