package dev.weft.handlers.internal;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorserSelector;
import dev.weft.core.InternalApi;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link dev.weft.handlers.PipelineStep#SELECT_ENDORSERS}: asks the gateway's selector for the
 * endorsers, unless an earlier handler has already chosen them. A submit reads the channel config
 * first (the selector resolves a channel-reference policy with it); a selector that cannot use it
 * gets none.
 */
@InternalApi
public final class SelectEndorsers implements Handler {
    private static final Logger log = LoggerFactory.getLogger(SelectEndorsers.class);
    private final Services services;

    public SelectEndorsers(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        if (context.hasEndorsers()) {
            return chain.proceed(context);
        }
        CompletableFuture<Optional<ChannelConfig>> config = context.isEvaluate()
                ? CompletableFuture.completedFuture(Optional.empty())
                : services.configs().get().thenApply(Optional::of).exceptionally(e -> {
                    // Selection can do without it; verification, which cannot, will report the failure.
                    log.debug("selecting endorsers without the config of channel {}: {}", context.channelId(),
                            Futures.unwrap(e).getMessage());
                    return Optional.empty();
                });
        return config
                .thenCompose(c -> services.selector().select(request(context, services, c, Set.of())))
                .thenCompose(peers -> chain.proceed(context.toBuilder().endorsers(peers).build()));
    }

    /** The selection request for a transaction, excluding peers that already failed it. */
    static EndorserSelector.Request request(TxContext context, Services services, Optional<ChannelConfig> config,
            Set<dev.weft.core.Peer> excluded) {
        return new EndorserSelector.Request(context.channelId(), context.chaincode(), context.isEvaluate(),
                services.endorsingPeers(), services.identity().mspId(), context.endorsingOrganizations(),
                context.endorsingPeers(), excluded, Optional.of(context.policy().orElse(ChaincodePolicy.channelDefault())),
                config, services.health());
    }

    @Override
    public String toString() {
        return "SelectEndorsers";
    }
}
