package dev.weft.handlers.internal;

import dev.weft.core.EndorseException;
import dev.weft.core.InternalApi;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.concurrent.CompletableFuture;

/**
 * {@link dev.weft.handlers.PipelineStep#CHECK_RESPONSES} of an evaluate, its last step: the one
 * answer must have a status of 200–399 (else the chaincode's message is the error); its payload
 * is the result. Nothing follows it.
 */
@InternalApi
public final class EvaluationResult implements Handler {

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        EndorseException refused = CheckResponses.refusal(context);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        return CompletableFuture.completedFuture(TxResult.of(context.transactionId(),
                context.responses().get(0).response().getResponse().getPayload()));
    }

    @Override
    public String toString() {
        return "EvaluationResult";
    }
}
