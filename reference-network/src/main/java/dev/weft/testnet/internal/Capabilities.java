package dev.weft.testnet.internal;

import dev.weft.core.ChannelConfig;
import dev.weft.core.InternalApi;
import dev.weft.testnet.UnsupportedCapabilityException;
import dev.weft.testnet.internal.config.GenesisBlocks;
import java.util.Set;
import java.util.TreeSet;

/**
 * The capability check a Fabric node makes before serving a channel: orderers need the channel
 * and orderer capabilities, peers the channel and application capabilities (seed 004).
 */
@InternalApi
public final class Capabilities {
    private Capabilities() {
    }

    public static void requireForOrderer(ChannelConfig config) {
        require(config, "Channel", config.channelCapabilities(), "orderer");
        require(config, "Orderer", config.ordererCapabilities(), "orderer");
    }

    public static void requireForPeer(ChannelConfig config) {
        require(config, "Channel", config.channelCapabilities(), "peer");
        require(config, "Application", config.applicationCapabilities(), "peer");
    }

    private static void require(ChannelConfig config, String level, Set<String> required, String node) {
        Set<String> supported = GenesisBlocks.SUPPORTED_CAPABILITIES.get(level);
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(supported);
        if (!missing.isEmpty()) {
            throw new UnsupportedCapabilityException("channel " + config.channelId() + " requires " + level
                    + " capability " + String.join(", ", missing) + ", which the reference " + node
                    + " does not support (it supports " + new TreeSet<>(supported) + "); lower the capability"
                    + " level of the channel");
        }
    }
}
