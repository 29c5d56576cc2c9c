package dev.weft.handlers.internal;

import dev.weft.core.EndorseException;
import dev.weft.core.InternalApi;
import dev.weft.core.TransactionStage;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link dev.weft.handlers.PipelineStep#ENDORSE} of an evaluate: asks the candidates one at a
 * time, in order, and uses the first answer, within the evaluate timeout (or what is left of the
 * transaction's budget). Each attempt but the last gets half of the time left, so that a hung
 * first peer still leaves time to ask the next. Any answer counts here, whatever its status:
 * judging it is the next step's job.
 */
@InternalApi
public final class Evaluate implements Handler {
    private static final Logger log = LoggerFactory.getLogger(Evaluate.class);

    private final Services services;

    public Evaluate(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        StageTime time = StageTime.of(context, TransactionStage.ENDORSE, context.endorseTimeout());
        log.debug("evaluating transaction {} on one of {}", context.transactionId(), context.endorsers());
        return OnePeerAtATime.ask(context.endorsers(), context.signedProposal(), time.deadline(services.scheduler()),
                        services.scheduler(), services.health(), (peer, response) -> null,
                        call -> Cancellation.onCancel(context, () -> call.cancel(false)))
                .handle((answer, error) -> {
                    if (error == null) {
                        return chain.proceed(context.toBuilder().responses(List.of(answer)).build());
                    }
                    Throwable cause = Futures.unwrap(error);
                    EndorseException tooLarge = EndorserCalls.tooLarge(context.transactionId(), context.signedProposal(),
                            cause);
                    if (tooLarge != null) {
                        return CompletableFuture.<TxResult>failedFuture(tooLarge);
                    }
                    if (cause instanceof OnePeerAtATime.Exhausted exhausted) {
                        return CompletableFuture.<TxResult>failedFuture(exhausted.timedOut()
                                ? time.timeout(context.transactionId(), exhausted.errors(), null)
                                : new EndorseException("no peer could evaluate transaction " + context.transactionId()
                                        + " (" + context.chaincode() + "." + context.function() + "): "
                                        + (exhausted.errors().isEmpty() ? "no candidate peer" : exhausted.errors().get(0)),
                                        context.transactionId(), exhausted.errors(), null, true));
                    }
                    return CompletableFuture.<TxResult>failedFuture(cause);
                })
                .thenCompose(f -> f);
    }

    @Override
    public String toString() {
        return "Evaluate";
    }
}
