package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.orderer.BatchTimeout;
import org.junit.jupiter.api.Test;

/** The common config changes on the config of a real Fabric 2.5.12 channel. */
class ConfigChangesTest {
    private static final ChannelConfig GENESIS = ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);

    private static ChannelConfig read(Config config) {
        return ChannelConfig.fromConfig("mychannel", config, Fixtures.VALID_CLOCK);
    }

    @Test
    void batchChanges_asFabricWritesThem_versionsAndModPoliciesKept() throws Exception {
        Config changed = ConfigChanges.withBatchTimeout(ConfigChanges.withMaxMessageCount(GENESIS.config(), 100),
                Duration.ofMillis(250));

        ChannelConfig config = read(changed);
        assertEquals(100, config.batchSize().orElseThrow().getMaxMessageCount());
        assertEquals(GENESIS.batchSize().orElseThrow().getAbsoluteMaxBytes(),
                config.batchSize().orElseThrow().getAbsoluteMaxBytes());
        var timeout = changed.getChannelGroup().getGroupsOrThrow("Orderer").getValuesOrThrow("BatchTimeout");
        assertEquals("250ms", BatchTimeout.parseFrom(timeout.getValue()).getTimeout());
        assertEquals(GENESIS.config().getChannelGroup().getGroupsOrThrow("Orderer").getValuesOrThrow("BatchTimeout")
                .getModPolicy(), timeout.getModPolicy());
        // The same change the real network made in block 15 (configtxlator): the same update.
        Config real = ChannelConfig.fromBlock(Fixtures.peerBlock(15), Fixtures.VALID_CLOCK).config();
        assertEquals(ChannelConfigUpdate.compute("mychannel", GENESIS.config(), real).toProto(),
                ChannelConfigUpdate.compute("mychannel", GENESIS.config(), changed).toProto());
    }

    @Test
    void capabilities_eachSection() {
        Config changed = ConfigChanges.withCapabilities(ConfigChanges.withCapabilities(GENESIS.config(),
                ChannelConfig.ROOT, Set.of("V1_4_3")), ChannelConfig.APPLICATION, Set.of("V2_0"));

        assertEquals(Set.of("V1_4_3"), read(changed).channelCapabilities());
        assertEquals(Set.of("V2_0"), read(changed).applicationCapabilities());
        assertEquals(GENESIS.ordererCapabilities(), read(changed).ordererCapabilities());
    }

    @Test
    void badChanges_areRefusedWithWhatIsWrong() {
        assertTrue(assertThrows(ChannelConfigException.class, () -> ConfigChanges.withMaxMessageCount(GENESIS.config(),
                0)).getMessage().contains("at least 1"));
        assertTrue(assertThrows(ChannelConfigException.class, () -> ConfigChanges.withBatchTimeout(GENESIS.config(),
                Duration.ZERO)).getMessage().contains("positive"));
        assertTrue(assertThrows(ChannelConfigException.class, () -> ConfigChanges.withCapabilities(GENESIS.config(),
                "Ledger", Set.of("V2_0"))).getMessage().contains("no Ledger section"));
        assertTrue(assertThrows(ChannelConfigException.class, () -> ConfigChanges.withMaxMessageCount(
                Config.getDefaultInstance(), 5)).getMessage().contains("no Orderer section"));
    }
}
