package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.Scheduler;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.TxContext;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The time one stage of a transaction may take: its own timeout, or less when the transaction's
 * overall deadline comes first. Computed when the stage starts; the timeout error says which of
 * the two ran out.
 *
 * @param stage the stage
 * @param limit how long the stage may take from now
 * @param budget the transaction's overall budget when it is what bounds this stage, else null
 */
@InternalApi
public record StageTime(TransactionStage stage, Duration limit, Duration budget) {

    /** The time for a stage starting now. */
    public static StageTime of(TxContext context, TransactionStage stage, Duration stageTimeout) {
        if (context.deadline().isPresent()) {
            Deadline deadline = context.deadline().get();
            long left = Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
            if (left < stageTimeout.toNanos()) {
                return new StageTime(stage, Duration.ofNanos(left), context.timeout().orElse(Duration.ofNanos(left)));
            }
        }
        return new StageTime(stage, stageTimeout, null);
    }

    /** A stage without a timeout of its own (selection, config reads): only the overall deadline bounds it. */
    public static StageTime unbounded(TxContext context, TransactionStage stage) {
        return of(context, stage, Duration.ofNanos(Long.MAX_VALUE));
    }

    /** Whether a time limit applies at all. */
    public boolean bounded() {
        return limit.toNanos() != Long.MAX_VALUE;
    }

    /** The deadline of the stage on the scheduler's clock. */
    public Deadline deadline(Scheduler scheduler) {
        return scheduler.deadlineAfter(limit);
    }

    public TransactionTimeoutException timeout(String transactionId, List<NodeError> details, Throwable cause) {
        return new TransactionTimeoutException(stage, limit, budget, transactionId, details, cause);
    }

    /** The future, failed with this stage's timeout error if it takes longer than the limit. */
    public <T> CompletableFuture<T> bound(CompletableFuture<T> future, Scheduler scheduler, String transactionId) {
        if (!bounded()) {
            return future;
        }
        return scheduler.within(future, limit, () -> timeout(transactionId, List.of(), null));
    }
}
