package dev.weft.selection;

import static dev.weft.selection.SelectionTesting.MEMORY;
import static dev.weft.selection.SelectionTesting.grid;
import static dev.weft.selection.SelectionTesting.health;
import static dev.weft.selection.SelectionTesting.named;
import static dev.weft.selection.SelectionTesting.names;
import static dev.weft.selection.SelectionTesting.request;
import static dev.weft.selection.SelectionTesting.selected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ManualScheduler;
import dev.weft.core.Peer;
import dev.weft.core.PeerHealth;
import dev.weft.core.internal.PeerHealthRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PeerHealth's memory, and how selection follows it. */
class PeerHealthSelectionTest {
    private static final String OR_1_2 = "OR('Org1MSP.peer','Org2MSP.peer')";

    private final ManualScheduler clock = new ManualScheduler();
    private final PeerHealthRecord health = health(clock);
    private final List<Peer> peers = grid(2, 1);
    private final Peer org1 = named(peers, "peer0.org1");
    private final Peer org2 = named(peers, "peer0.org2");

    @Test
    void recentlyFailed_withoutFailure_isFalse() {
        assertFalse(health.recentlyFailed(org1));
    }

    @Test
    void recentlyFailed_withinMemoryPeriod_isTrue() {
        health.failed(org1);
        clock.advance(MEMORY.minusSeconds(1));

        assertTrue(health.recentlyFailed(org1));
        assertFalse(health.recentlyFailed(org2));
    }

    @Test
    void recentlyFailed_afterMemoryPeriod_isForgotten() {
        health.failed(org1);
        clock.advance(MEMORY.plusMillis(1));

        assertFalse(health.recentlyFailed(org1));
        clock.advance(Duration.ofSeconds(60));
        assertFalse(health.recentlyFailed(org1), "a forgotten failure stays forgotten");
    }

    @Test
    void recentlyFailed_afterSucceeded_isCleared() {
        health.failed(org1);
        health.succeeded(org1);

        assertFalse(health.recentlyFailed(org1));
    }

    @Test
    void recentlyFailed_failedAgainAfterForgetting_isTrue() {
        health.failed(org1);
        clock.advance(MEMORY.plusSeconds(1));
        assertFalse(health.recentlyFailed(org1));

        health.failed(org1);

        assertTrue(health.recentlyFailed(org1));
    }

    @Test
    void select_evaluateAfterFailureIsForgotten_putsThePeerBackInItsPlace() {
        health.failed(org1);
        assertEquals(List.of("peer0.org2", "peer0.org1"),
                names(selected(EndorserSelectors.staticPeers(), request(peers).evaluate().health(health).build())));

        clock.advance(MEMORY.plusSeconds(1));

        assertEquals(List.of("peer0.org1", "peer0.org2"),
                names(selected(EndorserSelectors.staticPeers(), request(peers).evaluate().health(health).build())));
    }

    @Test
    void select_orPolicyAfterClientsPeerSucceeded_choosesTheClientsPeerAgain() {
        health.failed(org1);
        assertEquals(List.of("peer0.org2"), names(selected(EndorserSelectors.policyBased(),
                request(peers).policy(OR_1_2).health(health).build())));

        health.succeeded(org1);

        assertEquals(List.of("peer0.org1"), names(selected(EndorserSelectors.policyBased(),
                request(peers).policy(OR_1_2).health(health).build())));
    }

    @Test
    void select_orPolicyWithEveryPeerRecentlyFailed_stillChoosesTheClientsPeer() {
        health.failed(org1);
        health.failed(org2);

        assertEquals(List.of("peer0.org1"), names(selected(EndorserSelectors.policyBased(),
                request(peers).policy(OR_1_2).health(health).build())));
    }
}
