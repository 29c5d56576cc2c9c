package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import dev.weft.core.BlockView;
import dev.weft.core.InternalApi;
import dev.weft.core.TransactionView;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.ChaincodeException;
import dev.weft.testnet.ChaincodeResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockchainInfo;
import org.hyperledger.fabric.protos.peer.ChannelInfo;
import org.hyperledger.fabric.protos.peer.ChannelQueryResponse;
import org.hyperledger.fabric.protos.peer.ProcessedTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * The peer's query system chaincodes that clients call as ordinary proposals: {@code cscc}
 * (GetConfigBlock, GetChannelConfig, GetChannels) and {@code qscc} (GetChainInfo,
 * GetBlockByNumber, GetBlockByHash, GetTransactionByID, GetBlockByTxID), with Fabric's function
 * names, arguments and payload messages. fabric-sdk-java, for one, reads a channel's MSPs with
 * {@code cscc GetConfigBlock} when it initialises a channel.
 */
@InternalApi
public final class SystemChaincodes {
    public static final String CSCC = "cscc";
    public static final String QSCC = "qscc";
    /** The version Fabric reports for system chaincodes in {@code ChaincodeAction.chaincode_id}. */
    public static final String VERSION = "syscc";

    private SystemChaincodes() {
    }

    public static boolean isSystem(String chaincode) {
        return CSCC.equals(chaincode) || QSCC.equals(chaincode);
    }

    /** Runs a channel-scoped system chaincode function; arguments are the proposal's (function first). */
    static ChaincodeResponse invoke(String chaincode, List<ByteString> args, PeerChannel channel) {
        if (args.isEmpty()) {
            throw new ChaincodeException("Incorrect number of arguments, 0");
        }
        String function = args.get(0).toStringUtf8();
        String target = args.size() > 1 ? args.get(1).toStringUtf8() : "";
        if (!target.equals(channel.channelId())) {
            throw new ChaincodeException("the channel argument '" + target + "' does not match the proposal's channel '"
                    + channel.channelId() + "'");
        }
        return CSCC.equals(chaincode) ? cscc(function, channel) : qscc(function, args, channel);
    }

    /** {@code cscc GetChannels} for a proposal without a channel: the channels this peer has joined. */
    static ChaincodeResponse channels(Collection<PeerChannel> channels) {
        ChannelQueryResponse.Builder response = ChannelQueryResponse.newBuilder();
        channels.forEach(c -> response.addChannels(ChannelInfo.newBuilder().setChannelId(c.channelId())));
        return ChaincodeResponse.success(response.build().toByteArray());
    }

    private static ChaincodeResponse cscc(String function, PeerChannel channel) {
        Block configBlock = channel.ledger().block(Blocks.lastConfigIndex(latest(channel)));
        return switch (function) {
            case "GetConfigBlock" -> ChaincodeResponse.success(configBlock.toByteArray());
            case "GetChannelConfig" -> ChaincodeResponse.success(channel.config().config().toByteArray());
            default -> throw new ChaincodeException("Requested function " + function + " not found.");
        };
    }

    private static ChaincodeResponse qscc(String function, List<ByteString> args, PeerChannel channel) {
        return switch (function) {
            case "GetChainInfo" -> {
                Block last = latest(channel);
                BlockchainInfo.Builder info = BlockchainInfo.newBuilder()
                        .setHeight(channel.ledger().height())
                        .setCurrentBlockHash(ByteString.copyFrom(Blocks.headerHash(last.getHeader())))
                        .setPreviousBlockHash(last.getHeader().getPreviousHash());
                yield ChaincodeResponse.success(info.build().toByteArray());
            }
            case "GetBlockByNumber" -> {
                long number;
                try {
                    number = Long.parseUnsignedLong(argument(args, 2, function));
                } catch (NumberFormatException e) {
                    throw new ChaincodeException("Failed to parse block number with error " + e.getMessage());
                }
                if (Long.compareUnsigned(number, channel.ledger().height()) >= 0) {
                    throw new ChaincodeException("Failed to get block number " + Long.toUnsignedString(number)
                            + ", error entry not found in index");
                }
                yield ChaincodeResponse.success(channel.ledger().block(number).toByteArray());
            }
            case "GetBlockByHash" -> {
                ByteString hash = args.size() > 2 ? args.get(2) : ByteString.EMPTY;
                for (long n = channel.ledger().height() - 1; n >= 0; n--) {
                    Block block = channel.ledger().block(n);
                    if (ByteString.copyFrom(Blocks.headerHash(block.getHeader())).equals(hash)) {
                        yield ChaincodeResponse.success(block.toByteArray());
                    }
                }
                throw new ChaincodeException("Failed to get block hash, error entry not found in index");
            }
            case "GetTransactionByID" -> {
                String txId = argument(args, 2, function);
                Block block = blockOf(channel, txId);
                BlockView view = BlockView.of(block);
                byte[] codes = Blocks.validationCodes(block);
                for (TransactionView tx : view.transactions()) {
                    if (tx.transactionId().equals(txId)) {
                        yield ChaincodeResponse.success(ProcessedTransaction.newBuilder()
                                .setTransactionEnvelope(tx.envelope())
                                .setValidationCode(codes.length > tx.index() ? codes[tx.index()] & 0xFF
                                        : TxValidationCode.NOT_VALIDATED_VALUE)
                                .build().toByteArray());
                    }
                }
                throw new ChaincodeException("Failed to get transaction with id " + txId + ", error entry not found in index");
            }
            case "GetBlockByTxID" -> ChaincodeResponse.success(blockOf(channel, argument(args, 2, function)).toByteArray());
            default -> throw new ChaincodeException("Requested function " + function + " not found.");
        };
    }

    private static Block latest(PeerChannel channel) {
        return channel.ledger().block(channel.ledger().height() - 1);
    }

    private static Block blockOf(PeerChannel channel, String txId) {
        OptionalLong number = channel.ledger().store().blockOf(txId);
        if (number.isEmpty()) {
            throw new ChaincodeException("Failed to get transaction with id " + txId + ", error entry not found in index");
        }
        return channel.ledger().block(number.getAsLong());
    }

    private static String argument(List<ByteString> args, int index, String function) {
        if (args.size() <= index) {
            throw new ChaincodeException("missing argument " + index + " for " + function);
        }
        return args.get(index).toString(StandardCharsets.UTF_8);
    }
}
