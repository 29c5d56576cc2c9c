package dev.weft.core;

import java.util.List;

/**
 * An endorsement did not verify: its signature is invalid, or the endorser is not a valid member of
 * the channel (unknown MSP, certificate not issued by the MSP's CA, expired). Nothing was broadcast.
 */
public class EndorsementVerificationException extends TransactionException {
    private static final long serialVersionUID = 1L;

    public EndorsementVerificationException(String message, String transactionId, List<NodeError> details) {
        super(message, transactionId, TransactionStage.VALIDATE, details, null, false);
    }
}
