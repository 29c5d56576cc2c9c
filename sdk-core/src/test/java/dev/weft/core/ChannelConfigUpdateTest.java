package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.security.Signature;
import java.util.List;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigPolicy;
import org.hyperledger.fabric.protos.common.ConfigSignature;
import org.hyperledger.fabric.protos.common.ConfigUpdate;
import org.hyperledger.fabric.protos.common.ConfigUpdateEnvelope;
import org.hyperledger.fabric.protos.common.ConfigValue;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.junit.jupiter.api.Test;

/**
 * {@code configtxlator compute_update} as {@link ChannelConfigUpdate#compute} does it, checked
 * against the update a real Fabric 2.5.12 network took (block 15: BatchTimeout and
 * MaxMessageCount changed, made with configtxlator), and on hand-made configs for what that
 * update does not exercise.
 */
class ChannelConfigUpdateTest {

    private static Config config(int block) {
        return ChannelConfig.fromBlock(Fixtures.peerBlock(block), Fixtures.VALID_CLOCK).config();
    }

    private static ConfigUpdate realUpdate() throws Exception {
        Envelope envelope = Envelope.parseFrom(Fixtures.peerBlock(15).getData().getData(0));
        ConfigEnvelope config = ConfigEnvelope.parseFrom(Payload.parseFrom(envelope.getPayload()).getData());
        return ConfigUpdate.parseFrom(ConfigUpdateEnvelope.parseFrom(Payload.parseFrom(
                config.getLastUpdate().getPayload()).getData()).getConfigUpdate());
    }

    @Test
    void compute_realBatchChange_sameReadAndWriteSetsAsConfigtxlator() throws Exception {
        ChannelConfigUpdate update = ChannelConfigUpdate.compute("mychannel", config(0), config(15));

        ConfigUpdate real = realUpdate();
        assertEquals(real.getChannelId(), update.channelId());
        assertEquals(real.getReadSet(), update.toProto().getReadSet());
        assertEquals(real.getWriteSet(), update.toProto().getWriteSet());
        // Two values changed in place: the Orderer group keeps its version and carries only them, at version 1.
        ConfigGroup orderer = update.toProto().getWriteSet().getGroupsOrThrow("Orderer");
        assertEquals(0, orderer.getVersion());
        assertEquals(List.of("BatchSize", "BatchTimeout"), orderer.getValuesMap().keySet().stream().sorted().toList());
        assertEquals(1, orderer.getValuesOrThrow("BatchSize").getVersion());
    }

    @Test
    void compute_sameConfig_isRefused() {
        var e = assertThrows(ChannelConfigException.class, () -> ChannelConfigUpdate.compute("mychannel", config(0),
                config(0)));
        assertTrue(e.getMessage().contains("no differences"), e.getMessage());
    }

    @Test
    void compute_newAndRemovedMembers_bumpTheGroupAndListEveryMemberByVersion() {
        ConfigGroup application = ConfigGroup.newBuilder().setVersion(4).setModPolicy("Admins")
                .putGroups("Org1MSP", ConfigGroup.newBuilder().setVersion(2).setModPolicy("Admins")
                        .putValues("MSP", ConfigValue.newBuilder().setVersion(1).setModPolicy("Admins")
                                .setValue(ByteString.copyFromUtf8("org1")).build()).build())
                .putGroups("Org2MSP", ConfigGroup.newBuilder().setVersion(3).setModPolicy("Admins").build())
                .putPolicies("Admins", ConfigPolicy.newBuilder().setVersion(1).setModPolicy("Admins").build())
                .build();
        Config current = Config.newBuilder().setChannelGroup(ConfigGroup.newBuilder().setVersion(7)
                .putGroups("Application", application)).build();
        ConfigGroup org3 = ConfigGroup.newBuilder().setModPolicy("Admins")
                .putValues("MSP", ConfigValue.newBuilder().setModPolicy("Admins")
                        .setValue(ByteString.copyFromUtf8("org3")).build()).build();
        Config desired = current.toBuilder().setChannelGroup(current.getChannelGroup().toBuilder()
                .putGroups("Application", application.toBuilder().removeGroups("Org2MSP").putGroups("Org3MSP", org3)
                        .build())).build();

        ConfigUpdate update = ChannelConfigUpdate.compute("c", current, desired).toProto();

        // The read set pins the group and the member kept; the write set bumps the group and adds the new one at 0.
        ConfigGroup read = update.getReadSet().getGroupsOrThrow("Application");
        assertEquals(4, read.getVersion());
        assertEquals(2, read.getGroupsOrThrow("Org1MSP").getVersion());
        assertEquals(List.of("Org1MSP"), List.copyOf(read.getGroupsMap().keySet()));
        assertEquals(1, read.getPoliciesOrThrow("Admins").getVersion());
        ConfigGroup write = update.getWriteSet().getGroupsOrThrow("Application");
        assertEquals(5, write.getVersion());
        assertEquals("Admins", write.getModPolicy());
        assertEquals(List.of("Org1MSP", "Org3MSP"), write.getGroupsMap().keySet().stream().sorted().toList());
        assertEquals(ConfigGroup.newBuilder().setVersion(2).build(), write.getGroupsOrThrow("Org1MSP"),
                "an unchanged member is written by version only");
        assertEquals(0, write.getGroupsOrThrow("Org3MSP").getVersion());
        assertEquals(ByteString.copyFromUtf8("org3"), write.getGroupsOrThrow("Org3MSP").getValuesOrThrow("MSP")
                .getValue());
        assertEquals(7, update.getWriteSet().getVersion(), "the channel group changed only deeper down");
    }

    @Test
    void signAndEnvelope_signaturesOverHeaderAndUpdate_envelopeSignedBySubmitter() throws Exception {
        X509Identity adminIdentity = X509Identity.of("Org1MSP", Fixtures.certificate("org1-user1-cert.pem"));
        Signer signer = Signers.newPrivateKeySigner(Fixtures.key("org1-user1-key.pem"));
        ChannelConfigUpdate update = ChannelConfigUpdate.compute("mychannel", config(0), config(15));
        ChannelConfigUpdate carried = ChannelConfigUpdate.parse(update.toByteArray());

        ConfigSignature signature = carried.sign(adminIdentity, signer);
        Envelope envelope = carried.envelope(List.of(signature), adminIdentity, signer);

        assertArrayEquals(update.toByteArray(), carried.toByteArray());
        assertEquals(adminIdentity.serialized(), SignatureHeader.parseFrom(signature.getSignatureHeader()).getCreator());
        assertTrue(verifies(adminIdentity, signature.getSignatureHeader().concat(ByteString.copyFrom(update.toByteArray())),
                signature.getSignature()));
        Payload payload = Payload.parseFrom(envelope.getPayload());
        assertEquals(HeaderType.CONFIG_UPDATE_VALUE, org.hyperledger.fabric.protos.common.ChannelHeader.parseFrom(
                payload.getHeader().getChannelHeader()).getType());
        ConfigUpdateEnvelope carriedUpdate = ConfigUpdateEnvelope.parseFrom(payload.getData());
        assertEquals(ByteString.copyFrom(update.toByteArray()), carriedUpdate.getConfigUpdate());
        assertEquals(List.of(signature), carriedUpdate.getSignaturesList());
        assertTrue(verifies(adminIdentity, envelope.getPayload(), envelope.getSignature()));
    }

    private static boolean verifies(X509Identity identity, ByteString data, ByteString signature) throws Exception {
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(identity.certificate().getPublicKey());
        verifier.update(data.toByteArray());
        return verifier.verify(signature.toByteArray());
    }

    @Test
    void parse_notAnUpdate_isRefused() {
        assertThrows(ChannelConfigException.class, () -> ChannelConfigUpdate.parse(new byte[] {(byte) 0xff, 1, 2}));
    }
}
