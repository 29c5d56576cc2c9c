package dev.weft.handlers.internal;

import static dev.weft.handlers.internal.RealPeers.endorse;
import static dev.weft.handlers.internal.StepFixtures.failure;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.EndorsementVerificationException;
import dev.weft.core.ManualScheduler;
import dev.weft.core.MspIdentity;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStage;
import dev.weft.core.X509Identity;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.internal.StepFixtures.CountingReader;
import dev.weft.handlers.internal.StepFixtures.FakeOrderers;
import dev.weft.handlers.internal.StepFixtures.Terminal;
import dev.weft.handlers.internal.StepFixtures.UnusedCommits;
import java.util.List;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifySignaturesTest {
    private final ManualScheduler time = new ManualScheduler();
    private static RealPeers peers;
    private static ChaincodeProposal proposal;
    private static SignedProposal signed;
    private static ProposalResponse fromOrg1;
    private static ProposalResponse fromOrg2;

    private CountingReader reader;
    private VerifySignatures step;

    @BeforeAll
    static void endorseOnRealPeers() {
        peers = new RealPeers();
        proposal = peers.createAsset();
        signed = peers.sign(proposal);
        fromOrg1 = endorse(peers.org1, signed);
        fromOrg2 = endorse(peers.org2, signed);
    }

    @AfterAll
    static void stop() {
        if (peers != null) {
            peers.close();
        }
    }

    @BeforeEach
    void setUp() {
        reader = new CountingReader(peers.network.genesisBlock("mychannel").toByteString());
        ChannelConfigs configs = new ChannelConfigs("mychannel", reader, time);
        step = new VerifySignatures(StepFixtures.services(peers.user.identity(), peers.user.signer(),
                List.of(peers.org1, peers.org2), FakeOrderers.unused(), new UnusedCommits(), configs, time));
    }

    private static TxContext submit(PeerResponse... responses) {
        return TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "CreateAsset")
                .proposal(proposal, signed)
                .responses(List.of(responses))
                .build();
    }

    @Test
    void handle_realEndorsements_proceedsWithBothEndorsersVerified() throws Exception {
        Terminal next = Terminal.returning("ok");

        StepFixtures.run(submit(new PeerResponse(peers.org1, fromOrg1), new PeerResponse(peers.org2, fromOrg2)),
                step, next).get(20, SECONDS);

        List<MspIdentity> verified = next.only().verifiedEndorsers();
        assertEquals(List.of("Org1MSP", "Org2MSP"), verified.stream().map(MspIdentity::mspId).toList());
        assertEquals(peers.network.peer("Org1MSP").identity().certificate(), verified.get(0).certificate());
        assertEquals(peers.network.peer("Org2MSP").identity().certificate(), verified.get(1).certificate());
        assertEquals(1, reader.calls.get(), "the config is read once and not refreshed");
        assertEquals(List.of("mychannel"), reader.channels);
    }

    @Test
    void handle_tamperedEndorsementSignature_failsBadSignatureNamingPeer() throws Exception {
        byte[] signature = fromOrg2.getEndorsement().getSignature().toByteArray();
        signature[signature.length - 1] ^= 0x01;
        ProposalResponse tampered = fromOrg2.toBuilder()
                .setEndorsement(fromOrg2.getEndorsement().toBuilder().setSignature(ByteString.copyFrom(signature)))
                .build();
        Terminal next = Terminal.returning("must not run");

        EndorsementVerificationException error = assertInstanceOf(EndorsementVerificationException.class,
                failure(StepFixtures.run(submit(new PeerResponse(peers.org1, fromOrg1),
                        new PeerResponse(peers.org2, tampered)), step, next)));

        assertEquals(1, error.details().size(), error.details().toString());
        NodeError detail = error.details().get(0);
        assertEquals("BAD_SIGNATURE", detail.status());
        assertEquals(peers.org2.target(), detail.address());
        assertEquals("Org2MSP", detail.mspId());
        assertEquals(TransactionStage.VALIDATE, error.stage());
        assertEquals(proposal.transactionId(), error.transactionId());
        assertTrue(next.received.isEmpty(), "nothing may follow a bad endorsement");
        assertEquals(1, reader.calls.get(), "a bad signature is not a reason to read the config again");
    }

    @Test
    void handle_endorserFromMspNotInChannel_failsBadIdentityAfterOneRefresh() throws Exception {
        // A real certificate and key (Fabric's fixture user), presented as a member of an MSP the channel lacks.
        X509Identity stranger = X509Identity.of("Org3MSP", StepFixtures.FIXTURE_IDENTITY.certificate());
        ByteString endorser = stranger.serialized();
        ByteString signature = ByteString.copyFrom(StepFixtures.FIXTURE_SIGNER.sign(
                fromOrg2.getPayload().concat(endorser).toByteArray()));
        ProposalResponse foreign = fromOrg2.toBuilder()
                .setEndorsement(Endorsement.newBuilder().setEndorser(endorser).setSignature(signature))
                .build();
        Peer org3 = Peer.of("peer0.org3.example.com", "Org3MSP", peers.org2.endpoint(), peers.org2.channel());
        Terminal next = Terminal.returning("must not run");

        EndorsementVerificationException error = assertInstanceOf(EndorsementVerificationException.class,
                failure(StepFixtures.run(submit(new PeerResponse(peers.org1, fromOrg1), new PeerResponse(org3, foreign)),
                        step, next)));

        assertEquals(1, error.details().size(), error.details().toString());
        NodeError detail = error.details().get(0);
        assertEquals("BAD_IDENTITY", detail.status());
        assertEquals("Org3MSP", detail.mspId());
        assertTrue(detail.message().contains("Org3MSP"), detail.message());
        assertEquals(2, reader.calls.get(), "the config is read, then refreshed exactly once");
        assertTrue(next.received.isEmpty());
    }
}
