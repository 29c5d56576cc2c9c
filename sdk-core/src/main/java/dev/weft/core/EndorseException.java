package dev.weft.core;

import java.util.List;

/**
 * Endorsement failed: no suitable peers could be selected (stage SELECT), or a peer could not be
 * reached or rejected the proposal, or the chaincode returned an error (status 400 and up; its
 * message is in {@link #details()}). Retryable when only transport failures occurred.
 */
public class EndorseException extends TransactionException {
    private static final long serialVersionUID = 1L;

    public EndorseException(String message, String transactionId, List<NodeError> details, Throwable cause,
            boolean retryable) {
        this(message, transactionId, TransactionStage.ENDORSE, details, cause, retryable);
    }

    /** An endorsement failure at another stage than ENDORSE, such as SELECT. */
    public EndorseException(String message, String transactionId, TransactionStage stage, List<NodeError> details,
            Throwable cause, boolean retryable) {
        super(message, transactionId, stage, details, cause, retryable);
    }
}
