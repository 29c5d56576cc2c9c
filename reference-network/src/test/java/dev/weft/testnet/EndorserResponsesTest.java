package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.BlockView;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.Credentials;
import dev.weft.core.Signatures;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.TransactionEnvelope;
import dev.weft.core.TransactionStatus;
import dev.weft.core.TransactionView;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Hashing;
import dev.weft.core.internal.X509Issuer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.Proposal;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fabric's endorser status rules as a raw gRPC client sees them ({@code core/endorser/endorser.go}
 * of Fabric 2.5): a proposal that fails validation is a gRPC error (status UNKNOWN, the error text
 * as description); an unknown channel or chaincode and chaincode failures are a ProposalResponse
 * with status 500; a chaincode status of 400-499 gives the response only, 500 and up the response
 * and payload without endorsement, below 400 an endorsement (version 1) signed over
 * {@code payload ‖ endorser}.
 */
class EndorserResponsesTest {
    private static final String PROBE = "probe";
    private static final byte[] SECRET = "transient-secret-7d1f0c2e".getBytes(StandardCharsets.UTF_8);

    /** A chaincode for the endorser's corner cases. */
    private static final Chaincode PROBE_CHAINCODE = stub -> switch (stub.function()) {
        case "fail" -> {
            stub.putState("written-before-failure", "x".getBytes(StandardCharsets.UTF_8));
            throw new ChaincodeException("probe failed on purpose");
        }
        case "notHere" -> new ChaincodeResponse(404, "not here", new byte[0]);
        case "transient" -> {
            byte[] secret = stub.transientData().get("secret");
            if (secret == null) {
                throw new ChaincodeException("no transient entry 'secret'; keys: " + stub.transientData().keySet());
            }
            String digest = HexFormat.of().formatHex(Hashing.sha256(secret));
            stub.putState("digest", digest.getBytes(StandardCharsets.UTF_8));
            yield ChaincodeResponse.success(digest);
        }
        default -> throw new ChaincodeException("unknown function " + stub.function());
    };

    @TempDir
    static Path files;

    private static ReferenceNetwork network;
    private static RawClient client;
    private static ReferenceNetwork.Peer peer1;
    private static ReferenceNetwork.Peer peer2;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder()
                .chaincode("basic", new AssetTransferChaincode())
                .chaincode(PROBE, PROBE_CHAINCODE)
                .start();
        client = new RawClient(network, network.user("Org1MSP"));
        peer1 = network.peer("Org1MSP");
        peer2 = network.peer("Org2MSP");
        network.writeTo(files);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (network != null) {
            network.close();
        }
    }

    // ---------------------------------------------------------------- chaincode outcomes

    @Test
    void processProposal_chaincodeSuccess_endorsedVersion1SignedOverPayloadAndEndorser() throws Exception {
        ProposalResponse response = client.endorse(
                client.proposal("basic", "CreateAsset", "ok-1", "blue", "5", "Tom", "100"), peer1);

        assertEquals(1, response.getVersion());
        assertEquals(200, response.getResponse().getStatus());
        assertEquals("{\"ID\":\"ok-1\",\"Color\":\"blue\",\"Size\":5,\"Owner\":\"Tom\",\"AppraisedValue\":100}",
                response.getResponse().getPayload().toStringUtf8());
        assertFalse(response.getPayload().isEmpty());
        ChaincodeAction action = action(response);
        assertEquals(response.getResponse(), action.getResponse(), "the payload carries the same response");
        assertTrue(response.hasEndorsement());
        Endorsement endorsement = response.getEndorsement();
        assertEquals(peer1.identity().serialized(), endorsement.getEndorser());
        assertTrue(Signatures.verifyEndorsement(response.getPayload(), endorsement));
        // The signature covers the payload: any other payload fails verification.
        ByteString other = response.getPayload().concat(ByteString.copyFrom(new byte[] {0}));
        assertFalse(Signatures.verifyEndorsement(other, endorsement));
    }

    @Test
    void processProposal_chaincodeException_status500WithMessageAndPayloadButNoEndorsement() throws Exception {
        ProposalResponse response = client.endorse(client.proposal(PROBE, "fail"), peer1);

        assertEquals(500, response.getResponse().getStatus());
        assertEquals("probe failed on purpose", response.getResponse().getMessage());
        assertFalse(response.hasEndorsement());
        assertEquals(0, response.getVersion(), "Fabric sets version 1 only on endorsed responses");
        assertFalse(response.getPayload().isEmpty(), "status >= 500: response and payload");
        ChaincodeAction action = action(response);
        assertEquals(500, action.getResponse().getStatus());
        assertEquals(PROBE, action.getChaincodeId().getName());
        assertEquals("1.0", action.getChaincodeId().getVersion());
        assertTrue(action.getEvents().isEmpty(), "no chaincode event on errors");
        // As in Fabric, the simulation results are still collected after the chaincode fails.
        TxReadWriteSet rwset = TxReadWriteSet.parseFrom(action.getResults());
        KVRWSet probe = KVRWSet.parseFrom(rwset.getNsRwsetList().stream()
                .filter(ns -> ns.getNamespace().equals(PROBE)).findFirst().orElseThrow().getRwset());
        assertEquals("written-before-failure", probe.getWrites(0).getKey());
    }

    @Test
    void processProposal_chaincodeStatus404_responseOnlyWithoutPayloadOrEndorsement() {
        ProposalResponse response = client.endorse(client.proposal(PROBE, "notHere"), peer1);

        assertEquals(404, response.getResponse().getStatus());
        assertEquals("not here", response.getResponse().getMessage());
        assertTrue(response.getPayload().isEmpty(), "status 400-499: no payload");
        assertFalse(response.hasEndorsement());
        assertEquals(0, response.getVersion());
    }

    @Test
    void processProposal_unknownChaincode_status500NotFoundWithGrpcOk() {
        ProposalResponse response = client.endorse(client.proposal("nosuchcc", "Anything"), peer1);

        assertEquals(500, response.getResponse().getStatus());
        assertEquals("make sure the chaincode nosuchcc has been successfully defined on channel mychannel and try"
                + " again: chaincode nosuchcc not found", response.getResponse().getMessage());
        assertTrue(response.getPayload().isEmpty());
        assertFalse(response.hasEndorsement());
    }

    @Test
    void processProposal_unknownChannel_status500ChannelNotFound() {
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(client.user.identity())
                .channel("x").chaincode("basic").function("AssetExists").arguments("a").build();
        ProposalResponse response = endorse(proposal.sign(client.user.signer()), peer1);

        assertEquals(500, response.getResponse().getStatus());
        assertEquals("channel 'x' not found", response.getResponse().getMessage());
        assertTrue(response.getPayload().isEmpty());
        assertFalse(response.hasEndorsement());
    }

    // ---------------------------------------------------------------- proposal validation (gRPC errors)

    @Test
    void processProposal_badSignature_grpcUnknownAccessDenied() {
        ChaincodeProposal proposal = client.proposal("basic", "AssetExists", "a");
        Signer wrongKey = network.user("Org2MSP").signer();

        StatusRuntimeException e = rejected(proposal.sign(wrongKey), peer1);

        assertTrue(e.getStatus().getDescription().contains("access denied: channel [mychannel] creator org [Org1MSP]"),
                e.getStatus().toString());
    }

    @Test
    void processProposal_foreignIdentity_grpcUnknownAccessDenied() {
        // Same MSP id and names as Org1's User1, but issued by a CA the channel does not know.
        X509Issuer.Issued foreignCa = X509Issuer.certificate(
                "C=US,ST=California,L=San Francisco,O=org1.example.com,CN=ca.org1.example.com").ca(true).selfSigned();
        X509Issuer.Issued impostor = X509Issuer.certificate(
                "C=US,ST=California,L=San Francisco,OU=client,CN=User1@org1.example.com").issuedBy(foreignCa);
        X509Identity identity = X509Identity.of("Org1MSP", impostor.certificate());
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(identity).channel(network.channel())
                .chaincode("basic").function("AssetExists").arguments("a").build();

        StatusRuntimeException e = rejected(proposal.sign(Signers.newPrivateKeySigner(impostor.key())), peer1);

        assertTrue(e.getStatus().getDescription().contains("access denied: channel [mychannel] creator org"),
                e.getStatus().toString());
    }

    @Test
    void processProposal_wrongTransactionId_grpcUnknownIncorrectlyComputedTxid() throws Exception {
        ChaincodeProposal proposal = client.proposal("basic", "AssetExists", "a");
        String wrong = "00".repeat(32);

        StatusRuntimeException e = rejected(resign(proposal, h -> h.toBuilder().setTxId(wrong).build()), peer1);

        assertTrue(e.getStatus().getDescription().contains("incorrectly computed txid '" + wrong
                + "' -- expected '" + proposal.transactionId() + "'"), e.getStatus().toString());
    }

    @Test
    void processProposal_nonZeroEpoch_grpcUnknownEpochIsNonZero() throws Exception {
        ChaincodeProposal proposal = client.proposal("basic", "AssetExists", "a");

        StatusRuntimeException e = rejected(resign(proposal, h -> h.toBuilder().setEpoch(1).build()), peer1);

        assertTrue(e.getStatus().getDescription().contains("epoch is non-zero"), e.getStatus().toString());
    }

    @ParameterizedTest
    @ValueSource(longs = {-20, 20})
    void processProposal_timestamp20MinutesOff_grpcUnknownIncorrectTimestamp(long minutes) {
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(client.user.identity())
                .channel(network.channel()).chaincode("basic").function("AssetExists").arguments("a")
                .timestamp(Instant.now().plus(Duration.ofMinutes(minutes))).build();

        StatusRuntimeException e = rejected(proposal.sign(client.user.signer()), peer1);

        assertTrue(e.getStatus().getDescription().contains("request unauthorized due to incorrect timestamp"),
                e.getStatus().toString());
    }

    @Test
    void processProposal_timestamp10MinutesOff_endorsed() {
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(client.user.identity())
                .channel(network.channel()).chaincode("basic").function("AssetExists").arguments("a")
                .timestamp(Instant.now().minus(Duration.ofMinutes(10))).build();

        ProposalResponse response = endorse(proposal.sign(client.user.signer()), peer1);

        assertEquals(200, response.getResponse().getStatus(), "inside the 15-minute window");
    }

    @Test
    void processProposal_committedTransactionId_grpcUnknownDuplicateTransaction() throws Exception {
        ChaincodeProposal proposal = client.proposal("basic", "CreateAsset", "dup-1", "red", "1", "Ann", "10");
        SignedProposal signed = proposal.sign(client.user.signer());
        List<ProposalResponse> responses = List.of(endorse(signed, peer1), endorse(signed, peer2));
        Envelope transaction = TransactionEnvelope.create(proposal, responses).sign(client.user.signer());
        TransactionStatus status = client.submitAndWait(transaction, proposal.transactionId());
        assertTrue(status.isValid(), status.toString());

        // submitAndWait waited for the commit on the first peer.
        StatusRuntimeException e = rejected(signed, network.peers().get(0));

        assertTrue(e.getStatus().getDescription().contains("duplicate transaction found [" + proposal.transactionId()
                + "]"), e.getStatus().toString());
    }

    @Test
    void processProposal_peerIdentity_grpcUnknownNotAWriter() {
        Path msp = files.resolve("organizations/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/msp");
        X509Identity peerIdentity = X509Identity.of("Org1MSP",
                Credentials.readCertificate(msp.resolve("signcerts/peer0.org1.example.com-cert.pem")));
        assertEquals(peer1.identity(), peerIdentity);
        Signer peerSigner = Signers.newPrivateKeySigner(Credentials.readPrivateKey(msp.resolve("keystore/priv_sk")));
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(peerIdentity).channel(network.channel())
                .chaincode("basic").function("AssetExists").arguments("a").build();

        StatusRuntimeException e = rejected(proposal.sign(peerSigner), peer1);

        // /Channel/Application/Writers = ANY Writers; each org's Writers is OR(admin, client).
        assertTrue(e.getStatus().getDescription().contains("/Channel/Application/Writers"), e.getStatus().toString());
    }

    @Test
    void processProposal_adminIdentity_endorsed() {
        ReferenceNetwork.User admin = network.admin("Org1MSP");
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(admin.identity()).channel(network.channel())
                .chaincode("basic").function("AssetExists").arguments("a").build();

        ProposalResponse response = endorse(proposal.sign(admin.signer()), peer1);

        assertEquals(200, response.getResponse().getStatus(), "admins are Writers");
        assertEquals("false", response.getResponse().getPayload().toStringUtf8());
    }

    // ---------------------------------------------------------------- transient data, hashes, determinism

    @Test
    void processProposal_transientData_visibleToChaincodeButAbsentFromCommittedTransaction() throws Exception {
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(client.user.identity())
                .channel(network.channel()).chaincode(PROBE).function("transient")
                .putTransientData("secret", SECRET).build();
        List<ProposalResponse> responses = client.endorseAll(proposal);
        String digest = HexFormat.of().formatHex(Hashing.sha256(SECRET));
        for (ProposalResponse r : responses) {
            assertEquals(200, r.getResponse().getStatus(), r.getResponse().getMessage());
            assertEquals(digest, r.getResponse().getPayload().toStringUtf8(), "the chaincode saw the transient value");
        }
        Envelope transaction = TransactionEnvelope.create(proposal, responses).sign(client.user.signer());
        TransactionStatus status = client.submitAndWait(transaction, proposal.transactionId());
        assertTrue(status.isValid(), status.toString());

        Block block = client.blocks(network.peers().get(0), status.blockNumber(), status.blockNumber()).get(0);
        TransactionView committed = BlockView.of(block).transaction(status.index());
        assertEquals(proposal.transactionId(), committed.transactionId());
        ChaincodeProposalPayload payload = ChaincodeProposalPayload.parseFrom(committed.chaincodeProposalPayload());
        assertEquals(0, payload.getTransientMapCount());
        assertEquals(proposal.transientFreePayload(), committed.chaincodeProposalPayload());
        assertFalse(contains(block.toByteArray(), SECRET), "the secret appears nowhere in the committed block");
        assertTrue(contains(proposal.proposalBytes().toByteArray(), SECRET), "(the check can find it where it is)");
    }

    @Test
    void processProposal_withTransientData_proposalHashEqualsTransientFreeHash() throws Exception {
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(client.user.identity())
                .channel(network.channel()).chaincode(PROBE).function("transient")
                .putTransientData("secret", SECRET).build();

        ProposalResponse response = client.endorse(proposal, peer1);

        ByteString hash = ProposalResponsePayload.parseFrom(response.getPayload()).getProposalHash();
        assertArrayEquals(proposal.proposalHash(), hash.toByteArray());
        byte[] withTransient = Hashing.sha256(proposal.channelHeader(), proposal.signatureHeader(),
                proposal.proposal().getPayload());
        assertFalse(java.util.Arrays.equals(withTransient, hash.toByteArray()), "the transient map is not hashed");
    }

    @Test
    void processProposal_sameProposalOnTwoPeers_byteIdenticalPayloads() throws Exception {
        ChaincodeProposal proposal = client.proposal("basic", "CreateAsset", "twin-1", "green", "3", "Bo", "30");
        SignedProposal signed = proposal.sign(client.user.signer());

        ProposalResponse first = endorse(signed, peer1);
        ProposalResponse second = endorse(signed, peer2);

        assertEquals(200, first.getResponse().getStatus());
        assertEquals(first.getPayload(), second.getPayload());
        assertEquals(first.getResponse(), second.getResponse());
        assertNotEquals(first.getEndorsement().getEndorser(), second.getEndorsement().getEndorser());
        assertTrue(Signatures.verifyEndorsement(second.getPayload(), second.getEndorsement()));
        assertTrue(Signatures.verifyEndorsement(first.getPayload(), first.getEndorsement()));
    }

    // ---------------------------------------------------------------- helpers

    private static ProposalResponse endorse(SignedProposal signed, ReferenceNetwork.Peer peer) {
        return EndorserGrpc.newBlockingStub(client.channelTo(peer))
                .withDeadlineAfter(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .processProposal(signed);
    }

    /** Sends a proposal that must fail validation; returns the gRPC error after checking its status. */
    private static StatusRuntimeException rejected(SignedProposal signed, ReferenceNetwork.Peer peer) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> endorse(signed, peer));
        assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription() != null && !e.getStatus().getDescription().isEmpty());
        return e;
    }

    /** The proposal with its channel header changed, signed again by the client's user. */
    private static SignedProposal resign(ChaincodeProposal proposal, UnaryOperator<ChannelHeader> change)
            throws Exception {
        Proposal original = proposal.proposal();
        Header header = Header.parseFrom(original.getHeader());
        ChannelHeader changed = change.apply(ChannelHeader.parseFrom(header.getChannelHeader()));
        ByteString bytes = original.toBuilder()
                .setHeader(header.toBuilder().setChannelHeader(changed.toByteString()).build().toByteString())
                .build().toByteString();
        return SignedProposal.newBuilder()
                .setProposalBytes(bytes)
                .setSignature(ByteString.copyFrom(client.user.signer().sign(bytes.toByteArray())))
                .build();
    }

    private static ChaincodeAction action(ProposalResponse response) throws Exception {
        return ChaincodeAction.parseFrom(ProposalResponsePayload.parseFrom(response.getPayload()).getExtension());
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
