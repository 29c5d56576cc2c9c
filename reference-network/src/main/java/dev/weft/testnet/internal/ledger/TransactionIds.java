package dev.weft.testnet.internal.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;

/** The transaction ids a block's envelopes carry, for the block stores' tx-id index. */
final class TransactionIds {
    private TransactionIds() {
    }

    /** The non-empty transaction ids of a block's envelopes, in block order (duplicates kept). */
    static List<String> of(Block block) {
        List<String> txIds = new ArrayList<>(block.getData().getDataCount());
        for (ByteString data : block.getData().getDataList()) {
            String txId = of(data);
            if (!txId.isEmpty()) {
                txIds.add(txId);
            }
        }
        return txIds;
    }

    /** The transaction id in an envelope's channel header, or empty if it cannot be read. */
    static String of(ByteString envelope) {
        try {
            Payload payload = Payload.parseFrom(Envelope.parseFrom(envelope).getPayload());
            return ChannelHeader.parseFrom(payload.getHeader().getChannelHeader()).getTxId();
        } catch (InvalidProtocolBufferException e) {
            return "";
        }
    }
}
