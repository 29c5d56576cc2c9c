package dev.weft.handlers.internal;

import static dev.weft.handlers.internal.StepFixtures.failure;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Peer;
import dev.weft.core.SubmitException;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.PipelineStep;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import dev.weft.handlers.internal.StepFixtures.FakeOrderers;
import dev.weft.handlers.internal.StepFixtures.Terminal;
import dev.weft.handlers.internal.StepFixtures.UnusedCommits;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BroadcastTest {
    private static ManagedChannel channel;
    private static Peer peer1;
    private static Peer peer2;

    @BeforeAll
    static void channels() {
        channel = InProcessChannelBuilder.forName("broadcast-test-unused").build();
        peer1 = Peer.of("peer0.org1.example.com", "Org1MSP", EndpointConfig.builder("127.0.0.1:7051").build(), channel);
        peer2 = Peer.of("peer0.org2.example.com", "Org2MSP", EndpointConfig.builder("127.0.0.1:9051").build(), channel);
    }

    @AfterAll
    static void close() {
        channel.shutdownNow();
    }

    private static PeerResponse response(Peer peer, String chaincodeResult) {
        return new PeerResponse(peer, ProposalResponse.newBuilder()
                .setResponse(Response.newBuilder().setStatus(200).setPayload(ByteString.copyFromUtf8(chaincodeResult)))
                .build());
    }

    private static TxContext readyToBroadcast(Envelope envelope) {
        return StepFixtures.submitWithProposal().toBuilder()
                .responses(List.of(response(peer1, "first"), response(peer2, "second")))
                .envelope(envelope)
                .submitTimeout(Duration.ofSeconds(7))
                .build();
    }

    private static Envelope envelope() {
        return Envelope.newBuilder().setPayload(ByteString.copyFromUtf8("payload"))
                .setSignature(ByteString.copyFromUtf8("signature")).build();
    }

    @Test
    void handle_ordererAccepts_returnsFirstResponsesResultUncommitted() throws Exception {
        FakeOrderers orderers = FakeOrderers.accepting();
        Broadcast step = new Broadcast(StepFixtures.services(orderers, new UnusedCommits()));
        Envelope envelope = envelope();
        TxContext context = readyToBroadcast(envelope);
        Terminal after = Terminal.returning("must not run");

        TxResult result = StepFixtures.run(context, step, after).get(20, SECONDS);

        assertEquals(context.transactionId(), result.transactionId());
        assertEquals("first", result.resultAsString());
        assertTrue(result.commit().isEmpty());
        assertSame(FakeOrderers.ACCEPTED_BY, result.orderer().orElseThrow());
        assertTrue(after.received.isEmpty(), "broadcast is the last step");
    }

    @Test
    void handle_ordererAccepts_passesEnvelopeTransactionIdAndSubmitTimeout() throws Exception {
        FakeOrderers orderers = FakeOrderers.accepting();
        Broadcast step = new Broadcast(StepFixtures.services(orderers, new UnusedCommits()));
        Envelope envelope = envelope();
        TxContext context = readyToBroadcast(envelope);

        StepFixtures.run(context, step).get(20, SECONDS);

        assertEquals(1, orderers.calls.size());
        FakeOrderers.Call call = orderers.calls.get(0);
        assertSame(envelope, call.envelope());
        assertEquals(context.transactionId(), call.transactionId());
        assertEquals(Duration.ofSeconds(7), call.timeout());
    }

    @Test
    void handle_ordererRejects_failsWithTheSubmitException() throws Exception {
        TxContext context = readyToBroadcast(envelope());
        SubmitException rejected = new SubmitException("BAD_REQUEST from orderer0", context.transactionId(), List.of(),
                null, false);
        Broadcast step = new Broadcast(StepFixtures.services(new FakeOrderers(CompletableFuture.failedFuture(rejected)),
                new UnusedCommits()));

        assertSame(rejected, failure(StepFixtures.run(context, step)));
    }

    @Test
    void handle_ordererTimesOut_failsWithSubmitStageTimeout() throws Exception {
        TxContext context = readyToBroadcast(envelope());
        TransactionTimeoutException timeout = new TransactionTimeoutException(TransactionStage.SUBMIT,
                context.submitTimeout(), context.transactionId(), List.of(), null);
        Broadcast step = new Broadcast(StepFixtures.services(new FakeOrderers(CompletableFuture.failedFuture(timeout)),
                new UnusedCommits()));

        TransactionTimeoutException error = (TransactionTimeoutException) failure(StepFixtures.run(context, step));

        assertEquals(TransactionStage.SUBMIT, error.stage());
    }

    @Test
    void handle_noEnvelopeYet_throwsNamingSignEnvelopeStep() {
        FakeOrderers orderers = FakeOrderers.accepting();
        Broadcast step = new Broadcast(StepFixtures.services(orderers, new UnusedCommits()));
        TxContext context = StepFixtures.submitWithProposal().toBuilder()
                .responses(List.of(response(peer1, "first"))).build();

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> StepFixtures.run(context, step));

        assertTrue(error.getMessage().contains(PipelineStep.SIGN_ENVELOPE.name()), error.getMessage());
        assertTrue(orderers.calls.isEmpty());
    }
}
