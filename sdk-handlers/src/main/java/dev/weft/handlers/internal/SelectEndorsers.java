package dev.weft.handlers.internal;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorserSelector;
import dev.weft.core.InternalApi;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStage;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link dev.weft.handlers.PipelineStep#SELECT_ENDORSERS}: asks the gateway's selector for the
 * endorsers, unless an earlier handler has already chosen them. For a submit ({@link #forSubmit})
 * the channel config is read first (the selector resolves a channel-reference policy with it; a
 * selector that cannot use it gets none); for an evaluate ({@link #forEvaluate}) the selector
 * returns candidates in order of preference and no config is needed. Selection is bounded by the
 * transaction's overall deadline only.
 */
@InternalApi
public final class SelectEndorsers implements Handler {
    private static final Logger log = LoggerFactory.getLogger(SelectEndorsers.class);
    private final Services services;
    private final boolean evaluate;

    private SelectEndorsers(Services services, boolean evaluate) {
        this.services = services;
        this.evaluate = evaluate;
    }

    /** The endorsing set of a submit. */
    public static SelectEndorsers forSubmit(Services services) {
        return new SelectEndorsers(services, false);
    }

    /** The candidates of an evaluate, in order of preference. */
    public static SelectEndorsers forEvaluate(Services services) {
        return new SelectEndorsers(services, true);
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        if (context.hasEndorsers()) {
            return chain.proceed(context);
        }
        CompletableFuture<Optional<ChannelConfig>> config = evaluate
                ? CompletableFuture.completedFuture(Optional.empty())
                : services.configs().get().thenApply(Optional::of).exceptionally(e -> {
                    // Selection can do without it; verification, which cannot, will report the failure.
                    log.debug("selecting endorsers without the config of channel {}: {}", context.channelId(),
                            Futures.unwrap(e).getMessage());
                    return Optional.empty();
                });
        CompletableFuture<List<Peer>> selected = config
                .thenCompose(c -> services.selector().select(request(context, services, evaluate, c, Set.of())));
        return StageTime.unbounded(context, TransactionStage.SELECT)
                .bound(selected, services.scheduler(), context.transactionId())
                .thenCompose(peers -> chain.proceed(context.toBuilder().endorsers(peers).build()));
    }

    /** The selection request for a transaction, excluding peers that already failed it. */
    static EndorserSelector.Request request(TxContext context, Services services, boolean evaluate,
            Optional<ChannelConfig> config, Set<Peer> excluded) {
        return new EndorserSelector.Request(context.channelId(), context.chaincode(), evaluate,
                services.endorsingPeers(), services.identity().mspId(), context.endorsingOrganizations(),
                context.endorsingPeers(), excluded, Optional.of(context.policy().orElse(ChaincodePolicy.channelDefault())),
                config, services.health(), context.interest());
    }

    @Override
    public String toString() {
        return evaluate ? "SelectEndorsers(evaluate)" : "SelectEndorsers";
    }
}
