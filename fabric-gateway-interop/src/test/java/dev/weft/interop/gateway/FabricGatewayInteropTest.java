package dev.weft.interop.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.GrpcChannels;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.hyperledger.fabric.client.ChaincodeEvent;
import org.hyperledger.fabric.client.CloseableIterator;
import org.hyperledger.fabric.client.CommitException;
import org.hyperledger.fabric.client.Contract;
import org.hyperledger.fabric.client.EndorseException;
import org.hyperledger.fabric.client.Gateway;
import org.hyperledger.fabric.client.GatewayException;
import org.hyperledger.fabric.client.InMemoryCheckpointer;
import org.hyperledger.fabric.client.Network;
import org.hyperledger.fabric.client.Proposal;
import org.hyperledger.fabric.client.Status;
import org.hyperledger.fabric.client.SubmittedTransaction;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.gateway.CommitStatusRequest;
import org.hyperledger.fabric.protos.gateway.ErrorDetail;
import org.hyperledger.fabric.protos.gateway.EvaluateRequest;
import org.hyperledger.fabric.protos.gateway.GatewayGrpc;
import org.hyperledger.fabric.protos.gateway.SignedCommitStatusRequest;
import org.hyperledger.fabric.protos.gateway.SubmitRequest;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * fabric-gateway, Fabric's recommended client, against the reference peer's Gateway service: it
 * connects to Org1's peer alone, and the peer plans, endorses (on Org2's peers too, under the
 * network's two-organisation default policy), orders, reports commit status and streams
 * chaincode events. Nothing of Weft's client is on the path.
 */
class FabricGatewayInteropTest {
    private static final String CHANNEL = "mychannel";
    private static ReferenceNetwork network;
    private static ManagedChannel connection;
    private static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        network = ReferenceNetwork.builder().peersPerOrganization(2)
                .chaincode("basic", new AssetTransferChaincode())
                .chaincode("events", AssetTransferChaincode.withEvents())
                .start();
        ReferenceNetwork.User user = network.user("Org1MSP");
        connection = GrpcChannels.create(network.peer("Org1MSP").endpointConfig());
        gateway = Gateway.newInstance()
                .identity(new X509Identity("Org1MSP", user.identity().certificate()))
                .signer(Signers.newPrivateKeySigner(user.privateKey()))
                .connection(connection)
                .evaluateOptions(o -> o.withDeadlineAfter(10, TimeUnit.SECONDS))
                .endorseOptions(o -> o.withDeadlineAfter(30, TimeUnit.SECONDS))
                .submitOptions(o -> o.withDeadlineAfter(30, TimeUnit.SECONDS))
                .commitStatusOptions(o -> o.withDeadlineAfter(60, TimeUnit.SECONDS))
                .connect();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (connection != null) {
            connection.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (network != null) {
            network.close();
        }
    }

    private static String assetId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void submitAndEvaluate_throughOrg1sGatewayAlone_endorsedByBothOrganisations() throws Exception {
        Contract contract = gateway.getNetwork(CHANNEL).getContract("basic");
        String id = assetId("fg");

        contract.submitTransaction("CreateAsset", id, "blue", "5", "Tom", "100");

        String asset = new String(contract.evaluateTransaction("ReadAsset", id), UTF_8);
        assertTrue(asset.contains("\"Owner\":\"Tom\""), asset);
    }

    @Test
    void submitAsync_commitStatus_thenChaincodeEventsFromItsBlock() throws Exception {
        Network channel = gateway.getNetwork(CHANNEL);
        Contract contract = channel.getContract("events");
        String id = assetId("fg-events");

        SubmittedTransaction submitted = contract.newProposal("CreateAsset")
                .addArguments(id, "green", "7", "Ann", "70").build().endorse().submitAsync();
        Status status = submitted.getStatus();
        assertTrue(status.isSuccessful(), status.getCode().toString());
        assertEquals(TxValidationCode.VALID, status.getCode());
        assertEquals(submitted.getTransactionId(), status.getTransactionId());
        assertTrue(status.getBlockNumber() > 0);

        try (CloseableIterator<ChaincodeEvent> events = channel.newChaincodeEventsRequest("events")
                .startBlock(status.getBlockNumber()).build().getEvents()) {
            ChaincodeEvent event = events.next();
            assertEquals(submitted.getTransactionId(), event.getTransactionId());
            assertEquals(status.getBlockNumber(), event.getBlockNumber());
            assertEquals("CreateAsset", event.getEventName());
            assertTrue(new String(event.getPayload(), UTF_8).contains(id));
        }
    }

    @Test
    void chaincodeEvents_fromTheNextCommit_seeOnlyLaterTransactions() throws Exception {
        Network channel = gateway.getNetwork(CHANNEL);
        Contract contract = channel.getContract("events");
        String before = assetId("fg-before");
        contract.submitTransaction("CreateAsset", before, "red", "1", "Bo", "1");

        try (CloseableIterator<ChaincodeEvent> events = channel.getChaincodeEvents("events")) {
            String after = assetId("fg-after");
            SubmittedTransaction tx = contract.newProposal("CreateAsset").addArguments(after, "red", "1", "Bo", "1")
                    .build().endorse().submitAsync();
            ChaincodeEvent event = events.next();
            assertEquals(tx.getTransactionId(), event.getTransactionId(), "the event of the later transaction only");
        }
    }

    @Test
    void chaincodeEvents_resumedFromACheckpoint_continueAfterTheLastTransaction() throws Exception {
        Network channel = gateway.getNetwork(CHANNEL);
        Contract contract = channel.getContract("events");
        Status first = contract.newProposal("CreateAsset").addArguments(assetId("fg-cp1"), "red", "1", "Bo", "1")
                .build().endorse().submitAsync().getStatus();
        Status second = contract.newProposal("CreateAsset").addArguments(assetId("fg-cp2"), "red", "1", "Bo", "1")
                .build().endorse().submitAsync().getStatus();
        InMemoryCheckpointer checkpointer = new InMemoryCheckpointer();

        try (CloseableIterator<ChaincodeEvent> events = channel.newChaincodeEventsRequest("events")
                .startBlock(first.getBlockNumber()).build().getEvents()) {
            ChaincodeEvent event = events.next();
            assertEquals(first.getTransactionId(), event.getTransactionId());
            checkpointer.checkpointChaincodeEvent(event);
        }
        // The checkpoint names the block and the transaction: the peer starts at that block, after that transaction.
        try (CloseableIterator<ChaincodeEvent> events = channel.newChaincodeEventsRequest("events")
                .checkpoint(checkpointer).build().getEvents()) {
            assertEquals(second.getTransactionId(), events.next().getTransactionId());
        }
    }

    @Test
    void endorsingOrganizations_areTheOnesAsked() throws Exception {
        Contract contract = gateway.getNetwork(CHANNEL).getContract("basic");
        Proposal proposal = contract.newProposal("CreateAsset")
                .addArguments(assetId("fg-orgs"), "red", "1", "Bo", "1")
                .setEndorsingOrganizations("Org1MSP").build();
        // One organisation's endorsement cannot satisfy the two-organisation policy: the peers commit it invalid.
        CommitException failure = assertThrows(CommitException.class, () -> proposal.endorse().submit());
        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, failure.getCode());
    }

    @Test
    void chaincodeError_isAnEndorseExceptionWithTheNodesDetails() {
        Contract contract = gateway.getNetwork(CHANNEL).getContract("basic");
        String id = assetId("fg-dup");
        GatewayException missing = assertThrows(GatewayException.class, () -> contract.evaluateTransaction("ReadAsset", id));
        assertTrue(missing.getDetails().stream().anyMatch(d -> d.getMessage().contains("does not exist")),
                missing.getDetails().toString());

        assertDoesNotThrow(() -> contract.submitTransaction("CreateAsset", id, "red", "1", "Bo", "1"));
        EndorseException duplicate = assertThrows(EndorseException.class,
                () -> contract.submitTransaction("CreateAsset", id, "red", "1", "Bo", "1"));
        List<ErrorDetail> details = duplicate.getDetails();
        assertFalse(details.isEmpty(), duplicate.toString());
        assertTrue(details.stream().allMatch(d -> d.getMessage().contains("already exists")), details.toString());
        Set<String> orgs = details.stream().map(ErrorDetail::getMspId).collect(Collectors.toSet());
        assertTrue(orgs.contains("Org1MSP"), orgs.toString());
        assertEquals(network.peer("Org1MSP").endpoint(), details.get(0).getAddress());
    }

    @Test
    void org2PeerDown_theLayoutIsFilledByTheOtherOrg2Peer() throws Exception {
        Contract contract = gateway.getNetwork(CHANNEL).getContract("basic");
        ReferenceNetwork.Peer org2 = network.peers().stream().filter(p -> p.mspId().equals("Org2MSP")).findFirst()
                .orElseThrow();
        org2.stop();
        try {
            String id = assetId("fg-down");
            contract.submitTransaction("CreateAsset", id, "red", "1", "Bo", "1");
            assertTrue(new String(contract.evaluateTransaction("ReadAsset", id), UTF_8).contains(id));
        } finally {
            org2.start();
        }
    }

    @Test
    void badRequests_getFabricsStatusCodesAndMessages() {
        GatewayGrpc.GatewayBlockingStub stub = GatewayGrpc.newBlockingStub(connection)
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        ReferenceNetwork.User user = network.user("Org1MSP");

        StatusRuntimeException unsigned = assertThrows(StatusRuntimeException.class, () -> stub.submit(
                SubmitRequest.newBuilder().setChannelId(CHANNEL).setTransactionId("tx")
                        .setPreparedTransaction(Envelope.newBuilder().setPayload(ByteString.copyFromUtf8("p"))).build()));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, unsigned.getStatus().getCode());
        assertEquals("prepared transaction must be signed", unsigned.getStatus().getDescription());

        StatusRuntimeException garbage = assertThrows(StatusRuntimeException.class, () -> stub.evaluate(
                EvaluateRequest.newBuilder().setProposedTransaction(SignedProposal.newBuilder()
                        .setProposalBytes(ByteString.copyFrom(new byte[] {(byte) 0xff, 1, 2}))).build()));
        assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, garbage.getStatus().getCode());
        assertTrue(garbage.getStatus().getDescription().startsWith("failed to unpack transaction proposal"),
                garbage.getStatus().getDescription());

        // A commit status request signed by a key that is not the identity's.
        ByteString request = CommitStatusRequest.newBuilder().setChannelId(CHANNEL).setTransactionId("tx")
                .setIdentity(user.identity().serialized()).build().toByteString();
        StatusRuntimeException forged = assertThrows(StatusRuntimeException.class, () -> stub.commitStatus(
                SignedCommitStatusRequest.newBuilder().setRequest(request)
                        .setSignature(ByteString.copyFrom(network.user("Org2MSP").signer().sign(request.toByteArray())))
                        .build()));
        assertEquals(io.grpc.Status.Code.PERMISSION_DENIED, forged.getStatus().getCode());
        assertTrue(forged.getStatus().getDescription().contains("is not valid"), forged.getStatus().getDescription());

        StatusRuntimeException unknownChannel = assertThrows(StatusRuntimeException.class, () -> stub.commitStatus(
                SignedCommitStatusRequest.newBuilder().setRequest(CommitStatusRequest.newBuilder()
                        .setChannelId("nochannel").setTransactionId("tx").setIdentity(user.identity().serialized())
                        .build().toByteString()).build()));
        assertEquals(io.grpc.Status.Code.NOT_FOUND, unknownChannel.getStatus().getCode());
    }
}
