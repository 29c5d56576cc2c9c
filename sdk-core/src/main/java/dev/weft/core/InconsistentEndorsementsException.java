package dev.weft.core;

import java.util.List;

/**
 * Endorsers returned different results for the same proposal (their {@code ProposalResponse}
 * payloads differ), so no valid transaction can be built. Usually non-deterministic chaincode or a
 * faulty peer; {@link #details()} names each peer and which group of identical results it gave.
 * Nothing was broadcast.
 */
public class InconsistentEndorsementsException extends TransactionException {
    private static final long serialVersionUID = 1L;

    public InconsistentEndorsementsException(String message, String transactionId, List<NodeError> details) {
        super(message, transactionId, TransactionStage.VALIDATE, details, null, false);
    }
}
