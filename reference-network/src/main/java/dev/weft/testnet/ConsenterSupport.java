package dev.weft.testnet;

import dev.weft.core.ChannelConfig;
import dev.weft.core.Scheduler;
import dev.weft.core.X509Identity;
import java.util.List;
import java.util.Optional;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;

/**
 * What an orderer gives a {@link Chain} for one channel, as Fabric's
 * {@code consensus.ConsenterSupport}: the block cutter, the current config, block creation and
 * writing (which adds the orderer's signature and the metadata Fabric puts in every block), and
 * re-validation of messages when the config has moved on.
 */
public interface ConsenterSupport {
    String channelId();

    /** The channel's block cutter, configured with its current batch size. */
    BlockCutter blockCutter();

    /** The channel's current configuration (batch timeout, capabilities, policies). */
    ChannelConfig sharedConfig();

    /** The current config sequence; messages validated at a lower one must be re-validated. */
    long sequence();

    /** Scheduler for batch timeouts. */
    Scheduler scheduler();

    /**
     * Re-validates a normal message against the current config.
     *
     * @throws dev.weft.core.WeftException if it is no longer valid
     */
    void revalidate(Envelope envelope);

    /**
     * Makes a config message validated at an older sequence again, from the config update it
     * carries, against the current config (Fabric's {@code ProcessConfigMsg}): the config message
     * to order instead.
     *
     * @throws dev.weft.core.WeftException if the current config no longer admits the update
     */
    Envelope reprocessConfig(Envelope config);

    /**
     * Creates the next block for a batch (number, previous hash, data hash) after the last block
     * created or written; does not write it.
     */
    Block createNextBlock(List<Envelope> batch);

    /**
     * Signs and appends a block of normal transactions: one this orderer created, or (in a
     * cluster) one another orderer created, with the same number, data and previous hash on every
     * orderer; each signs its own copy.
     *
     * @param consenterMetadata the consenter's own metadata for this block (empty for solo)
     */
    void writeBlock(Block block, byte[] consenterMetadata);

    /** Signs and appends a config block, and makes its config the channel's current one. */
    void writeConfigBlock(Block block, byte[] consenterMetadata);

    /** The number of blocks written on the channel. */
    long height();

    /** A written block by number, or empty if there is none (yet). */
    Optional<Block> block(long number);

    /** The orderer's identity, which signs the blocks it writes. */
    X509Identity identity();

    /** Signs a message with the orderer's key (Fabric's {@code crypto.LocalSigner}). */
    byte[] sign(byte[] message);

    /**
     * Checks that a block's orderer signatures satisfy the channel's
     * {@code /Channel/Orderer/BlockValidation} policy under its current config (Fabric's
     * {@code VerifyBlockSignature}), as a consenter does with a block another orderer made.
     *
     * @throws dev.weft.core.WeftException if none does
     */
    void verifyBlockSignature(Block block);
}
