package dev.weft.core;

import java.util.List;

/**
 * The valid endorsements collected do not satisfy the chaincode's endorsement policy, so the
 * transaction would be committed as ENDORSEMENT_POLICY_FAILURE. Nothing was broadcast. Retryable:
 * more peers may answer next time.
 */
public class PolicyNotSatisfiedException extends TransactionException {
    private static final long serialVersionUID = 1L;

    public PolicyNotSatisfiedException(String message, String transactionId, List<NodeError> details) {
        super(message, transactionId, TransactionStage.VALIDATE, details, null, true);
    }
}
