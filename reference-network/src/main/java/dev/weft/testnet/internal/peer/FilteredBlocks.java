package dev.weft.testnet.internal.peer;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.InternalApi;
import dev.weft.core.internal.Blocks;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredChaincodeAction;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.FilteredTransactionActions;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;

/**
 * Turns a committed block into the {@code FilteredBlock} that {@code DeliverFiltered} sends, as
 * Fabric's {@code toFilteredBlock} does: per transaction its id, header type and validation code,
 * and for endorser transactions the chaincode events without their payloads.
 */
@InternalApi
public final class FilteredBlocks {
    private FilteredBlocks() {
    }

    public static FilteredBlock of(Block block, String channelId) {
        FilteredBlock.Builder filtered = FilteredBlock.newBuilder()
                .setChannelId(channelId)
                .setNumber(block.getHeader().getNumber());
        byte[] codes = Blocks.validationCodes(block);
        for (int i = 0; i < block.getData().getDataCount(); i++) {
            Payload payload;
            ChannelHeader header;
            try {
                payload = Payload.parseFrom(Envelope.parseFrom(block.getData().getData(i)).getPayload());
                header = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
            } catch (InvalidProtocolBufferException e) {
                continue; // no id to report: Fabric skips envelopes whose header cannot be read
            }
            FilteredTransaction.Builder tx = FilteredTransaction.newBuilder()
                    .setTxid(header.getTxId())
                    .setTypeValue(header.getType())
                    .setTxValidationCodeValue(codes.length > i ? codes[i] & 0xFF : 0);
            if (header.getType() == HeaderType.ENDORSER_TRANSACTION_VALUE) {
                try {
                    tx.setTransactionActions(actions(Transaction.parseFrom(payload.getData())));
                } catch (InvalidProtocolBufferException e) {
                    // An undecodable body was committed invalid; its status must still reach waiting clients.
                    tx.setTransactionActions(FilteredTransactionActions.getDefaultInstance());
                }
            }
            filtered.addFilteredTransactions(tx);
        }
        return filtered.build();
    }

    private static FilteredTransactionActions actions(Transaction transaction) throws InvalidProtocolBufferException {
        FilteredTransactionActions.Builder actions = FilteredTransactionActions.newBuilder();
        for (TransactionAction action : transaction.getActionsList()) {
            ChaincodeActionPayload payload = ChaincodeActionPayload.parseFrom(action.getPayload());
            if (!payload.hasAction()) {
                continue;
            }
            ProposalResponsePayload response = ProposalResponsePayload.parseFrom(payload.getAction().getProposalResponsePayload());
            ChaincodeEvent event = ChaincodeEvent.parseFrom(ChaincodeAction.parseFrom(response.getExtension()).getEvents());
            if (!event.getChaincodeId().isEmpty()) {
                actions.addChaincodeActions(FilteredChaincodeAction.newBuilder()
                        .setChaincodeEvent(ChaincodeEvent.newBuilder()
                                .setTxId(event.getTxId())
                                .setChaincodeId(event.getChaincodeId())
                                .setEventName(event.getEventName())));
            }
        }
        return actions.build();
    }
}
