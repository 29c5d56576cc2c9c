package dev.weft.core;

import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * How a committing peer judged one transaction: its id, the block and position it landed in, and
 * the {@code peer.TxValidationCode} (0 = VALID).
 *
 * @param transactionId the transaction id (empty for an orderer-generated config transaction)
 * @param blockNumber the number of the block that holds the transaction
 * @param index the position of the transaction in the block; -1 when the source does not say (a
 *     peer's Gateway service, whose CommitStatus answer gives the block and the code only)
 * @param validationCode the raw validation code, 0..255
 */
public record TransactionStatus(String transactionId, long blockNumber, int index, int validationCode) {

    /** The validation code as Fabric's enum; {@code UNRECOGNIZED} for codes this SDK does not know. */
    public TxValidationCode code() {
        TxValidationCode code = TxValidationCode.forNumber(validationCode);
        return code == null ? TxValidationCode.UNRECOGNIZED : code;
    }

    public boolean isValid() {
        return validationCode == TxValidationCode.VALID_VALUE;
    }
}
