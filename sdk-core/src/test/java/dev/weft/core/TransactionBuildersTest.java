package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.Hex;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Proposal;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Response;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.junit.jupiter.api.Test;

/**
 * Proposal, transaction and seek builders, checked against transactions that real Fabric clients
 * submitted (fixtures) and against their own round trips.
 */
class TransactionBuildersTest {
    private static final X509Identity USER1 = X509Identity.of("Org1MSP", Fixtures.certificate("org1-user1-cert.pem"));
    private static final PrivateKey USER1_KEY = Fixtures.key("org1-user1-key.pem");

    /** Block 14 holds a CreateAsset submitted by fabric-gateway Java 1.10.0, whose conventions Weft follows. */
    private static final TransactionView GATEWAY_TX = BlockView.of(Fixtures.peerBlock(14)).transaction(0);

    private static ChaincodeProposal gatewayProposal() {
        var ch = GATEWAY_TX.channelHeader();
        return ChaincodeProposal.builder()
                .transactionId(TransactionId.of(GATEWAY_TX.creator(), GATEWAY_TX.nonce()))
                .timestamp(Instant.ofEpochSecond(ch.getTimestamp().getSeconds(), ch.getTimestamp().getNanos()))
                .channel("mychannel").chaincode("basic")
                .function("CreateAsset").arguments("jg1795263204703", "magenta", "4", "Dave", "777")
                .build();
    }

    @Test
    void transactionId_knownAnswer_fromFixtureNonceAndCreator() {
        TransactionView tx = BlockView.of(Fixtures.peerBlock(6574)).transaction(0);
        ByteString nonce = ByteString.copyFrom(Hex.decode("dfd43eaf94962865c6ee25a0b2aace408f0bfcb106b2cf0e"));
        assertEquals("b5cd026865921284ccabde80d2321fae13927fe88b2345d45752266e4fe0e341",
                TransactionId.compute(nonce, tx.creator()));
    }

    @Test
    void identity_serializesExactlyAsFabricDoes() {
        // cryptogen's PEM file, Fabric's serialization and ours are the same bytes.
        assertEquals(GATEWAY_TX.creator(), USER1.serialized());
        assertEquals(Fixtures.text("crypto/org1-user1-cert.pem"), USER1.toProto().getIdBytes().toStringUtf8());
        assertEquals(X509Identity.fromSerialized(GATEWAY_TX.creator()), USER1);
    }

    @Test
    void proposal_reproducesFabricGatewayBytesAndProposalHash() {
        ChaincodeProposal proposal = gatewayProposal();
        assertEquals(GATEWAY_TX.transactionId(), proposal.transactionId());
        assertEquals(GATEWAY_TX.payload().getHeader().getChannelHeader(), proposal.channelHeader());
        assertEquals(GATEWAY_TX.payload().getHeader().getSignatureHeader(), proposal.signatureHeader());
        assertEquals(GATEWAY_TX.chaincodeProposalPayload(), proposal.transientFreePayload());
        assertEquals(GATEWAY_TX.proposalResponsePayload().getProposalHash(), ByteString.copyFrom(proposal.proposalHash()));
        assertEquals("f430488667e27b6a68cffef13165d13efb50e979a709cc58f7b02405b0a1794b", Hex.encode(proposal.proposalHash()));
    }

    @Test
    void envelope_fromRealEndorsements_reproducesTheCommittedPayload() {
        ChaincodeProposal proposal = gatewayProposal();
        TransactionEnvelope envelope = TransactionEnvelope.create(proposal, responsesOf(GATEWAY_TX));

        assertEquals(GATEWAY_TX.envelope().getPayload(), envelope.payloadBytes());
        Envelope signed = envelope.sign(Signers.newPrivateKeySigner(USER1, USER1_KEY));
        assertTrue(Signatures.verify(USER1.certificate(), signed.getPayload().toByteArray(), signed.getSignature().toByteArray()));

        TransactionView reread = TransactionView.parse(0, 0, signed.toByteString(), null);
        assertEquals(proposal.transactionId(), reread.transactionId());
        for (Endorsement e : reread.endorsements()) {
            assertTrue(Signatures.verifyEndorsement(reread.proposalResponsePayloadBytes(), e));
        }
    }

    @Test
    void proposal_signatureVerifiesWithTheCreatorCertificate() throws Exception {
        ChaincodeProposal proposal = gatewayProposal();
        SignedProposal signed = proposal.sign(Signers.newPrivateKeySigner(USER1, USER1_KEY));
        assertTrue(Signatures.verify(USER1.certificate(), signed.getProposalBytes().toByteArray(),
                signed.getSignature().toByteArray()));
        Proposal parsed = Proposal.parseFrom(signed.getProposalBytes());
        assertEquals(proposal.proposal(), parsed);
    }

    @Test
    void transientData_reachesTheEndorserButNeverTheTransaction() throws Exception {
        ChaincodeProposal withSecret = ChaincodeProposal.builder()
                .identity(USER1).channel("mychannel").chaincode("private")
                .function("Set").arguments("k")
                .putTransientData("secret", "s3cr3t".getBytes(StandardCharsets.UTF_8))
                .build();
        ChaincodeProposalPayload sent = ChaincodeProposalPayload.parseFrom(withSecret.proposal().getPayload());
        assertEquals("s3cr3t", sent.getTransientMapMap().get("secret").toStringUtf8());
        assertTrue(withSecret.hasTransientData());

        ChaincodeProposalPayload stripped = ChaincodeProposalPayload.parseFrom(withSecret.transientFreePayload());
        assertTrue(stripped.getTransientMapMap().isEmpty());
        assertEquals(sent.getInput(), stripped.getInput());

        ProposalResponse response = endorsedResponse(withSecret, ByteString.copyFromUtf8("prp"));
        TransactionEnvelope envelope = TransactionEnvelope.create(withSecret, List.of(response));
        assertFalse(envelope.payloadBytes().toStringUtf8().contains("s3cr3t"));
        TransactionView view = TransactionView.parse(0, 0, envelope.sign(m -> new byte[] {1}).toByteString(), null);
        assertEquals(withSecret.transientFreePayload(), view.chaincodeProposalPayload());
    }

    @Test
    void proposal_headersFollowFabricRules() throws Exception {
        ChaincodeProposal proposal = ChaincodeProposal.builder()
                .identity(USER1).channel("mychannel").chaincode("basic").function("ReadAsset").arguments("a1").build();
        ChannelHeader header = ChannelHeader.parseFrom(proposal.channelHeader());
        assertEquals(HeaderType.ENDORSER_TRANSACTION_VALUE, header.getType());
        assertEquals(0, header.getEpoch());
        assertTrue(header.getTimestamp().getSeconds() > 0);
        assertEquals(proposal.transactionId(), header.getTxId());
        SignatureHeader signatureHeader = SignatureHeader.parseFrom(proposal.signatureHeader());
        assertEquals(TransactionId.NONCE_LENGTH, signatureHeader.getNonce().size());
        assertEquals(USER1.serialized(), signatureHeader.getCreator());
        assertEquals(64, proposal.transactionId().length());
        assertTrue(proposal.transactionId().matches("[0-9a-f]{64}"));
        ChaincodeProposal another = ChaincodeProposal.builder()
                .identity(USER1).channel("mychannel").chaincode("basic").function("ReadAsset").arguments("a1").build();
        assertFalse(proposal.transactionId().equals(another.transactionId()), "a fresh nonce gives a fresh id");
    }

    @Test
    void proposalBuilder_rejectsMissingAndEmptyFields() {
        var e = assertThrows(IllegalStateException.class,
                () -> ChaincodeProposal.builder().identity(USER1).chaincode("basic").function("f").build());
        assertTrue(e.getMessage().contains("channel"));
        assertThrows(IllegalStateException.class,
                () -> ChaincodeProposal.builder().channel("c").chaincode("basic").function("f").build());
        assertThrows(IllegalArgumentException.class, () -> ChaincodeProposal.builder().chaincode(""));
        assertThrows(NullPointerException.class, () -> ChaincodeProposal.builder().arguments("a", null));
    }

    @Test
    void envelope_rejectsInconsistentOrUnendorsedResponses() {
        ChaincodeProposal proposal = gatewayProposal();
        ProposalResponse a = endorsedResponse(proposal, ByteString.copyFromUtf8("payload-a"));
        ProposalResponse b = endorsedResponse(proposal, ByteString.copyFromUtf8("payload-b"));
        var mismatch = assertThrows(IllegalArgumentException.class, () -> TransactionEnvelope.create(proposal, List.of(a, b)));
        assertTrue(mismatch.getMessage().contains("different payload"));

        ProposalResponse failed = a.toBuilder().setResponse(Response.newBuilder().setStatus(500).setMessage("boom")).build();
        var status = assertThrows(IllegalArgumentException.class, () -> TransactionEnvelope.create(proposal, List.of(failed)));
        assertTrue(status.getMessage().contains("500"));

        ProposalResponse unendorsed = a.toBuilder().clearEndorsement().build();
        assertThrows(IllegalArgumentException.class, () -> TransactionEnvelope.create(proposal, List.of(unendorsed)));
        assertThrows(IllegalArgumentException.class, () -> TransactionEnvelope.create(proposal, List.of()));
    }

    @Test
    void envelope_deduplicatesEndorsementsBySameEndorser() {
        ChaincodeProposal proposal = gatewayProposal();
        ProposalResponse a = endorsedResponse(proposal, ByteString.copyFromUtf8("p"));
        TransactionEnvelope envelope = TransactionEnvelope.create(proposal, List.of(a, a));
        TransactionView view = TransactionView.parse(0, 0, envelope.sign(m -> new byte[] {1}).toByteString(), null);
        assertEquals(1, view.endorsements().size());
    }

    @Test
    void seekRequest_isASignedDeliverSeekInfoEnvelope() throws Exception {
        Instant now = Instant.parse("2026-11-21T12:00:00Z");
        Envelope envelope = SeekRequest.builder()
                .channel("mychannel").identity(USER1).startAt(5).stopAt(7)
                .behavior(SeekInfo.SeekBehavior.FAIL_IF_NOT_READY)
                .tlsCertHash(new byte[] {9, 9})
                .timestamp(now)
                .build()
                .sign(Signers.newPrivateKeySigner(USER1, USER1_KEY));
        assertTrue(Signatures.verify(USER1.certificate(), envelope.getPayload().toByteArray(), envelope.getSignature().toByteArray()));
        Payload payload = Payload.parseFrom(envelope.getPayload());
        ChannelHeader header = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
        assertEquals(HeaderType.DELIVER_SEEK_INFO_VALUE, header.getType());
        assertEquals("mychannel", header.getChannelId());
        assertEquals(now.getEpochSecond(), header.getTimestamp().getSeconds());
        assertArrayEquals(new byte[] {9, 9}, header.getTlsCertHash().toByteArray());
        assertEquals(USER1.serialized(), SignatureHeader.parseFrom(payload.getHeader().getSignatureHeader()).getCreator());
        SeekInfo info = SeekInfo.parseFrom(payload.getData());
        assertEquals(5, info.getStart().getSpecified().getNumber());
        assertEquals(7, info.getStop().getSpecified().getNumber());
        assertEquals(SeekInfo.SeekBehavior.FAIL_IF_NOT_READY, info.getBehavior());

        SeekInfo defaults = SeekRequest.builder().channel("c").identity(USER1).build().seekInfo();
        assertTrue(defaults.getStart().hasNewest());
        assertEquals(Long.MAX_VALUE, defaults.getStop().getSpecified().getNumber());
        assertEquals(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY, defaults.getBehavior());
    }

    /** The proposal responses the endorsers of a committed transaction must have returned. */
    private static List<ProposalResponse> responsesOf(TransactionView tx) {
        List<ProposalResponse> responses = new ArrayList<>();
        for (Endorsement e : tx.endorsements()) {
            responses.add(ProposalResponse.newBuilder()
                    .setVersion(1)
                    .setResponse(tx.chaincodeAction().getResponse())
                    .setPayload(tx.proposalResponsePayloadBytes())
                    .setEndorsement(e)
                    .build());
        }
        return responses;
    }

    private static ProposalResponse endorsedResponse(ChaincodeProposal proposal, ByteString result) {
        ByteString payload = ProposalResponsePayload.newBuilder()
                .setProposalHash(ByteString.copyFrom(proposal.proposalHash()))
                .setExtension(ChaincodeAction.newBuilder()
                        .setResponse(Response.newBuilder().setStatus(200).setPayload(result))
                        .build().toByteString())
                .build().toByteString();
        return ProposalResponse.newBuilder()
                .setVersion(1)
                .setResponse(Response.newBuilder().setStatus(200).setPayload(result))
                .setPayload(payload)
                .setEndorsement(Endorsement.newBuilder()
                        .setEndorser(USER1.serialized())
                        .setSignature(ByteString.copyFrom(new byte[] {1, 2, 3})))
                .build();
    }
}
