package dev.weft.core;

import java.time.Duration;
import java.util.List;

/**
 * A stage did not finish within its deadline. {@link #stage()} says which: ENDORSE (a peer did not
 * answer), SUBMIT (no orderer answered), COMMIT (no commit event arrived; the transaction may
 * still be committed later). Retryable.
 */
public class TransactionTimeoutException extends TransactionException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public TransactionTimeoutException(TransactionStage stage, Duration timeout, String transactionId,
            List<NodeError> details, Throwable cause) {
        super(stage + " timed out after " + timeout.toMillis() + " ms for transaction " + transactionId,
                transactionId, stage, details, cause, true);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
