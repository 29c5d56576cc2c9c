package dev.weft.orderer;

import dev.weft.core.GrpcChannels;
import dev.weft.core.NodeError;
import dev.weft.core.Orderer;
import dev.weft.core.OrdererClient;
import dev.weft.core.Scheduler;
import dev.weft.core.SubmitException;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** See {@link OrdererClients#create}. */
final class FailoverOrdererClient implements OrdererClient {
    private static final Logger log = LoggerFactory.getLogger(FailoverOrdererClient.class);

    /** The back-off before the second round over the orderers; it doubles each round. */
    static final Duration FIRST_BACK_OFF = Duration.ofMillis(50);
    /** The longest back-off between rounds. */
    static final Duration MAX_BACK_OFF = Duration.ofSeconds(1);

    private final List<BroadcastStream> streams;
    /** The orderer to try first: the last one that accepted a transaction. */
    private final AtomicInteger preferred = new AtomicInteger();
    /** Timeouts, cancelled as soon as their transaction completes. */
    private final Scheduler scheduler;
    private final AutoCloseable ownedScheduler;
    private volatile boolean closed;

    FailoverOrdererClient(List<Orderer> orderers, Scheduler scheduler, AutoCloseable ownedScheduler) {
        if (orderers.isEmpty()) {
            throw new IllegalArgumentException("orderers must not be empty: a channel needs at least one orderer to submit to");
        }
        List<BroadcastStream> list = new ArrayList<>();
        for (Orderer orderer : orderers) {
            list.add(new BroadcastStream(Objects.requireNonNull(orderer, "orderer")));
        }
        this.streams = List.copyOf(list);
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.ownedScheduler = ownedScheduler;
    }

    @Override
    public CompletableFuture<Orderer> broadcast(Envelope envelope, String transactionId, Duration timeout) {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new SubmitException("the orderer client is closed; transaction "
                    + transactionId + " was not sent", transactionId, List.of(), null, false));
        }
        for (BroadcastStream stream : streams) {
            if (GrpcChannels.checkSize(stream.orderer().endpoint(), envelope) != null) {
                return CompletableFuture.failedFuture(new SubmitException("transaction " + transactionId + " is "
                        + envelope.getSerializedSize() + " bytes, more than orderer " + stream.orderer().name()
                        + " accepts (" + stream.orderer().endpoint().maxInboundMessageSize() + " bytes); nothing was sent",
                        transactionId, List.of(), null, false));
            }
        }
        Attempt attempt = new Attempt(envelope, transactionId, timeout);
        Scheduler.Cancellable timer = scheduler.schedule(timeout, attempt::expire);
        attempt.result.whenComplete((orderer, error) -> timer.cancel());
        attempt.tryOrderer(preferred.get(), 0);
        return attempt.result;
    }

    @Override
    public void close() {
        closed = true;
        streams.forEach(BroadcastStream::close);
        if (ownedScheduler != null) {
            try {
                ownedScheduler.close();
            } catch (Exception e) {
                log.warn("closing the orderer client's timer failed", e);
            }
        }
    }

    /** One transaction on its way through the orderers, first the preferred one, then the others in order. */
    private final class Attempt {
        final Envelope envelope;
        final String transactionId;
        final Duration timeout;
        final CompletableFuture<Orderer> result = new CompletableFuture<>();
        private final List<NodeError> failures = new ArrayList<>();
        private BroadcastStream stream;
        private BroadcastStream.Pending pending;
        /** Set when the timeout fired: the answers of abandoned sends no longer matter. */
        private boolean expired;
        /** Rounds over every orderer so far; the back-off before the next one grows with it. */
        private int rounds;

        Attempt(Envelope envelope, String transactionId, Duration timeout) {
            this.envelope = envelope;
            this.transactionId = transactionId;
            this.timeout = timeout;
        }

        void tryOrderer(int index, int tried) {
            if (result.isDone() || isExpired()) {
                return;
            }
            if (tried == streams.size()) {
                // Every orderer was unreachable or unavailable (a Raft cluster electing a leader, a
                // restart): try them all again after a back-off, until the time is up.
                nextRound();
                return;
            }
            int position = index % streams.size();
            BroadcastStream target = streams.get(position);
            log.debug("broadcasting transaction {} to orderer {}", transactionId, target.orderer().target());
            BroadcastStream.Pending sent = target.send(envelope);
            synchronized (this) {
                stream = target;
                pending = sent;
            }
            sent.answer.whenComplete((response, error) -> {
                if (isExpired()) {
                    return;
                }
                if (error != null) {
                    failed(position, tried, NodeError.fromFailure(target.orderer(), error));
                } else if (response.getStatus() == Status.SUCCESS) {
                    preferred.set(position);
                    result.complete(target.orderer());
                } else {
                    NodeError answer = new NodeError(target.orderer().target(), "", response.getStatus().name(),
                            response.getInfo());
                    if (BroadcastStream.isAboutTheEnvelope(response.getStatus())) {
                        record(answer);
                        result.completeExceptionally(new SubmitException("orderer " + target.orderer().name()
                                + " rejected transaction " + transactionId, transactionId, details(), null, false));
                    } else {
                        failed(position, tried, answer);
                    }
                }
            });
        }

        private void failed(int position, int tried, NodeError error) {
            if (result.isDone()) {
                return;
            }
            record(error);
            if (closed) {
                // The failure is close() cancelling the stream: the envelope may have reached the
                // orderer, and it must not be sent anywhere else after the client was closed.
                result.completeExceptionally(new SubmitException("the orderer client was closed while transaction "
                        + transactionId + " was being broadcast; it may or may not have been received",
                        transactionId, details(), null, false));
                return;
            }
            if (tried + 1 < streams.size()) {
                log.warn("orderer {} did not accept transaction {} ({}); trying the next orderer",
                        error.address(), transactionId, error.status());
            }
            // Later transactions start with the next orderer rather than wait for this one again.
            preferred.compareAndSet(position, (position + 1) % streams.size());
            tryOrderer(position + 1, tried + 1);
        }

        /**
         * Waits before the next round over the orderers: full jitter over an exponential back-off
         * (50 ms, 100 ms, ... up to 1 s), so that clients retrying at once do not move in step.
         */
        private void nextRound() {
            long base;
            synchronized (this) {
                rounds++;
                base = Math.min(MAX_BACK_OFF.toNanos(), FIRST_BACK_OFF.toNanos() << Math.min(rounds - 1, 20));
            }
            Duration wait = Duration.ofNanos(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
            log.debug("no orderer accepted transaction {} in round {}; trying again in {} ms", transactionId, rounds,
                    wait.toMillis());
            Scheduler.Cancellable timer = scheduler.schedule(wait, () -> tryOrderer(preferred.get(), 0));
            result.whenComplete((orderer, error) -> timer.cancel());
        }

        void expire() {
            BroadcastStream current;
            BroadcastStream.Pending waiting;
            boolean waitingForARound;
            synchronized (this) {
                if (result.isDone()) {
                    return;
                }
                expired = true;
                current = stream;
                waiting = pending;
                waitingForARound = pending == null || pending.answer.isDone();
            }
            if (waitingForARound && !failures().isEmpty()) {
                // Every attempt so far was answered, and refused: say so, not that nobody answered.
                result.completeExceptionally(new SubmitException("no orderer accepted transaction " + transactionId
                        + " within " + timeout.toMillis() + " ms, over " + failures().size() + " attempts", transactionId,
                        details(), null, true));
                return;
            }
            // Move on before reporting: a caller that retries as soon as it sees the timeout must
            // find the stuck orderer no longer preferred and its stream reset.
            int position = streams.indexOf(current);
            preferred.compareAndSet(position, (position + 1) % streams.size());
            current.abandon(waiting);
            result.completeExceptionally(new TransactionTimeoutException(TransactionStage.SUBMIT, timeout,
                    transactionId, details(), null));
        }

        private synchronized List<NodeError> failures() {
            return failures;
        }

        private synchronized boolean isExpired() {
            return expired;
        }

        private synchronized void record(NodeError error) {
            failures.add(error);
        }

        private synchronized List<NodeError> details() {
            return List.copyOf(failures);
        }
    }
}
