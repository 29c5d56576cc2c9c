package dev.weft.selection;

import static dev.weft.selection.SelectionTesting.assertMessageContains;
import static dev.weft.selection.SelectionTesting.grid;
import static dev.weft.selection.SelectionTesting.health;
import static dev.weft.selection.SelectionTesting.nameSet;
import static dev.weft.selection.SelectionTesting.named;
import static dev.weft.selection.SelectionTesting.names;
import static dev.weft.selection.SelectionTesting.peer;
import static dev.weft.selection.SelectionTesting.request;
import static dev.weft.selection.SelectionTesting.selectFailure;
import static dev.weft.selection.SelectionTesting.selected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.EndorseException;
import dev.weft.core.EndorserSelector;
import dev.weft.core.ManualScheduler;
import dev.weft.core.Peer;
import dev.weft.core.internal.PeerHealthRecord;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StaticSelectorTest {
    private final EndorserSelector selector = EndorserSelectors.staticPeers();

    /** Three organisations, two peers each, listed out of order. */
    private final List<Peer> candidates = List.of(
            peer("peer1.org2", "Org2MSP"), peer("peer0.org3", "Org3MSP"), peer("peer1.org1", "Org1MSP"),
            peer("peer0.org2", "Org2MSP"), peer("peer1.org3", "Org3MSP"), peer("peer0.org1", "Org1MSP"));

    @Test
    void staticPeers_calledTwice_returnsTheSameStatelessSelector() {
        assertSame(selector, EndorserSelectors.staticPeers());
    }

    @Test
    void select_submitWithoutChoices_returnsEveryCandidate() {
        List<Peer> chosen = selected(selector, request(candidates).build());

        assertEquals(candidates.size(), chosen.size(), names(chosen).toString());
        assertEquals(nameSet(candidates), nameSet(chosen));
    }

    @Test
    void select_submitWithExcludedPeers_neverReturnsThem() {
        Peer failed1 = named(candidates, "peer0.org1");
        Peer failed2 = named(candidates, "peer1.org3");

        List<Peer> chosen = selected(selector, request(candidates).excluded(failed1).build().excluding(Set.of(failed2)));

        assertEquals(Set.of("peer1.org1", "peer0.org2", "peer1.org2", "peer0.org3"), nameSet(chosen));
        assertEquals(4, chosen.size());
    }

    @Test
    void select_evaluateWithExcludedPeer_neverReturnsIt() {
        Peer failed = named(candidates, "peer0.org1");

        List<Peer> chosen = selected(selector, request(candidates).evaluate().excluded(failed).build());

        assertFalse(chosen.contains(failed), names(chosen).toString());
        assertEquals(candidates.size() - 1, chosen.size());
    }

    @Test
    void select_submitWithNamedPeers_returnsExactlyThosePeers() {
        List<Peer> chosen = selected(selector, request(candidates).peers("peer1.org2", "peer0.org3").build());

        assertEquals(Set.of("peer1.org2", "peer0.org3"), nameSet(chosen));
        assertEquals(2, chosen.size());
    }

    @Test
    void select_submitWithNamedPeerNotACandidate_failsAtSelectNamingIt() {
        EndorseException failure = selectFailure(selector,
                request(candidates).peers("peer0.org1", "peer9.org9").build());

        assertMessageContains(failure, "peer9.org9", "candidates: [", "peer0.org1 (Org1MSP, 127.0.0.1:7051)");
        assertFalse(failure.getMessage().contains("[peer0.org1, peer9.org9]"),
                "only the missing peer is reported as missing: " + failure.getMessage());
    }

    @Test
    void select_submitWithNamedPeerExcluded_failsAtSelectNamingIt() {
        Peer failed = named(candidates, "peer1.org2");

        EndorseException failure = selectFailure(selector,
                request(candidates).peers("peer0.org1", "peer1.org2").excluded(failed).build());

        assertMessageContains(failure, "[peer1.org2]", "already failed");
    }

    @Test
    void select_submitWithNamedOrganizations_returnsOnePeerPerOrganizationHealthiestFirst() {
        ManualScheduler clock = new ManualScheduler();
        PeerHealthRecord health = health(clock);
        health.failed(named(candidates, "peer0.org2"));

        List<Peer> chosen = selected(selector,
                request(candidates).client("Org2MSP").organizations("Org1MSP", "Org2MSP").health(health).build());

        // Org2 is the client's organisation (first); its peer0 failed recently, so its peer1 is the healthiest.
        assertEquals(List.of("peer1.org2", "peer0.org1"), names(chosen));
    }

    @Test
    void select_submitWithNamedOrganizationWithoutUsablePeer_failsAtSelectNamingIt() {
        List<Peer> org1AndOrg2 = grid(2, 1);

        EndorseException failure = selectFailure(selector,
                request(org1AndOrg2).organizations("Org1MSP", "Org5MSP").build());

        assertMessageContains(failure, "Org5MSP");
        assertFalse(failure.getMessage().contains("[Org1MSP"), failure.getMessage());
    }

    @Test
    void select_submitWithNamedOrganizationWhosePeersAreExcluded_failsAtSelect() {
        List<Peer> peers = grid(2, 1);

        EndorseException failure = selectFailure(selector,
                request(peers).organizations("Org2MSP").excluded(named(peers, "peer0.org2")).build());

        assertMessageContains(failure, "Org2MSP", "already failed: [peer0.org2]");
    }

    @Test
    void select_submitWithoutCandidates_failsAtSelect() {
        EndorseException failure = selectFailure(selector, request(List.of()).build());

        assertMessageContains(failure, "no peer is available", "candidates: []");
    }

    @Test
    void select_submitWithEveryCandidateExcluded_failsAtSelectNamingTheFailedPeers() {
        List<Peer> peers = grid(1, 2);

        EndorseException failure = selectFailure(selector,
                request(peers).excluded(peers.get(0), peers.get(1)).build());

        assertMessageContains(failure, "no peer is available", "peer0.org1 (Org1MSP", "peer1.org1 (Org1MSP",
                "already failed: [peer0.org1, peer1.org1]");
    }

    @Test
    void select_evaluateWithEveryCandidateExcluded_failsAtSelect() {
        List<Peer> peers = grid(1, 1);

        EndorseException failure = selectFailure(selector, request(peers).evaluate().excluded(peers.get(0)).build());

        assertMessageContains(failure, "no peer is available");
    }

    @Test
    void select_evaluate_returnsOwnOrganizationFirstThenByOrganizationAndNameWithRecentlyFailedLast() {
        ManualScheduler clock = new ManualScheduler();
        PeerHealthRecord health = health(clock);
        health.failed(named(candidates, "peer0.org2"));
        health.failed(named(candidates, "peer0.org1"));

        List<Peer> chosen = selected(selector, request(candidates).evaluate().client("Org2MSP").health(health).build());

        assertEquals(List.of("peer1.org2", "peer1.org1", "peer0.org3", "peer1.org3", "peer0.org2", "peer0.org1"),
                names(chosen));
    }

    @Test
    void select_evaluateWithoutFailures_returnsOwnOrganizationFirst() {
        List<Peer> chosen = selected(selector, request(candidates).evaluate().client("Org3MSP").build());

        assertEquals(List.of("peer0.org3", "peer1.org3", "peer0.org1", "peer1.org1", "peer0.org2", "peer1.org2"),
                names(chosen));
    }

    @Test
    void select_evaluateWithNamedOrganizations_returnsAllTheirUsablePeersInPreferenceOrder() {
        List<Peer> chosen = selected(selector,
                request(candidates).evaluate().client("Org1MSP").organizations("Org2MSP", "Org3MSP").build());

        assertEquals(List.of("peer0.org2", "peer1.org2", "peer0.org3", "peer1.org3"), names(chosen));
    }

    @Test
    void select_failure_completesTheFutureInsteadOfThrowing() {
        CompletableFuture<List<Peer>> future = selector.select(request(List.of()).build());

        assertTrue(future.isCompletedExceptionally());
    }
}
