package dev.weft.events;

import static dev.weft.events.Fabric.TIMEOUT_SECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStatus;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.Status;
import java.util.List;
import org.hyperledger.fabric.protos.orderer.SeekPosition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The commit status source when event peers are down: it fails over to the next peer of the list,
 * and with a single peer it resumes once the peer is back and has caught up. Its own network,
 * because these tests stop peers.
 */
class CommitStatusFailoverTest {
    private static Fabric fabric;

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @BeforeAll
    static void startNetwork() {
        fabric = Fabric.start();
    }

    @AfterAll
    static void stopNetwork() {
        if (fabric != null) {
            fabric.close();
        }
    }

    @AfterEach
    void restartPeers() {
        for (ReferenceNetwork.Peer peer : fabric.network.peers()) {
            if (!peer.isRunning()) {
                peer.start();
            }
        }
    }

    @Test
    void register_firstEventPeerStopped_statusArrivesThroughSecondPeer() throws Exception {
        DeliverRecorder toOrg1 = new DeliverRecorder();
        DeliverRecorder toOrg2 = new DeliverRecorder();
        Peer org1 = fabric.eventPeer(fabric.org1(), grpc, toOrg1);
        Peer org2 = fabric.eventPeer(fabric.org2(), grpc, toOrg2);
        Fabric.Tx tx = fabric.create(); // both organisations endorse while both peers run

        fabric.org1().stop();
        try (CommitStatusSource source = fabric.sourceBuilder().eventPeers(id -> List.of(org1, org2)).build()) {
            CommitStatusSource.Registration registration = source.register(Fabric.CHANNEL, tx.id());
            registration.ready().get(TIMEOUT_SECONDS, SECONDS);
            fabric.broadcast(tx);

            TransactionStatus status = registration.status().get(TIMEOUT_SECONDS, SECONDS);

            assertTrue(status.isValid(), status::toString);
            assertEquals(status.blockNumber(), fabric.awaitCommitted(fabric.org2(), tx.id(), status.blockNumber()));
            DeliverRecorder.Call failed = toOrg1.awaitCalls(1).get(0);
            assertEquals(Status.Code.UNAVAILABLE, failed.awaitClosed().getCode());
            assertTrue(failed.blocks.isEmpty());
            DeliverRecorder.Call served = toOrg2.awaitCalls(1).get(0);
            assertEquals(SeekPosition.TypeCase.NEWEST, served.seekInfo().getStart().getTypeCase(),
                    "no block was seen before, so the second peer is asked for the newest");
            assertTrue(served.blocks.contains(status.blockNumber()), () -> "blocks from org2: " + served.blocks);
        } finally {
            fabric.org1().start();
        }
    }

    @Test
    void register_onlyEventPeerStoppedWhileWaitingThenStarted_statusArrivesAfterRestart() throws Exception {
        DeliverRecorder recorder = new DeliverRecorder();
        Peer org1 = fabric.eventPeer(fabric.org1(), grpc, recorder);
        Fabric.Tx tx = fabric.create();
        try (CommitStatusSource source = fabric.sourceBuilder().eventPeers(id -> List.of(org1)).build()) {
            CommitStatusSource.Registration registration = source.register(Fabric.CHANNEL, tx.id());
            registration.ready().get(TIMEOUT_SECONDS, SECONDS);
            DeliverRecorder.Call first = recorder.awaitCalls(1).get(0);
            long positionedAt = fabric.org1().height(Fabric.CHANNEL) - 1;

            fabric.org1().stop();
            try {
                assertEquals(Status.Code.UNAVAILABLE, first.awaitClosed().getCode());
                fabric.broadcast(tx);
                long block = fabric.awaitCommitted(fabric.org2(), tx.id(), positionedAt);
                assertFalse(registration.status().isDone(), "the only event peer is down");

                fabric.org1().start();
                TransactionStatus status = registration.status().get(TIMEOUT_SECONDS, SECONDS);

                assertTrue(status.isValid(), status::toString);
                assertEquals(block, status.blockNumber());
                assertEquals(tx.id(), fabric.committed(fabric.org2(), block, status.index()).getTxid());
            } finally {
                fabric.org1().start();
            }
            List<DeliverRecorder.Call> calls = recorder.calls();
            DeliverRecorder.Call resumed = calls.stream().skip(1).filter(c -> !c.blocks.isEmpty()).findFirst()
                    .orElseThrow(() -> new AssertionError("no stream delivered after the restart: " + calls));
            assertEquals(SeekPosition.TypeCase.SPECIFIED, resumed.seekInfo().getStart().getTypeCase());
            assertEquals(first.blocks.get(first.blocks.size() - 1) + 1,
                    resumed.seekInfo().getStart().getSpecified().getNumber(),
                    () -> "the stream after the restart resumes after the last block seen: " + calls);
        }
    }
}
