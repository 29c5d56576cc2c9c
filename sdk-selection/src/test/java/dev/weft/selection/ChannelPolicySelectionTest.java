package dev.weft.selection;

import static dev.weft.selection.SelectionTesting.assertMessageContains;
import static dev.weft.selection.SelectionTesting.grid;
import static dev.weft.selection.SelectionTesting.nameSet;
import static dev.weft.selection.SelectionTesting.names;
import static dev.weft.selection.SelectionTesting.peer;
import static dev.weft.selection.SelectionTesting.realConfig;
import static dev.weft.selection.SelectionTesting.request;
import static dev.weft.selection.SelectionTesting.selectFailure;
import static dev.weft.selection.SelectionTesting.selected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelPolicy;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorsementPolicy;
import dev.weft.core.EndorserSelector;
import dev.weft.core.Fixtures;
import dev.weft.core.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Channel-policy references evaluated in the config of the real Fabric 2.5.12 channel (Org1MSP and
 * Org2MSP; /Channel/Application/Endorsement = MAJORITY Endorsement, each org OR('OrgN.peer')).
 */
class ChannelPolicySelectionTest {
    private static ChannelConfig config;

    private final EndorserSelector selector = EndorserSelectors.policyBased();

    @BeforeAll
    static void loadConfig() {
        config = realConfig();
        // Guard the fixture facts the expectations below rely on.
        assertEquals(Set.of("Org1MSP", "Org2MSP"), config.applicationMspIds());
        assertEquals("ImplicitMeta MAJORITY Endorsement",
                config.policies().get(ChaincodePolicy.DEFAULT_REFERENCE).toString());
    }

    @Test
    void select_channelDefaultWithRealConfig_returnsOnePeerOfEachApplicationOrganization() {
        List<Peer> chosen = selected(selector,
                request(grid(2, 2)).client("Org2MSP").policy(ChaincodePolicy.channelDefault()).config(config).build());

        assertEquals(Set.of("peer0.org1", "peer0.org2"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_channelDefaultWithCandidateOfOrganizationNotInConfig_skipsThatOrganization() {
        List<Peer> candidates = new ArrayList<>(grid(2, 1));
        candidates.add(peer("peer0.org3", "Org3MSP"));

        List<Peer> chosen = selected(selector, request(candidates).client("Org3MSP")
                .policy(ChaincodePolicy.channelDefault()).config(config).build());

        assertEquals(Set.of("peer0.org1", "peer0.org2"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_channelDefaultWithOneOrganizationMissing_failsAtSelectNamingThePolicy() {
        EndorseException failure = selectFailure(selector, request(grid(1, 3))
                .policy(ChaincodePolicy.channelDefault()).config(config).build());

        assertMessageContains(failure, ChaincodePolicy.DEFAULT_REFERENCE, "peer0.org1 (Org1MSP");
    }

    @Test
    void select_referenceToOneOrganizationsSignaturePolicy_returnsOnePeerOfThatOrganization() {
        List<Peer> chosen = selected(selector, request(grid(2, 2)).client("Org1MSP")
                .policy(ChaincodePolicy.channelReference("/Channel/Application/Org2MSP/Endorsement"))
                .config(config).build());

        assertEquals(List.of("peer0.org2"), names(chosen));
    }

    @Test
    void select_referenceToAdminsPolicy_failsAtSelect() {
        EndorseException failure = selectFailure(selector, request(grid(2, 2))
                .policy(ChaincodePolicy.channelReference("/Channel/Application/Org1MSP/Admins")).config(config)
                .build());

        assertMessageContains(failure, "/Channel/Application/Org1MSP/Admins");
    }

    @Test
    void select_referenceToNonexistentPolicyWithConfig_failsAtSelectNamingThePath() {
        EndorseException failure = selectFailure(selector, request(grid(2, 2))
                .policy(ChaincodePolicy.channelReference("/Channel/Application/NoSuchPolicy")).config(config)
                .build());

        assertMessageContains(failure, "/Channel/Application/NoSuchPolicy", "candidates: [");
    }

    @Test
    void select_referenceToNonexistentPolicyWithFortyCandidates_failsAtSelect() {
        EndorseException failure = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> selectFailure(selector,
                request(grid(4, 10)).policy(ChaincodePolicy.channelReference("/Channel/Application/NoSuchPolicy"))
                        .config(config).build()));

        assertMessageContains(failure, "/Channel/Application/NoSuchPolicy");
    }

    @Test
    void select_channelDefaultWithoutConfig_fallsBackToOnePeerPerOrganization() {
        List<Peer> candidates = grid(3, 2);

        List<Peer> chosen = selected(selector,
                request(candidates).client("Org3MSP").policy(ChaincodePolicy.channelDefault()).build());

        assertEquals(List.of("peer0.org3", "peer0.org1", "peer0.org2"), names(chosen));
    }

    @Test
    void select_referenceToNonexistentPolicyWithoutConfig_fallsBackToOnePeerPerOrganization() {
        List<Peer> chosen = selected(selector, request(grid(2, 2))
                .policy(ChaincodePolicy.channelReference("/Channel/Application/NoSuchPolicy")).build());

        assertEquals(List.of("peer0.org1", "peer0.org2"), names(chosen));
    }

    @Test
    void select_evaluateWithChannelDefault_returnsEveryUsableCandidateInPreferenceOrder() {
        List<Peer> chosen = selected(selector, request(grid(2, 2)).evaluate().client("Org2MSP")
                .policy(ChaincodePolicy.channelDefault()).config(config).build());

        assertEquals(List.of("peer0.org2", "peer1.org2", "peer0.org1", "peer1.org1"), names(chosen));
    }

    @Test
    void select_channelDefaultWhoseOrganizationPolicyNeedsTwoPeers_returnsTwoPeersOfThatOrganization() {
        // Org1's Endorsement sub-policy changed to need two distinct Org1 peers.
        ChannelConfig twoOrg1Peers = withOrganizationEndorsement("Org1MSP", "AND('Org1MSP.peer','Org1MSP.member')");
        assertTrue(twoOrg1Peers.policies().get("/Channel/Application/Org1MSP/Endorsement").toString()
                .contains("AND('Org1MSP.peer', 'Org1MSP.member')"));

        List<Peer> chosen = selected(selector, request(grid(2, 3)).client("Org2MSP")
                .policy(ChaincodePolicy.channelDefault()).config(twoOrg1Peers).build());

        assertEquals(Set.of("peer0.org1", "peer1.org1", "peer0.org2"), nameSet(chosen));
        assertEquals(3, chosen.size());
    }

    /** The real config with one organisation's Endorsement policy replaced by a signature policy. */
    private static ChannelConfig withOrganizationEndorsement(String org, String signaturePolicy) {
        Config original = config.config();
        ConfigGroup application = original.getChannelGroup().getGroupsOrThrow(ChannelConfig.APPLICATION);
        ConfigGroup organization = application.getGroupsOrThrow(org);
        ConfigPolicy endorsement = organization.getPoliciesOrThrow("Endorsement").toBuilder()
                .setPolicy(new ChannelPolicy.Signature(EndorsementPolicy.parse(signaturePolicy)).toProto())
                .build();
        ConfigGroup changedOrg = organization.toBuilder().putPolicies("Endorsement", endorsement).build();
        ConfigGroup changedApplication = application.toBuilder().putGroups(org, changedOrg).build();
        Config changed = original.toBuilder().setChannelGroup(original.getChannelGroup().toBuilder()
                .putGroups(ChannelConfig.APPLICATION, changedApplication)).build();
        return ChannelConfig.fromConfig(config.channelId(), changed, Fixtures.VALID_CLOCK);
    }
}
