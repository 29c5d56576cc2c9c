package dev.weft.testnet.internal.config;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.weft.core.ChannelPolicy;
import dev.weft.core.EndorsementPolicy;
import dev.weft.core.GoDurations;
import dev.weft.core.InternalApi;
import dev.weft.core.TransactionId;
import dev.weft.core.internal.Blocks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockDataHashingStructure;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.Capabilities;
import org.hyperledger.fabric.protos.common.Capability;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigPolicy;
import org.hyperledger.fabric.protos.common.ConfigValue;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HashingAlgorithm;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.LastConfig;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.OrdererAddresses;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.msp.MSPConfig;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.hyperledger.fabric.protos.orderer.BatchTimeout;
import org.hyperledger.fabric.protos.orderer.ChannelRestrictions;
import org.hyperledger.fabric.protos.orderer.ConsensusType;
import org.hyperledger.fabric.protos.peer.AnchorPeer;
import org.hyperledger.fabric.protos.peer.AnchorPeers;

/**
 * Builds a channel's genesis block the way configtxgen does for the test network's
 * {@code ChannelUsingRaft} profile: the same groups, values, policies, mod policies and versions,
 * an unsigned CONFIG envelope with an empty creator, and the two metadata entries configtxgen
 * sets. Only keys, names, endpoints, times and the consensus type differ.
 */
@InternalApi
public final class GenesisBlocks {
    private static final String ADMINS = "Admins";

    private GenesisBlocks() {
    }

    /** An application organisation: MSP id, MSP definition and anchor peers ({@code host:port}). */
    public record PeerOrganization(String mspId, MSPConfig msp, List<String> anchorPeers) {
    }

    /** An orderer organisation: MSP id, MSP definition and orderer endpoints ({@code host:port}). */
    public record OrdererOrganization(String mspId, MSPConfig msp, List<String> endpoints) {
    }

    /** Everything a channel's genesis config holds. */
    public record ChannelDefinition(String channelId, List<PeerOrganization> peerOrganizations,
            List<OrdererOrganization> ordererOrganizations, BatchSize batchSize, Duration batchTimeout,
            Set<String> channelCapabilities, Set<String> ordererCapabilities, Set<String> applicationCapabilities,
            String consensusType, ByteString consensusMetadata) {
    }

    /** The genesis block of a channel, timestamped {@code now} (whole seconds, as configtxgen writes). */
    public static Block genesisBlock(ChannelDefinition channel, Instant now) {
        ChannelHeader channelHeader = ChannelHeader.newBuilder()
                .setType(HeaderType.CONFIG_VALUE)
                .setVersion(1)
                .setChannelId(channel.channelId())
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                .setEpoch(0)
                .build();
        ByteString nonce = TransactionId.newNonce();
        // configtxgen's genesis envelope has no creator: the tx id is SHA-256 of the nonce alone.
        channelHeader = channelHeader.toBuilder()
                .setTxId(TransactionId.compute(nonce, ByteString.EMPTY))
                .build();
        Payload payload = Payload.newBuilder()
                .setHeader(Header.newBuilder()
                        .setChannelHeader(channelHeader.toByteString())
                        .setSignatureHeader(SignatureHeader.newBuilder().setNonce(nonce).build().toByteString()))
                .setData(ConfigEnvelope.newBuilder()
                        .setConfig(Config.newBuilder().setChannelGroup(channelGroup(channel)))
                        .build().toByteString())
                .build();
        Envelope envelope = Envelope.newBuilder().setPayload(payload.toByteString()).build();
        BlockData data = BlockData.newBuilder().addData(envelope.toByteString()).build();
        return Block.newBuilder()
                .setHeader(BlockHeader.newBuilder().setNumber(0).setDataHash(ByteString.copyFrom(Blocks.dataHash(data))))
                .setData(data)
                .setMetadata(BlockMetadata.newBuilder()
                        .addMetadata(Metadata.newBuilder()
                                .setValue(OrdererBlockMetadata.newBuilder()
                                        .setLastConfig(LastConfig.newBuilder().setIndex(0)).build().toByteString())
                                .build().toByteString())
                        .addMetadata(Metadata.newBuilder()
                                .setValue(LastConfig.newBuilder().setIndex(0).build().toByteString())
                                .build().toByteString())
                        .addMetadata(ByteString.EMPTY)
                        .addMetadata(ByteString.EMPTY)
                        .addMetadata(ByteString.EMPTY))
                .build();
    }

    /** The {@code /Channel} group. */
    public static ConfigGroup channelGroup(ChannelDefinition channel) {
        ConfigGroup.Builder root = group()
                .putValues("HashingAlgorithm", value(HashingAlgorithm.newBuilder().setName("SHA256").build()))
                .putValues("BlockDataHashingStructure",
                        value(BlockDataHashingStructure.newBuilder().setWidth(0xFFFFFFFF).build()))
                .putValues("Capabilities", value(capabilities(channel.channelCapabilities())))
                .putPolicies("Readers", implicitMeta("ANY Readers"))
                .putPolicies("Writers", implicitMeta("ANY Writers"))
                .putPolicies(ADMINS, implicitMeta("MAJORITY Admins"));
        if (!channel.channelCapabilities().contains("V3_0")) {
            // configtxgen writes the global addresses only below V3_0, which forbids them.
            List<String> all = channel.ordererOrganizations().stream().flatMap(o -> o.endpoints().stream()).toList();
            root.putValues("OrdererAddresses", value(OrdererAddresses.newBuilder().addAllAddresses(all).build())
                    .toBuilder().setModPolicy("/Channel/Orderer/Admins").build());
        }
        root.putGroups("Application", applicationGroup(channel));
        root.putGroups("Orderer", ordererGroup(channel));
        return root.build();
    }

    private static ConfigGroup applicationGroup(ChannelDefinition channel) {
        ConfigGroup.Builder application = group()
                .putValues("Capabilities", value(capabilities(channel.applicationCapabilities())))
                .putPolicies("Readers", implicitMeta("ANY Readers"))
                .putPolicies("Writers", implicitMeta("ANY Writers"))
                .putPolicies(ADMINS, implicitMeta("MAJORITY Admins"))
                .putPolicies("Endorsement", implicitMeta("MAJORITY Endorsement"))
                .putPolicies("LifecycleEndorsement", implicitMeta("MAJORITY Endorsement"));
        for (PeerOrganization org : channel.peerOrganizations()) {
            String msp = org.mspId();
            AnchorPeers.Builder anchors = AnchorPeers.newBuilder();
            for (String endpoint : org.anchorPeers()) {
                int colon = endpoint.lastIndexOf(':');
                anchors.addAnchorPeers(AnchorPeer.newBuilder()
                        .setHost(endpoint.substring(0, colon))
                        .setPort(Integer.parseInt(endpoint.substring(colon + 1))));
            }
            ConfigGroup.Builder group = group()
                    .putValues("MSP", value(org.msp()))
                    .putPolicies("Readers", signature("OR('" + msp + ".admin', '" + msp + ".peer', '" + msp + ".client')"))
                    .putPolicies("Writers", signature("OR('" + msp + ".admin', '" + msp + ".client')"))
                    .putPolicies(ADMINS, signature("OR('" + msp + ".admin')"))
                    .putPolicies("Endorsement", signature("OR('" + msp + ".peer')"));
            if (!org.anchorPeers().isEmpty()) {
                group.putValues("AnchorPeers", value(anchors.build()));
            }
            application.putGroups(msp, group.build());
        }
        return application.build();
    }

    private static ConfigGroup ordererGroup(ChannelDefinition channel) {
        ConfigGroup.Builder orderer = group()
                .putValues("BatchSize", value(channel.batchSize()))
                .putValues("BatchTimeout", value(BatchTimeout.newBuilder()
                        .setTimeout(GoDurations.format(channel.batchTimeout())).build()))
                .putValues("Capabilities", value(capabilities(channel.ordererCapabilities())))
                .putValues("ChannelRestrictions", value(ChannelRestrictions.getDefaultInstance()))
                .putValues("ConsensusType", value(ConsensusType.newBuilder()
                        .setType(channel.consensusType())
                        .setMetadata(channel.consensusMetadata())
                        .setState(ConsensusType.State.STATE_NORMAL)
                        .build()))
                .putPolicies("Readers", implicitMeta("ANY Readers"))
                .putPolicies("Writers", implicitMeta("ANY Writers"))
                .putPolicies(ADMINS, implicitMeta("MAJORITY Admins"))
                .putPolicies("BlockValidation", implicitMeta("ANY Writers"));
        for (OrdererOrganization org : channel.ordererOrganizations()) {
            String msp = org.mspId();
            orderer.putGroups(ordererGroupName(msp), group()
                    .putValues("MSP", value(org.msp()))
                    .putValues("Endpoints", value(OrdererAddresses.newBuilder().addAllAddresses(org.endpoints()).build()))
                    .putPolicies("Readers", signature("OR('" + msp + ".member')"))
                    .putPolicies("Writers", signature("OR('" + msp + ".member')"))
                    .putPolicies(ADMINS, signature("OR('" + msp + ".admin')"))
                    .build());
        }
        return orderer.build();
    }

    /**
     * The config group key of an orderer organisation: the test network's configtx.yaml names the
     * orderer organisation {@code OrdererOrg} (MSP id {@code OrdererMSP}), and configtxgen keys
     * groups by that name; peer organisations are keyed by their MSP ids there.
     */
    static String ordererGroupName(String mspId) {
        return mspId.endsWith("MSP") ? mspId.substring(0, mspId.length() - 3) + "Org" : mspId;
    }

    private static ConfigGroup.Builder group() {
        return ConfigGroup.newBuilder().setModPolicy(ADMINS);
    }

    private static ConfigValue value(Message message) {
        return ConfigValue.newBuilder().setModPolicy(ADMINS).setValue(message.toByteString()).build();
    }

    private static ConfigPolicy implicitMeta(String text) {
        return ConfigPolicy.newBuilder().setModPolicy(ADMINS).setPolicy(ChannelPolicy.implicitMeta(text).toProto()).build();
    }

    private static ConfigPolicy signature(String text) {
        return ConfigPolicy.newBuilder().setModPolicy(ADMINS)
                .setPolicy(new ChannelPolicy.Signature(EndorsementPolicy.parse(text)).toProto()).build();
    }

    private static Capabilities capabilities(Set<String> names) {
        Capabilities.Builder capabilities = Capabilities.newBuilder();
        for (String name : new TreeSet<>(names)) {
            capabilities.putCapabilities(name, Capability.getDefaultInstance());
        }
        return capabilities.build();
    }

    /** Capabilities each kind of reference node understands (seed 004's levels up to Fabric 2.5). */
    public static final Map<String, Set<String>> SUPPORTED_CAPABILITIES = Map.of(
            "Channel", Set.of("V1_1", "V1_3", "V1_4_2", "V1_4_3", "V2_0"),
            "Orderer", Set.of("V1_1", "V1_4_2", "V2_0"),
            "Application", Set.of("V1_1", "V1_2", "V1_3", "V1_4_2", "V2_0", "V2_5"));
}
