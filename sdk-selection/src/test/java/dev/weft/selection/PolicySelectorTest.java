package dev.weft.selection;

import static dev.weft.selection.SelectionTesting.assertMessageContains;
import static dev.weft.selection.SelectionTesting.grid;
import static dev.weft.selection.SelectionTesting.health;
import static dev.weft.selection.SelectionTesting.nameSet;
import static dev.weft.selection.SelectionTesting.named;
import static dev.weft.selection.SelectionTesting.names;
import static dev.weft.selection.SelectionTesting.orgSet;
import static dev.weft.selection.SelectionTesting.peer;
import static dev.weft.selection.SelectionTesting.request;
import static dev.weft.selection.SelectionTesting.selectFailure;
import static dev.weft.selection.SelectionTesting.selected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.EndorseException;
import dev.weft.core.EndorserSelector;
import dev.weft.core.ManualScheduler;
import dev.weft.core.Peer;
import dev.weft.core.internal.PeerHealthRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicySelectorTest {
    private static final String AND_1_2 = "AND('Org1MSP.peer','Org2MSP.peer')";
    private static final String OR_1_2 = "OR('Org1MSP.peer','Org2MSP.peer')";
    private static final String TWO_OF_3 = "OutOf(2,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')";

    private final EndorserSelector selector = EndorserSelectors.policyBased();

    /** Two peers in each of Org1MSP and Org2MSP, listed out of order. */
    private final List<Peer> twoByTwo = List.of(peer("peer1.org2", "Org2MSP"), peer("peer1.org1", "Org1MSP"),
            peer("peer0.org2", "Org2MSP"), peer("peer0.org1", "Org1MSP"));

    @Test
    void policyBased_calledTwice_returnsTheSameStatelessSelector() {
        assertSame(selector, EndorserSelectors.policyBased());
    }

    @Test
    void select_andOfTwoOrganizations_returnsFirstPeerOfEach() {
        List<Peer> chosen = selected(selector, request(twoByTwo).client("Org2MSP").policy(AND_1_2).build());

        assertEquals(Set.of("peer0.org1", "peer0.org2"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_andOfTwoOrganizationsWithRecentFailure_takesTheOrganizationsHealthyPeer() {
        PeerHealthRecord health = health(new ManualScheduler());
        health.failed(named(twoByTwo, "peer0.org1"));

        List<Peer> chosen = selected(selector, request(twoByTwo).policy(AND_1_2).health(health).build());

        assertEquals(Set.of("peer1.org1", "peer0.org2"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_orOfTwoOrganizations_returnsOnePeerOfTheClientsOrganization() {
        assertEquals(List.of("peer0.org1"),
                names(selected(selector, request(twoByTwo).client("Org1MSP").policy(OR_1_2).build())));
        assertEquals(List.of("peer0.org2"),
                names(selected(selector, request(twoByTwo).client("Org2MSP").policy(OR_1_2).build())));
    }

    @Test
    void select_orWithClientsOrganizationPeerRecentlyFailed_returnsTheOtherOrganizationsPeer() {
        List<Peer> peers = grid(2, 1);
        PeerHealthRecord health = health(new ManualScheduler());
        health.failed(named(peers, "peer0.org1"));

        List<Peer> chosen = selected(selector, request(peers).client("Org1MSP").policy(OR_1_2).health(health).build());

        assertEquals(List.of("peer0.org2"), names(chosen));
    }

    @Test
    void select_orWithClientsOrganizationPeersExcluded_returnsTheOtherOrganizationsPeer() {
        EndorserSelector.Request request = request(twoByTwo).client("Org1MSP").policy(OR_1_2).build()
                .excluding(Set.of(named(twoByTwo, "peer0.org1"), named(twoByTwo, "peer1.org1")));

        assertEquals(List.of("peer0.org2"), names(selected(selector, request)));
    }

    @Test
    void select_orWithOneClientPeerExcluded_returnsTheClientsOtherPeer() {
        EndorserSelector.Request request = request(twoByTwo).client("Org1MSP").policy(OR_1_2)
                .excluded(named(twoByTwo, "peer0.org1")).build();

        assertEquals(List.of("peer1.org1"), names(selected(selector, request)));
    }

    @Test
    void select_twoOutOfThreeForClientOfOrg3_returnsOrg3AndTheFirstOtherOrganization() {
        List<Peer> chosen = selected(selector, request(grid(3, 2)).client("Org3MSP").policy(TWO_OF_3).build());

        assertEquals(Set.of("peer0.org3", "peer0.org1"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_memberAndPeerOfOneOrganization_returnsTwoDistinctPeersOfIt() {
        List<Peer> candidates = new ArrayList<>(grid(1, 3));
        candidates.addAll(List.of(peer("peer0.org2", "Org2MSP"), peer("peer1.org2", "Org2MSP")));

        List<Peer> chosen = selected(selector,
                request(candidates).client("Org2MSP").policy("AND('Org1MSP.member','Org1MSP.peer')").build());

        assertEquals(Set.of("peer0.org1", "peer1.org1"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_memberAndPeerOfOneOrganizationWithOnlyOnePeer_failsAtSelect() {
        EndorseException failure = selectFailure(selector,
                request(grid(2, 1)).policy("AND('Org1MSP.member','Org1MSP.peer')").build());

        assertMessageContains(failure, "cannot satisfy the endorsement policy", "'Org1MSP.member'");
    }

    @Test
    void select_adminOnlyPolicy_failsAtSelectNamingThePolicyAndCandidates() {
        EndorseException failure = selectFailure(selector, request(twoByTwo).policy("OR('Org1MSP.admin')").build());

        assertMessageContains(failure, "cannot satisfy the endorsement policy", "OR('Org1MSP.admin')",
                "peer0.org1 (Org1MSP, 127.0.0.1:7051)", "peer1.org2 (Org2MSP, 127.0.0.1:7051)");
    }

    @Test
    void select_andNeedingAnOrganizationWithoutCandidates_failsAtSelect() {
        EndorseException failure = selectFailure(selector,
                request(grid(2, 3)).policy("AND('Org1MSP.peer','Org4MSP.peer')").build());

        assertMessageContains(failure, "'Org4MSP.peer'");
    }

    @Test
    void select_andWithOneOrganizationsPeersAllExcluded_failsAtSelectNamingTheFailedPeers() {
        EndorseException failure = selectFailure(selector, request(twoByTwo).policy(AND_1_2).build()
                .excluding(Set.of(named(twoByTwo, "peer0.org2"), named(twoByTwo, "peer1.org2"))));

        assertMessageContains(failure, "already failed: [peer0.org2, peer1.org2]");
    }

    @Test
    void select_noPolicy_returnsOnePeerPerOrganizationClientsFirst() {
        List<Peer> chosen = selected(selector, request(grid(3, 2)).client("Org2MSP").build());

        assertEquals(List.of("peer0.org2", "peer0.org1", "peer0.org3"), names(chosen));
    }

    @Test
    void select_noPolicyWithRecentFailure_takesEachOrganizationsHealthiestPeer() {
        List<Peer> candidates = grid(2, 2);
        PeerHealthRecord health = health(new ManualScheduler());
        health.failed(named(candidates, "peer0.org2"));

        List<Peer> chosen = selected(selector, request(candidates).health(health).build());

        assertEquals(Set.of("peer0.org1", "peer1.org2"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_noPolicyAndNoCandidates_failsAtSelect() {
        EndorseException failure = selectFailure(selector, request(List.of()).build());

        assertMessageContains(failure, "no peer is available");
    }

    @Test
    void select_namedOrganizationsWithPolicy_overrideThePolicy() {
        List<Peer> candidates = grid(3, 2);

        List<Peer> chosen = selected(selector, request(candidates).policy(AND_1_2).organizations("Org3MSP").build());

        assertEquals(List.of("peer0.org3"), names(chosen));
    }

    @Test
    void select_namedPeersWithPolicy_overrideThePolicy() {
        List<Peer> chosen = selected(selector, request(twoByTwo).policy(AND_1_2).peers("peer1.org2").build());

        assertEquals(List.of("peer1.org2"), names(chosen));
    }

    @Test
    void select_namedPeerMissingWithPolicy_failsAtSelectNamingIt() {
        EndorseException failure = selectFailure(selector,
                request(twoByTwo).policy(OR_1_2).peers("peer7.org1").build());

        assertMessageContains(failure, "[peer7.org1]");
    }

    @Test
    void select_evaluateWithPolicy_returnsEveryUsableCandidateInPreferenceOrder() {
        PeerHealthRecord health = health(new ManualScheduler());
        health.failed(named(twoByTwo, "peer0.org2"));

        List<Peer> chosen = selected(selector, request(twoByTwo).evaluate().client("Org2MSP").policy(AND_1_2)
                .health(health).excluded(named(twoByTwo, "peer1.org1")).build());

        assertEquals(List.of("peer1.org2", "peer0.org1", "peer0.org2"), names(chosen));
    }

    @Test
    void select_fortyPeersInFourOrganizationsThreeOutOfFour_returnsThreePeersOfDistinctOrganizations() {
        List<Peer> candidates = new ArrayList<>(grid(4, 10));
        Collections.shuffle(candidates, new Random(42));
        String policy = "OutOf(3,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer','Org4MSP.peer')";

        List<Peer> chosen = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> selected(selector, request(candidates).client("Org3MSP").policy(policy).build()));

        assertEquals(Set.of("peer0.org3", "peer0.org1", "peer0.org2"), nameSet(chosen));
        assertEquals(3, chosen.size());
    }

    @Test
    void select_fortyPeersAndUnsatisfiablePolicy_failsAtSelect() {
        List<Peer> candidates = grid(4, 10);

        EndorseException failure = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> selectFailure(selector, request(candidates).policy("OR('Org1MSP.admin')").build()));

        assertMessageContains(failure, "OR('Org1MSP.admin')");
    }

    @Test
    void select_policyNeedingTwoPeersOfAnOrganizationWithMoreCandidates_returnsTheSmallestSet() {
        // The client's organisation has many peers; the policy needs two of Org2 and one of Org1.
        List<Peer> candidates = new ArrayList<>(grid(1, 6));
        candidates.addAll(List.of(peer("peer0.org2", "Org2MSP"), peer("peer1.org2", "Org2MSP"),
                peer("peer2.org2", "Org2MSP")));

        List<Peer> chosen = selected(selector, request(candidates).client("Org1MSP")
                .policy("AND('Org1MSP.peer','Org2MSP.member','Org2MSP.peer')").build());

        assertEquals(Set.of("peer0.org1", "peer0.org2", "peer1.org2"), nameSet(chosen));
        assertEquals(3, chosen.size());
    }

    @Test
    void select_policyNeedingTwoPeersOfAnotherOrganizationWithManyClientPeers_returnsTwoPeersOfIt() {
        // More candidates than the search takes, most of them of the client's organisation: only as
        // many peers per organisation as the policy has principals may enter the search.
        List<Peer> candidates = new ArrayList<>(grid(1, 20));
        candidates.addAll(List.of(peer("peer0.org2", "Org2MSP"), peer("peer1.org2", "Org2MSP")));

        List<Peer> chosen = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> selected(selector,
                request(candidates).client("Org1MSP").policy("AND('Org2MSP.member','Org2MSP.peer')").build()));

        assertEquals(Set.of("peer0.org2", "peer1.org2"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_andOfFiveOrganizationsWithFourPeersEach_returnsOnePeerPerOrganization() {
        List<Peer> candidates = grid(5, 4);
        String policy = "AND('Org1MSP.peer','Org2MSP.peer','Org3MSP.peer','Org4MSP.peer','Org5MSP.peer')";

        List<Peer> chosen = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> selected(selector, request(candidates).client("Org1MSP").policy(policy).build()));

        assertEquals(5, chosen.size(), names(chosen).toString());
        assertEquals(Set.of("Org1MSP", "Org2MSP", "Org3MSP", "Org4MSP", "Org5MSP"), orgSet(chosen));
        assertTrue(nameSet(chosen).contains("peer0.org1"), names(chosen).toString());
    }
}
