package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodeProposal;
import dev.weft.core.SeekRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.orderer.SeekInfo.SeekBehavior;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The peer's fault-injection hooks behave as the failures they imitate, seen from a raw gRPC client. */
class FaultInjectionTest {
    private static ReferenceNetwork network;
    private static RawClient client;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        client = new RawClient(network, network.user("Org1MSP"));
    }

    @AfterAll
    static void stop() {
        client.close();
        network.close();
    }

    @Test
    void breakDeliverStreams_openStream_endsWithUnavailableAndNewStreamsAreServed() throws Exception {
        ReferenceNetwork.Peer peer = network.peer("Org1MSP");
        try (DeliverStream stream = DeliverStream.open(client.channelTo(peer), DeliverStream.Kind.FILTERED)) {
            stream.send(client.seek(0, SeekRequest.FOREVER, SeekBehavior.BLOCK_UNTIL_READY));
            assertEquals(DeliverResponse.TypeCase.FILTERED_BLOCK, stream.next().getTypeCase());

            peer.breakDeliverStreams();

            ExecutionException ended = assertThrows(ExecutionException.class,
                    () -> stream.ended().get(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(ended.getCause()).getCode());
        }
        try (DeliverStream again = DeliverStream.open(client.channelTo(peer), DeliverStream.Kind.FILTERED)) {
            again.send(client.seek(0, 0, SeekBehavior.BLOCK_UNTIL_READY));
            assertEquals(org.hyperledger.fabric.protos.common.Status.SUCCESS, DeliverStream.status(again.untilStatus()));
        }
        assertTrue(peer.isRunning());
    }

    @Test
    void stallEndorsements_proposalWithDeadline_deadlineExceededThenServedAfterUnstall() throws Exception {
        ReferenceNetwork.Peer peer = network.peer("Org2MSP");
        peer.stallEndorsements(true);
        try {
            ChaincodeProposal first = client.proposal("basic", "GetAllAssets");
            StatusRuntimeException timedOut = assertThrows(StatusRuntimeException.class,
                    () -> EndorserGrpc.newBlockingStub(client.channelTo(peer))
                            .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                            .processProposal(first.sign(client.user.signer())));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, timedOut.getStatus().getCode());

            ChaincodeProposal held = client.proposal("basic", "GetAllAssets");
            CompletableFuture<ProposalResponse> answer = CompletableFuture.supplyAsync(() -> client.endorse(held, peer));
            assertFalse(waitQuietly(answer, Duration.ofMillis(300)), "a stalled peer must not answer");
            peer.stallEndorsements(false);
            assertEquals(200, answer.get(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getResponse().getStatus());
        } finally {
            peer.stallEndorsements(false);
        }
    }

    @Test
    void stop_withStalledProposal_answersUnavailableAndStopsPromptly() throws Exception {
        ReferenceNetwork.Peer peer = network.peers().get(network.peers().size() - 1);
        peer.stallEndorsements(true);
        try {
            ChaincodeProposal held = client.proposal("basic", "GetAllAssets");
            CompletableFuture<ProposalResponse> answer = CompletableFuture.supplyAsync(() -> client.endorse(held, peer));
            assertFalse(waitQuietly(answer, Duration.ofMillis(200)));
            long started = System.nanoTime();
            peer.stop();
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> answer.get(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(failed.getCause()).getCode());
            // A graceful stop that waited for the held call would take the full 5 s grace period.
            assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(4)) < 0,
                    "stop waited for the held proposal");
        } finally {
            peer.stallEndorsements(false);
            peer.start();
        }
    }

    private static boolean waitQuietly(CompletableFuture<?> future, Duration wait) {
        try {
            future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException | ExecutionException e) {
            return true;
        }
    }
}
