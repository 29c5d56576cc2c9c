package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import java.util.Optional;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * One decoded transaction envelope of a block: headers, creator, signature and, for an endorser
 * transaction, the chaincode invocation, the endorsed response payload (exact bytes), the
 * endorsements, the read-write set and the chaincode event.
 *
 * <p>The envelope and headers are decoded when the view is created; the endorser-transaction
 * parts when first asked for. Immutable and thread-safe.
 */
public final class TransactionView {
    private final long blockNumber;
    private final int index;
    private final Envelope envelope;
    private final Payload payload;
    private final ChannelHeader channelHeader;
    private final SignatureHeader signatureHeader;
    private final Integer validationCode;
    private volatile EndorserParts endorserParts;

    private TransactionView(long blockNumber, int index, Envelope envelope, Payload payload,
            ChannelHeader channelHeader, SignatureHeader signatureHeader, Integer validationCode) {
        this.blockNumber = blockNumber;
        this.index = index;
        this.envelope = envelope;
        this.payload = payload;
        this.channelHeader = channelHeader;
        this.signatureHeader = signatureHeader;
        this.validationCode = validationCode;
    }

    /**
     * Decodes a serialized {@code common.Envelope}.
     *
     * @param validationCode the committing peer's code for it, or null if unknown
     * @throws ProtocolException if the envelope, payload or headers cannot be decoded
     */
    public static TransactionView parse(long blockNumber, int index, ByteString envelopeBytes, Integer validationCode) {
        try {
            Envelope envelope = Envelope.parseFrom(envelopeBytes);
            Payload payload = Payload.parseFrom(envelope.getPayload());
            if (!payload.hasHeader()) {
                throw new ProtocolException(where(blockNumber, index) + " has no payload header");
            }
            ChannelHeader channelHeader = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
            SignatureHeader signatureHeader = SignatureHeader.parseFrom(payload.getHeader().getSignatureHeader());
            return new TransactionView(blockNumber, index, envelope, payload, channelHeader, signatureHeader, validationCode);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(where(blockNumber, index) + " is not a valid envelope", e);
        }
    }

    private static String where(long blockNumber, int index) {
        return "transaction " + index + " of block " + blockNumber;
    }

    public long blockNumber() {
        return blockNumber;
    }

    public int index() {
        return index;
    }

    public Envelope envelope() {
        return envelope;
    }

    public Payload payload() {
        return payload;
    }

    public ChannelHeader channelHeader() {
        return channelHeader;
    }

    public SignatureHeader signatureHeader() {
        return signatureHeader;
    }

    public String transactionId() {
        return channelHeader.getTxId();
    }

    public String channelId() {
        return channelHeader.getChannelId();
    }

    /** The {@code common.HeaderType} number (an int32 on the wire, not an enum). */
    public int type() {
        return channelHeader.getType();
    }

    public boolean isEndorserTransaction() {
        return channelHeader.getType() == HeaderType.ENDORSER_TRANSACTION_VALUE;
    }

    public boolean isConfig() {
        return channelHeader.getType() == HeaderType.CONFIG_VALUE;
    }

    /** The serialized {@code msp.SerializedIdentity} of the creator (empty for a configtxgen genesis block). */
    public ByteString creator() {
        return signatureHeader.getCreator();
    }

    public ByteString nonce() {
        return signatureHeader.getNonce();
    }

    /** The committing peer's validation code, if the block came from a peer. */
    public Optional<TxValidationCode> validationCode() {
        if (validationCode == null) {
            return Optional.empty();
        }
        TxValidationCode code = TxValidationCode.forNumber(validationCode);
        return Optional.of(code == null ? TxValidationCode.UNRECOGNIZED : code);
    }

    /**
     * The config carried by a CONFIG transaction.
     *
     * @throws IllegalStateException if this is not a config transaction
     * @throws ProtocolException if the config envelope cannot be decoded
     */
    public ConfigEnvelope configEnvelope() {
        if (!isConfig()) {
            throw new IllegalStateException(where(blockNumber, index) + " is not a config transaction");
        }
        try {
            return ConfigEnvelope.parseFrom(payload.getData());
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(where(blockNumber, index) + " holds a malformed ConfigEnvelope", e);
        }
    }

    /** The invocation (chaincode name, function and arguments) of an endorser transaction. */
    public ChaincodeInvocationSpec invocation() {
        return endorser().invocation;
    }

    /** The transient-free {@code ChaincodeProposalPayload} bytes that the proposal hash covers. */
    public ByteString chaincodeProposalPayload() {
        return endorser().actionPayload.getChaincodeProposalPayload();
    }

    /** The signature header bytes inside the transaction action (must equal the payload's). */
    public ByteString actionHeader() {
        return endorser().action.getHeader();
    }

    /** The exact {@code ProposalResponsePayload} bytes that every endorsement signs. */
    public ByteString proposalResponsePayloadBytes() {
        return endorser().actionPayload.getAction().getProposalResponsePayload();
    }

    public ProposalResponsePayload proposalResponsePayload() {
        return endorser().responsePayload;
    }

    public ChaincodeAction chaincodeAction() {
        return endorser().chaincodeAction;
    }

    public List<Endorsement> endorsements() {
        return endorser().actionPayload.getAction().getEndorsementsList();
    }

    /** The read-write set the endorsers simulated. */
    public TxReadWriteSet readWriteSet() {
        return endorser().readWriteSet;
    }

    /** The chaincode event set during simulation, if any. */
    public Optional<ChaincodeEvent> chaincodeEvent() {
        ByteString events = endorser().chaincodeAction.getEvents();
        if (events.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ChaincodeEvent.parseFrom(events));
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(where(blockNumber, index) + " holds a malformed ChaincodeEvent", e);
        }
    }

    private EndorserParts endorser() {
        EndorserParts parts = endorserParts;
        if (parts == null) {
            if (!isEndorserTransaction()) {
                throw new IllegalStateException(where(blockNumber, index) + " is not an endorser transaction (type "
                        + channelHeader.getType() + ")");
            }
            parts = new EndorserParts(payload.getData(), where(blockNumber, index));
            endorserParts = parts;
        }
        return parts;
    }

    private static final class EndorserParts {
        final TransactionAction action;
        final ChaincodeActionPayload actionPayload;
        final ChaincodeInvocationSpec invocation;
        final ProposalResponsePayload responsePayload;
        final ChaincodeAction chaincodeAction;
        final TxReadWriteSet readWriteSet;

        EndorserParts(ByteString data, String where) {
            try {
                Transaction transaction = Transaction.parseFrom(data);
                if (transaction.getActionsCount() != 1) {
                    throw new ProtocolException(where + " has " + transaction.getActionsCount()
                            + " actions; Fabric supports exactly one");
                }
                action = transaction.getActions(0);
                actionPayload = ChaincodeActionPayload.parseFrom(action.getPayload());
                invocation = ChaincodeInvocationSpec.parseFrom(
                        ChaincodeProposalPayload.parseFrom(actionPayload.getChaincodeProposalPayload()).getInput());
                responsePayload = ProposalResponsePayload.parseFrom(actionPayload.getAction().getProposalResponsePayload());
                chaincodeAction = ChaincodeAction.parseFrom(responsePayload.getExtension());
                readWriteSet = TxReadWriteSet.parseFrom(chaincodeAction.getResults());
            } catch (InvalidProtocolBufferException e) {
                throw new ProtocolException(where + " holds a malformed endorser transaction", e);
            }
        }
    }
}
