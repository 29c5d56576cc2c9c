package dev.weft.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.CommitException;
import dev.weft.core.ConnectionProfile;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorsementVerificationException;
import dev.weft.core.NodeError;
import dev.weft.core.PolicyNotSatisfiedException;
import dev.weft.core.TransactionStage;
import dev.weft.handlers.Contract;
import dev.weft.handlers.EndorsedTransaction;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Network;
import dev.weft.handlers.Proposal;
import dev.weft.handlers.Transport;
import dev.weft.handlers.TxResult;
import dev.weft.selection.EndorserSelectors;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.List;
import java.util.Set;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application API through a peer's Gateway service, from the profile Fabric's test network
 * hands out (only Org1's peers, no orderers): {@link Transport#PEER_GATEWAY} and
 * {@link Transport#HYBRID}, against reference peers that serve {@code gateway.Gateway}, that do
 * not, that are down, or that prepare a transaction other than the client's.
 */
class PeerGatewayTransportTest {
    private static final String CHANNEL = "mychannel";
    private static ReferenceNetwork network;
    private static ConnectionProfile onePeerProfile;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().peersPerOrganization(2)
                .chaincode("and", new AssetTransferChaincode(), Networks.AND_POLICY)
                .chaincode("or", new AssetTransferChaincode(), Networks.OR_POLICY).start();
        onePeerProfile = ConnectionProfile.parse(network.organizationProfile("Org1MSP"), "org1 profile", Path.of("."));
    }

    @AfterAll
    static void stop() {
        if (network != null) {
            network.close();
        }
    }

    @AfterEach
    void restore() {
        for (ReferenceNetwork.Peer peer : network.peers()) {
            peer.serveGateway(true);
            peer.interceptPreparedTransactions(null);
            if (!peer.isRunning()) {
                peer.start();
            }
        }
    }

    private static Gateway gateway(Transport transport) {
        ReferenceNetwork.User user = network.user("Org1MSP");
        return Gateway.builder().identity(user.identity()).signer(user.signer()).connectionProfile(onePeerProfile)
                .endorserSelector(EndorserSelectors.discovery()).transport(transport).build();
    }

    private static List<ReferenceNetwork.Peer> org1Peers() {
        return network.peers().stream().filter(p -> p.mspId().equals("Org1MSP")).toList();
    }

    @Test
    void peerGateway_onePeerProfile_andPolicy_endorsedOrderedAndAwaitedThroughAnOrg1Peer() {
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            Contract contract = gateway.network(CHANNEL).contract("and");
            String id = Networks.assetId("pgw");

            TxResult result = contract.newTransaction("CreateAsset").arguments(id, "blue", "5", "Tom", "100").submit();

            assertEquals(TxValidationCode.VALID, result.validationCode(), result.toString());
            assertTrue(result.gatewayPeer().orElseThrow().name().endsWith(".org1.example.com"), result.toString());
            assertTrue(result.orderer().isEmpty(), "the gateway peer ordered it; the client named no orderer");
            assertEquals(-1, result.commit().orElseThrow().index(), "CommitStatus does not say the position");
            Set<String> endorsers = Networks.endorsers(network, gateway, CHANNEL, result);
            assertTrue(endorsers.stream().anyMatch(n -> n.endsWith(".org1.example.com")), endorsers.toString());
            assertTrue(endorsers.stream().anyMatch(n -> n.endsWith(".org2.example.com")), endorsers.toString());

            Networks.awaitEveryPeer(network, CHANNEL, result);
            String read = new String(contract.evaluate("ReadAsset", id), UTF_8);
            assertTrue(read.contains("\"Owner\":\"Tom\""), read);
            TxResult transfer = contract.newTransaction("TransferAsset").arguments(id, "Ann")
                    .endorsingOrganizations("Org1MSP", "Org2MSP").submitAsync().join();
            assertEquals(TxValidationCode.VALID, transfer.validationCode());
            Networks.awaitEveryPeer(network, CHANNEL, transfer);
            assertTrue(new String(contract.evaluate("ReadAsset", id), UTF_8).contains("\"Owner\":\"Ann\""));
        }
    }

    @Test
    void peerGateway_policyUnknownToTheClient_thePeersPlanStands_aPolicyGivenIsStillChecked() {
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            // OR(Org1, Org2): the peer plans one Org1 endorsement, which the channel default would refuse.
            TxResult result = gateway.network(CHANNEL).contract("or").newTransaction("CreateAsset")
                    .arguments(Networks.assetId("pgw"), "red", "1", "Ann", "1").submit();
            assertEquals(TxValidationCode.VALID, result.validationCode());
            assertEquals(1, Networks.endorsers(network, gateway, CHANNEL, result).size());

            // The application says AND(Org1, Org2) of the same chaincode: the one endorsement fails that check.
            PolicyNotSatisfiedException stricter = assertThrows(PolicyNotSatisfiedException.class, () -> gateway
                    .network(CHANNEL).contract("or", ChaincodePolicy.signature(Networks.AND_POLICY))
                    .submit("CreateAsset", Networks.assetId("pgw"), "red", "2", "Ann", "2"));
            assertTrue(stricter.getMessage().contains("nothing was submitted"), stricter.getMessage());
        }
    }

    @Test
    void peerGateway_chaincodeError_isTheChaincodesMessageWithTheGatewaysPerNodeDetails() {
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            Contract contract = gateway.network(CHANNEL).contract("and");
            String id = Networks.assetId("pgw");
            Networks.awaitEveryPeer(network, CHANNEL,
                    contract.newTransaction("CreateAsset").arguments(id, "blue", "5", "Tom", "100").submit());

            EndorseException again = assertThrows(EndorseException.class,
                    () -> contract.submit("CreateAsset", id, "blue", "5", "Tom", "100"));
            assertEquals(TransactionStage.ENDORSE, again.stage());
            assertTrue(again.getMessage().contains("The asset " + id + " already exists"), again.getMessage());
            assertFalse(again.retryable());
            assertEquals("ABORTED", again.details().get(0).status(), again.details().toString());
            assertTrue(again.details().stream().skip(1).anyMatch(d -> !d.mspId().isEmpty()
                    && d.message().contains("already exists")), again.details().toString());

            EndorseException missing = assertThrows(EndorseException.class,
                    () -> contract.evaluate("ReadAsset", "no-such-asset"));
            assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        }
    }

    @Test
    void gatewaysOwnUnavailableAnswer_isItsRefusal_notAnUnreachablePeer_soHybridDoesNotFallBack() {
        for (Transport transport : List.of(Transport.PEER_GATEWAY, Transport.HYBRID)) {
            try (Gateway gateway = gateway(transport)) {
                EndorseException e = assertThrows(EndorseException.class, () -> gateway.network(CHANNEL).contract("and")
                        .newTransaction("CreateAsset").arguments(Networks.assetId("pgw"), "red", "1", "Ann", "1")
                        .endorsingOrganizations("Org3MSP").submit(), transport.toString());
                assertTrue(e.getMessage().startsWith("peer gateway peer"), e.getMessage());
                assertTrue(e.getMessage().contains("Org3MSP"), e.getMessage());
                assertEquals("UNAVAILABLE", e.details().get(0).status(), e.details().toString());
                assertEquals(1, e.details().size(), "one gateway peer asked, not each in turn: " + e.details());
            }
        }
    }

    @Test
    void peerGateway_invalidCommit_reportedFromCommitStatusAsACommitException() {
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            Contract contract = gateway.network(CHANNEL).contract("and");
            String id = Networks.assetId("pgw");
            Networks.awaitEveryPeer(network, CHANNEL,
                    contract.newTransaction("CreateAsset").arguments(id, "blue", "5", "Tom", "100").submit());
            // Both endorsed against the same version of the asset: the second to commit is a conflict.
            EndorsedTransaction first = contract.newTransaction("TransferAsset").arguments(id, "Ann").newProposal()
                    .endorse();
            EndorsedTransaction second = contract.newTransaction("TransferAsset").arguments(id, "Bo").newProposal()
                    .endorse();
            assertEquals(TxValidationCode.VALID, first.submit().validationCode());

            CommitException conflict = assertThrows(CommitException.class, second::submit);
            assertEquals(TxValidationCode.MVCC_READ_CONFLICT, conflict.validationCode());
            assertTrue(conflict.retryable());
        }
    }

    @Test
    void peerGateway_firstGatewayPeerDown_theOtherOrg1PeerIsUsed() {
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            Contract contract = gateway.network(CHANNEL).contract("and");
            String firstUsed = contract.newTransaction("CreateAsset")
                    .arguments(Networks.assetId("pgw"), "red", "1", "Ann", "1").submit().gatewayPeer().orElseThrow().name();
            ReferenceNetwork.Peer down = org1Peers().stream().filter(p -> p.name().equals(firstUsed)).findFirst()
                    .orElseThrow();
            down.stop();

            TxResult result = contract.newTransaction("CreateAsset")
                    .arguments(Networks.assetId("pgw"), "red", "2", "Ann", "2").submit();

            assertEquals(TxValidationCode.VALID, result.validationCode());
            String used = result.gatewayPeer().orElseThrow().name();
            assertTrue(!used.equals(firstUsed) && used.endsWith(".org1.example.com"), used);
        }
    }

    @Test
    void peerGateway_peersWithoutTheService_aTypedErrorSaysSoAndNamesHybrid() {
        org1Peers().forEach(p -> p.serveGateway(false));
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            Contract contract = gateway.network(CHANNEL).contract("and");

            EndorseException submit = assertThrows(EndorseException.class,
                    () -> contract.submit("CreateAsset", Networks.assetId("pgw"), "red", "1", "Ann", "1"));
            assertTrue(submit.getMessage().contains("serves no Gateway service"), submit.getMessage());
            assertTrue(submit.getMessage().contains("HYBRID"), submit.getMessage());
            assertFalse(submit.retryable());
            assertEquals(2, submit.details().size(), submit.details().toString());
            assertTrue(submit.details().stream().allMatch(d -> d.status().equals("UNIMPLEMENTED")));

            EndorseException evaluate = assertThrows(EndorseException.class,
                    () -> contract.evaluate("ReadAsset", "anything"));
            assertTrue(evaluate.getMessage().contains("serves no Gateway service"), evaluate.getMessage());
        }
    }

    @Test
    void hybrid_throughTheGatewayWhereServed_directlyWhereNot() {
        try (Gateway gateway = gateway(Transport.HYBRID)) {
            Contract contract = gateway.network(CHANNEL).contract("and");
            TxResult through = contract.newTransaction("CreateAsset")
                    .arguments(Networks.assetId("hyb"), "red", "1", "Ann", "1").submit();
            assertEquals(TxValidationCode.VALID, through.validationCode());
            assertTrue(through.gatewayPeer().isPresent() && through.orderer().isEmpty(), through.toString());
        }

        org1Peers().forEach(p -> p.serveGateway(false));
        try (Gateway gateway = gateway(Transport.HYBRID)) {
            Contract contract = gateway.network(CHANNEL).contract("and");
            String id = Networks.assetId("hyb");
            TxResult direct = contract.newTransaction("CreateAsset").arguments(id, "red", "2", "Ann", "2").submit();

            // Discovery found Org2's peer, the orderer came from the config: the direct path, end to end.
            assertEquals(TxValidationCode.VALID, direct.validationCode());
            assertTrue(direct.gatewayPeer().isEmpty(), direct.toString());
            assertEquals(network.orderer().endpoint(), direct.orderer().orElseThrow().name());
            Networks.awaitEveryPeer(network, CHANNEL, direct);
            assertTrue(new String(contract.evaluate("ReadAsset", id), UTF_8).contains("\"Owner\":\"Ann\""));
            // Remembered: with the service back on, this gateway does not ask the peers for it again.
            org1Peers().forEach(p -> p.serveGateway(true));
            assertTrue(contract.newTransaction("CreateAsset").arguments(Networks.assetId("hyb"), "red", "3", "Ann", "3")
                    .submit().gatewayPeer().isEmpty());
        }
    }

    @Test
    void peerGateway_namedEndorsingPeers_refusedBeforeAnythingIsSent_hybridEndorsesThemDirectly() {
        String org2Peer = network.peers().stream().filter(p -> p.mspId().equals("Org2MSP")).findFirst().orElseThrow()
                .name();
        String org1Peer = org1Peers().get(0).name();
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            EndorseException named = assertThrows(EndorseException.class, () -> gateway.network(CHANNEL).contract("and")
                    .newTransaction("CreateAsset").arguments(Networks.assetId("pgw"), "red", "1", "Ann", "1")
                    .endorsingPeers(org1Peer, org2Peer).submit());
            assertEquals(TransactionStage.SELECT, named.stage());
            assertTrue(named.getMessage().contains("endorsing organisations"), named.getMessage());
        }
        // Every peer in the gateway's list, as a peer can be named only where the client knows it.
        try (Gateway gateway = Networks.gateway(network).transport(Transport.HYBRID).build()) {
            TxResult result = gateway.network(CHANNEL).contract("and").newTransaction("CreateAsset")
                    .arguments(Networks.assetId("hyb"), "red", "1", "Ann", "1").endorsingPeers(org1Peer, org2Peer)
                    .submit();
            assertEquals(TxValidationCode.VALID, result.validationCode());
            assertTrue(result.gatewayPeer().isEmpty());
            assertEquals(Set.of(org1Peer, org2Peer), Networks.endorsers(network, gateway, CHANNEL, result));
        }
    }

    @Test
    void peerGateway_preparedTransactionNotTheClients_neitherSignedNorSent() {
        long height = org1Peers().get(0).height(CHANNEL);
        // A gateway that slips another chaincode input under the client's endorsements.
        org1Peers().forEach(p -> p.interceptPreparedTransactions(prepared -> rewriteInput(prepared)));
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            EndorsementVerificationException e = assertThrows(EndorsementVerificationException.class,
                    () -> gateway.network(CHANNEL).contract("and").submit("CreateAsset", Networks.assetId("pgw"), "red",
                            "1", "Ann", "1"));
            assertEquals(TransactionStage.VALIDATE, e.stage());
            assertTrue(e.getMessage().contains("was not signed or sent"), e.getMessage());
            assertEquals("PREPARED_TRANSACTION", e.details().get(0).status());
        }
        // A gateway whose endorsement signatures do not verify: the pipeline's own check refuses them.
        org1Peers().forEach(p -> p.interceptPreparedTransactions(prepared -> corruptSignatures(prepared)));
        try (Gateway gateway = gateway(Transport.PEER_GATEWAY)) {
            EndorsementVerificationException e = assertThrows(EndorsementVerificationException.class,
                    () -> gateway.network(CHANNEL).contract("and").submit("CreateAsset", Networks.assetId("pgw"), "red",
                            "1", "Ann", "1"));
            assertTrue(e.details().stream().map(NodeError::status).anyMatch("BAD_SIGNATURE"::equals),
                    e.details().toString());
        }
        assertEquals(height, org1Peers().get(0).height(CHANNEL), "nothing was ordered");
    }

    @Test
    void peerGateway_stagedApi_everyMessageSignedByTheApplication() throws GeneralSecurityException {
        ReferenceNetwork.User user = network.user("Org1MSP");
        try (Gateway gateway = Gateway.builder().identity(user.identity()).connectionProfile(onePeerProfile)
                .transport(Transport.PEER_GATEWAY).build()) {
            Network mychannel = gateway.network(CHANNEL);
            Proposal configRead = mychannel.newConfigProposal();
            mychannel.loadChannelConfig(configRead.withSignature(sign(user, configRead.digest())));
            Contract contract = mychannel.contract("and");
            Proposal proposal = contract.newTransaction("CreateAsset").arguments(Networks.assetId("pgw"), "red", "1", "Ann", "1")
                    .newProposal();
            EndorsedTransaction endorsed = proposal.withSignature(sign(user, proposal.digest())).endorse();
            EndorsedTransaction signed = endorsed.withSignature(sign(user, endorsed.digest()));
            var commitRequest = signed.commitStatusRequest();

            TxResult result = signed.submit(commitRequest.withSignature(sign(user, commitRequest.digest())));

            assertEquals(TxValidationCode.VALID, result.validationCode());
            assertTrue(result.gatewayPeer().isPresent(), "submitted through the gateway peer");
        }
    }

    private static byte[] sign(ReferenceNetwork.User user, byte[] digest) throws GeneralSecurityException {
        Signature ecdsa = Signature.getInstance("NONEwithECDSA");
        ecdsa.initSign(user.privateKey());
        ecdsa.update(digest);
        return ecdsa.sign();
    }

    /** The prepared transaction with its chaincode proposal payload's input replaced. */
    private static Envelope rewriteInput(Envelope prepared) {
        return rewriteAction(prepared, (payload, action) -> payload.setChaincodeProposalPayload(
                ChaincodeProposalPayload.newBuilder().setInput(ByteString.copyFromUtf8("something else")).build()
                        .toByteString()));
    }

    /** The prepared transaction with every endorsement's signature bytes flipped. */
    private static Envelope corruptSignatures(Envelope prepared) {
        return rewriteAction(prepared, (payload, action) -> {
            ChaincodeEndorsedAction.Builder endorsed = action.toBuilder().clearEndorsements();
            for (Endorsement e : action.getEndorsementsList()) {
                byte[] signature = e.getSignature().toByteArray();
                signature[signature.length - 1] ^= 0x01;
                endorsed.addEndorsements(e.toBuilder().setSignature(ByteString.copyFrom(signature)));
            }
            payload.setAction(endorsed);
        });
    }

    private interface ActionRewrite {
        void apply(ChaincodeActionPayload.Builder payload, ChaincodeEndorsedAction action);
    }

    private static Envelope rewriteAction(Envelope prepared, ActionRewrite rewrite) {
        try {
            Payload payload = Payload.parseFrom(prepared.getPayload());
            Transaction transaction = Transaction.parseFrom(payload.getData());
            TransactionAction action = transaction.getActions(0);
            ChaincodeActionPayload actionPayload = ChaincodeActionPayload.parseFrom(action.getPayload());
            ChaincodeActionPayload.Builder rewritten = actionPayload.toBuilder();
            rewrite.apply(rewritten, actionPayload.getAction());
            Transaction changed = transaction.toBuilder()
                    .setActions(0, action.toBuilder().setPayload(rewritten.build().toByteString())).build();
            return prepared.toBuilder()
                    .setPayload(payload.toBuilder().setData(changed.toByteString()).build().toByteString()).build();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
