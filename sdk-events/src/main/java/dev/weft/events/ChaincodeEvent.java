package dev.weft.events;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An event a chaincode set while endorsing a transaction ({@code stub.setEvent}), delivered once
 * the transaction is committed as VALID.
 *
 * @param blockNumber the block holding the transaction
 * @param transactionIndex the transaction's position in the block: with the block number, where
 *     to resume after an interrupted stream (start again at this block, skip what was processed)
 * @param transactionId the transaction that emitted it
 * @param chaincodeName the chaincode
 * @param eventName the event's name
 * @param payload the event's payload
 */
public record ChaincodeEvent(long blockNumber, int transactionIndex, String transactionId, String chaincodeName,
        String eventName, ByteString payload) {
    public ChaincodeEvent {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(chaincodeName, "chaincodeName");
        Objects.requireNonNull(eventName, "eventName");
        Objects.requireNonNull(payload, "payload");
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return payload.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ChaincodeEvent[block " + blockNumber + "." + transactionIndex + ", tx " + transactionId + ", " + chaincodeName + "/" + eventName
                + ", " + payload.size() + " bytes]";
    }
}
