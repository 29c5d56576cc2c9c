package dev.weft.handlers;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.BlockView;
import dev.weft.core.ChannelConfig;
import dev.weft.core.GrpcChannels;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import dev.weft.core.Signable;
import dev.weft.core.X509Identity;
import dev.weft.events.CloseableIterator;
import dev.weft.events.DeliverRequest;
import dev.weft.events.EventStreams;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The staged API with every message signed elsewhere: the gateway knows only the client's
 * certificate; a "wallet" holding the key signs the digests it is given, as an HSM or a remote
 * signer would (ECDSA over a digest, NONEwithECDSA).
 */
class OfflineSigningTest {
    private static ReferenceNetwork network;
    private static final List<ManagedChannel> channels = new ArrayList<>();
    private static Wallet wallet;
    private static Gateway gateway;

    /** Holds the private key; the gateway never sees it. */
    private record Wallet(PrivateKey key) {
        byte[] sign(byte[] digest) {
            try {
                Signature ecdsa = Signature.getInstance("NONEwithECDSA");
                ecdsa.initSign(key);
                ecdsa.update(digest);
                return ecdsa.sign();
            } catch (GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }

        <T> T signed(Signable<T> message) {
            return message.withSignature(sign(message.digest()));
        }
    }

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        ReferenceNetwork.User user = network.user("Org1MSP");
        wallet = new Wallet(user.privateKey());
        Gateway.Builder builder = Gateway.builder().identity(user.identity()); // no signer
        for (ReferenceNetwork.Peer peer : network.peers()) {
            ManagedChannel channel = GrpcChannels.create(peer.endpointConfig());
            channels.add(channel);
            builder.addPeer(Peer.of(peer.name(), peer.mspId(), peer.endpointConfig(), channel));
        }
        ManagedChannel channel = GrpcChannels.create(network.orderer().endpointConfig());
        channels.add(channel);
        gateway = builder.addOrderer(Orderer.of(network.orderer().name(), network.orderer().endpointConfig(), channel))
                .build();
        Network mychannel = gateway.network("mychannel");
        ChannelConfig config = mychannel.loadChannelConfig(wallet.signed(mychannel.newConfigProposal()));
        assertEquals("mychannel", config.channelId());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        channels.forEach(ManagedChannel::shutdownNow);
        if (network != null) {
            network.close();
        }
    }

    private static Contract basic() {
        return gateway.network("mychannel").contract("basic");
    }

    @Test
    void submit_everyMessageSignedElsewhere_commitsValid() throws Exception {
        String asset = "asset-" + UUID.randomUUID();
        Proposal proposal = basic().newTransaction("CreateAsset").arguments(asset, "blue", "5", "Tom", "100")
                .newProposal();
        assertFalse(proposal.isSigned());
        assertEquals(64, proposal.transactionId().length());

        EndorsedTransaction endorsed = wallet.signed(proposal).endorse();
        assertEquals(proposal.transactionId(), endorsed.transactionId());
        EndorsedTransaction signed = wallet.signed(endorsed);
        DeliverRequest commitRequest = wallet.signed(signed.commitStatusRequest());
        TxResult result = signed.submit(commitRequest);

        assertEquals(TxValidationCode.VALID, result.validationCode());
        assertEquals(proposal.transactionId(), result.transactionId());
        String read = new String(wallet.signed(basic().newTransaction("ReadAsset").arguments(asset).newProposal())
                .evaluate(), StandardCharsets.UTF_8);
        assertTrue(read.contains(asset), read);

        DeliverRequest blockRequest = gateway.network("mychannel").events().startBlock(result.blockNumber())
                .stopBlock(result.blockNumber()).newRequest();
        try (CloseableIterator<Block> blocks = EventStreams.Builder.blocks(wallet.signed(blockRequest))) {
            BlockView block = BlockView.of(blocks.next());
            assertEquals(result.blockNumber(), block.number());
            assertTrue(block.transactions().stream().anyMatch(t -> t.transactionId().equals(result.transactionId())));
        }
    }

    @Test
    void unsignedMessages_withoutAGatewaySigner_refusedSayingWhatToSign() {
        Proposal proposal = basic().newTransaction("CreateAsset").arguments("x", "blue", "5", "Tom", "100").newProposal();

        IllegalStateException unsignedProposal = assertThrows(IllegalStateException.class, proposal::endorse);
        assertTrue(unsignedProposal.getMessage().contains("no signer"), unsignedProposal.getMessage());

        EndorsedTransaction endorsed = wallet.signed(proposal).endorse();
        IllegalStateException unsignedTransaction = assertThrows(IllegalStateException.class, endorsed::submit);
        assertTrue(unsignedTransaction.getMessage().contains("no signer"), unsignedTransaction.getMessage());

        IllegalStateException noStreamSigner = assertThrows(IllegalStateException.class,
                () -> wallet.signed(endorsed).submit());
        assertTrue(noStreamSigner.getMessage().contains("commitStatusRequest"), noStreamSigner.getMessage());

        IllegalStateException plainSubmit = assertThrows(IllegalStateException.class,
                () -> basic().submit("CreateAsset", "y", "blue", "5", "Tom", "100"));
        assertTrue(plainSubmit.getMessage().contains("newProposal"), plainSubmit.getMessage());
    }

    @Test
    void withSignature_byAnotherKey_refusedNamingTheIdentity() {
        Proposal proposal = basic().newTransaction("AssetExists").arguments("x").newProposal();
        Wallet other = new Wallet(network.user("Org2MSP").privateKey());
        X509Identity mine = network.user("Org1MSP").identity();

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> proposal.withSignature(other.sign(proposal.digest())));

        assertTrue(error.getMessage().contains("does not verify"), error.getMessage());
        assertTrue(error.getMessage().contains(mine.mspId()), error.getMessage());
        assertFalse(proposal.isSigned(), "a proposal is immutable: a refused signature leaves it unsigned");
    }

    @Test
    void digest_isTheSha256OfTheBytes() throws Exception {
        Proposal proposal = basic().newTransaction("AssetExists").arguments("x").newProposal();

        assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(proposal.bytes().toByteArray()),
                proposal.digest());
    }

    @Test
    void stagedApi_gatewayWithSigner_signsWhatTheApplicationDidNot() throws Exception {
        ReferenceNetwork.User user = network.user("Org1MSP");
        Gateway.Builder builder = Gateway.builder().identity(user.identity()).signer(user.signer());
        for (ReferenceNetwork.Peer peer : network.peers()) {
            ManagedChannel channel = GrpcChannels.create(peer.endpointConfig());
            channels.add(channel);
            builder.addPeer(Peer.of(peer.name(), peer.mspId(), peer.endpointConfig(), channel));
        }
        ManagedChannel channel = GrpcChannels.create(network.orderer().endpointConfig());
        channels.add(channel);
        try (Gateway signing = builder.addOrderer(Orderer.of(network.orderer().name(),
                network.orderer().endpointConfig(), channel)).build()) {
            EndorsedTransaction endorsed = signing.network("mychannel").contract("basic").newTransaction("CreateAsset")
                    .arguments("asset-" + UUID.randomUUID(), "red", "1", "Ann", "2").newProposal().endorse();

            TxResult result = endorsed.submitAsync().get(30, SECONDS);

            assertEquals(TxValidationCode.VALID, result.validationCode());
            assertEquals(endorsed.transactionId(), result.transactionId());
        }
    }
}
