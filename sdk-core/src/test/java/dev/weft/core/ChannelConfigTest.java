package dev.weft.core;

import static dev.weft.core.Fixtures.facts;
import static dev.weft.core.Fixtures.list;
import static dev.weft.core.Fixtures.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The channel-config reader on the two config blocks of a real Fabric 2.5.12 channel. */
class ChannelConfigTest {

    private static ChannelConfig config(int block) {
        return ChannelConfig.fromBlock(Fixtures.peerBlock(block), Fixtures.VALID_CLOCK);
    }

    private static Map<String, Object> configFacts(int block) {
        return map(list(facts("peer-block-" + block).get("transactions")).get(0));
    }

    @Test
    void genesisBlock_batchSettingsAsConfigtxgenWroteThem() {
        ChannelConfig config = config(0);
        BatchSize batch = config.batchSize().orElseThrow();
        assertEquals(10, batch.getMaxMessageCount());
        assertEquals(103809024, batch.getAbsoluteMaxBytes());
        assertEquals(524288, batch.getPreferredMaxBytes());
        assertEquals(Duration.ofSeconds(1), config.batchTimeout().orElseThrow());
        assertEquals(0, config.sequence());
    }

    @Test
    void configUpdateBlock15_changedBatchTimeoutAndCount() {
        ChannelConfig config = config(15);
        assertEquals(100, config.batchSize().orElseThrow().getMaxMessageCount());
        assertEquals(103809024, config.batchSize().orElseThrow().getAbsoluteMaxBytes());
        assertEquals(Duration.ofMillis(250), config.batchTimeout().orElseThrow());
        assertEquals(1, config.sequence());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15})
    void capabilitiesEndpointsAndOrganizations_matchFacts(int block) {
        ChannelConfig config = config(block);
        assertEquals("mychannel", config.channelId());
        assertEquals(Set.of("V2_0"), config.channelCapabilities());
        assertEquals(Set.of("V2_0"), config.ordererCapabilities());
        assertEquals(Set.of("V2_5"), config.applicationCapabilities());
        assertEquals(List.of("127.0.0.1:7050"), config.globalOrdererAddresses());
        assertEquals(Map.of("OrdererMSP", List.of("127.0.0.1:7050")), config.ordererEndpointsByOrganization());
        assertEquals(List.of("127.0.0.1:7050"), config.ordererEndpoints());
        assertEquals(Set.of("Org1MSP", "Org2MSP"), config.applicationMspIds());
        assertEquals(Set.of("OrdererMSP"), config.ordererMspIds());
        assertEquals(Map.of("Org1MSP", List.of("127.0.0.1:7051"), "Org2MSP", List.of("127.0.0.1:9051")), config.anchorPeers());
        assertEquals("etcdraft", config.consensusType().orElseThrow().getType());
        assertEquals("SHA256", config.hashingAlgorithm());
        assertTrue(config.acls().isEmpty());
        assertEquals(Set.of("Org1MSP", "Org2MSP", "OrdererMSP"), config.msps().ids());
        Msp org1 = config.msps().msp("Org1MSP").orElseThrow();
        assertEquals(Fixtures.certificate("org1-ca.pem"), org1.rootCertificates().get(0));
        assertEquals(Fixtures.certificate("org1-tlsca.pem"), org1.tlsRootCertificates().get(0));
        assertTrue(org1.nodeOus().enabled());
        assertEquals("peer", org1.nodeOus().peer().organizationalUnit());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15})
    void everyPolicy_matchesTheFactsTree(int block) {
        Map<String, String> expected = new TreeMap<>();
        collectPolicies(map(configFacts(block).get("channel_group")), "/Channel", expected);
        Map<String, String> actual = new TreeMap<>();
        config(block).policies().forEach((path, policy) -> actual.put(path, policy.toString()));
        assertEquals(23, expected.size(), "INDEX.md lists 23 policies");
        assertEquals(expected, actual);
        assertEquals("ImplicitMeta MAJORITY Endorsement", actual.get("/Channel/Application/Endorsement"));
        assertEquals("Signature OR('Org1MSP.admin', 'Org1MSP.peer', 'Org1MSP.client')",
                actual.get("/Channel/Application/Org1MSP/Readers"));
        assertEquals("ImplicitMeta ANY Writers", actual.get("/Channel/Orderer/BlockValidation"));
    }

    private static void collectPolicies(Map<String, Object> group, String path, Map<String, String> out) {
        Object policies = group.get("policies");
        if (policies != null) {
            map(policies).forEach((name, p) -> out.put(path + "/" + name, (String) map(p).get("policy")));
        }
        Object groups = group.get("groups");
        if (groups != null) {
            map(groups).forEach((name, g) -> collectPolicies(map(g), path + "/" + name, out));
        }
    }

    @Test
    void policyRoundTrip_reproducesTheConfigBytes() {
        ChannelConfig config = config(0);
        var raw = config.config().getChannelGroup().getGroupsMap().get("Application").getPoliciesMap()
                .get("Endorsement").getPolicy();
        assertEquals(raw, config.policy("/Channel/Application/Endorsement").orElseThrow().toProto());
        var org2Writers = config.config().getChannelGroup().getGroupsMap().get("Application").getGroupsMap()
                .get("Org2MSP").getPoliciesMap().get("Writers").getPolicy();
        assertEquals(org2Writers, config.policy("/Channel/Application/Org2MSP/Writers").orElseThrow().toProto());
    }

    @Test
    void fromBlock_ofAnEndorserTransactionBlock_isRejected() {
        Block block = Fixtures.peerBlock(14);
        var e = assertThrows(ChannelConfigException.class, () -> ChannelConfig.fromBlock(block));
        assertTrue(e.getMessage().contains("not a config block"), e.getMessage());
        var many = assertThrows(ChannelConfigException.class, () -> ChannelConfig.fromBlock(Fixtures.peerBlock(7589)));
        assertTrue(many.getMessage().contains("12 transactions"), many.getMessage());
    }

    @Test
    void evaluate_unknownPolicyPath_namesKnownPolicies() {
        var e = assertThrows(IllegalArgumentException.class, () -> config(0).evaluate("/Channel/Nope", List.of()));
        assertTrue(e.getMessage().contains("/Channel/Application/Writers"), e.getMessage());
    }

    @Test
    void toSignaturePolicy_implicitMetaOfTheFixtureChannel_asFabricConvertsIt() {
        // MAJORITY Endorsement over Org1MSP and Org2MSP, each OR('OrgNMSP.peer'): both organisations.
        EndorsementPolicy converted = config(0).toSignaturePolicy("/Channel/Application/Endorsement");
        assertEquals(EndorsementPolicy.parse("OutOf(2, OR('Org1MSP.peer'), OR('Org2MSP.peer'))"), converted);
        // A signature policy is returned as it is.
        assertEquals(EndorsementPolicy.parse("OR('Org1MSP.admin')"),
                config(0).toSignaturePolicy("/Channel/Application/Org1MSP/Admins"));
    }

    @Test
    void toSignaturePolicy_readersMajority_sharesEqualPrincipals() {
        // /Channel/Application/Readers is ANY Readers; each org's Readers names admin, peer and client.
        EndorsementPolicy converted = config(0).toSignaturePolicy("/Channel/Application/Readers");
        assertEquals(6, converted.principals().size(), converted.toString());
        EndorsementPolicy.OutOf gate = (EndorsementPolicy.OutOf) converted.rule();
        assertEquals(1, gate.n());
        assertEquals(2, gate.rules().size());
    }

    @Test
    void toSignaturePolicy_unknownPath_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> config(0).toSignaturePolicy("/Channel/Application/Nope"));
    }
}
