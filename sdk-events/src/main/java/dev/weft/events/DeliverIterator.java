package dev.weft.events;

import dev.weft.core.EventStreamException;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;

/**
 * One Deliver (or DeliverFiltered) stream read as an iterator. gRPC flow control keeps at most
 * {@link #WINDOW} responses buffered: the peer is asked for one more each time one is consumed, so
 * a slow reader slows the stream instead of filling memory.
 *
 * @param <T> what each block is turned into (a block, or the chaincode events it holds)
 */
final class DeliverIterator<T> implements CloseableIterator<T> {
    static final int WINDOW = 16;
    private static final Object END = new Object();

    private final Peer peer;
    private final Function<DeliverResponse, List<T>> mapper;
    private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    private final ArrayDeque<T> ready = new ArrayDeque<>();
    private volatile ClientCallStreamObserver<Envelope> call;
    private volatile boolean closed;
    /** Null while the stream runs; then END, or the failure that next() must report. */
    private Object terminal;

    private DeliverIterator(Peer peer, Function<DeliverResponse, List<T>> mapper) {
        this.peer = peer;
        this.mapper = mapper;
    }

    static <T> DeliverIterator<T> open(Peer peer, Envelope seek, boolean filtered,
            Function<DeliverResponse, List<T>> mapper) {
        DeliverIterator<T> iterator = new DeliverIterator<>(peer, mapper);
        ClientResponseObserver<Envelope, DeliverResponse> observer = iterator.new Observer();
        DeliverGrpc.DeliverStub stub = DeliverGrpc.newStub(peer.channel());
        if (filtered) {
            stub.deliverFiltered(observer);
        } else {
            stub.deliver(observer);
        }
        iterator.call.onNext(seek);
        return iterator;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty()) {
            if (closed) {
                return false;
            }
            if (terminal != null) {
                return terminal != END;
            }
            Object arrival;
            try {
                arrival = arrivals.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                return false;
            }
            if (arrival instanceof DeliverResponse response) {
                accept(response);
            } else if (arrival == END) {
                terminal = closed ? END : new EventStreamException("peer " + peer.name() + " ended the event stream "
                        + "without a status", new NodeError(peer.target(), peer.mspId(), "ENDED", ""), null, true);
            } else {
                terminal = arrival;
            }
        }
        return true;
    }

    private void accept(DeliverResponse response) {
        call.request(1);
        if (response.getTypeCase() == DeliverResponse.TypeCase.STATUS) {
            Status status = response.getStatus();
            if (status == Status.SUCCESS) {
                terminal = END; // the stop block was delivered
            } else {
                boolean retryable = status == Status.SERVICE_UNAVAILABLE || status == Status.INTERNAL_SERVER_ERROR;
                terminal = new EventStreamException("peer " + peer.name() + " ended the event stream with " + status,
                        new NodeError(peer.target(), peer.mspId(), status.name(), ""), null, retryable);
            }
            cancel("the peer ended the stream");
            return;
        }
        try {
            ready.addAll(mapper.apply(response));
        } catch (RuntimeException e) {
            terminal = new EventStreamException("a response from peer " + peer.name() + " could not be read: "
                    + e.getMessage(), new NodeError(peer.target(), peer.mspId(), "MALFORMED", e.getMessage()), e, false);
            cancel("malformed response");
        }
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the event stream has ended");
        }
        if (!ready.isEmpty()) {
            return ready.poll();
        }
        EventStreamException failure = (EventStreamException) terminal;
        terminal = END; // reported once; then the iterator is simply over
        throw failure;
    }

    @Override
    public void close() {
        closed = true;
        cancel("closed by the application");
        arrivals.add(END); // wakes a blocked hasNext()
    }

    private void cancel(String reason) {
        ClientCallStreamObserver<Envelope> c = call;
        if (c != null) {
            c.cancel(reason, null);
        }
    }

    private final class Observer implements ClientResponseObserver<Envelope, DeliverResponse> {
        @Override
        public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(WINDOW);
        }

        @Override
        public void onNext(DeliverResponse value) {
            arrivals.add(value);
        }

        @Override
        public void onError(Throwable t) {
            NodeError detail = NodeError.fromFailure(peer.target(), peer.mspId(), t);
            boolean retryable = !"PERMISSION_DENIED".equals(detail.status()) && !"UNAUTHENTICATED".equals(detail.status());
            arrivals.add(new EventStreamException("the event stream from peer " + peer.name() + " failed", detail, t,
                    retryable));
        }

        @Override
        public void onCompleted() {
            arrivals.add(END);
        }
    }
}
