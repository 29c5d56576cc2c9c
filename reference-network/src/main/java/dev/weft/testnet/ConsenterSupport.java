package dev.weft.testnet;

import dev.weft.core.ChannelConfig;
import dev.weft.core.Scheduler;
import java.util.List;
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

    /** Creates the next block for a batch (number, previous hash, data hash); does not write it. */
    Block createNextBlock(List<Envelope> batch);

    /**
     * Signs and appends a block of normal transactions.
     *
     * @param consenterMetadata the consenter's own metadata for this block (empty for solo)
     */
    void writeBlock(Block block, byte[] consenterMetadata);

    /** Signs and appends a config block, and makes its config the channel's current one. */
    void writeConfigBlock(Block block, byte[] consenterMetadata);

    /** The number of blocks written on the channel. */
    long height();
}
