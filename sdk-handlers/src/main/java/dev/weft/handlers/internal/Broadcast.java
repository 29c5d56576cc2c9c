package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * {@link dev.weft.handlers.PipelineStep#BROADCAST}, the last step of a submit: hands the signed
 * transaction to the ordering service and produces the (not yet committed) result.
 */
@InternalApi
public final class Broadcast implements Handler {
    private final Services services;

    public Broadcast(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        String txId = context.transactionId();
        if (Cancellation.of(context).isDone()) {
            return CompletableFuture.failedFuture(new CancellationException("transaction " + txId
                    + " was cancelled before it was broadcast; nothing was sent"));
        }
        return services.orderers().broadcast(context.envelope(), txId, context.submitTimeout())
                .thenApply(orderer -> TxResult.of(txId, context.responses().get(0).response().getResponse().getPayload())
                        .submittedTo(orderer));
    }

    @Override
    public String toString() {
        return "Broadcast";
    }
}
