package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * {@link dev.weft.handlers.PipelineStep#BROADCAST}, the last step of a submit: hands the signed
 * transaction to the ordering service, within the submit timeout (or what is left of the
 * transaction's budget), and produces the (not yet committed) result.
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
        if (Cancellation.isCancelled(context)) {
            return CompletableFuture.failedFuture(new CancellationException("transaction " + txId
                    + " was cancelled before it was broadcast; nothing was sent"));
        }
        StageTime time = StageTime.of(context, TransactionStage.SUBMIT, context.submitTimeout());
        return services.orderers().broadcast(context.envelope(), txId, time.limit())
                .exceptionallyCompose(error -> {
                    Throwable cause = Futures.unwrap(error);
                    // The orderer client knows only the time it was given; say when that was the budget's rest.
                    if (cause instanceof TransactionTimeoutException t && time.budget() != null) {
                        return CompletableFuture.failedFuture(time.timeout(txId, t.details(), t.getCause()));
                    }
                    return CompletableFuture.failedFuture(cause);
                })
                .thenApply(orderer -> TxResult.of(txId, context.responses().get(0).response().getResponse().getPayload())
                        .submittedTo(orderer));
    }

    @Override
    public String toString() {
        return "Broadcast";
    }
}
