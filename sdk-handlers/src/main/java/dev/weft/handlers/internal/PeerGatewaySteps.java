package dev.weft.handlers.internal;

import dev.weft.core.CommitException;
import dev.weft.core.CommitStatusException;
import dev.weft.core.EndorseException;
import dev.weft.core.GrpcChannels;
import dev.weft.core.InternalApi;
import dev.weft.core.Peer;
import dev.weft.core.SubmitException;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionStatus;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.hyperledger.fabric.protos.gateway.CommitStatusResponse;
import org.hyperledger.fabric.protos.gateway.EndorseRequest;
import org.hyperledger.fabric.protos.gateway.EvaluateRequest;
import org.hyperledger.fabric.protos.gateway.SignedCommitStatusRequest;
import org.hyperledger.fabric.protos.gateway.SubmitRequest;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in steps that differ when a gateway's transport is {@link dev.weft.handlers.Transport#PEER_GATEWAY}
 * or {@link dev.weft.handlers.Transport#HYBRID}: each holds the direct step it replaces, and runs
 * it for a transaction that goes directly (under HYBRID: one that names its endorsing peers, or
 * whose gateway peers cannot be used). The other steps (signing, CHECK_RESPONSES,
 * VERIFY_SIGNATURES, CHECK_POLICY) are the same for every transport.
 */
@InternalApi
public final class PeerGatewaySteps {
    private static final Logger log = LoggerFactory.getLogger(PeerGatewaySteps.class);

    private PeerGatewaySteps() {
    }

    /** SELECT_ENDORSERS: the gateway peers to use ({@link PeerGateway#CANDIDATES}), or the direct selection. */
    public static final class Select implements Handler {
        private final PeerGateway gateway;
        private final Handler direct;

        public Select(PeerGateway gateway, Handler direct) {
            this.gateway = gateway;
            this.direct = direct;
        }

        @Override
        public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
            boolean named = context.hasEndorsers() || !context.endorsingPeers().isEmpty();
            List<Peer> candidates = named ? List.of() : gateway.candidates();
            if (!candidates.isEmpty()) {
                return chain.proceed(context.toBuilder().put(PeerGateway.CANDIDATES, candidates).build());
            }
            if (gateway.hybrid()) {
                return direct.handle(context, chain);
            }
            String which = context.hasEndorsers() ? context.endorsers().toString() : context.endorsingPeers().toString();
            return CompletableFuture.failedFuture(new EndorseException("the transaction names its endorsing peers "
                    + which + ", which the peer gateway cannot honour: it chooses the endorsers itself. Name endorsing "
                    + "organisations instead, or use transport DIRECT or HYBRID", context.transactionId(),
                    TransactionStage.SELECT, List.of(), null, false));
        }

        @Override
        public String toString() {
            return "PeerGateway.Select";
        }
    }

    /**
     * ENDORSE: for a submit ({@link #forSubmit}) {@code Gateway/Endorse}, the prepared
     * transaction's endorsements taken apart; for an evaluate ({@link #forEvaluate})
     * {@code Gateway/Evaluate}, its result the one response.
     */
    public static final class Endorse implements Handler {
        private final PeerGateway gateway;
        private final Handler directSelect;
        private final Handler direct;
        private final boolean evaluate;

        private Endorse(PeerGateway gateway, Handler directSelect, Handler direct, boolean evaluate) {
            this.gateway = gateway;
            this.directSelect = directSelect;
            this.direct = direct;
            this.evaluate = evaluate;
        }

        public static Endorse forSubmit(PeerGateway gateway, Handler directSelect, Handler direct) {
            return new Endorse(gateway, directSelect, direct, false);
        }

        public static Endorse forEvaluate(PeerGateway gateway, Handler directSelect, Handler direct) {
            return new Endorse(gateway, directSelect, direct, true);
        }

        @Override
        public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
            if (evaluate) {
                EvaluateRequest request = EvaluateRequest.newBuilder().setTransactionId(context.transactionId())
                        .setChannelId(context.channelId()).setProposedTransaction(context.signedProposal())
                        .addAllTargetOrganizations(context.endorsingOrganizations()).build();
                return throughGateway(gateway, directSelect, direct, context, chain, "evaluate",
                        (peer, deadline) -> gateway.evaluate(peer, request, deadline), (ctx, answer) -> {
                            PeerResponse response = new PeerResponse(answer.peer(),
                                    ProposalResponse.newBuilder().setResponse(answer.value().getResult()).build());
                            return ctx.toBuilder().endorsers(List.of(answer.peer())).responses(List.of(response))
                                    .build();
                        });
            }
            EndorseRequest request = EndorseRequest.newBuilder().setTransactionId(context.transactionId())
                    .setChannelId(context.channelId()).setProposedTransaction(context.signedProposal())
                    .addAllEndorsingOrganizations(context.endorsingOrganizations()).build();
            return throughGateway(gateway, directSelect, direct, context, chain, "endorse",
                    (peer, deadline) -> gateway.endorse(peer, request, deadline), (ctx, answer) -> {
                        List<PeerResponse> responses = PeerGateway.endorsements(answer.peer(), ctx.proposal(),
                                answer.value().getPreparedTransaction());
                        return ctx.toBuilder().put(PeerGateway.VIA, answer.peer())
                                .endorsers(responses.stream().map(PeerResponse::peer).toList()).responses(responses)
                                .build();
                    });
        }

        @Override
        public String toString() {
            return evaluate ? "PeerGateway.Endorse(evaluate)" : "PeerGateway.Endorse";
        }
    }

    /**
     * The ENDORSE step of either kind: directly when SELECT_ENDORSERS chose no gateway peers; else
     * the call to the candidates within the endorse (or evaluate) timeout, its answer made into
     * the context the next steps read. Under HYBRID, when no gateway peer could be used, the
     * built-in direct selection and the direct step run instead.
     */
    private static <R> CompletableFuture<TxResult> throughGateway(PeerGateway gateway, Handler directSelect,
            Handler direct, TxContext context, Handler.Chain chain, String what,
            BiFunction<Peer, Deadline, CompletableFuture<R>> call,
            BiFunction<TxContext, PeerGateway.Answer<R>, TxContext> answered) {
        List<Peer> candidates = context.get(PeerGateway.CANDIDATES).orElse(null);
        if (candidates == null) {
            return direct.handle(context, chain);
        }
        RuntimeException tooLarge = GrpcChannels.checkSize(candidates.get(0).endpoint(), context.signedProposal());
        if (tooLarge != null) {
            return CompletableFuture.failedFuture(EndorserCalls.tooLarge(context.transactionId(),
                    context.signedProposal(), tooLarge));
        }
        StageTime time = StageTime.of(context, TransactionStage.ENDORSE, context.endorseTimeout());
        Deadline deadline = time.deadline(gateway.services().scheduler());
        return gateway.ask(candidates, deadline, true, true, context, call)
                .handle((answer, error) -> {
                    if (error == null) {
                        return chain.proceed(answered.apply(context, answer));
                    }
                    Throwable cause = Futures.unwrap(error);
                    if (cause instanceof PeerGateway.Unusable unusable && !unusable.timedOut() && gateway.hybrid()) {
                        log.debug("transaction {}: no gateway peer could {} it ({}); going directly",
                                context.transactionId(), what, unusable.errors());
                        long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
                        if (left <= 0) {
                            return CompletableFuture.<TxResult>failedFuture(time.timeout(context.transactionId(),
                                    unusable.errors(), null));
                        }
                        // The direct step has what is left of this stage's time, not a fresh timeout.
                        TxContext directly = context.toBuilder().put(PeerGateway.CANDIDATES, null)
                                .endorseTimeout(Duration.ofNanos(left)).build();
                        return directSelect.handle(directly, selected -> direct.handle(selected, chain));
                    }
                    return CompletableFuture.<TxResult>failedFuture(endorseFailure(context, time, cause, what));
                })
                .thenCompose(f -> f);
    }

    /** An Endorse or Evaluate that failed, as the error the direct steps would give in its place. */
    private static Throwable endorseFailure(TxContext context, StageTime time, Throwable cause, String what) {
        String txId = context.transactionId();
        if (cause instanceof PeerGateway.Unusable unusable) {
            if (unusable.timedOut()) {
                return time.timeout(txId, unusable.errors(), null);
            }
            return new EndorseException("no peer's Gateway service could " + what + " transaction " + txId + " ("
                    + context.chaincode() + "." + context.function() + "): "
                    + unusable.firstError()
                    + (unusable.noService() ? "; transport HYBRID would " + what + " directly" : ""),
                    txId, unusable.errors(), null, unusable.retryable());
        }
        if (cause instanceof PeerGateway.Refused refused) {
            Status.Code code = refused.status().getCode();
            return new EndorseException("peer gateway " + refused.peer().name() + " could not " + what + " transaction "
                    + txId + " (" + context.chaincode() + "." + context.function() + "): " + refused.summary(),
                    txId, refused.details(), refused.getCause(), code == Status.Code.UNAVAILABLE);
        }
        return cause;
    }

    /**
     * CHECK_POLICY: for a transaction endorsed through a peer whose application gave no policy,
     * nothing to check against: the peer planned the endorsement from the chaincode's actual
     * policy, which the client does not know (the channel default, which the direct step assumes,
     * would refuse an OR policy's valid endorsements); the committing peers judge it. A policy the
     * application gave is checked as on the direct path.
     */
    public static final class CheckPolicy implements Handler {
        private final Handler direct;

        public CheckPolicy(Handler direct) {
            this.direct = direct;
        }

        @Override
        public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
            if (context.get(PeerGateway.VIA).isPresent() && context.policy().isEmpty()) {
                return chain.proceed(context);
            }
            return direct.handle(context, chain);
        }

        @Override
        public String toString() {
            return "PeerGateway.CheckPolicy";
        }
    }

    /**
     * AWAIT_COMMIT: for a transaction endorsed through a peer, proceeds to the submit, then asks
     * {@code Gateway/CommitStatus} (which waits for the commit) of that peer, or another if it
     * cannot be reached. A transaction that went directly, or whose application signs its own
     * commit-status request (the staged API without a signer), waits on the event streams.
     */
    public static final class AwaitCommit implements Handler {
        private final PeerGateway gateway;
        private final Handler direct;

        public AwaitCommit(PeerGateway gateway, Handler direct) {
            this.gateway = gateway;
            this.direct = direct;
        }

        @Override
        public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
            Peer via = context.get(PeerGateway.VIA).orElse(null);
            if (via == null || gateway.services().signer() == null
                    || context.get(dev.weft.handlers.internal.AwaitCommit.SOURCE).isPresent()) {
                return direct.handle(context, chain);
            }
            String txId = context.transactionId();
            SignedCommitStatusRequest request = gateway.commitStatusRequest(context);
            return chain.proceed(context).thenCompose(result -> {
                StageTime time = StageTime.of(context, TransactionStage.COMMIT, context.commitTimeout());
                return gateway.ask(gateway.startingWith(via, context), time.deadline(gateway.services().scheduler()),
                                false, true, context, (peer, deadline) -> gateway.commitStatus(peer, request, deadline))
                        .handle((answer, error) -> {
                            if (error != null) {
                                throw Futures.asCompletion(commitFailure(txId, time, Futures.unwrap(error)));
                            }
                            CommitStatusResponse response = answer.value();
                            TransactionStatus status = new TransactionStatus(txId, response.getBlockNumber(), -1,
                                    response.getResultValue());
                            if (!status.isValid()) {
                                throw new CommitException(status);
                            }
                            return result.committed(status);
                        });
            });
        }

        private static Throwable commitFailure(String txId, StageTime time, Throwable cause) {
            if (cause instanceof PeerGateway.Unusable unusable) {
                if (unusable.timedOut()) {
                    return time.timeout(txId, unusable.errors(), null);
                }
                return new CommitStatusException("no peer's Gateway service could tell the commit status of "
                        + "transaction " + txId + ", which was submitted and may still commit: "
                        + unusable.firstError(), txId,
                        unusable.errors(), null, true);
            }
            if (cause instanceof PeerGateway.Refused refused) {
                return new CommitStatusException("peer gateway " + refused.peer().name() + " could not tell the commit "
                        + "status of transaction " + txId + ": " + refused.summary(), txId,
                        refused.details(), refused.getCause(), true);
            }
            return cause;
        }

        @Override
        public String toString() {
            return "PeerGateway.AwaitCommit";
        }
    }

    /**
     * BROADCAST: for a transaction endorsed through a peer, {@code Gateway/Submit} to that peer,
     * or another if it cannot be reached; the peer hands it to an orderer.
     */
    public static final class Broadcast implements Handler {
        private final PeerGateway gateway;
        private final Handler direct;

        public Broadcast(PeerGateway gateway, Handler direct) {
            this.gateway = gateway;
            this.direct = direct;
        }

        @Override
        public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
            Peer via = context.get(PeerGateway.VIA).orElse(null);
            if (via == null) {
                return direct.handle(context, chain);
            }
            String txId = context.transactionId();
            if (Cancellation.isCancelled(context)) {
                return CompletableFuture.failedFuture(new CancellationException("transaction " + txId
                        + " was cancelled before it was submitted; nothing was sent"));
            }
            StageTime time = StageTime.of(context, TransactionStage.SUBMIT, context.submitTimeout());
            SubmitRequest request = SubmitRequest.newBuilder().setTransactionId(txId).setChannelId(context.channelId())
                    .setPreparedTransaction(context.envelope()).build();
            // Not cancellable once sent: whether it was ordered would be unknown (as a direct broadcast).
            return gateway.ask(gateway.startingWith(via, context), time.deadline(gateway.services().scheduler()), true,
                            false, context, (peer, deadline) -> gateway.submit(peer, request, deadline))
                    .handle((answer, error) -> {
                        if (error != null) {
                            throw Futures.asCompletion(submitFailure(txId, time, Futures.unwrap(error)));
                        }
                        return TxResult.of(txId, context.responses().get(0).response().getResponse().getPayload())
                                .submittedThrough(answer.peer());
                    });
        }

        private static Throwable submitFailure(String txId, StageTime time, Throwable cause) {
            if (cause instanceof PeerGateway.Unusable unusable) {
                if (unusable.timedOut()) {
                    return time.timeout(txId, unusable.errors(), null);
                }
                return new SubmitException("no peer's Gateway service could take transaction " + txId
                        + " for ordering: " + unusable.firstError(), txId, unusable.errors(),
                        null, unusable.retryable());
            }
            if (cause instanceof PeerGateway.Refused refused) {
                return new SubmitException("peer gateway " + refused.peer().name() + " could not have transaction "
                        + txId + " ordered: " + refused.summary(), txId, refused.details(),
                        refused.getCause(), refused.status().getCode() == Status.Code.UNAVAILABLE);
            }
            return cause;
        }

        @Override
        public String toString() {
            return "PeerGateway.Broadcast";
        }
    }
}
