package dev.weft.orderer;

import dev.weft.core.Orderer;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcast connection to one orderer: a single {@code AtomicBroadcast/Broadcast} stream,
 * reused for every envelope and reopened when it ends. The orderer answers envelopes in the order
 * it received them, so answers are matched to envelopes by position.
 *
 * <p>A Fabric orderer ends the stream right after any answer other than SUCCESS, without reading
 * what was sent after that envelope. If the answer was about that envelope (BAD_REQUEST,
 * FORBIDDEN, too large) the envelopes behind it are sent again on a new stream; if it was about
 * the orderer (SERVICE_UNAVAILABLE, NOT_FOUND, INTERNAL_SERVER_ERROR) they fail with UNAVAILABLE,
 * so that each moves on to another orderer rather than be refused one at a time. When the stream
 * fails (transport error, cancellation), every unanswered envelope fails with that error: the
 * orderer may or may not have received it, and the caller decides whether to try another orderer
 * (sending the same envelope twice is harmless: Fabric keeps the first of a transaction id).
 *
 * <p>Thread-safe: all stream operations happen under one lock.
 */
final class BroadcastStream {
    private static final Logger log = LoggerFactory.getLogger(BroadcastStream.class);
    /** How often one envelope may be sent again after its stream ended without answering it. */
    private static final int MAX_RESENDS = 3;

    private final Orderer orderer;
    private final Object lock = new Object();
    private Call current;
    private boolean closed;

    BroadcastStream(Orderer orderer) {
        this.orderer = orderer;
    }

    Orderer orderer() {
        return orderer;
    }

    /**
     * Sends an envelope. The future completes with the orderer's answer, or exceptionally when the
     * stream failed before answering. Cancelling the future does not unsend the envelope; see
     * {@link #abandon}.
     */
    Pending send(Envelope envelope) {
        Pending pending = new Pending(envelope);
        send(pending);
        return pending;
    }

    private void send(Pending pending) {
        Throwable failedAtStart = null;
        synchronized (lock) {
            if (closed) {
                failedAtStart = Status.CANCELLED.withDescription("orderer client closed").asRuntimeException();
            } else {
                Call call = current;
                if (call == null) {
                    call = new Call();
                    current = call;
                    // With a direct executor a call that cannot start fails inside this line.
                    AtomicBroadcastGrpc.newStub(orderer.channel()).broadcast(call);
                }
                if (call.failure != null) {
                    failedAtStart = call.failure;
                } else {
                    call.unanswered.add(pending);
                    pending.call = call;
                    call.requests.onNext(pending.envelope);
                }
            }
        }
        if (failedAtStart != null) {
            pending.answer.completeExceptionally(failedAtStart);
        }
    }

    /**
     * Gives up on an envelope the caller stopped waiting for. It keeps its place among the
     * unanswered ones (answers are matched by position) and its answer is dropped when it comes.
     * Only when no one waits for any envelope of the stream is it presumed stuck and cancelled:
     * other transactions' envelopes, which the orderer may already have, never fail because one
     * caller ran out of time.
     */
    void abandon(Pending pending) {
        pending.answer.cancel(false);
        synchronized (lock) {
            Call call = pending.call;
            if (call != null && !call.unanswered.isEmpty()
                    && call.unanswered.stream().allMatch(p -> p.answer.isDone())) {
                log.debug("no answer from orderer {} in time and no one waits any more; resetting its broadcast "
                        + "stream", orderer.target());
                cancel(call, "no answer from the orderer in time");
            }
        }
    }

    /** Cancels the stream; unanswered envelopes fail and later sends are refused. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (current != null) {
                cancel(current, "orderer client closed");
            }
        }
    }

    /** Cancels a call; a cancelled call must not be sent on, so later sends open a new one. */
    private void cancel(Call call, String reason) {
        if (current == call) {
            current = null;
        }
        call.requests.cancel(reason, null);
    }

    /**
     * Whether a non-SUCCESS answer concerns only that envelope (the orderer would accept others),
     * as opposed to the orderer's state (unavailable, no such channel, internal error).
     */
    static boolean isAboutTheEnvelope(org.hyperledger.fabric.protos.common.Status status) {
        return status == org.hyperledger.fabric.protos.common.Status.BAD_REQUEST
                || status == org.hyperledger.fabric.protos.common.Status.FORBIDDEN
                || status == org.hyperledger.fabric.protos.common.Status.REQUEST_ENTITY_TOO_LARGE;
    }

    /** One envelope waiting for its answer. */
    static final class Pending {
        final Envelope envelope;
        final CompletableFuture<BroadcastResponse> answer = new CompletableFuture<>();
        Call call;
        int resends;

        Pending(Envelope envelope) {
            this.envelope = envelope;
        }
    }

    /** One gRPC stream and the envelopes sent on it that are still unanswered, oldest first. */
    final class Call implements ClientResponseObserver<Envelope, BroadcastResponse> {
        final ArrayDeque<Pending> unanswered = new ArrayDeque<>();
        ClientCallStreamObserver<Envelope> requests;
        /** The non-SUCCESS answer that ends the stream, if one came. Guarded by the lock. */
        org.hyperledger.fabric.protos.common.Status rejection;
        /** Set when the call has failed; nothing more is sent on it. Guarded by the lock. */
        Throwable failure;

        @Override
        public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
            this.requests = requestStream;
        }

        @Override
        public void onNext(BroadcastResponse response) {
            Pending answered;
            synchronized (lock) {
                answered = unanswered.poll();
                if (response.getStatus() != org.hyperledger.fabric.protos.common.Status.SUCCESS) {
                    rejection = response.getStatus();
                    if (current == this) {
                        current = null; // the orderer ends the stream after this answer
                    }
                }
            }
            if (answered == null) {
                log.warn("orderer {} sent an answer ({}) for no envelope; ignored", orderer.target(), response.getStatus());
                return;
            }
            answered.answer.complete(response);
        }

        @Override
        public void onError(Throwable t) {
            List<Pending> failed = detach(t);
            for (Pending p : failed) {
                p.answer.completeExceptionally(t);
            }
        }

        @Override
        public void onCompleted() {
            org.hyperledger.fabric.protos.common.Status endedBy;
            synchronized (lock) {
                endedBy = rejection;
            }
            List<Pending> left = detach(Status.UNAVAILABLE.withDescription("the orderer ended the stream")
                    .asRuntimeException());
            for (Pending p : left) {
                if (p.answer.isDone()) {
                    continue;
                }
                if (endedBy != null && !isAboutTheEnvelope(endedBy)) {
                    // The orderer is unavailable (or lacks the channel): it will refuse these too,
                    // so let them fail over now instead of being sent, and refused, one by one.
                    p.answer.completeExceptionally(Status.UNAVAILABLE.withDescription("the orderer answered "
                            + endedBy + " to an earlier transaction and closed the stream").asRuntimeException());
                } else if (endedBy != null || p.resends++ < MAX_RESENDS) {
                    // After a rejection of another envelope the orderer did not read what followed:
                    // sending again is free. Otherwise it ended the stream for no reason we know.
                    send(p);
                } else {
                    p.answer.completeExceptionally(Status.INTERNAL.withDescription(
                            "the orderer ended the broadcast stream " + MAX_RESENDS + " times without answering")
                            .asRuntimeException());
                }
            }
        }

        private List<Pending> detach(Throwable why) {
            synchronized (lock) {
                failure = why;
                if (current == this) {
                    current = null;
                }
                List<Pending> left = new ArrayList<>(unanswered);
                unanswered.clear();
                return left;
            }
        }
    }
}
