package dev.weft.testnet.internal.orderer.raft;

import dev.weft.core.InternalApi;
import dev.weft.testnet.Chain;
import dev.weft.testnet.Consenter;
import dev.weft.testnet.ConsenterSupport;
import java.util.function.Function;

/**
 * The Raft consenter of one orderer: consensus type {@value #TYPE}, as Fabric names it, with a
 * {@link RaftChain} per channel in that channel's Raft group.
 */
@InternalApi
public final class RaftConsenter implements Consenter {
    /** Fabric's consensus type name for Raft. */
    public static final String TYPE = "etcdraft";

    private final Function<String, RaftChain.Settings> settingsByChannel;

    /** @param settingsByChannel this orderer's place in each channel's Raft group */
    public RaftConsenter(Function<String, RaftChain.Settings> settingsByChannel) {
        this.settingsByChannel = settingsByChannel;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Chain handleChain(ConsenterSupport support, byte[] lastConsenterMetadata) {
        // The Raft log, not the last block's metadata, says where the chain resumes.
        return new RaftChain(support, settingsByChannel.apply(support.channelId()));
    }
}
