package dev.weft.testnet.internal.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigException;
import dev.weft.core.Fixtures;
import dev.weft.testnet.internal.VerifiedSignatures;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigSignature;
import org.hyperledger.fabric.protos.common.ConfigUpdate;
import org.hyperledger.fabric.protos.common.ConfigUpdateEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
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

    /** The real update with its ConfigUpdate changed, re-wrapped (its signatures then no longer match, unless kept). */
    private static Envelope withUpdate(java.util.function.UnaryOperator<ConfigUpdateEnvelope> change) throws Exception {
        Envelope update = realConfigEnvelope().getLastUpdate();
        Payload payload = Payload.parseFrom(update.getPayload());
        ConfigUpdateEnvelope changed = change.apply(ConfigUpdateEnvelope.parseFrom(payload.getData()));
        return update.toBuilder().setPayload(payload.toBuilder().setData(changed.toByteString()).build()
                .toByteString()).build();
    }

    private static ConfigUpdateEnvelope rewriteUpdate(ConfigUpdateEnvelope envelope,
            java.util.function.UnaryOperator<ConfigUpdate> change) {
        try {
            return envelope.toBuilder().setConfigUpdate(change.apply(ConfigUpdate.parseFrom(envelope.getConfigUpdate()))
                    .toByteString()).build();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void propose_readSetAtAnotherVersion_refusedWithBothVersions() throws Exception {
        Envelope stale = withUpdate(e -> rewriteUpdate(e, u -> u.toBuilder().setReadSet(u.getReadSet().toBuilder()
                .putGroups("Orderer", u.getReadSet().getGroupsOrThrow("Orderer").toBuilder().setVersion(1).build()))
                .build()));

        var e = assertThrows(ChannelConfigException.class,
                () -> ConfigUpdates.propose(GENESIS, stale, new VerifiedSignatures()));

        assertEquals("error authorizing update: error validating ReadSet: proposed update requires that key [Group]  "
                + "/Channel/Orderer be at version 1, but it is currently at version 0", e.getMessage());
    }

    @Test
    void propose_keyWithAnUnderscore_refusedAsFabricDoes() throws Exception {
        Envelope underscore = withUpdate(e -> rewriteUpdate(e, u -> u.toBuilder().setWriteSet(u.getWriteSet()
                .toBuilder().putGroups("Org_3MSP", ConfigGroup.newBuilder().setModPolicy("Admins").build())).build()));

        var e = assertThrows(ChannelConfigException.class,
                () -> ConfigUpdates.propose(GENESIS, underscore, new VerifiedSignatures()));

        assertEquals("error authorizing update: error mapping WriteSet: illegal characters in key: [Group]  : config ID "
                + "'Org_3MSP' contains illegal characters", e.getMessage());
    }

    @Test
    void propose_signatureHeaderMalformed_refusesTheWholeUpdate() throws Exception {
        Envelope malformed = withUpdate(e -> e.toBuilder().addSignatures(ConfigSignature.newBuilder()
                .setSignatureHeader(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01}))).build());

        var e = assertThrows(ChannelConfigException.class,
                () -> ConfigUpdates.propose(GENESIS, malformed, new VerifiedSignatures()));

        assertTrue(e.getMessage().contains("signature 1 of the config update has a malformed signature header"),
                e.getMessage());
    }

    @Test
    void propose_theAdminSignatureTwice_countsOnce_andStillSatisfiesOneAdmin() throws Exception {
        Envelope twice = withUpdate(e -> e.toBuilder().addSignatures(e.getSignatures(0)).build());

        ConfigEnvelope proposed = ConfigUpdates.propose(GENESIS, twice, new VerifiedSignatures());

        assertEquals(realConfigEnvelope().getConfig(), proposed.getConfig());
    }

    @Test
    void validate_lastUpdateNotAConfigUpdate_isRefused() throws Exception {
        ConfigEnvelope real = realConfigEnvelope();
        Payload payload = Payload.parseFrom(real.getLastUpdate().getPayload());
        ChannelHeader header = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader()).toBuilder()
                .setType(HeaderType.ENDORSER_TRANSACTION_VALUE).build();
        Envelope retyped = real.getLastUpdate().toBuilder().setPayload(payload.toBuilder().setHeader(payload.getHeader()
                .toBuilder().setChannelHeader(header.toByteString())).build().toByteString()).build();

        var e = assertThrows(ChannelConfigException.class, () -> ConfigUpdates.validate(GENESIS,
                real.toBuilder().setLastUpdate(retyped).build(), new VerifiedSignatures()));

        assertTrue(e.getMessage().contains("not a tx of type CONFIG_UPDATE"), e.getMessage());
    }
}
