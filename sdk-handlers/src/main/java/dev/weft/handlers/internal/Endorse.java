package dev.weft.handlers.internal;

import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorserSelector;
import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link dev.weft.handlers.PipelineStep#ENDORSE}: sends the signed proposal and collects answers,
 * all within the context's endorse timeout.
 *
 * <p>A submit goes to every selected endorser in parallel. Peers that cannot be reached (a gRPC
 * error) are marked in the peer health record and the selector is asked again with them excluded;
 * the replacements are asked, answers already received are kept. A peer that does not answer in
 * time fails the step with a timeout, and is marked too, so that later transactions avoid it.
 *
 * <p>An evaluate asks its candidates one at a time, in order, and uses the first answer. Each
 * attempt but the last gets half of the time left, so that a hung first peer still leaves time to
 * ask the next. Any answer counts here, whatever its status: judging it is the next step's job.
 */
@InternalApi
public final class Endorse implements Handler {
    private static final Logger log = LoggerFactory.getLogger(Endorse.class);

    private final Services services;

    public Endorse(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        Deadline deadline = Deadline.after(context.endorseTimeout().toNanos(), TimeUnit.NANOSECONDS);
        CompletableFuture<List<PeerResponse>> responses = context.isEvaluate()
                ? new Evaluation(context, deadline).next(0)
                : new Endorsement(context, deadline).round(context.endorsers());
        return responses.thenCompose(r -> chain.proceed(context.toBuilder().responses(r).build()));
    }

    /** One unary ProcessProposal call, cancelled if the returned future or the transaction is cancelled. */
    static CompletableFuture<ProposalResponse> send(Peer peer, SignedProposal proposal, Deadline deadline,
            CompletableFuture<Void> cancelled) {
        CompletableFuture<ProposalResponse> answer = new CompletableFuture<>();
        cancelled.thenRun(() -> answer.cancel(false));
        EndorserGrpc.newStub(peer.channel()).withDeadline(deadline).processProposal(proposal,
                new ClientResponseObserver<SignedProposal, ProposalResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<SignedProposal> call) {
                        answer.whenComplete((r, e) -> {
                            if (answer.isCancelled()) {
                                call.cancel("the transaction was cancelled", null);
                            }
                        });
                    }

                    @Override
                    public void onNext(ProposalResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(Status.INTERNAL.withDescription("the peer sent no response")
                                .asRuntimeException());
                    }
                });
        return answer;
    }

    private static boolean timedOut(Throwable error) {
        return Status.fromThrowable(error).getCode() == Status.Code.DEADLINE_EXCEEDED;
    }

    /** The parallel endorsement of a submit, in rounds while failed peers can be replaced. */
    private final class Endorsement {
        final TxContext context;
        final Deadline deadline;
        final String transactionId;
        final Map<Peer, PeerResponse> answered = new LinkedHashMap<>();
        final Set<Peer> failed = new LinkedHashSet<>();
        final List<NodeError> errors = new ArrayList<>();

        Endorsement(TxContext context, Deadline deadline) {
            this.context = context;
            this.deadline = deadline;
            this.transactionId = context.transactionId();
        }

        CompletableFuture<List<PeerResponse>> round(List<Peer> endorsers) {
            List<Peer> asking = new ArrayList<>();
            List<CompletableFuture<ProposalResponse>> calls = new ArrayList<>();
            synchronized (this) {
                for (Peer peer : endorsers) {
                    if (!answered.containsKey(peer)) {
                        asking.add(peer);
                    }
                }
            }
            for (Peer peer : asking) {
                log.debug("endorsing transaction {} on {}", transactionId, peer);
                calls.add(send(peer, context.signedProposal(), deadline, Cancellation.of(context)));
            }
            return CompletableFuture.allOf(calls.stream().map(c -> c.handle((r, e) -> null)).toArray(CompletableFuture[]::new))
                    .thenCompose(ignored -> afterRound(endorsers, asking, calls));
        }

        private CompletableFuture<List<PeerResponse>> afterRound(List<Peer> endorsers, List<Peer> asked,
                List<CompletableFuture<ProposalResponse>> calls) {
            boolean anyTimeout = false;
            Set<Peer> newlyFailed = new LinkedHashSet<>();
            synchronized (this) {
                for (int i = 0; i < asked.size(); i++) {
                    Peer peer = asked.get(i);
                    CompletableFuture<ProposalResponse> call = calls.get(i);
                    // Every call has completed (allOf above): getNow never waits.
                    Throwable error = call.handle((r, e) -> e).getNow(null);
                    if (error == null) {
                        answered.put(peer, new PeerResponse(peer, call.getNow(null)));
                        services.health().succeeded(peer);
                        continue;
                    }
                    errors.add(NodeError.fromFailure(peer.target(), peer.mspId(), error));
                    services.health().failed(peer);
                    if (timedOut(error)) {
                        anyTimeout = true;
                    } else {
                        newlyFailed.add(peer);
                    }
                }
                failed.addAll(newlyFailed);
            }
            if (anyTimeout) {
                return CompletableFuture.failedFuture(new TransactionTimeoutException(TransactionStage.ENDORSE,
                        context.endorseTimeout(), transactionId, List.copyOf(errors), null));
            }
            if (newlyFailed.isEmpty()) {
                List<PeerResponse> result = new ArrayList<>();
                synchronized (this) {
                    for (Peer peer : endorsers) {
                        result.add(answered.get(peer));
                    }
                }
                return CompletableFuture.completedFuture(result);
            }
            if (deadline.isExpired()) {
                return CompletableFuture.failedFuture(new TransactionTimeoutException(TransactionStage.ENDORSE,
                        context.endorseTimeout(), transactionId, List.copyOf(errors), null));
            }
            log.debug("transaction {}: peers {} could not endorse; selecting replacements", transactionId, newlyFailed);
            return services.configs().get().thenApply(Optional::of).exceptionally(e -> Optional.<ChannelConfig>empty())
                    .thenCompose(config -> {
                        EndorserSelector.Request request = SelectEndorsers.request(context, services, config, Set.copyOf(failed));
                        return services.selector().select(request);
                    })
                    .handle((replacement, selectionError) -> {
                        if (selectionError != null) {
                            return CompletableFuture.<List<PeerResponse>>failedFuture(new EndorseException(
                                    "transaction " + transactionId + " could not be endorsed: the peers that failed "
                                            + "cannot be replaced (" + Futures.unwrap(selectionError).getMessage() + ")",
                                    transactionId, List.copyOf(errors), Futures.unwrap(selectionError), true));
                        }
                        return round(replacement);
                    })
                    .thenCompose(f -> f);
        }
    }

    /** The sequential attempts of an evaluate: the first candidate that answers wins. */
    private final class Evaluation {
        final TxContext context;
        final Deadline deadline;
        final List<NodeError> errors = new ArrayList<>();

        Evaluation(TxContext context, Deadline deadline) {
            this.context = context;
            this.deadline = deadline;
        }

        CompletableFuture<List<PeerResponse>> next(int index) {
            List<Peer> candidates = context.endorsers();
            if (index >= candidates.size()) {
                return CompletableFuture.failedFuture(new EndorseException("no peer could evaluate transaction "
                        + context.transactionId() + " (" + context.chaincode() + "." + context.function() + ")",
                        context.transactionId(), List.copyOf(errors), null, true));
            }
            Peer peer = candidates.get(index);
            boolean last = index == candidates.size() - 1;
            long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
            Deadline attempt = last ? deadline : Deadline.after(left / 2, TimeUnit.NANOSECONDS);
            log.debug("evaluating transaction {} on {}", context.transactionId(), peer);
            return send(peer, context.signedProposal(), attempt, Cancellation.of(context)).handle((response, error) -> {
                if (error == null) {
                    services.health().succeeded(peer);
                    return CompletableFuture.completedFuture(List.of(new PeerResponse(peer, response)));
                }
                synchronized (this) {
                    errors.add(NodeError.fromFailure(peer.target(), peer.mspId(), error));
                }
                services.health().failed(peer);
                if (deadline.isExpired() || (last && timedOut(error))) {
                    return CompletableFuture.<List<PeerResponse>>failedFuture(new TransactionTimeoutException(
                            TransactionStage.ENDORSE, context.endorseTimeout(), context.transactionId(),
                            List.copyOf(errors), null));
                }
                return next(index + 1);
            }).thenCompose(f -> f);
        }
    }

    @Override
    public String toString() {
        return "Endorse";
    }
}
