package dev.weft.testnet.internal.peer.validation;

import dev.weft.core.ChannelConfig;
import dev.weft.core.InternalApi;
import java.util.List;
import java.util.Objects;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * What {@link TransactionValidator} found for one transaction of a block: its validation code,
 * its transaction id (null if the envelope was unreadable before the header) and, for a valid
 * transaction, either the read-write set its endorsers signed or the config it installs.
 *
 * <p>Immutable and thread-safe.
 *
 * @param code the validation code; {@code VALID} unless a check failed
 * @param transactionId the channel header's transaction id, or null
 * @param rwset the endorsed read-write set of a valid endorser transaction, else null
 * @param newConfig the config of a valid config transaction, else null
 */
@InternalApi
public record ValidatedTransaction(TxValidationCode code, String transactionId, TxReadWriteSet rwset,
        ChannelConfig newConfig) {

    public ValidatedTransaction {
        Objects.requireNonNull(code, "code");
        if (code != TxValidationCode.VALID && (rwset != null || newConfig != null)) {
            throw new IllegalArgumentException("an invalid transaction has nothing to commit");
        }
    }

    /** An invalid transaction. */
    public static ValidatedTransaction invalid(TxValidationCode code, String transactionId) {
        return new ValidatedTransaction(code, transactionId, null, null);
    }

    /** A valid endorser transaction and the writes it would make. */
    static ValidatedTransaction endorsed(String transactionId, TxReadWriteSet rwset) {
        return new ValidatedTransaction(TxValidationCode.VALID, transactionId, Objects.requireNonNull(rwset), null);
    }

    /** A valid config transaction. */
    static ValidatedTransaction config(String transactionId, ChannelConfig config) {
        return new ValidatedTransaction(TxValidationCode.VALID, transactionId, null, Objects.requireNonNull(config));
    }

    public boolean isValid() {
        return code == TxValidationCode.VALID;
    }

    /**
     * The codes of a block's results, in order, as its {@code TRANSACTIONS_FILTER} holds them
     * (one byte each; {@code INVALID_OTHER_REASON}, 255, as an unsigned byte).
     */
    public static byte[] codes(List<ValidatedTransaction> transactions) {
        byte[] codes = new byte[transactions.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) transactions.get(i).code().getNumber();
        }
        return codes;
    }
}
