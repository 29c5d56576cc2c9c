package dev.weft.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A stage did not finish within its time. {@link #stage()} says which: SELECT (no endorsers chosen),
 * ENDORSE (a peer did not answer), VALIDATE (the channel config could not be read in time), SUBMIT
 * (no orderer answered), COMMIT (no commit event arrived; the transaction may still be committed
 * later). Two limits apply to a stage: its own timeout, and the rest of the transaction's overall
 * time budget when the caller set one; {@link #budget()} tells when it was the budget that ran
 * out. Retryable.
 */
public class TransactionTimeoutException extends TransactionException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final Duration budget;

    /** The stage's own timeout ran out. */
    public TransactionTimeoutException(TransactionStage stage, Duration timeout, String transactionId,
            List<NodeError> details, Throwable cause) {
        this(stage, timeout, null, transactionId, details, cause);
    }

    /**
     * A stage ran out of time.
     *
     * @param timeout how long the stage was allowed
     * @param budget the transaction's overall time budget, if that is what ran out (the stage's
     *     own timeout was longer than what was left of it); null if the stage's timeout ran out
     */
    public TransactionTimeoutException(TransactionStage stage, Duration timeout, Duration budget, String transactionId,
            List<NodeError> details, Throwable cause) {
        super(stage + " timed out after " + timeout.toMillis() + " ms" + (transactionId == null || transactionId.isEmpty()
                ? "" : " for transaction " + transactionId) + (budget == null ? ""
                : ": the transaction's time budget of " + budget.toMillis() + " ms ran out in this stage"),
                transactionId, stage, details, cause, true);
        this.timeout = timeout;
        this.budget = budget;
    }

    /** How long the stage was allowed. */
    public Duration timeout() {
        return timeout;
    }

    /** The transaction's overall time budget, when it is what ran out in this stage. */
    public Optional<Duration> budget() {
        return Optional.ofNullable(budget);
    }
}
