package dev.weft.events;

import dev.weft.core.ConnectionException;
import dev.weft.core.EventStreamException;
import dev.weft.core.GrpcChannels;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Deliver (or DeliverFiltered) stream read as an iterator, that survives breaks: when the
 * stream fails or a peer goes away, it reconnects (after a back-off that doubles while
 * connections keep failing, to the same peer if it had been delivering, else to the next one)
 * and resumes at the block after the last one it received, so that no block is delivered twice
 * or skipped. It gives up only when every peer has refused the request (FORBIDDEN, BAD_REQUEST,
 * or NOT_FOUND for a start block beyond its ledger before any block arrived),
 * when reconnecting is switched off, or when the request cannot be made again (one the
 * application signed); {@code next()} then throws the failure.
 *
 * <p>gRPC flow control keeps at most {@link #WINDOW} responses buffered: the peer is asked for one
 * more each time one is consumed, so a slow reader slows the stream instead of filling memory.
 *
 * @param <T> what each block is turned into (a block, or the chaincode events it holds)
 */
final class DeliverIterator<T> implements CloseableIterator<T> {
    private static final Logger log = LoggerFactory.getLogger(DeliverIterator.class);
    static final int WINDOW = 16;
    private static final Object END = new Object();

    /**
     * The signed request that opens a stream to a peer: from {@code nextBlock}, or from the
     * original start position while no block has been received ({@code nextBlock < 0}). Empty
     * when no further request can be made.
     */
    @FunctionalInterface
    interface Seeks {
        Optional<Envelope> seek(Peer peer, long nextBlock);
    }

    /** How the iterator reconnects; {@code enabled == false} ends it at the first break. */
    record Reconnect(boolean enabled, Duration initialDelay, Duration maxDelay, Consumer<EventStreamException> listener) {
    }

    private final List<Peer> peers;
    private final Seeks seeks;
    private final boolean filtered;
    private final Function<DeliverResponse, List<T>> mapper;
    private final Scheduler scheduler;
    private final AutoCloseable ownedScheduler;
    private final Reconnect reconnect;
    private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
    private final ArrayDeque<T> ready = new ArrayDeque<>();

    // Read and written by the consuming thread only, except where noted.
    private long nextBlock = -1;
    private int peerIndex;
    private Duration delay;
    private final Map<Peer, NodeError> refusals = new LinkedHashMap<>();
    /** Null while the stream runs; then END, or the failure that next() must report. */
    private Object terminal;
    /** The current stream; guarded by {@code this} (close() may come from any thread). */
    private Stream stream;
    private Scheduler.Cancellable pendingReconnect;
    private volatile boolean closed;

    private DeliverIterator(List<Peer> peers, Seeks seeks, boolean filtered, Function<DeliverResponse, List<T>> mapper,
            Scheduler scheduler, AutoCloseable ownedScheduler, Reconnect reconnect) {
        this.peers = List.copyOf(peers);
        this.seeks = seeks;
        this.filtered = filtered;
        this.mapper = mapper;
        this.scheduler = scheduler;
        this.ownedScheduler = ownedScheduler;
        this.reconnect = reconnect;
        this.delay = reconnect.initialDelay();
    }

    /**
     * Opens the first stream.
     *
     * @param ownedScheduler closed with the iterator, or null when the scheduler is the caller's
     */
    static <T> DeliverIterator<T> open(List<Peer> peers, Seeks seeks, boolean filtered,
            Function<DeliverResponse, List<T>> mapper, Scheduler scheduler, AutoCloseable ownedScheduler,
            Reconnect reconnect) {
        DeliverIterator<T> iterator = new DeliverIterator<>(peers, seeks, filtered, mapper, scheduler, ownedScheduler,
                reconnect);
        Envelope first = seeks.seek(peers.get(0), -1).orElseThrow(() -> new IllegalStateException("no request"));
        iterator.connect(peers.get(0), first);
        return iterator;
    }

    private synchronized void connect(Peer peer, Envelope seek) {
        if (closed) {
            return;
        }
        Stream next = new Stream(peer);
        stream = next;
        DeliverGrpc.DeliverStub stub = DeliverGrpc.newStub(peer.channel());
        if (filtered) {
            stub.deliverFiltered(next);
        } else {
            stub.deliver(next);
        }
        try {
            next.requests.onNext(seek);
        } catch (RuntimeException e) {
            // The call closed (and was cancelled by the consumer) before the seek went out: its
            // failure is already queued, and the consumer reconnects from it.
            log.debug("seek to {} not sent: {}", peer.name(), e.toString());
        }
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
            Arrival arrival;
            try {
                arrival = arrivals.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                return false;
            }
            if (closed) {
                return false;
            }
            if (arrival.stream != currentStream()) {
                continue; // from a stream already given up on
            }
            if (arrival.response != null) {
                accept(arrival.stream, arrival.response);
            } else {
                broken(arrival.stream, arrival.failure, arrival.retryable);
            }
        }
        return true;
    }

    private synchronized Stream currentStream() {
        return stream;
    }

    private void accept(Stream from, DeliverResponse response) {
        from.requests.request(1);
        if (response.getTypeCase() == DeliverResponse.TypeCase.STATUS) {
            Status status = response.getStatus();
            if (status == Status.SUCCESS) {
                terminal = END; // the stop block was delivered
                from.cancel("the stream is over");
                return;
            }
            // Refusals, and a start block beyond the peer's ledger: another peer may answer; this one will not.
            // Once blocks have arrived, NOT_FOUND means a peer that is behind, and it may catch up.
            boolean refusal = status == Status.FORBIDDEN || status == Status.BAD_REQUEST
                    || (status == Status.NOT_FOUND && nextBlock < 0);
            broken(from, new EventStreamException("peer " + from.peer.name() + " ended the event stream with " + status,
                    new NodeError(from.peer.target(), from.peer.mspId(), status.name(), ""), null, !refusal), !refusal);
            return;
        }
        long number = filtered ? response.getFilteredBlock().getNumber() : response.getBlock().getHeader().getNumber();
        if (nextBlock >= 0 && number < nextBlock) {
            return; // already delivered before the stream was resumed
        }
        if (nextBlock >= 0 && number > nextBlock) {
            broken(from, new EventStreamException("peer " + from.peer.name() + " sent block " + number + " when block "
                    + nextBlock + " was due", new NodeError(from.peer.target(), from.peer.mspId(), "OUT_OF_ORDER", ""),
                    null, true), true);
            return;
        }
        try {
            ready.addAll(mapper.apply(response));
        } catch (RuntimeException e) {
            terminal = new EventStreamException("block " + number + " from peer " + from.peer.name()
                    + " could not be read: " + e.getMessage(),
                    new NodeError(from.peer.target(), from.peer.mspId(), "MALFORMED", e.getMessage()), e, false);
            from.cancel("malformed response");
            return;
        }
        nextBlock = number + 1;
        from.blocks++;
        refusals.clear();
        delay = reconnect.initialDelay();
    }

    /** The stream is over without reaching its end: reconnects, or reports why it cannot. */
    private void broken(Stream from, EventStreamException why, boolean retryable) {
        from.cancel("reconnecting");
        if (!retryable) {
            refusals.put(from.peer, why.detail());
        }
        if (!reconnect.enabled() || refusals.size() >= peers.size()) {
            terminal = why;
            return;
        }
        boolean working = from.blocks > 0 && retryable;
        Duration wait = working ? Duration.ZERO : delay;
        if (!working) {
            peerIndex = (peerIndex + 1) % peers.size();
            if (peerIndex == 0) {
                Duration doubled = delay.multipliedBy(2);
                delay = doubled.compareTo(reconnect.maxDelay()) > 0 ? reconnect.maxDelay() : doubled;
            }
        }
        Peer peer = peers.get(peerIndex);
        Optional<Envelope> seek = seeks.seek(peer, nextBlock);
        if (seek.isEmpty()) {
            terminal = new EventStreamException(why.getMessage() + "; the stream cannot be resumed, because its request "
                    + "was signed by the application and can be used once: open a new one"
                    + (nextBlock >= 0 ? " from block " + nextBlock : ""), why.detail(), why.getCause(), true);
            return;
        }
        log.warn("event stream from {} broke ({}); resuming from {} on {} in {} ms", from.peer.name(), why.getMessage(),
                nextBlock < 0 ? "the start" : "block " + nextBlock, peer.name(), wait.toMillis());
        if (retryable) {
            notifyListener(why); // a break; a peer that refused is only passed over for the next one
        }
        synchronized (this) {
            stream = null;
            if (!closed) {
                pendingReconnect = scheduler.schedule(wait, () -> connect(peer, seek.get()));
            }
        }
    }

    private void notifyListener(EventStreamException why) {
        try {
            reconnect.listener().accept(why);
        } catch (RuntimeException e) {
            log.warn("the event stream's reconnect listener failed", e);
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
        Stream current;
        Scheduler.Cancellable reconnecting;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current = stream;
            reconnecting = pendingReconnect;
        }
        if (reconnecting != null) {
            reconnecting.cancel();
        }
        if (current != null) {
            current.cancel("closed by the application");
        }
        arrivals.add(new Arrival(null, null, null, false)); // wakes a blocked hasNext()
        if (ownedScheduler != null) {
            try {
                ownedScheduler.close();
            } catch (Exception e) {
                log.warn("closing the event stream's timer failed", e);
            }
        }
    }

    /** What a stream delivered: a response, or how it ended. */
    private final class Arrival {
        final Stream stream;
        final DeliverResponse response;
        final EventStreamException failure;
        final boolean retryable;

        Arrival(Stream stream, DeliverResponse response, EventStreamException failure, boolean retryable) {
            this.stream = stream;
            this.response = response;
            this.failure = failure;
            this.retryable = retryable;
        }
    }

    /** One Deliver call. */
    private final class Stream implements ClientResponseObserver<Envelope, DeliverResponse> {
        final Peer peer;
        /** Blocks received on this stream; touched by the consuming thread only. */
        long blocks;
        ClientCallStreamObserver<Envelope> requests;

        Stream(Peer peer) {
            this.peer = peer;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
            this.requests = requestStream;
            requestStream.disableAutoRequestWithInitial(WINDOW);
        }

        void cancel(String reason) {
            requests.cancel(reason, null);
        }

        @Override
        public void onNext(DeliverResponse value) {
            arrivals.add(new Arrival(this, value, null, false));
        }

        @Override
        public void onError(Throwable t) {
            NodeError detail = NodeError.fromFailure(peer, t);
            // A refused TLS handshake (no or an untrusted client certificate, TLS against plaintext) fails
            // the same way on every reconnect: it counts as the peer refusing, not as a break.
            ConnectionException connection = GrpcChannels.describeConnectionFailure(peer.endpoint(), t);
            boolean retryable = !"PERMISSION_DENIED".equals(detail.status()) && !"UNAUTHENTICATED".equals(detail.status())
                    && (connection == null || connection.retryable());
            arrivals.add(new Arrival(this, null, new EventStreamException("the event stream from peer " + peer.name()
                    + " failed: " + detail.message(), detail, t, retryable), retryable));
        }

        @Override
        public void onCompleted() {
            arrivals.add(new Arrival(this, null, new EventStreamException("peer " + peer.name() + " ended the event "
                    + "stream without a status", new NodeError(peer.target(), peer.mspId(), "ENDED", ""), null, true),
                    true));
        }
    }
}
