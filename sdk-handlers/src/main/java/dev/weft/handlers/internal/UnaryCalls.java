package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one place a unary call to a peer is made under a deadline: its endorser's ProcessProposal
 * ({@link EndorserCalls}) and its Gateway service's Evaluate, Endorse, Submit and CommitStatus
 * ({@link PeerGateway}).
 *
 * <p>The deadline is enforced on the gateway's scheduler (so a test's manual clock drives it): when
 * it passes, the answer fails with DEADLINE_EXCEEDED and the call is cancelled. It is also sent to
 * the peer as the gRPC deadline, so the peer can stop work nobody waits for.
 */
@InternalApi
public final class UnaryCalls {
    private UnaryCalls() {
    }

    /** Starts the call on a stub with the given gRPC deadline (nanoseconds from now), answering the observer. */
    @FunctionalInterface
    public interface Invocation<Q, A> {
        void start(Peer peer, long deadlineNanos, StreamObserver<A> observer);
    }

    /**
     * One unary call. The returned future completes with the peer's answer, or fails with the gRPC
     * error (DEADLINE_EXCEEDED when the deadline passed first); cancelling it cancels the call.
     */
    public static <Q, A> CompletableFuture<A> call(Peer peer, Deadline deadline, Scheduler scheduler,
            Invocation<Q, A> invocation) {
        CompletableFuture<A> answer = new CompletableFuture<>();
        long nanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
        if (nanos <= 0) {
            answer.completeExceptionally(expired(peer));
            return answer;
        }
        Scheduler.Cancellable timer = scheduler.schedule(Duration.ofNanos(nanos),
                () -> answer.completeExceptionally(expired(peer)));
        // Set when gRPC has closed the call; cancelling it then would make its own sendMessage throw
        // (gRPC may close a call that fails fast before the stub method returns, on this thread).
        AtomicBoolean closed = new AtomicBoolean();
        try {
            invocation.start(peer, nanos, new ClientResponseObserver<Q, A>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<Q> call) {
                    answer.whenComplete((r, e) -> {
                        timer.cancel();
                        if (e != null && !closed.get()) {
                            // Cancelled by the caller or timed out here: the peer's work is not wanted.
                            call.cancel("no longer waiting for the answer", null);
                        }
                    });
                }

                @Override
                public void onNext(A value) {
                    answer.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    closed.set(true);
                    answer.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    closed.set(true);
                    answer.completeExceptionally(Status.INTERNAL.withDescription("the peer sent no response")
                            .asRuntimeException());
                }
            });
        } catch (RuntimeException e) {
            // The call was cancelled (by the caller, from another thread) while it was being sent,
            // or failed to start: beforeStart may not have run, so the timer is stopped here.
            timer.cancel();
            answer.completeExceptionally(e);
        }
        return answer;
    }

    private static RuntimeException expired(Peer peer) {
        return Status.DEADLINE_EXCEEDED.withDescription("no answer from " + peer.name() + " in time").asRuntimeException();
    }
}
