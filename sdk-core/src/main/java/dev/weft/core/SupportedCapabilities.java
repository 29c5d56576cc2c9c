package dev.weft.core;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The capability levels of a channel config (seed 004) that this version of Weft supports, by
 * section: Fabric's levels from v1.1 up to v2.5 and, for the channel, v3.0. A gateway refuses a
 * channel that requires another with {@link CapabilityException}.
 */
public final class SupportedCapabilities {
    private static final Map<String, Set<String>> LEVELS = Map.of(
            ChannelConfig.ROOT, Set.of("V1_1", "V1_3", "V1_4_2", "V1_4_3", "V2_0", "V3_0"),
            ChannelConfig.ORDERER, Set.of("V1_1", "V1_4_2", "V2_0"),
            ChannelConfig.APPLICATION, Set.of("V1_1", "V1_2", "V1_3", "V1_4_2", "V2_0", "V2_5"));

    private SupportedCapabilities() {
    }

    /** The levels Weft supports in a section ({@link ChannelConfig#ROOT}, ORDERER or APPLICATION). */
    public static Set<String> of(String section) {
        Set<String> levels = LEVELS.get(section);
        if (levels == null) {
            throw new IllegalArgumentException("no capability section " + section + "; the sections are "
                    + new TreeSet<>(LEVELS.keySet()));
        }
        return levels;
    }

    /**
     * Checks every section of a channel's config.
     *
     * @throws CapabilityException naming the section and the levels Weft lacks
     */
    public static void require(ChannelConfig config) {
        require(config, ChannelConfig.ROOT, config.channelCapabilities());
        require(config, ChannelConfig.ORDERER, config.ordererCapabilities());
        require(config, ChannelConfig.APPLICATION, config.applicationCapabilities());
    }

    private static void require(ChannelConfig config, String section, Set<String> required) {
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(of(section));
        if (!missing.isEmpty()) {
            throw new CapabilityException("channel " + config.channelId() + " requires " + section + " capability "
                    + String.join(", ", missing) + ", which this version of Weft does not support (it supports "
                    + new TreeSet<>(of(section)) + "); upgrade Weft to use this channel");
        }
    }
}
