package dev.weft.handlers.internal;

import dev.weft.core.EndorseException;
import dev.weft.core.GrpcChannels;
import dev.weft.core.InternalApi;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;

/**
 * The one place a proposal is sent to a peer's {@code Endorser/ProcessProposal}: for endorsement,
 * evaluation and the gateway's own channel-config reads.
 *
 * <p>The deadline is enforced on the gateway's scheduler (so a test's manual clock drives it): when
 * it passes, the answer fails with DEADLINE_EXCEEDED and the call is cancelled. It is also sent to
 * the peer as the gRPC deadline, so the peer can stop work nobody waits for.
 */
@InternalApi
public final class EndorserCalls {
    private EndorserCalls() {
    }

    /**
     * One unary ProcessProposal call. The returned future completes with the peer's answer, or
     * fails with the gRPC error (DEADLINE_EXCEEDED when the deadline passed first); cancelling it
     * cancels the call.
     */
    public static CompletableFuture<ProposalResponse> send(Peer peer, SignedProposal proposal, Deadline deadline,
            Scheduler scheduler) {
        CompletableFuture<ProposalResponse> answer = new CompletableFuture<>();
        RuntimeException tooLarge = GrpcChannels.checkSize(peer.endpoint(), proposal);
        if (tooLarge != null) {
            answer.completeExceptionally(tooLarge);
            return answer;
        }
        long nanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
        if (nanos <= 0) {
            answer.completeExceptionally(expired(peer));
            return answer;
        }
        Scheduler.Cancellable timer = scheduler.schedule(Duration.ofNanos(nanos),
                () -> answer.completeExceptionally(expired(peer)));
        // Set when gRPC has closed the call; cancelling it then would make its own sendMessage throw
        // (gRPC may close a call that fails fast before processProposal returns, on this thread).
        AtomicBoolean closed = new AtomicBoolean();
        try {
            EndorserGrpc.newStub(peer.channel()).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS).processProposal(proposal,
                    new ClientResponseObserver<SignedProposal, ProposalResponse>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<SignedProposal> call) {
                            answer.whenComplete((r, e) -> {
                                timer.cancel();
                                if (e != null && !closed.get()) {
                                    // Cancelled by the caller or timed out here: the peer's work is not wanted.
                                    call.cancel("no longer waiting for the answer", null);
                                }
                            });
                        }

                        @Override
                        public void onNext(ProposalResponse value) {
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
            // The call was cancelled (by the caller, from another thread) while it was being sent.
            answer.completeExceptionally(e);
        }
        return answer;
    }

    private static RuntimeException expired(Peer peer) {
        return Status.DEADLINE_EXCEEDED.withDescription("no answer from " + peer.name() + " in time").asRuntimeException();
    }

    /**
     * The error for a proposal refused as too large (RESOURCE_EXHAUSTED, from the client's own
     * limit or the peer's), which every peer would refuse: not a peer failure. Null otherwise.
     */
    public static EndorseException tooLarge(String transactionId, SignedProposal proposal, Throwable error) {
        Status status = Status.fromThrowable(error);
        if (status.getCode() != Status.Code.RESOURCE_EXHAUSTED) {
            return null;
        }
        return new EndorseException("the proposal of transaction " + transactionId + " is too large for the peers ("
                + status.getDescription() + "): send less data in the arguments and transient data; nothing was "
                + "endorsed", transactionId, List.of(), error, false);
    }

    /** Whether a call failed because its deadline passed. */
    public static boolean timedOut(Throwable error) {
        return Status.fromThrowable(error).getCode() == Status.Code.DEADLINE_EXCEEDED;
    }
}
