package dev.weft.testnet.internal.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigException;
import dev.weft.core.Fixtures;
import dev.weft.testnet.internal.VerifiedSignatures;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.ConfigUpdateEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.junit.jupiter.api.Test;

/**
 * The configtx validator on the config update a real Fabric 2.5.12 orderer took and its peers
 * applied (block 15: BatchTimeout 1s to 250ms and MaxMessageCount 10 to 100, signed by the
 * OrdererMSP admin), and on that update altered.
 */
class ConfigUpdatesTest {
    private static final ChannelConfig GENESIS = ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);

    private static ConfigEnvelope realConfigEnvelope() throws Exception {
        Envelope envelope = Envelope.parseFrom(Fixtures.peerBlock(15).getData().getData(0));
        return ConfigEnvelope.parseFrom(Payload.parseFrom(envelope.getPayload()).getData());
    }

    @Test
    void propose_realUpdate_makesTheConfigFabricMade() throws Exception {
        ConfigEnvelope real = realConfigEnvelope();

        ConfigEnvelope proposed = ConfigUpdates.propose(GENESIS, real.getLastUpdate(), new VerifiedSignatures());

        assertEquals(real.getConfig(), proposed.getConfig());
        assertEquals(1, proposed.getConfig().getSequence());
    }

    @Test
    void validate_realConfigBlock_isValid() throws Exception {
        assertDoesNotThrow(() -> ConfigUpdates.validate(GENESIS, realConfigEnvelope(), new VerifiedSignatures()));
    }

    @Test
    void validate_configOtherThanTheUpdateMakes_isRefused() throws Exception {
        ConfigEnvelope real = realConfigEnvelope();
        var orderer = real.getConfig().getChannelGroup().getGroupsOrThrow("Orderer");
        var batchSize = orderer.getValuesOrThrow("BatchSize");
        ConfigEnvelope tampered = real.toBuilder().setConfig(real.getConfig().toBuilder().setChannelGroup(real.getConfig()
                .getChannelGroup().toBuilder().putGroups("Orderer", orderer.toBuilder().putValues("BatchSize",
                        batchSize.toBuilder().setValue(BatchSize.parseFrom(batchSize.getValue()).toBuilder()
                                .setMaxMessageCount(99).build().toByteString()).build()).build()))).build();

        var e = assertThrows(ChannelConfigException.class,
                () -> ConfigUpdates.validate(GENESIS, tampered, new VerifiedSignatures()));

        assertEquals("ConfigEnvelope LastUpdate did not produce the supplied config result", e.getMessage());
    }

    @Test
    void propose_withoutTheAdminSignature_failsTheOrdererAdminsPolicy() throws Exception {
        Envelope update = realConfigEnvelope().getLastUpdate();
        Payload payload = Payload.parseFrom(update.getPayload());
        ConfigUpdateEnvelope unsigned = ConfigUpdateEnvelope.parseFrom(payload.getData()).toBuilder().clearSignatures()
                .build();
        Envelope stripped = update.toBuilder().setPayload(payload.toBuilder().setData(unsigned.toByteString()).build()
                .toByteString()).build();

        var e = assertThrows(ChannelConfigException.class,
                () -> ConfigUpdates.propose(GENESIS, stripped, new VerifiedSignatures()));

        assertTrue(e.getMessage().startsWith("error authorizing update: error validating DeltaSet: policy for [Value]  "
                + "/Channel/Orderer/Batch"), e.getMessage());
        assertTrue(e.getMessage().endsWith("not satisfied: implicit policy evaluation failed - 0 sub-policies were "
                + "satisfied, but this policy requires 1 of the 'Admins' sub-policies to be satisfied"), e.getMessage());
    }

    @Test
    void validate_atTheSameSequence_isRefused() throws Exception {
        ChannelConfig after = ChannelConfig.fromBlock(Fixtures.peerBlock(15), Fixtures.VALID_CLOCK);

        var e = assertThrows(ChannelConfigException.class,
                () -> ConfigUpdates.validate(after, realConfigEnvelope(), new VerifiedSignatures()));

        assertEquals("config currently at sequence 1, cannot validate config at sequence 1", e.getMessage());
    }
}
