package dev.weft.events;

import dev.weft.core.CommitStatusException;
import dev.weft.core.CommitStatusSource;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.SeekRequest;
import dev.weft.core.Signer;
import dev.weft.core.TransactionStatus;
import dev.weft.core.X509Identity;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit events of one channel: a single {@code DeliverFiltered} stream to one of the
 * channel's event peers, shared by every transaction waiting on that channel.
 *
 * <p>The first stream starts at the newest block; once a block has arrived the position is known
 * and every later transaction's block will be seen (a registration's {@code ready()}). When the
 * stream ends or fails, a new one is opened starting at the block after the last one seen, so no
 * block and no status is missed: on the same peer if the stream had been delivering, otherwise on
 * the next peer in the list after a back-off that grows while connections keep failing. A peer
 * that refuses (FORBIDDEN, BAD_REQUEST, or NOT_FOUND before any block was seen) is not asked again
 * before the others; once every peer has refused since the last block, the waiting transactions
 * fail with {@link CommitStatusException}.
 *
 * <p>Thread-safe: stream state is guarded by this object's monitor; waiters are in a concurrent
 * map so that dispatching a block never holds the lock while completing futures.
 */
final class ChannelCommitEvents {
    private static final Logger log = LoggerFactory.getLogger(ChannelCommitEvents.class);

    /**
     * The signed seek that opens a stream to a peer: from the newest block when {@code nextBlock}
     * is negative, else from that block. Empty when no further stream can be opened (a request
     * the application signed can be used once).
     */
    @FunctionalInterface
    interface Seeks {
        Optional<Envelope> seek(Peer peer, long nextBlock);
    }

    private final String channelId;
    private final List<Peer> peers;
    private final Seeks seeks;
    private final Scheduler scheduler;
    private final Duration initialDelay;
    private final Duration maxDelay;

    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final List<LongConsumer> configListeners = new CopyOnWriteArrayList<>();

    // Guarded by this.
    private CompletableFuture<Void> positioned = new CompletableFuture<>();
    private long nextBlock = -1;
    private int peerIndex;
    private Stream stream;
    private Duration delay;
    private boolean reconnectScheduled;
    /** The last stream failures since a block was received, newest last (for error details). */
    private final ArrayDeque<NodeError> recentFailures = new ArrayDeque<>();
    private static final int MAX_RECENT_FAILURES = 5;
    /** The peers that refused us since the last block was received, and how. */
    private final Map<Peer, NodeError> refusals = new LinkedHashMap<>();
    private boolean closed;

    ChannelCommitEvents(String channelId, List<Peer> peers, Seeks seeks, Scheduler scheduler,
            Duration initialDelay, Duration maxDelay) {
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("no event peers for channel " + channelId
                    + ": configure at least one peer of the channel to receive commit events from");
        }
        this.channelId = channelId;
        this.peers = List.copyOf(peers);
        this.seeks = seeks;
        this.scheduler = scheduler;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.delay = initialDelay;
    }

    CommitStatusSource.Registration register(String transactionId) {
        Waiter waiter;
        boolean start;
        synchronized (this) {
            waiter = new Waiter(transactionId, positioned.copy()); // a copy: callers cannot complete ours
            // One atomic step: a concurrent removal of the list cannot strand the new waiter.
            waiters.compute(transactionId, (id, list) -> {
                List<Waiter> result = list == null ? new CopyOnWriteArrayList<>() : list;
                result.add(waiter);
                return result;
            });
            start = !closed && stream == null && !reconnectScheduled;
            if (start) {
                reconnectScheduled = true; // claims the connection; connect() clears it
            }
        }
        if (start) {
            connect();
        }
        if (closed) {
            waiter.close();
            waiter.status.completeExceptionally(new CommitStatusException("the commit status source is closed",
                    transactionId, List.of(), null));
        }
        return waiter;
    }

    void close() {
        CompletableFuture<Void> notPositioned;
        synchronized (this) {
            closed = true;
            if (stream != null) {
                stream.cancel("commit status source closed");
                stream = null;
            }
            notPositioned = positioned;
        }
        notPositioned.completeExceptionally(new CommitStatusException("the commit status source is closed", "",
                List.of(), null));
        failAll(transactionId -> new CommitStatusException("the commit status source was closed before transaction "
                + transactionId + " was seen committed", transactionId, List.of(), null));
    }

    /** Calls the listener with the number of every config block the stream delivers from now on. */
    void addConfigListener(LongConsumer listener) {
        configListeners.add(listener);
    }

    /** The seeks of the client's own streams: signed afresh by its signer for each connection. */
    static Seeks signedBy(String channelId, X509Identity identity, Signer signer, Clock clock) {
        return (peer, nextBlock) -> {
            SeekRequest.Builder seek = SeekRequest.builder().channel(channelId).identity(identity).clock(clock)
                    .behavior(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY).stopNever();
            if (nextBlock < 0) {
                seek.start(SeekRequest.newest());
            } else {
                seek.startAt(nextBlock);
            }
            byte[] tlsHash = peer.endpoint().clientCertificateHash();
            if (tlsHash.length > 0) {
                seek.tlsCertHash(tlsHash);
            }
            return Optional.of(seek.build().sign(signer));
        };
    }

    // ---- the stream

    private void connect() {
        GiveUp giveUp;
        synchronized (this) {
            reconnectScheduled = false;
            if (closed) {
                return;
            }
            Peer peer = peers.get(peerIndex);
            Optional<Envelope> request = seeks.seek(peer, nextBlock);
            if (request.isPresent()) {
                open(peer, request.get());
                return;
            }
            refusals.put(peer, new NodeError(peer.target(), peer.mspId(), "ENDED", "the event stream ended and its "
                    + "request, signed by the application, can be used only once"));
            giveUp = giveUp();
        }
        giveUp.run();
    }

    /** With the lock held. */
    private void open(Peer peer, Envelope request) {
        log.debug("commit events for {}: connecting to {} from block {}", channelId, peer.target(),
                nextBlock < 0 ? "newest" : nextBlock);
        Stream started = new Stream(peer);
        stream = started;
        // With a direct executor a call that cannot start fails inside this line, and the
        // failure handling may already have moved on to another stream.
        DeliverGrpc.newStub(peer.channel()).deliverFiltered(started);
        if (stream == started) {
            started.send(request);
        }
    }

    /**
     * The current stream is over: opens the next one, or, when every peer has refused us since the
     * last block, gives up. Giving up is decided and the waiters are taken under the lock, so a
     * registration made afterwards starts afresh instead of being failed with them.
     */
    private void reconnect(Stream ended, NodeError why, boolean refusal) {
        GiveUp giveUp;
        synchronized (this) {
            if (stream != ended || closed) {
                return;
            }
            stream = null;
            ended.cancel("reconnecting");
            recentFailures.addLast(why);
            if (recentFailures.size() > MAX_RECENT_FAILURES) {
                recentFailures.removeFirst();
            }
            if (refusal) {
                refusals.put(ended.peer, why);
            }
            if (refusals.size() >= peers.size()) {
                giveUp = giveUp();
            } else {
                scheduleReconnect(ended, why, refusal);
                return;
            }
        }
        giveUp.run();
    }

    /** With the lock held. */
    private void scheduleReconnect(Stream ended, NodeError why, boolean refusal) {
        boolean working = ended.blocks > 0 && !refusal;
        Duration wait = working ? Duration.ZERO : delay;
        if (working) {
            delay = initialDelay; // it was working: try the same peer again at once
        } else {
            peerIndex = (peerIndex + 1) % peers.size();
            if (peerIndex == 0) {
                Duration doubled = delay.multipliedBy(2);
                delay = doubled.compareTo(maxDelay) > 0 ? maxDelay : doubled;
            }
        }
        log.debug("commit events for {}: stream to {} ended ({}); reconnecting in {} ms", channelId,
                ended.peer.target(), why, wait.toMillis());
        reconnectScheduled = true;
        scheduler.schedule(wait, this::connect);
    }

    /** With the lock held: resets the stream state and takes the waiters to fail. */
    private GiveUp giveUp() {
        List<NodeError> details = List.copyOf(refusals.values());
        refusals.clear();
        peerIndex = 0;
        delay = initialDelay;
        CompletableFuture<Void> notPositioned = null;
        if (nextBlock < 0) {
            notPositioned = positioned;
            positioned = new CompletableFuture<>();
        }
        Map<String, List<Waiter>> taken = new HashMap<>(waiters);
        waiters.clear();
        log.debug("commit events for {}: every peer refused the event stream: {}", channelId, details);
        return new GiveUp(channelId, details, notPositioned, taken);
    }

    /** Failing what was waiting when every peer refused; run without the lock. */
    private record GiveUp(String channelId, List<NodeError> details, CompletableFuture<Void> notPositioned,
            Map<String, List<Waiter>> waiters) {
        void run() {
            if (notPositioned != null) {
                notPositioned.completeExceptionally(new CommitStatusException("no peer would deliver commit events "
                        + "for channel " + channelId, "", details, null));
            }
            waiters.forEach((transactionId, list) -> {
                CommitStatusException e = new CommitStatusException("no peer would deliver commit events for channel "
                        + channelId + " while waiting for transaction " + transactionId, transactionId, details, null);
                list.forEach(w -> w.status.completeExceptionally(e));
            });
        }
    }

    private void failAll(Function<String, CommitStatusException> failure) {
        for (String transactionId : List.copyOf(waiters.keySet())) {
            List<Waiter> list = waiters.remove(transactionId);
            if (list != null) {
                CommitStatusException e = failure.apply(transactionId);
                list.forEach(w -> w.status.completeExceptionally(e));
            }
        }
    }

    private void delivered(Stream from, FilteredBlock block) {
        CompletableFuture<Void> nowPositioned;
        synchronized (this) {
            if (stream != from) {
                return;
            }
            if (nextBlock >= 0 && block.getNumber() != nextBlock) {
                nowPositioned = null;
            } else {
                nextBlock = block.getNumber() + 1;
                from.blocks++;
                refusals.clear();
                recentFailures.clear();
                nowPositioned = positioned;
            }
        }
        if (nowPositioned == null) {
            // Not the block asked for: this stream cannot be trusted; start again from where we are.
            reconnect(from, new NodeError(from.peer.target(), from.peer.mspId(), "OUT_OF_ORDER",
                    "sent block " + block.getNumber() + " when another was expected"), false);
            return;
        }
        nowPositioned.complete(null);
        int index = 0;
        for (FilteredTransaction tx : block.getFilteredTransactionsList()) {
            if (tx.getType() == HeaderType.CONFIG) {
                configListeners.forEach(listener -> listener.accept(block.getNumber()));
            }
            List<Waiter> list = waiters.remove(tx.getTxid());
            if (list != null) {
                TransactionStatus status = new TransactionStatus(tx.getTxid(), block.getNumber(), index,
                        tx.getTxValidationCodeValue());
                list.forEach(w -> w.status.complete(status));
            }
            index++;
        }
    }

    private void ended(Stream from, Status status, Throwable error) {
        NodeError why = error != null ? NodeError.fromFailure(from.peer, error)
                : new NodeError(from.peer.target(), from.peer.mspId(), status.name(), "");
        boolean refusal;
        synchronized (this) {
            refusal = status == Status.FORBIDDEN || status == Status.BAD_REQUEST
                    || (status == Status.NOT_FOUND && nextBlock < 0);
        }
        reconnect(from, why, refusal);
    }

    /** One DeliverFiltered call. */
    private final class Stream implements ClientResponseObserver<Envelope, DeliverResponse> {
        final Peer peer;
        long blocks;
        private ClientCallStreamObserver<Envelope> requests;

        Stream(Peer peer) {
            this.peer = peer;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
            this.requests = requestStream;
        }

        void send(Envelope seek) {
            try {
                requests.onNext(seek);
            } catch (RuntimeException e) {
                // The call closed, and was cancelled, before the seek went out: its failure is
                // already on its way to onError, which reconnects.
                log.debug("seek to {} not sent: {}", peer.name(), e.toString());
            }
        }

        void cancel(String reason) {
            requests.cancel(reason, null);
        }

        @Override
        public void onNext(DeliverResponse response) {
            switch (response.getTypeCase()) {
                case FILTERED_BLOCK -> delivered(this, response.getFilteredBlock());
                // The seek never stops, so any status ends it: the peer refused or failed.
                case STATUS -> ended(this, response.getStatus(), null);
                default -> ended(this, Status.BAD_REQUEST, new IllegalStateException(
                        "peer sent a " + response.getTypeCase() + " on a DeliverFiltered stream"));
            }
        }

        @Override
        public void onError(Throwable t) {
            ended(this, Status.SERVICE_UNAVAILABLE, t);
        }

        @Override
        public void onCompleted() {
            ended(this, Status.SERVICE_UNAVAILABLE, null);
        }
    }

    /** One transaction's interest. */
    private final class Waiter implements CommitStatusSource.Registration {
        final String transactionId;
        final CompletableFuture<Void> ready;
        final CompletableFuture<TransactionStatus> status = new CompletableFuture<>();

        Waiter(String transactionId, CompletableFuture<Void> ready) {
            this.transactionId = transactionId;
            this.ready = ready;
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public List<NodeError> recentFailures() {
            synchronized (ChannelCommitEvents.this) {
                return List.copyOf(recentFailures);
            }
        }

        @Override
        public CompletableFuture<TransactionStatus> status() {
            return status;
        }

        @Override
        public void close() {
            waiters.computeIfPresent(transactionId, (id, list) -> {
                list.remove(this);
                return list.isEmpty() ? null : list;
            });
        }
    }
}
