package dev.weft.handlers.internal;

import dev.weft.core.ChannelConfig;
import dev.weft.core.ConnectionException;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorserSelector;
import dev.weft.core.GrpcChannels;
import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStage;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import io.grpc.Deadline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link dev.weft.handlers.PipelineStep#ENDORSE} of a submit: sends the signed proposal to every
 * selected endorser in parallel and collects the answers, all within the endorse timeout (or what
 * is left of the transaction's budget, if less).
 *
 * <p>Peers that cannot be reached (a gRPC error) are marked in the peer health record and the
 * selector is asked again with them excluded; the replacements are asked, answers already
 * received are kept. A peer that does not answer in time fails the step with a timeout, and is
 * marked too, so that later transactions avoid it.
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
        StageTime time = StageTime.of(context, TransactionStage.ENDORSE, context.endorseTimeout());
        return new Endorsement(context, time).round(context.endorsers())
                .thenCompose(r -> chain.proceed(context.toBuilder().responses(r).build()));
    }

    /** The parallel endorsement of a submit, in rounds while failed peers can be replaced. */
    private final class Endorsement {
        final TxContext context;
        final StageTime time;
        final Deadline deadline;
        final String transactionId;
        final Map<Peer, PeerResponse> answered = new LinkedHashMap<>();
        final Set<Peer> failed = new LinkedHashSet<>();
        final List<NodeError> errors = new ArrayList<>();
        /** Whether any failure may pass on a retry; false when every peer refused for good (e.g. TLS). */
        boolean anyRetryable;

        Endorsement(TxContext context, StageTime time) {
            this.context = context;
            this.time = time;
            this.deadline = time.deadline(services.scheduler());
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
                CompletableFuture<ProposalResponse> call = EndorserCalls.send(peer, context.signedProposal(), deadline,
                        services.scheduler());
                Cancellation.onCancel(context, () -> call.cancel(false));
                calls.add(call);
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
                    EndorseException tooLarge = EndorserCalls.tooLarge(transactionId, context.signedProposal(), error);
                    if (tooLarge != null) {
                        return CompletableFuture.failedFuture(tooLarge);
                    }
                    errors.add(NodeError.fromFailure(peer, error));
                    ConnectionException connection = GrpcChannels.describeConnectionFailure(peer.endpoint(), error);
                    anyRetryable |= connection == null || connection.retryable(); // null: not a connection failure
                    services.health().failed(peer);
                    if (EndorserCalls.timedOut(error)) {
                        anyTimeout = true;
                    } else {
                        newlyFailed.add(peer);
                    }
                }
                failed.addAll(newlyFailed);
            }
            if (anyTimeout || (!newlyFailed.isEmpty() && deadline.isExpired())) {
                return CompletableFuture.failedFuture(time.timeout(transactionId, snapshot(), null));
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
            log.debug("transaction {}: peers {} could not endorse; selecting replacements", transactionId, newlyFailed);
            return services.configs().get().thenApply(Optional::of).exceptionally(e -> Optional.<ChannelConfig>empty())
                    .thenCompose(config -> {
                        EndorserSelector.Request request = SelectEndorsers.request(context, services, false, config,
                                Set.copyOf(failed));
                        return services.selector().select(request);
                    })
                    .handle((replacement, selectionError) -> {
                        if (selectionError != null) {
                            Throwable cause = Futures.unwrap(selectionError);
                            return CompletableFuture.<List<PeerResponse>>failedFuture(new EndorseException(
                                    "transaction " + transactionId + " could not be endorsed: " + snapshot().get(0)
                                            + "; the peers that failed cannot be replaced (" + cause.getMessage() + ")",
                                    transactionId, snapshot(), cause, retryable()));
                        }
                        return round(replacement);
                    })
                    .thenCompose(f -> f);
        }

        private synchronized boolean retryable() {
            return anyRetryable;
        }

        private synchronized List<NodeError> snapshot() {
            return List.copyOf(errors);
        }

    }

    @Override
    public String toString() {
        return "Endorse";
    }
}
