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
 * what was sent after the rejected envelope; those envelopes are sent again on a new stream. When
 * the stream fails (transport error, cancellation), every unanswered envelope fails with that
 * error: the orderer may or may not have received it, and the caller decides whether to try
 * another orderer.
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
     * stream failed before answering. Cancelling the future does not unsend the envelope, but it
     * is not sent again and, if still unanswered, the stream is reset (see {@link #abandon}).
     */
    Pending send(Envelope envelope) {
        Pending pending = new Pending(envelope);
        send(pending);
        return pending;
    }

    private void send(Pending pending) {
        synchronized (lock) {
            if (closed) {
                pending.answer.completeExceptionally(Status.CANCELLED.withDescription("orderer client closed")
                        .asRuntimeException());
                return;
            }
            if (current == null) {
                current = new Call();
                AtomicBroadcastGrpc.newStub(orderer.channel()).broadcast(current);
            }
            current.unanswered.add(pending);
            pending.call = current;
            current.requests.onNext(pending.envelope);
        }
    }

    /**
     * Gives up on an envelope the caller stopped waiting for. If the orderer has not answered it,
     * the stream is presumed stuck and is cancelled; its other envelopes fail and the next send
     * opens a new stream.
     */
    void abandon(Pending pending) {
        pending.answer.cancel(false);
        synchronized (lock) {
            Call call = pending.call;
            if (call != null && call.unanswered.contains(pending)) {
                log.debug("no answer from orderer {} in time; resetting its broadcast stream", orderer.target());
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
        /** Whether the orderer rejected an envelope, which ends the stream. Guarded by the lock. */
        boolean rejected;

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
                    rejected = true;
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
            List<Pending> failed = detach();
            for (Pending p : failed) {
                p.answer.completeExceptionally(t);
            }
        }

        @Override
        public void onCompleted() {
            boolean endedByRejection;
            synchronized (lock) {
                endedByRejection = rejected;
            }
            List<Pending> left = detach();
            for (Pending p : left) {
                if (p.answer.isDone()) {
                    continue;
                }
                // After a rejection the orderer did not read what followed: sending again is free.
                // Otherwise it ended the stream for no reason we know, which may repeat.
                if (endedByRejection || p.resends++ < MAX_RESENDS) {
                    send(p);
                } else {
                    p.answer.completeExceptionally(Status.INTERNAL.withDescription(
                            "the orderer ended the broadcast stream " + MAX_RESENDS + " times without answering")
                            .asRuntimeException());
                }
            }
        }

        private List<Pending> detach() {
            synchronized (lock) {
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
