package dev.weft.handlers.internal;

import dev.weft.core.CommitException;
import dev.weft.core.CommitStatusException;
import dev.weft.core.CommitStatusSource;
import dev.weft.core.InternalApi;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.ContextKey;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link dev.weft.handlers.PipelineStep#AWAIT_COMMIT}: registers for the transaction's commit
 * event and waits until the event stream is positioned <em>before</em> proceeding to the
 * broadcast, so that the commit cannot be missed however fast it comes; then waits for the commit
 * and adds its status to the result.
 *
 * <ul>
 *   <li>No event stream positioned within the submit timeout: a retryable
 *       {@link CommitStatusException} carrying the stream's recent failures; nothing was broadcast.
 *   <li>A validation code other than VALID: {@link CommitException}.
 *   <li>No commit event within the commit timeout after the broadcast: a
 *       {@link TransactionTimeoutException} at stage COMMIT (the transaction may still commit later).
 * </ul>
 * Both waits are also bounded by what is left of the transaction's budget.
 */
@InternalApi
public final class AwaitCommit implements Handler {
    /**
     * Where to learn the commit from, when not the gateway's shared event streams: a transaction
     * whose application signs its own event-stream request.
     */
    public static final ContextKey<CommitStatusSource> SOURCE = ContextKey.named("weft-commit-source");

    private final Services services;

    public AwaitCommit(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        String txId = context.transactionId();
        CommitStatusSource source = context.get(SOURCE).orElse(services.commits());
        CommitStatusSource.Registration registration = source.register(context.channelId(), txId);
        CompletableFuture<TxResult> committed = positioned(registration, context)
                .thenCompose(ready -> chain.proceed(context))
                .thenCompose(result -> {
                    StageTime time = StageTime.of(context, TransactionStage.COMMIT, context.commitTimeout());
                    return services.scheduler().within(registration.status(), time.limit(),
                            () -> time.timeout(txId, List.of(), null)).thenApply(status -> {
                                if (!status.isValid()) {
                                    throw new CommitException(status);
                                }
                                return result.committed(status);
                            });
                });
        committed.whenComplete((result, error) -> registration.close());
        return committed;
    }

    /** The event stream positioned, within the submit time; otherwise nothing is broadcast. */
    private CompletableFuture<Void> positioned(CommitStatusSource.Registration registration, TxContext context) {
        StageTime time = StageTime.of(context, TransactionStage.SUBMIT, context.submitTimeout());
        return services.scheduler().within(registration.ready(), time.limit(), () -> time.budget() != null
                ? time.timeout(context.transactionId(), registration.recentFailures(), null)
                : new CommitStatusException("no commit events could be received on channel " + context.channelId()
                        + " within " + time.limit().toMillis() + " ms, so transaction " + context.transactionId()
                        + " was not broadcast", context.transactionId(), registration.recentFailures(), null, true));
    }

    @Override
    public String toString() {
        return "AwaitCommit";
    }
}
