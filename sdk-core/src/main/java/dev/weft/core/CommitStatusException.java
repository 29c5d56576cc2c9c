package dev.weft.core;

import java.util.List;

/**
 * The commit status of a transaction could not be learned: the event stream failed and could not
 * be re-established. If this happened after the broadcast, the transaction may or may not have
 * been committed: retry carefully (a new submit of the same envelope would be a DUPLICATE_TXID),
 * and {@link #retryable()} is false. If no event stream could be set up before the broadcast,
 * nothing was sent and it is retryable.
 */
public class CommitStatusException extends TransactionException {
    private static final long serialVersionUID = 1L;

    public CommitStatusException(String message, String transactionId, List<NodeError> details, Throwable cause) {
        this(message, transactionId, details, cause, false);
    }

    public CommitStatusException(String message, String transactionId, List<NodeError> details, Throwable cause,
            boolean retryable) {
        super(message, transactionId, TransactionStage.COMMIT, details, cause, retryable);
    }
}
