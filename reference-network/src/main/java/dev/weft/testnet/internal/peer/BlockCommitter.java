package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.internal.Blocks;
import dev.weft.core.ChannelConfig;
import dev.weft.core.IdentityValidationException;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.TransactionId;
import dev.weft.core.WeftException;
import dev.weft.core.internal.Hashing;
import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.SignedData;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.ledger.KeyOrder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRead;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVWrite;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.RangeQueryInfo;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeHeaderExtension;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates and commits blocks on a reference peer as Fabric's committer does.
 *
 * <ol>
 *   <li>The block must extend the ledger (number, previous hash), match its data hash and carry
 *       an orderer signature satisfying {@code /Channel/Orderer/BlockValidation}.
 *   <li>Each transaction is checked independently (in parallel), in Fabric's order:
 *       {@code INVALID_OTHER_REASON} (unreadable envelope), {@code BAD_PAYLOAD}, {@code BAD_COMMON_HEADER}
 *       (also for header types Fabric does not know), {@code UNSUPPORTED_TX_PAYLOAD},
 *       {@code BAD_CREATOR_SIGNATURE}, {@code BAD_PROPOSAL_TXID}, {@code INVALID_ENDORSER_TRANSACTION},
 *       {@code TARGET_CHAIN_NOT_FOUND}, {@code DUPLICATE_TXID} (ledger), then the chaincode's
 *       endorsement policy over the endorsements whose signatures verify
 *       ({@code INVALID_CHAINCODE}, {@code ILLEGAL_WRITESET}, {@code ENDORSEMENT_POLICY_FAILURE}).
 *   <li>Later copies of a transaction id in the block are {@code DUPLICATE_TXID}.
 *   <li>In block order, each still-valid transaction's reads must see the committed versions and
 *       no write by an earlier valid transaction of the block ({@code MVCC_READ_CONFLICT}); its range
 *       queries must return the same keys and versions ({@code PHANTOM_READ_CONFLICT}).
 *   <li>Valid writes are applied with version (block, index); the block is stored with its
 *       {@code TRANSACTIONS_FILTER} and {@code COMMIT_HASH} metadata.
 * </ol>
 */
@InternalApi
public final class BlockCommitter {
    private static final Logger log = LoggerFactory.getLogger(BlockCommitter.class);

    private final PeerChannel channel;
    private final ForkJoinPool validators;

    public BlockCommitter(PeerChannel channel, ForkJoinPool validators) {
        this.channel = channel;
        this.validators = validators;
    }

    /** A block that cannot be committed: it does not extend the ledger or is not signed by the orderer. */
    public static final class BlockVerificationException extends WeftException {
        private static final long serialVersionUID = 1L;

        BlockVerificationException(String message) {
            super(message);
        }
    }

    /** What the per-transaction checks found. */
    private record Checked(int code, String transactionId, TxReadWriteSet rwset, ChannelConfig newConfig) {
        static Checked invalid(TxValidationCode code, String transactionId) {
            return new Checked(code.getNumber(), transactionId, null, null);
        }
    }

    /** One key's final state in the block: value (null to delete) and the index of the transaction that wrote it. */
    private record Update(byte[] value, int transaction) {
    }

    /**
     * Validates and commits the next block.
     *
     * @throws BlockVerificationException if the block cannot be appended to this ledger
     */
    public void commit(Block block) {
        verify(block);
        long number = block.getHeader().getNumber();
        ChannelConfig config = channel.config();
        int count = block.getData().getDataCount();
        Checked[] checked = new Checked[count];
        if (count >= 4) {
            try {
                validators.submit(() -> IntStream.range(0, count).parallel()
                        .forEach(i -> checked[i] = check(block.getData().getData(i), config))).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while validating block " + number, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("validation of block " + number + " failed", e.getCause());
            }
        } else {
            for (int i = 0; i < count; i++) {
                checked[i] = check(block.getData().getData(i), config);
            }
        }
        byte[] codes = new byte[count];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            codes[i] = (byte) checked[i].code();
            String txId = checked[i].transactionId();
            // As Fabric's v20 validator: only a transaction still valid claims its id in the block,
            // so an invalid copy cannot knock out the valid one that follows it.
            if (codes[i] == TxValidationCode.VALID_VALUE && txId != null && !txId.isEmpty() && !seen.add(txId)) {
                codes[i] = (byte) TxValidationCode.DUPLICATE_TXID_VALUE;
            }
        }
        Map<String, Map<String, Update>> updates = new TreeMap<>(KeyOrder.UTF8);
        ChannelConfig newConfig = null;
        channel.lock().writeLock().lock();
        try {
            for (int i = 0; i < count; i++) {
                if (codes[i] != TxValidationCode.VALID_VALUE) {
                    continue;
                }
                if (checked[i].newConfig() != null) {
                    newConfig = checked[i].newConfig();
                    continue;
                }
                TxReadWriteSet rwset = checked[i].rwset();
                int code = mvcc(rwset, updates);
                codes[i] = (byte) code;
                if (code == TxValidationCode.VALID_VALUE) {
                    applyToBatch(rwset, i, updates);
                }
            }
            for (var ns : updates.entrySet()) {
                for (var write : ns.getValue().entrySet()) {
                    channel.state().apply(List.of(new StateStore.Write(ns.getKey(), write.getKey(), write.getValue().value())),
                            number, write.getValue().transaction());
                }
            }
        } finally {
            channel.lock().writeLock().unlock();
        }
        if (newConfig != null) {
            channel.setConfig(newConfig);
        }
        byte[] commitHash = commitHash(codes, updateBytes(updates, number), channel.commitHash());
        channel.setCommitHash(commitHash);
        Block committed = block.toBuilder()
                .setMetadata(block.getMetadata().toBuilder()
                        .setMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE, ByteString.copyFrom(codes))
                        .setMetadata(BlockMetadataIndex.COMMIT_HASH_VALUE, Metadata.newBuilder()
                                .setValue(ByteString.copyFrom(commitHash)).build().toByteString()))
                .build();
        channel.ledger().append(committed);
        if (log.isDebugEnabled()) {
            log.debug("channel {}: committed block {} ({} transactions)", channel.channelId(), number, count);
        }
    }

    private void verify(Block block) {
        long height = channel.ledger().height();
        long number = block.getHeader().getNumber();
        if (number != height) {
            throw new BlockVerificationException("expected block " + height + " but received block " + number);
        }
        Block previous = channel.ledger().block(height - 1);
        if (!Blocks.follows(previous.getHeader(), block.getHeader())) {
            throw new BlockVerificationException("block " + number + " does not carry the hash of block " + (number - 1));
        }
        if (!block.getHeader().getDataHash().equals(ByteString.copyFrom(Blocks.dataHash(block.getData())))) {
            throw new BlockVerificationException("block " + number + " has a data hash that does not match its data");
        }
        ChannelConfig config = channel.config();
        Instant now = channel.clock().instant();
        for (Blocks.BlockSignature signature : Blocks.signatures(block)) {
            try {
                SignatureHeader header = SignatureHeader.parseFrom(signature.signature().getSignatureHeader());
                SignedData signed = new SignedData(header.getCreator(), signature.signedBytes(),
                        signature.signature().getSignature());
                if (signed.check(config, "/Channel/Orderer/BlockValidation", now, channel.signatures()).isEmpty()) {
                    return;
                }
            } catch (InvalidProtocolBufferException e) {
                // not a usable signature; try the next one
            }
        }
        throw new BlockVerificationException("block " + number + " is not signed as /Channel/Orderer/BlockValidation requires");
    }

    /** The per-transaction checks, in Fabric's order. */
    private Checked check(ByteString data, ChannelConfig config) {
        Envelope envelope;
        Payload payload;
        try {
            envelope = Envelope.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            return Checked.invalid(TxValidationCode.INVALID_OTHER_REASON, null);
        }
        try {
            payload = Payload.parseFrom(envelope.getPayload());
        } catch (InvalidProtocolBufferException e) {
            return Checked.invalid(TxValidationCode.BAD_PAYLOAD, null);
        }
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        try {
            if (!payload.hasHeader()) {
                return Checked.invalid(TxValidationCode.BAD_COMMON_HEADER, null);
            }
            channelHeader = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
            signatureHeader = SignatureHeader.parseFrom(payload.getHeader().getSignatureHeader());
        } catch (InvalidProtocolBufferException e) {
            return Checked.invalid(TxValidationCode.BAD_COMMON_HEADER, null);
        }
        String txId = channelHeader.getTxId();
        int type = channelHeader.getType();
        // Fabric's validateChannelHeader knows these types; anything else is a bad header.
        if (type != HeaderType.ENDORSER_TRANSACTION_VALUE && type != HeaderType.CONFIG_VALUE
                && type != HeaderType.CONFIG_UPDATE_VALUE) {
            return Checked.invalid(TxValidationCode.BAD_COMMON_HEADER, txId);
        }
        if (type == HeaderType.CONFIG_VALUE) {
            return checkConfig(payload, channelHeader, txId);
        }
        if (channelHeader.getEpoch() != 0 || signatureHeader.getNonce().isEmpty() || signatureHeader.getCreator().isEmpty()) {
            return Checked.invalid(TxValidationCode.BAD_COMMON_HEADER, txId);
        }
        if (type == HeaderType.CONFIG_UPDATE_VALUE) {
            return Checked.invalid(TxValidationCode.UNSUPPORTED_TX_PAYLOAD, txId);
        }
        MspIdentity creator;
        try {
            // Fabric's committer ignores certificate validity periods (FAB-3678).
            creator = config.msps().validateMembership(signatureHeader.getCreator());
        } catch (IdentityValidationException e) {
            return Checked.invalid(TxValidationCode.BAD_CREATOR_SIGNATURE, txId);
        }
        if (!channel.signatures().verify(creator, envelope.getPayload(), envelope.getSignature())) {
            return Checked.invalid(TxValidationCode.BAD_CREATOR_SIGNATURE, txId);
        }
        if (!txId.equals(TransactionId.compute(signatureHeader.getNonce(), signatureHeader.getCreator()))) {
            return Checked.invalid(TxValidationCode.BAD_PROPOSAL_TXID, txId);
        }
        Transaction transaction;
        ChaincodeActionPayload actionPayload;
        ProposalResponsePayload responsePayload;
        ChaincodeAction action;
        TxReadWriteSet rwset;
        String chaincodeName;
        try {
            transaction = Transaction.parseFrom(payload.getData());
            if (transaction.getActionsCount() != 1) {
                return Checked.invalid(TxValidationCode.INVALID_ENDORSER_TRANSACTION, txId);
            }
            actionPayload = ChaincodeActionPayload.parseFrom(transaction.getActions(0).getPayload());
            responsePayload = ProposalResponsePayload.parseFrom(actionPayload.getAction().getProposalResponsePayload());
            byte[] proposalHash = Hashing.sha256(payload.getHeader().getChannelHeader(),
                    payload.getHeader().getSignatureHeader(), actionPayload.getChaincodeProposalPayload());
            if (!responsePayload.getProposalHash().equals(ByteString.copyFrom(proposalHash))) {
                return Checked.invalid(TxValidationCode.INVALID_ENDORSER_TRANSACTION, txId);
            }
            action = ChaincodeAction.parseFrom(responsePayload.getExtension());
            chaincodeName = ChaincodeHeaderExtension.parseFrom(channelHeader.getExtension()).getChaincodeId().getName();
        } catch (InvalidProtocolBufferException e) {
            return Checked.invalid(TxValidationCode.INVALID_ENDORSER_TRANSACTION, txId);
        }
        try {
            rwset = TxReadWriteSet.parseFrom(action.getResults());
        } catch (InvalidProtocolBufferException e) {
            return Checked.invalid(TxValidationCode.BAD_RWSET, txId);
        }
        if (!channelHeader.getChannelId().equals(channel.channelId())) {
            return Checked.invalid(TxValidationCode.TARGET_CHAIN_NOT_FOUND, txId);
        }
        if (channel.ledger().store().blockOf(txId).isPresent()) {
            return Checked.invalid(TxValidationCode.DUPLICATE_TXID, txId);
        }
        Optional<ChaincodeDefinition> definition = channel.chaincode(chaincodeName);
        if (definition.isEmpty()) {
            return Checked.invalid(TxValidationCode.INVALID_CHAINCODE, txId);
        }
        if (!action.getChaincodeId().getName().equals(chaincodeName) || action.getChaincodeId().getVersion().isEmpty()) {
            // Fabric's validator rejects an action that names another chaincode, or no version.
            return Checked.invalid(TxValidationCode.INVALID_OTHER_REASON, txId);
        }
        List<MspIdentity> endorsers = endorsers(actionPayload, config, channel.signatures());
        if (!definition.get().policy().isSatisfiedBy(config, endorsers)) {
            return Checked.invalid(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, txId);
        }
        for (NsReadWriteSet ns : rwset.getNsRwsetList()) {
            KVRWSet kv;
            try {
                kv = KVRWSet.parseFrom(ns.getRwset());
            } catch (InvalidProtocolBufferException e) {
                return Checked.invalid(TxValidationCode.BAD_RWSET, txId);
            }
            if (kv.getWritesCount() == 0 && kv.getMetadataWritesCount() == 0) {
                continue;
            }
            Optional<ChaincodeDefinition> writtenNamespace = channel.chaincode(ns.getNamespace());
            if (writtenNamespace.isEmpty()) {
                return Checked.invalid(TxValidationCode.ILLEGAL_WRITESET, txId);
            }
            if (!writtenNamespace.get().policy().isSatisfiedBy(config, endorsers)) {
                return Checked.invalid(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, txId);
            }
        }
        return new Checked(TxValidationCode.VALID_VALUE, txId, rwset, null);
    }

    private Checked checkConfig(Payload payload, ChannelHeader channelHeader, String txId) {
        try {
            ConfigEnvelope envelope = ConfigEnvelope.parseFrom(payload.getData());
            ChannelConfig config = ChannelConfig.fromConfig(channelHeader.getChannelId(), envelope.getConfig(),
                    channel.clock());
            if (config.sequence() <= channel.config().sequence()) {
                return Checked.invalid(TxValidationCode.INVALID_CONFIG_TRANSACTION, txId);
            }
            return new Checked(TxValidationCode.VALID_VALUE, txId, null, config);
        } catch (InvalidProtocolBufferException | WeftException e) {
            return Checked.invalid(TxValidationCode.INVALID_CONFIG_TRANSACTION, txId);
        }
    }

    /**
     * The endorsers whose identity is valid on the channel and whose signature verifies; as in
     * Fabric, the others are dropped rather than failing the transaction, and duplicates count once.
     */
    private static List<MspIdentity> endorsers(ChaincodeActionPayload actionPayload, ChannelConfig config,
            VerifiedSignatures signatures) {
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

    /** MVCC and phantom-read checks of one transaction against committed state and the block so far. */
    private int mvcc(TxReadWriteSet rwset, Map<String, Map<String, Update>> updates) {
        for (NsReadWriteSet ns : rwset.getNsRwsetList()) {
            KVRWSet kv;
            try {
                kv = KVRWSet.parseFrom(ns.getRwset());
            } catch (InvalidProtocolBufferException e) {
                return TxValidationCode.BAD_RWSET_VALUE;
            }
            Map<String, Update> blockWrites = updates.getOrDefault(ns.getNamespace(), Map.of());
            for (KVRead read : kv.getReadsList()) {
                if (blockWrites.containsKey(read.getKey())) {
                    return TxValidationCode.MVCC_READ_CONFLICT_VALUE;
                }
                Optional<StateStore.VersionedValue> committed = channel.state().get(ns.getNamespace(), read.getKey());
                boolean readAbsent = !read.hasVersion();
                if (committed.isEmpty() != readAbsent || (committed.isPresent()
                        && (committed.get().blockNumber() != read.getVersion().getBlockNum()
                        || committed.get().transactionNumber() != read.getVersion().getTxNum()))) {
                    return TxValidationCode.MVCC_READ_CONFLICT_VALUE;
                }
            }
            for (RangeQueryInfo range : kv.getRangeQueriesInfoList()) {
                if (!rangeUnchanged(ns.getNamespace(), range, blockWrites)) {
                    return TxValidationCode.PHANTOM_READ_CONFLICT_VALUE;
                }
            }
        }
        return TxValidationCode.VALID_VALUE;
    }

    /**
     * Re-runs a range query over committed state overlaid with the block's earlier writes and
     * compares keys and versions with what the simulation read (Fabric's rangeQueryResultsValidator).
     * A query that was not exhausted is re-run up to and including its last key.
     */
    private boolean rangeUnchanged(String namespace, RangeQueryInfo range, Map<String, Update> blockWrites) {
        if (range.hasReadsMerkleHashes()) {
            return false; // this peer never records merkle summaries; treat one as a changed range
        }
        String start = range.getStartKey();
        String end = range.getEndKey();
        boolean includeEnd = !range.getItrExhausted();
        TreeMap<String, long[]> current = new TreeMap<>(KeyOrder.UTF8);
        String scanEnd = includeEnd ? "" : end;
        Iterator<StateStore.Entry> committed = channel.state().range(namespace, start, scanEnd);
        while (committed.hasNext()) {
            StateStore.Entry e = committed.next();
            if (includeEnd && !end.isEmpty() && KeyOrder.compare(e.key(), end) > 0) {
                break;
            }
            current.put(e.key(), new long[] {e.value().blockNumber(), e.value().transactionNumber()});
        }
        for (var write : blockWrites.entrySet()) {
            String key = write.getKey();
            boolean inRange = KeyOrder.compare(key, start) >= 0 && (end.isEmpty()
                    || (includeEnd ? KeyOrder.compare(key, end) <= 0 : KeyOrder.compare(key, end) < 0));
            if (!inRange) {
                continue;
            }
            if (write.getValue().value() == null) {
                current.remove(key);
            } else {
                current.put(key, new long[] {-1, write.getValue().transaction()});
            }
        }
        List<KVRead> reads = range.getRawReads().getKvReadsList();
        Iterator<Map.Entry<String, long[]>> now = current.entrySet().iterator();
        for (KVRead read : reads) {
            if (!now.hasNext()) {
                return false;
            }
            Map.Entry<String, long[]> entry = now.next();
            if (!entry.getKey().equals(read.getKey()) || entry.getValue()[0] != read.getVersion().getBlockNum()
                    || entry.getValue()[1] != read.getVersion().getTxNum()) {
                return false;
            }
        }
        return !range.getItrExhausted() || !now.hasNext();
    }

    private static void applyToBatch(TxReadWriteSet rwset, int transaction, Map<String, Map<String, Update>> updates) {
        for (NsReadWriteSet ns : rwset.getNsRwsetList()) {
            KVRWSet kv;
            try {
                kv = KVRWSet.parseFrom(ns.getRwset());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("read-write set was parsed during validation", e);
            }
            for (KVWrite write : kv.getWritesList()) {
                updates.computeIfAbsent(ns.getNamespace(), n -> new TreeMap<>(KeyOrder.UTF8))
                        .put(write.getKey(), new Update(write.getIsDelete() ? null : write.getValue().toByteArray(),
                                transaction));
            }
        }
    }

    /**
     * Fabric's deterministic bytes of a block's public updates ({@code txmgr.Updates}): namespaces
     * and keys in byte order, the namespace written only on a namespace's first entry, and each
     * version as two order-preserving varints.
     */
    static byte[] updateBytes(Map<String, Map<String, Update>> updates, long blockNumber) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CodedOutputStream updatesStream = CodedOutputStream.newInstance(out);
            for (var ns : updates.entrySet()) {
                boolean first = true;
                for (var write : ns.getValue().entrySet()) {
                    ByteArrayOutputStream kv = new ByteArrayOutputStream();
                    CodedOutputStream w = CodedOutputStream.newInstance(kv);
                    if (first) {
                        w.writeString(1, ns.getKey());
                        first = false;
                    }
                    w.writeBytes(3, ByteString.copyFromUtf8(write.getKey()));
                    byte[] value = write.getValue().value();
                    if (value == null) {
                        w.writeBool(4, true);
                    } else if (value.length > 0) {
                        w.writeBytes(5, ByteString.copyFrom(value));
                    }
                    w.writeBytes(6, ByteString.copyFrom(concat(orderPreserving(blockNumber),
                            orderPreserving(write.getValue().transaction()))));
                    w.flush();
                    updatesStream.writeBytes(1, ByteString.copyFrom(kv.toByteArray()));
                }
            }
            updatesStream.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /** Fabric's {@code EncodeOrderPreservingVarUint64}: a length byte, then the big-endian bytes without leading zeros. */
    static byte[] orderPreserving(long number) {
        int size = number == 0 ? 0 : 8 - Long.numberOfLeadingZeros(number) / 8;
        byte[] out = new byte[size + 1];
        out[0] = (byte) size;
        for (int i = 0; i < size; i++) {
            out[1 + i] = (byte) (number >>> (8 * (size - 1 - i)));
        }
        return out;
    }

    /** {@code SHA-256(varint(len(filter)) ‖ filter ‖ update bytes ‖ previous commit hash)}, as kvledger computes it. */
    static byte[] commitHash(byte[] filter, byte[] updateBytes, byte[] previous) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CodedOutputStream stream = CodedOutputStream.newInstance(out);
            stream.writeUInt64NoTag(filter.length);
            stream.flush();
            out.write(filter);
            out.write(updateBytes);
            out.write(previous);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return Hashing.sha256(out.toByteArray());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
