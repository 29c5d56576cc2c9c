package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.hyperledger.fabric.protos.common.Capabilities;
import org.hyperledger.fabric.protos.common.Capability;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigValue;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.hyperledger.fabric.protos.orderer.BatchTimeout;

/**
 * Common changes to a channel config, each returning the changed copy, to describe the config
 * wanted for {@link ChannelConfigUpdate#compute}: the orderer's batch size and batch timeout, and
 * the capability levels of the channel, orderer and application sections. A changed value keeps
 * its version and mod_policy; computing the update bumps the version.
 *
 * <pre>{@code
 * Config desired = ConfigChanges.withBatchTimeout(ConfigChanges.withMaxMessageCount(current.config(), 50),
 *         Duration.ofMillis(500));
 * ChannelConfigUpdate update = ChannelConfigUpdate.compute(current, desired);
 * }</pre>
 */
public final class ConfigChanges {
    private ConfigChanges() {
    }

    /**
     * The config with the orderer's {@code BatchSize.max_message_count} set.
     *
     * @throws ChannelConfigException if the config has no orderer batch size, or the count is not positive
     */
    public static Config withMaxMessageCount(Config config, int maxMessageCount) {
        if (maxMessageCount < 1) {
            throw new ChannelConfigException("the batch size must be at least 1 message, got " + maxMessageCount);
        }
        BatchSize size = batchSize(config);
        return withBatchSize(config, size.toBuilder().setMaxMessageCount(maxMessageCount).build());
    }

    /**
     * The config with the orderer's whole {@code BatchSize} replaced.
     *
     * @throws ChannelConfigException if the config has no orderer batch size, or the sizes are not
     *     consistent (all positive, PreferredMaxBytes at most AbsoluteMaxBytes)
     */
    public static Config withBatchSize(Config config, BatchSize size) {
        Objects.requireNonNull(size, "size");
        batchSize(config);
        if (size.getMaxMessageCount() < 1 || size.getAbsoluteMaxBytes() < 1 || size.getPreferredMaxBytes() < 1
                || Integer.toUnsignedLong(size.getPreferredMaxBytes()) > Integer.toUnsignedLong(size.getAbsoluteMaxBytes())) {
            throw new ChannelConfigException("the batch size needs a positive message count and byte sizes, with "
                    + "PreferredMaxBytes at most AbsoluteMaxBytes; got " + size.toString().replace('\n', ' ').trim());
        }
        return withValue(config, ChannelConfig.ORDERER, "BatchSize", size.toByteString());
    }

    /**
     * The config with the orderer's {@code BatchTimeout} set, written as Fabric writes it ("250ms", "2s").
     *
     * @throws ChannelConfigException if the config has no orderer batch timeout, or the timeout is not positive
     */
    public static Config withBatchTimeout(Config config, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ChannelConfigException("the batch timeout must be positive, got " + timeout);
        }
        if (!group(config, ChannelConfig.ORDERER).containsValues("BatchTimeout")) {
            throw new ChannelConfigException("the config has no /Channel/Orderer/BatchTimeout value to change");
        }
        return withValue(config, ChannelConfig.ORDERER, "BatchTimeout",
                BatchTimeout.newBuilder().setTimeout(GoDurations.format(timeout)).build().toByteString());
    }

    /**
     * The config with the capabilities of a section set to exactly {@code capabilities}.
     *
     * @param section {@link ChannelConfig#ROOT} ("Channel"), {@link ChannelConfig#ORDERER} or {@link ChannelConfig#APPLICATION}
     * @throws ChannelConfigException if the section has no Capabilities value, or none is given
     */
    public static Config withCapabilities(Config config, String section, Set<String> capabilities) {
        Objects.requireNonNull(section, "section");
        if (capabilities.isEmpty()) {
            throw new ChannelConfigException("give at least one capability for " + section);
        }
        Capabilities.Builder value = Capabilities.newBuilder();
        for (String name : new TreeSet<>(capabilities)) {
            value.putCapabilities(name, Capability.getDefaultInstance());
        }
        if (section.equals(ChannelConfig.ROOT)) {
            ConfigValue current = config.getChannelGroup().getValuesMap().get("Capabilities");
            if (current == null) {
                throw new ChannelConfigException("the config has no /Channel/Capabilities value to change");
            }
            return config.toBuilder().setChannelGroup(config.getChannelGroup().toBuilder().putValues("Capabilities",
                    current.toBuilder().setValue(value.build().toByteString()).build())).build();
        }
        if (!group(config, section).containsValues("Capabilities")) {
            throw new ChannelConfigException("the config has no /Channel/" + section + "/Capabilities value to change");
        }
        return withValue(config, section, "Capabilities", value.build().toByteString());
    }

    private static BatchSize batchSize(Config config) {
        ConfigValue value = group(config, ChannelConfig.ORDERER).getValuesMap().get("BatchSize");
        if (value == null) {
            throw new ChannelConfigException("the config has no /Channel/Orderer/BatchSize value to change");
        }
        try {
            return BatchSize.parseFrom(value.getValue());
        } catch (InvalidProtocolBufferException e) {
            throw new ChannelConfigException("/Channel/Orderer/BatchSize is not an orderer.BatchSize: " + e.getMessage(), e);
        }
    }

    private static ConfigGroup group(Config config, String section) {
        ConfigGroup group = config.getChannelGroup().getGroupsMap().get(section);
        if (group == null) {
            throw new ChannelConfigException("the config has no " + section + " section (/Channel/" + section + ")");
        }
        return group;
    }

    /** The config with one value of a section given new bytes, its version and mod_policy kept. */
    private static Config withValue(Config config, String section, String name, ByteString bytes) {
        ConfigGroup group = group(config, section);
        ConfigValue value = group.getValuesMap().get(name);
        ConfigGroup changed = group.toBuilder().putValues(name, value.toBuilder().setValue(bytes).build()).build();
        return config.toBuilder().setChannelGroup(config.getChannelGroup().toBuilder().putGroups(section, changed))
                .build();
    }
}
