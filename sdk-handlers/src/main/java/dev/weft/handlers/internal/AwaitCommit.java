package dev.weft.handlers.internal;

import dev.weft.core.CommitException;
import dev.weft.core.CommitStatusException;
import dev.weft.core.CommitStatusSource;
import dev.weft.core.InternalApi;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 */
@InternalApi
public final class AwaitCommit implements Handler {
    private final Services services;

    public AwaitCommit(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        String txId = context.transactionId();
        Duration timeout = context.commitTimeout();
        CommitStatusSource.Registration registration = services.commits().register(context.channelId(), txId);
        CompletableFuture<TxResult> committed = positioned(registration, context)
                .thenCompose(ready -> chain.proceed(context))
                .thenCompose(result -> within(registration.status(), timeout, txId).thenApply(status -> {
                    if (!status.isValid()) {
                        throw new CommitException(status);
                    }
                    return result.committed(status);
                }));
        committed.whenComplete((result, error) -> registration.close());
        return committed;
    }

    /** The event stream positioned, within the submit timeout; otherwise nothing is broadcast. */
    private static CompletableFuture<Void> positioned(CommitStatusSource.Registration registration, TxContext context) {
        Duration wait = context.submitTimeout();
        return registration.ready().copy().orTimeout(wait.toNanos(), TimeUnit.NANOSECONDS).exceptionallyCompose(error -> {
            Throwable cause = Futures.unwrap(error);
            return CompletableFuture.failedFuture(cause instanceof TimeoutException
                    ? new CommitStatusException("no commit events could be received on channel " + context.channelId()
                            + " within " + wait.toMillis() + " ms, so transaction " + context.transactionId()
                            + " was not broadcast", context.transactionId(), registration.recentFailures(), cause, true)
                    : cause);
        });
    }

    private static <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout, String txId) {
        return future.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).exceptionallyCompose(error -> {
            Throwable cause = Futures.unwrap(error);
            return CompletableFuture.failedFuture(cause instanceof TimeoutException
                    ? new TransactionTimeoutException(TransactionStage.COMMIT, timeout, txId, List.of(), cause)
                    : cause);
        });
    }

    @Override
    public String toString() {
        return "AwaitCommit";
    }
}
