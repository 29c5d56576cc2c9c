package dev.weft.handlers.internal;

import static dev.weft.handlers.internal.RealPeers.endorse;
import static dev.weft.handlers.internal.StepFixtures.failure;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorsementVerificationException;
import dev.weft.core.InconsistentEndorsementsException;
import dev.weft.core.NodeError;
import dev.weft.core.TransactionStage;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import dev.weft.handlers.internal.StepFixtures.Terminal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Response;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CheckResponsesTest {
    private static RealPeers peers;
    /** One real CreateAsset proposal, endorsed by both organisations' peers. */
    private static ChaincodeProposal proposal;
    private static SignedProposal signed;
    private static ProposalResponse fromOrg1;
    private static ProposalResponse fromOrg2;

    private final CheckResponses step = new CheckResponses();

    @BeforeAll
    static void endorseOnRealPeers() {
        peers = new RealPeers();
        proposal = peers.createAsset();
        signed = peers.sign(proposal);
        fromOrg1 = endorse(peers.org1, signed);
        fromOrg2 = endorse(peers.org2, signed);
        assertEquals(200, fromOrg1.getResponse().getStatus(), fromOrg1.getResponse().getMessage());
        assertEquals(fromOrg1.getPayload(), fromOrg2.getPayload(), "real peers agree");
    }

    @AfterAll
    static void stop() {
        if (peers != null) {
            peers.close();
        }
    }

    private static TxContext submit(ProposalResponse org1Response, ProposalResponse org2Response) {
        return TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "CreateAsset")
                .endorsers(List.of(peers.org1, peers.org2))
                .proposal(proposal, signed)
                .responses(List.of(new PeerResponse(peers.org1, org1Response), new PeerResponse(peers.org2, org2Response)))
                .build();
    }

    /** The response with a different chaincode result inside a payload still bound to the proposal. */
    private static ProposalResponse withOtherResult(ProposalResponse response, String result) throws Exception {
        ProposalResponsePayload payload = ProposalResponsePayload.parseFrom(response.getPayload());
        ChaincodeAction action = ChaincodeAction.parseFrom(payload.getExtension());
        ByteString bytes = ByteString.copyFromUtf8(result);
        ChaincodeAction changed = action.toBuilder().setResponse(action.getResponse().toBuilder().setPayload(bytes)).build();
        return response.toBuilder()
                .setResponse(response.getResponse().toBuilder().setPayload(bytes))
                .setPayload(payload.toBuilder().setExtension(changed.toByteString()).build().toByteString())
                .build();
    }

    @Test
    void handle_submitWithConsistentResponses_proceedsWithContextUnchanged() throws Exception {
        TxContext context = submit(fromOrg1, fromOrg2);
        Terminal next = Terminal.returning("broadcast");

        TxResult result = StepFixtures.run(context, step, next).get(20, SECONDS);

        assertSame(context, next.only());
        assertEquals("broadcast", result.resultAsString());
    }

    @Test
    void evaluationResult_evaluate_returnsChaincodeResultWithoutCallingNext() throws Exception {
        ChaincodeProposal exists = peers.proposal("AssetExists", "no-such-asset");
        SignedProposal signedExists = peers.sign(exists);
        ProposalResponse response = endorse(peers.org1, signedExists);
        TxContext context = TxContext.builder(TxContext.Kind.EVALUATE, "mychannel", "basic", "AssetExists")
                .endorsers(List.of(peers.org1))
                .proposal(exists, signedExists)
                .responses(List.of(new PeerResponse(peers.org1, response)))
                .build();
        Terminal next = Terminal.returning("must not run");

        TxResult result = StepFixtures.run(context, new EvaluationResult(), next).get(20, SECONDS);

        assertEquals("false", result.resultAsString());
        assertEquals(exists.transactionId(), result.transactionId());
        assertTrue(result.commit().isEmpty());
        assertTrue(next.received.isEmpty(), "an evaluate ends at validation");
    }

    @Test
    void evaluationResult_chaincodeError_failsWithPeersMessage() throws Exception {
        ChaincodeProposal read = peers.proposal("ReadAsset", "no-such-asset");
        SignedProposal signedRead = peers.sign(read);
        ProposalResponse response = endorse(peers.org1, signedRead);
        assertEquals(500, response.getResponse().getStatus(), "the real chaincode refuses");
        TxContext context = TxContext.builder(TxContext.Kind.EVALUATE, "mychannel", "basic", "ReadAsset")
                .proposal(read, signedRead)
                .responses(List.of(new PeerResponse(peers.org1, response)))
                .build();

        EndorseException error = assertInstanceOf(EndorseException.class,
                failure(StepFixtures.run(context, new EvaluationResult())));

        assertTrue(error.getMessage().contains("The asset no-such-asset does not exist"), error.getMessage());
        assertEquals(List.of(new NodeError(peers.org1.target(), "Org1MSP", "500", response.getResponse().getMessage())),
                error.details());
    }

    @Test
    void handle_oneEndorserStatus500_failsWithEndorseExceptionNamingThatPeer() throws Exception {
        ProposalResponse refused = fromOrg2.toBuilder()
                .setResponse(Response.newBuilder().setStatus(500).setMessage("simulated chaincode panic on org2"))
                .clearEndorsement()
                .build();
        Terminal next = Terminal.returning("must not run");

        EndorseException error = assertInstanceOf(EndorseException.class,
                failure(StepFixtures.run(submit(fromOrg1, refused), step, next)));

        assertTrue(error.getMessage().contains("simulated chaincode panic on org2"), error.getMessage());
        assertEquals(1, error.details().size(), error.details().toString());
        NodeError detail = error.details().get(0);
        assertEquals(peers.org2.target(), detail.address());
        assertEquals("Org2MSP", detail.mspId());
        assertEquals("500", detail.status());
        assertEquals(TransactionStage.ENDORSE, error.stage());
        assertEquals(proposal.transactionId(), error.transactionId());
        assertFalse(error.retryable());
        assertTrue(next.received.isEmpty());
    }

    @Test
    void handle_submitResponseWithoutEndorsement_failsNamingThatPeer() throws Exception {
        ProposalResponse unendorsed = fromOrg2.toBuilder().clearEndorsement().build();
        Terminal next = Terminal.returning("must not run");

        EndorsementVerificationException error = assertInstanceOf(EndorsementVerificationException.class,
                failure(StepFixtures.run(submit(fromOrg1, unendorsed), step, next)));

        assertEquals(List.of(peers.org2.target()), error.details().stream().map(NodeError::address).toList());
        assertEquals("NO_ENDORSEMENT", error.details().get(0).status());
        assertTrue(next.received.isEmpty());
    }

    @Test
    void handle_payloadsDiffer_failsInconsistentNamingBothPeersInDifferentGroups() throws Exception {
        ProposalResponse other = withOtherResult(fromOrg2, "{\"forged\":true}");
        Terminal next = Terminal.returning("must not run");

        InconsistentEndorsementsException error = assertInstanceOf(InconsistentEndorsementsException.class,
                failure(StepFixtures.run(submit(fromOrg1, other), step, next)));

        Map<String, String> groupByPeer = error.details().stream()
                .collect(Collectors.toMap(NodeError::address, NodeError::status));
        assertEquals(2, groupByPeer.size(), error.details().toString());
        assertTrue(groupByPeer.get(peers.org1.target()).startsWith("RESULT_"), groupByPeer.toString());
        assertTrue(groupByPeer.get(peers.org2.target()).startsWith("RESULT_"), groupByPeer.toString());
        assertNotEquals(groupByPeer.get(peers.org1.target()), groupByPeer.get(peers.org2.target()));
        assertEquals(TransactionStage.VALIDATE, error.stage());
        assertTrue(error.getMessage().contains("2 different results"), error.getMessage());
        assertTrue(next.received.isEmpty());
    }

    @Test
    void handle_sameChaincodeResultButDifferentWriteSets_failsInconsistent() throws Exception {
        ProposalResponsePayload payload = ProposalResponsePayload.parseFrom(fromOrg2.getPayload());
        ChaincodeAction action = ChaincodeAction.parseFrom(payload.getExtension());
        ChaincodeAction otherWrites = action.toBuilder()
                .setResults(action.getResults().concat(ByteString.copyFromUtf8("extra write"))).build();
        ProposalResponse other = fromOrg2.toBuilder()
                .setPayload(payload.toBuilder().setExtension(otherWrites.toByteString()).build().toByteString())
                .build();
        assertEquals(fromOrg1.getResponse(), other.getResponse(), "the chaincode results are the same");
        Terminal next = Terminal.returning("must not run");

        InconsistentEndorsementsException error = assertInstanceOf(InconsistentEndorsementsException.class,
                failure(StepFixtures.run(submit(fromOrg1, other), step, next)));

        assertEquals(2, error.details().size(), error.details().toString());
        assertTrue(next.received.isEmpty());
    }

    @Test
    void handle_responseToAnotherProposal_failsEndorsementVerification() throws Exception {
        ProposalResponse forOther = endorse(peers.org2, peers.sign(peers.createAsset()));
        assertEquals(200, forOther.getResponse().getStatus());
        Terminal next = Terminal.returning("must not run");

        EndorsementVerificationException error = assertInstanceOf(EndorsementVerificationException.class,
                failure(StepFixtures.run(submit(fromOrg1, forOther), step, next)));

        assertEquals(1, error.details().size(), error.details().toString());
        assertEquals(peers.org2.target(), error.details().get(0).address());
        assertEquals("WRONG_PROPOSAL", error.details().get(0).status());
        assertTrue(next.received.isEmpty());
    }

    @Test
    void handle_noResponses_failsWithEndorseException() throws Exception {
        TxContext context = submit(fromOrg1, fromOrg2).toBuilder().responses(List.of()).build();

        EndorseException error = assertInstanceOf(EndorseException.class, failure(StepFixtures.run(context, step)));

        assertTrue(error.getMessage().contains("no endorsement responses"), error.getMessage());
    }
}
