package dev.weft.testnet.internal.peer.validation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.IdentityValidationException;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.TransactionId;
import dev.weft.core.WeftException;
import dev.weft.core.internal.Hashing;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.config.ConfigUpdates;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeHeaderExtension;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
/**
 * The per-transaction checks of Fabric's block validator ({@code core/committer/txvalidator/v20}),
 * which need only the transaction, the channel config and the committed ledger, not the state.
 * Each transaction gets the code of the first check it fails, in Fabric's order:
 * {@code INVALID_OTHER_REASON} (unreadable envelope), {@code BAD_PAYLOAD}, {@code BAD_COMMON_HEADER}
 * (also for header types Fabric does not know), {@code UNSUPPORTED_TX_PAYLOAD},
 * {@code BAD_CREATOR_SIGNATURE} (creator not a channel member, or signature does not verify),
 * {@code BAD_PROPOSAL_TXID}, {@code INVALID_ENDORSER_TRANSACTION} (shape, proposal hash),
 * {@code BAD_RWSET}, {@code TARGET_CHAIN_NOT_FOUND}, {@code DUPLICATE_TXID} (already in the
 * ledger), {@code INVALID_CHAINCODE}, then the chaincode's endorsement policy over the endorsers
 * whose signatures verify, and the policy of every other namespace the transaction writes
 * ({@code ILLEGAL_WRITESET}, {@code ENDORSEMENT_POLICY_FAILURE}). Config transactions are valid if
 * their config parses and has a higher sequence than the current one.
 *
 * <p>A block's transactions are checked independently, in parallel on the given pool; then, as in
 * Fabric, a transaction id claimed by a still-valid transaction earlier in the block makes later
 * copies {@code DUPLICATE_TXID}.
 *
 * <p>Thread-safe: it holds no mutable state; the ledger and chaincode lookups must be safe to read
 * concurrently.
 */
@InternalApi
public final class TransactionValidator {
    /** Fewer transactions are checked on the calling thread: handing them to the pool costs more than it saves. */
    private static final int PARALLEL_FROM = 4;

    private final String channelId;
    private final ChannelLedger ledger;
    private final Function<String, Optional<ChaincodePolicy>> endorsementPolicies;
    private final VerifiedSignatures signatures;
    private final Clock clock;
    private final ForkJoinPool pool;

    /**
     * @param channelId the channel the transactions must name
     * @param ledger the committed blocks, for the duplicate transaction id check
     * @param endorsementPolicies the endorsement policy of each chaincode defined on the channel
     *     (empty for a name that is no chaincode)
     * @param signatures the network's shared signature checks
     * @param clock the clock of config transactions' configs
     * @param pool where a block's transactions are checked in parallel
     */
    public TransactionValidator(String channelId, ChannelLedger ledger,
            Function<String, Optional<ChaincodePolicy>> endorsementPolicies, VerifiedSignatures signatures, Clock clock,
            ForkJoinPool pool) {
        this.channelId = channelId;
        this.ledger = ledger;
        this.endorsementPolicies = endorsementPolicies;
        this.signatures = signatures;
        this.clock = clock;
        this.pool = pool;
    }

    /**
     * Checks every transaction of a block against {@code config}, then marks later copies of a
     * transaction id that a valid transaction of the block already claimed.
     *
     * @return one result per transaction, in block order
     */
    public List<ValidatedTransaction> validate(Block block, ChannelConfig config) {
        long number = block.getHeader().getNumber();
        int count = block.getData().getDataCount();
        ValidatedTransaction[] checked = new ValidatedTransaction[count];
        if (count >= PARALLEL_FROM) {
            try {
                pool.submit(() -> IntStream.range(0, count).parallel()
                        .forEach(i -> checked[i] = validate(block.getData().getData(i), config))).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while validating block " + number, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("validation of block " + number + " failed", e.getCause());
            }
        } else {
            for (int i = 0; i < count; i++) {
                checked[i] = validate(block.getData().getData(i), config);
            }
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String txId = checked[i].transactionId();
            // As Fabric's v20 validator: only a transaction still valid claims its id in the block,
            // so an invalid copy cannot knock out the valid one that follows it.
            if (checked[i].isValid() && txId != null && !txId.isEmpty() && !seen.add(txId)) {
                checked[i] = ValidatedTransaction.invalid(TxValidationCode.DUPLICATE_TXID, txId);
            }
        }
        return List.of(checked);
    }

    /** Checks one transaction ({@code data} is the block's bytes of its envelope) against {@code config}. */
    public ValidatedTransaction validate(ByteString data, ChannelConfig config) {
        Envelope envelope;
        Payload payload;
        try {
            envelope = Envelope.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            return ValidatedTransaction.invalid(TxValidationCode.INVALID_OTHER_REASON, null);
        }
        try {
            payload = Payload.parseFrom(envelope.getPayload());
        } catch (InvalidProtocolBufferException e) {
            return ValidatedTransaction.invalid(TxValidationCode.BAD_PAYLOAD, null);
        }
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        try {
            if (!payload.hasHeader()) {
                return ValidatedTransaction.invalid(TxValidationCode.BAD_COMMON_HEADER, null);
            }
            channelHeader = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
            signatureHeader = SignatureHeader.parseFrom(payload.getHeader().getSignatureHeader());
        } catch (InvalidProtocolBufferException e) {
            return ValidatedTransaction.invalid(TxValidationCode.BAD_COMMON_HEADER, null);
        }
        String txId = channelHeader.getTxId();
        int type = channelHeader.getType();
        // Fabric's validateChannelHeader knows these types; anything else is a bad header.
        if (type != HeaderType.ENDORSER_TRANSACTION_VALUE && type != HeaderType.CONFIG_VALUE
                && type != HeaderType.CONFIG_UPDATE_VALUE) {
            return ValidatedTransaction.invalid(TxValidationCode.BAD_COMMON_HEADER, txId);
        }
        if (type == HeaderType.CONFIG_VALUE) {
            return validateConfig(payload, channelHeader, txId, config);
        }
        if (channelHeader.getEpoch() != 0 || signatureHeader.getNonce().isEmpty() || signatureHeader.getCreator().isEmpty()) {
            return ValidatedTransaction.invalid(TxValidationCode.BAD_COMMON_HEADER, txId);
        }
        if (type == HeaderType.CONFIG_UPDATE_VALUE) {
            return ValidatedTransaction.invalid(TxValidationCode.UNSUPPORTED_TX_PAYLOAD, txId);
        }
        MspIdentity creator;
        try {
            // Fabric's committer ignores certificate validity periods (FAB-3678).
            creator = config.msps().validateMembership(signatureHeader.getCreator());
        } catch (IdentityValidationException e) {
            return ValidatedTransaction.invalid(TxValidationCode.BAD_CREATOR_SIGNATURE, txId);
        }
        if (!signatures.verify(creator, envelope.getPayload(), envelope.getSignature())) {
            return ValidatedTransaction.invalid(TxValidationCode.BAD_CREATOR_SIGNATURE, txId);
        }
        if (!txId.equals(TransactionId.compute(signatureHeader.getNonce(), signatureHeader.getCreator()))) {
            return ValidatedTransaction.invalid(TxValidationCode.BAD_PROPOSAL_TXID, txId);
        }
        return validateEndorsed(payload, channelHeader, txId, config);
    }

    /** The endorser transaction checks, after the common header and creator checks have passed. */
    private ValidatedTransaction validateEndorsed(Payload payload, ChannelHeader channelHeader, String txId,
            ChannelConfig config) {
        ChaincodeActionPayload actionPayload;
        ChaincodeAction action;
        String chaincodeName;
        try {
            Transaction transaction = Transaction.parseFrom(payload.getData());
            if (transaction.getActionsCount() != 1) {
                return ValidatedTransaction.invalid(TxValidationCode.INVALID_ENDORSER_TRANSACTION, txId);
            }
            actionPayload = ChaincodeActionPayload.parseFrom(transaction.getActions(0).getPayload());
            ProposalResponsePayload responsePayload = ProposalResponsePayload.parseFrom(
                    actionPayload.getAction().getProposalResponsePayload());
            byte[] proposalHash = Hashing.sha256(payload.getHeader().getChannelHeader(),
                    payload.getHeader().getSignatureHeader(), actionPayload.getChaincodeProposalPayload());
            if (!responsePayload.getProposalHash().equals(ByteString.copyFrom(proposalHash))) {
                return ValidatedTransaction.invalid(TxValidationCode.INVALID_ENDORSER_TRANSACTION, txId);
            }
            action = ChaincodeAction.parseFrom(responsePayload.getExtension());
            chaincodeName = ChaincodeHeaderExtension.parseFrom(channelHeader.getExtension()).getChaincodeId().getName();
        } catch (InvalidProtocolBufferException e) {
            return ValidatedTransaction.invalid(TxValidationCode.INVALID_ENDORSER_TRANSACTION, txId);
        }
        TxReadWriteSet rwset;
        try {
            rwset = TxReadWriteSet.parseFrom(action.getResults());
        } catch (InvalidProtocolBufferException e) {
            return ValidatedTransaction.invalid(TxValidationCode.BAD_RWSET, txId);
        }
        if (!channelHeader.getChannelId().equals(channelId)) {
            return ValidatedTransaction.invalid(TxValidationCode.TARGET_CHAIN_NOT_FOUND, txId);
        }
        if (ledger.store().blockOf(txId).isPresent()) {
            return ValidatedTransaction.invalid(TxValidationCode.DUPLICATE_TXID, txId);
        }
        Optional<ChaincodePolicy> policy = endorsementPolicies.apply(chaincodeName);
        if (policy.isEmpty()) {
            return ValidatedTransaction.invalid(TxValidationCode.INVALID_CHAINCODE, txId);
        }
        if (!action.getChaincodeId().getName().equals(chaincodeName) || action.getChaincodeId().getVersion().isEmpty()) {
            // Fabric's validator rejects an action that names another chaincode, or no version.
            return ValidatedTransaction.invalid(TxValidationCode.INVALID_OTHER_REASON, txId);
        }
        List<MspIdentity> endorsers = endorsers(actionPayload, config);
        if (!policy.get().isSatisfiedBy(config, endorsers)) {
            return ValidatedTransaction.invalid(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, txId);
        }
        for (NsReadWriteSet ns : rwset.getNsRwsetList()) {
            KVRWSet kv;
            try {
                kv = KVRWSet.parseFrom(ns.getRwset());
            } catch (InvalidProtocolBufferException e) {
                return ValidatedTransaction.invalid(TxValidationCode.BAD_RWSET, txId);
            }
            if (kv.getWritesCount() == 0 && kv.getMetadataWritesCount() == 0) {
                continue;
            }
            Optional<ChaincodePolicy> written = endorsementPolicies.apply(ns.getNamespace());
            if (written.isEmpty()) {
                return ValidatedTransaction.invalid(TxValidationCode.ILLEGAL_WRITESET, txId);
            }
            if (!written.get().isSatisfiedBy(config, endorsers)) {
                return ValidatedTransaction.invalid(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, txId);
            }
        }
        return ValidatedTransaction.endorsed(txId, rwset);
    }

    private ValidatedTransaction validateConfig(Payload payload, ChannelHeader channelHeader, String txId,
            ChannelConfig current) {
        try {
            ConfigEnvelope envelope = ConfigEnvelope.parseFrom(payload.getData());
            // As a Fabric peer applies a config transaction: the next sequence, and exactly the config its update
            // makes of the current one, with the update's signatures satisfying what it changes.
            ConfigUpdates.validate(current, envelope, signatures);
            ChannelConfig config = ChannelConfig.fromConfig(channelHeader.getChannelId(), envelope.getConfig(), clock);
            return ValidatedTransaction.config(txId, config);
        } catch (InvalidProtocolBufferException | WeftException e) {
            // Fabric's v20 validator fails the block here rather than mark the transaction: a peer must not
            // go on with a config other than the orderers'.
            throw new BlockVerificationException("error validating config which passed initial validity checks: "
                    + e.getMessage());
        }
    }

    /**
     * The endorsers whose identity is valid on the channel and whose signature verifies; as in
     * Fabric, the others are dropped rather than failing the transaction, and duplicates count once.
     */
    private List<MspIdentity> endorsers(ChaincodeActionPayload actionPayload, ChannelConfig config) {
        ByteString prp = actionPayload.getAction().getProposalResponsePayload();
        Map<ByteString, MspIdentity> valid = new LinkedHashMap<>();
        for (Endorsement endorsement : actionPayload.getAction().getEndorsementsList()) {
            if (valid.containsKey(endorsement.getEndorser())) {
                continue;
            }
            try {
                MspIdentity endorser = config.msps().validateMembership(endorsement.getEndorser());
                if (signatures.verify(endorser, prp.concat(endorsement.getEndorser()), endorsement.getSignature())) {
                    valid.put(endorsement.getEndorser(), endorser);
                }
            } catch (IdentityValidationException e) {
                // an endorser that is not a channel member does not count
            }
        }
        return List.copyOf(valid.values());
    }
}
