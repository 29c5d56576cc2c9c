package dev.weft.core;

import java.util.List;

/**
 * No orderer accepted the transaction: one rejected it (BAD_REQUEST, FORBIDDEN: not retryable) or
 * none could be reached or was available (retryable). {@link #details()} has each orderer's answer.
 */
public class SubmitException extends TransactionException {
    private static final long serialVersionUID = 1L;

    public SubmitException(String message, String transactionId, List<NodeError> details, Throwable cause,
            boolean retryable) {
        super(message, transactionId, TransactionStage.SUBMIT, details, cause, retryable);
    }
}
