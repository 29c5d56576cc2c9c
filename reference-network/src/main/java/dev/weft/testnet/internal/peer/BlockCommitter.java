package dev.weft.testnet.internal.peer;

import dev.weft.core.ChannelConfig;
import dev.weft.core.InternalApi;
import dev.weft.testnet.UnsupportedCapabilityException;
import dev.weft.testnet.internal.Capabilities;
import dev.weft.testnet.internal.peer.validation.BlockVerificationException;
import dev.weft.testnet.internal.peer.validation.BlockVerifier;
import dev.weft.testnet.internal.peer.validation.MvccValidator;
import dev.weft.testnet.internal.peer.validation.TransactionValidator;
import dev.weft.testnet.internal.peer.validation.UpdateBatch;
import dev.weft.testnet.internal.peer.validation.ValidatedTransaction;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates and commits blocks on a reference peer as Fabric's committer does, in Fabric's parts:
 *
 * <ol>
 *   <li>{@link BlockVerifier}: the block must extend the ledger (number, previous hash), match its
 *       data hash and carry an orderer signature satisfying {@code /Channel/Orderer/BlockValidation}.
 *   <li>{@link TransactionValidator}: each transaction is checked independently (in parallel), in
 *       Fabric's order, from the envelope to the endorsement policy; later copies of a transaction
 *       id in the block are {@code DUPLICATE_TXID}.
 *   <li>{@link MvccValidator}: in block order, each still-valid transaction's reads must see the
 *       committed versions and no write by an earlier valid transaction of the block
 *       ({@code MVCC_READ_CONFLICT}); its range queries must return the same keys and versions
 *       ({@code PHANTOM_READ_CONFLICT}).
 *   <li>{@link StateCommitter}: the block is stored with its {@code TRANSACTIONS_FILTER} and
 *       {@code COMMIT_HASH} metadata, then valid writes are applied with version (block, index)
 *       and committed; only then are the ledger's readers (Deliver) woken.
 * </ol>
 *
 * <p>One committer per channel, called by one thread at a time (the channel's block puller).
 * The MVCC checks and the state writes run under the channel's state write lock, so a simulation
 * never sees half a block.
 */
@InternalApi
public final class BlockCommitter {
    private static final Logger log = LoggerFactory.getLogger(BlockCommitter.class);

    private final PeerChannel channel;
    private final BlockVerifier verifier;
    private final TransactionValidator transactions;
    private final MvccValidator mvcc;
    private final StateCommitter state;

    /** @param validators where a block's transactions are validated in parallel */
    public BlockCommitter(PeerChannel channel, ForkJoinPool validators) {
        this.channel = channel;
        this.verifier = new BlockVerifier(channel.clock(), channel.signatures());
        this.transactions = new TransactionValidator(channel.channelId(), channel.ledger(),
                name -> channel.chaincode(name).map(ChaincodeDefinition::policy), channel.signatures(), channel.clock(),
                validators);
        this.mvcc = new MvccValidator(channel.state());
        this.state = new StateCommitter(channel.state(), channel.ledger());
    }

    /**
     * Validates and commits the next block.
     *
     * @throws BlockVerificationException if the block cannot be appended to this ledger
     */
    public void commit(Block block) {
        ChannelConfig config = channel.config();
        verifier.verify(block, channel.ledger(), config);
        long number = block.getHeader().getNumber();
        List<ValidatedTransaction> checked = transactions.validate(block, config);
        byte[] codes = ValidatedTransaction.codes(checked);
        UpdateBatch updates = new UpdateBatch();
        ChannelConfig newConfig = null;
        channel.lock().writeLock().lock();
        try {
            for (int i = 0; i < codes.length; i++) {
                ValidatedTransaction tx = checked.get(i);
                if (!tx.isValid()) {
                    continue;
                }
                if (tx.newConfig() != null) {
                    try {
                        Capabilities.requireForPeer(tx.newConfig());
                    } catch (UnsupportedCapabilityException e) {
                        // As a Fabric peer does, rather than commit blocks it could not validate as the others do.
                        throw new UnsupportedCapabilityException("config block " + number + ": " + e.getMessage()
                                + "; the peer stops the channel before that block, which it does not commit");
                    }
                    newConfig = tx.newConfig();
                    continue;
                }
                TxValidationCode code = mvcc.validate(tx.rwset(), updates);
                codes[i] = (byte) code.getNumber();
                if (code == TxValidationCode.VALID) {
                    updates.add(tx.rwset(), i);
                }
            }
            byte[] commitHash = StateCommitter.commitHash(codes, updates, number, channel.commitHash());
            state.commit(block, codes, commitHash, updates);
            channel.setCommitHash(commitHash);
        } finally {
            channel.lock().writeLock().unlock();
        }
        if (newConfig != null) {
            channel.setConfig(newConfig);
        }
        channel.ledger().notifyAppended();
        if (log.isDebugEnabled()) {
            log.debug("channel {}: committed block {} ({} transactions)", channel.channelId(), number, codes.length);
        }
    }
}
