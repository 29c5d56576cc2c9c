package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.BlockView;
import dev.weft.core.InternalApi;
import dev.weft.core.TransactionView;
import dev.weft.core.internal.Hashing;
import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.peer.validation.UpdateBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * The last step of a commit, as Fabric's kvledger takes it once a block is validated: the block
 * is stored with its {@code TRANSACTIONS_FILTER} and {@code COMMIT_HASH} metadata (the commit hash
 * chains the block's validation codes and updates to the previous block's), then the block's
 * valid writes go into world state with version (block, transaction) and the state's savepoint
 * moves to the block. Blocks first, as in Fabric: a crash between the two leaves the state behind
 * the block store, and {@link #updatesOf} lets recovery replay what it missed.
 *
 * <p>Holds no state of its own (the previous commit hash is the caller's). Not for concurrent
 * commits: one committing thread per channel calls it, holding the channel's state write lock
 * around {@link #commit}.
 */
@InternalApi
public final class StateCommitter {
    private final StateStore state;
    private final ChannelLedger ledger;

    public StateCommitter(StateStore state, ChannelLedger ledger) {
        this.state = state;
        this.ledger = ledger;
    }

    /**
     * Writes a block's updates to world state, one key at a time in namespace and key order, each
     * with the version of the transaction that last wrote it, then commits them with the block's
     * number as the state's savepoint.
     */
    public void apply(UpdateBatch updates, long blockNumber) {
        for (var ns : updates.byNamespace().entrySet()) {
            for (var write : ns.getValue().entrySet()) {
                state.apply(List.of(new StateStore.Write(ns.getKey(), write.getKey(), write.getValue().value())),
                        blockNumber, write.getValue().transaction());
            }
        }
        state.commit(blockNumber);
    }

    /**
     * The updates of a block already committed: the writes of its transactions that its
     * {@code TRANSACTIONS_FILTER} marks VALID. Recovery re-applies them to a state store whose
     * savepoint is behind the block store.
     */
    public static UpdateBatch updatesOf(Block committed) {
        UpdateBatch updates = new UpdateBatch();
        for (TransactionView tx : BlockView.of(committed).transactions()) {
            if (tx.isEndorserTransaction() && tx.validationCode().orElse(null) == TxValidationCode.VALID) {
                updates.add(tx.readWriteSet(), tx.index());
            }
        }
        return updates;
    }

    /**
     * Fabric's commit hash of a block: {@code SHA-256(varint(len(codes)) ‖ codes ‖ update bytes ‖
     * previous commit hash)}, with the update bytes of {@link #updateBytes}.
     *
     * @param codes the block's final validation codes
     * @param previous the previous block's commit hash (empty after the genesis block)
     */
    public static byte[] commitHash(byte[] codes, UpdateBatch updates, long blockNumber, byte[] previous) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CodedOutputStream stream = CodedOutputStream.newInstance(out);
            stream.writeUInt64NoTag(codes.length);
            stream.flush();
            out.write(codes);
            out.write(updateBytes(updates, blockNumber));
            out.write(previous);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return Hashing.sha256(out.toByteArray());
    }

    /**
     * Stores the block with its final codes and commit hash, then applies and commits its
     * updates. The ledger's readers are not woken: the caller does that once the commit is
     * complete ({@link ChannelLedger#notifyAppended()}).
     *
     * @return the block as stored
     */
    public Block commit(Block block, byte[] codes, byte[] commitHash, UpdateBatch updates) {
        Block committed = withCommitMetadata(block, codes, commitHash);
        ledger.store().append(committed);
        apply(updates, block.getHeader().getNumber());
        return committed;
    }

    /**
     * The block as the peer stores it: with its final validation codes and commit hash in its
     * metadata.
     */
    public static Block withCommitMetadata(Block block, byte[] codes, byte[] commitHash) {
        return block.toBuilder()
                .setMetadata(block.getMetadata().toBuilder()
                        .setMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE, ByteString.copyFrom(codes))
                        .setMetadata(BlockMetadataIndex.COMMIT_HASH_VALUE, Metadata.newBuilder()
                                .setValue(ByteString.copyFrom(commitHash)).build().toByteString()))
                .build();
    }

    /** The commit hash a stored block carries (empty for the genesis block, which has none). */
    public static byte[] commitHashOf(Block committed) {
        if (committed.getMetadata().getMetadataCount() <= BlockMetadataIndex.COMMIT_HASH_VALUE) {
            return new byte[0];
        }
        try {
            return Metadata.parseFrom(committed.getMetadata().getMetadata(BlockMetadataIndex.COMMIT_HASH_VALUE))
                    .getValue().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("block " + committed.getHeader().getNumber() + " has an unreadable "
                    + "COMMIT_HASH", e);
        }
    }

    /**
     * Fabric's deterministic bytes of a block's public updates ({@code txmgr.Updates}): namespaces
     * and keys in byte order, the namespace written only on a namespace's first entry, and each
     * version as two order-preserving varints.
     */
    static byte[] updateBytes(UpdateBatch updates, long blockNumber) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CodedOutputStream updatesStream = CodedOutputStream.newInstance(out);
            for (var ns : updates.byNamespace().entrySet()) {
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

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
