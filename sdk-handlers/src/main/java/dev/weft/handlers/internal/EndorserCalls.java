package dev.weft.handlers.internal;

import dev.weft.core.EndorseException;
import dev.weft.core.GrpcChannels;
import dev.weft.core.InternalApi;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import io.grpc.Deadline;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;

/**
 * The one place a proposal is sent to a peer's {@code Endorser/ProcessProposal}: for endorsement,
 * evaluation and the gateway's own channel-config reads. Its deadline works as {@link UnaryCalls}
 * says.
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
        RuntimeException tooLarge = GrpcChannels.checkSize(peer.endpoint(), proposal);
        if (tooLarge != null) {
            return CompletableFuture.failedFuture(tooLarge);
        }
        return UnaryCalls.<SignedProposal, ProposalResponse>call(peer, deadline, scheduler, (p, nanos, observer) ->
                EndorserGrpc.newStub(p.channel()).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS)
                        .processProposal(proposal, observer));
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
