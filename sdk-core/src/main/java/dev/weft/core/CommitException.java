package dev.weft.core;

import java.util.List;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * The transaction was committed, but invalid: the peers gave it a validation code other than
 * VALID, so its writes were not applied. Retryable for MVCC_READ_CONFLICT and
 * PHANTOM_READ_CONFLICT, where endorsing again with a new transaction id may succeed.
 */
public class CommitException extends TransactionException {
    private static final long serialVersionUID = 1L;

    private final TransactionStatus status;

    public CommitException(TransactionStatus status) {
        super("transaction " + status.transactionId() + " was committed in block " + status.blockNumber()
                        + " with validation code " + status.code() + " (" + status.validationCode() + ")",
                status.transactionId(), TransactionStage.COMMIT, List.of(), null,
                status.code() == TxValidationCode.MVCC_READ_CONFLICT || status.code() == TxValidationCode.PHANTOM_READ_CONFLICT);
        this.status = status;
    }

    public TransactionStatus status() {
        return status;
    }

    public TxValidationCode validationCode() {
        return status.code();
    }

    public long blockNumber() {
        return status.blockNumber();
    }
}
