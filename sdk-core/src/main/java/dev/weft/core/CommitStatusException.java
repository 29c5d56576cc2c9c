package dev.weft.core;

import java.util.List;

/**
 * The commit status of a transaction could not be learned: the event stream failed and could not
 * be re-established. The transaction may or may not have been committed; retry carefully (a new
 * submit of the same envelope would be a DUPLICATE_TXID).
 */
public class CommitStatusException extends TransactionException {
    private static final long serialVersionUID = 1L;

    public CommitStatusException(String message, String transactionId, List<NodeError> details, Throwable cause) {
        super(message, transactionId, TransactionStage.COMMIT, details, cause, false);
    }
}
