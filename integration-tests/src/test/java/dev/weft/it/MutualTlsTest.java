package dev.weft.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.BlockView;
import dev.weft.core.EndorseException;
import dev.weft.core.EventStreamException;
import dev.weft.core.TransactionException;
import dev.weft.core.internal.X509Issuer;
import dev.weft.events.ChaincodeEvent;
import dev.weft.events.CloseableIterator;
import dev.weft.events.DeliverRequest;
import dev.weft.handlers.Contract;
import dev.weft.handlers.EndorsedTransaction;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Network;
import dev.weft.handlers.Proposal;
import dev.weft.handlers.TxResult;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API on a network that requires client certificates (mutual TLS), through a connection
 * profile as an application would connect: every kind of call works with the user's TLS client
 * certificate, and without one, or with one from a CA the network does not trust, each fails
 * with a message that says what the server wants and which option gives it.
 */
class MutualTlsTest {
    private static final String CHANNEL = "mychannel";

    @TempDir
    static Path dir;
    private static ReferenceNetwork network;
    private static ReferenceNetwork.User user;
    private static Path profile;
    private static Gateway gateway;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().clientAuthRequired(true)
                .chaincode("basic", new AssetTransferChaincode())
                .chaincode("events", AssetTransferChaincode.withEvents(), Networks.OR_POLICY).start();
        user = network.user("Org1MSP");
        profile = network.writeTo(dir.resolve("net")).get("Org1MSP");
        gateway = withClientTls().build();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (network != null) {
            network.close();
        }
    }

    private static Gateway.Builder profileGateway() {
        return Gateway.builder().identity(user.identity()).signer(user.signer()).connectionProfile(profile)
                .timeout(Duration.ofSeconds(15));
    }

    private static Gateway.Builder withClientTls() {
        return profileGateway().clientTls(List.of(user.tlsCertificate()), user.tlsPrivateKey());
    }

    private static String[] create(String id) {
        return new String[] {id, "blue", "5", "Tom", "100"};
    }

    @Test
    void submit_withClientCertificate_committedValid() {
        TxResult result = gateway.network(CHANNEL).contract("basic").newTransaction("CreateAsset")
                .arguments(create(Networks.assetId("mtls"))).submit();

        assertEquals(TxValidationCode.VALID, result.validationCode());
    }

    @Test
    void evaluate_withClientCertificate_readsTheLedger() {
        Contract contract = gateway.network(CHANNEL).contract("basic");
        String id = Networks.assetId("mtls-read");
        contract.submit("CreateAsset", create(id));

        assertTrue(new String(contract.evaluate("ReadAsset", id), UTF_8).contains(id));
    }

    @Test
    void events_blocksFilteredBlocksAndChaincodeEvents_withClientCertificate() throws Exception {
        Network channel = gateway.network(CHANNEL);
        String id = Networks.assetId("mtls-event");
        TxResult result = channel.contract("events").newTransaction("CreateAsset").arguments(create(id)).submit();
        long last = result.blockNumber();

        try (CloseableIterator<Block> blocks = channel.events().startBlock(last).stopBlock(last).blocks();
                CloseableIterator<FilteredBlock> filtered = channel.events().startBlock(last).stopBlock(last)
                        .filteredBlocks();
                CloseableIterator<ChaincodeEvent> events = channel.events().startBlock(last).stopBlock(last)
                        .chaincodeEvents("events")) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                assertEquals(last, BlockView.of(blocks.next()).number());
                assertEquals(result.transactionId(), filtered.next().getFilteredTransactions(0).getTxid());
                assertEquals(result.transactionId(), events.next().transactionId());
            });
        }
    }

    @Test
    void stagedOfflineSigning_withClientCertificate_committedValid() {
        try (Gateway unsigned = Gateway.builder().identity(user.identity()).connectionProfile(profile)
                .clientTls(List.of(user.tlsCertificate()), user.tlsPrivateKey()).build()) {
            Network channel = unsigned.network(CHANNEL);
            Proposal config = channel.newConfigProposal();
            channel.loadChannelConfig(config.withSignature(user.signer().sign(config.bytes().toByteArray())));
            Proposal proposal = unsigned.network(CHANNEL).contract("basic").newTransaction("CreateAsset")
                    .arguments(create(Networks.assetId("mtls-offline"))).newProposal();
            EndorsedTransaction endorsed = proposal.withSignature(user.signer().sign(proposal.bytes().toByteArray()))
                    .endorse();
            EndorsedTransaction signed = endorsed.withSignature(user.signer().sign(endorsed.bytes().toByteArray()));
            DeliverRequest status = signed.commitStatusRequest();

            TxResult result = signed.submit(status.withSignature(user.signer().sign(status.bytes().toByteArray())));

            assertEquals(TxValidationCode.VALID, result.validationCode());
        }
    }

    @Test
    void submit_noClientCertificate_saysTheServerRequiresOneAndWhichOptionGivesIt() {
        String id = Networks.assetId("mtls-none");
        try (Gateway noCert = profileGateway().build()) {
            EndorseException e = assertThrows(EndorseException.class,
                    () -> noCert.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));

            assertTrue(e.getMessage().contains("requires a client TLS certificate"), e.getMessage());
            assertTrue(e.getMessage().contains("Gateway.Builder.clientTls"), e.getMessage());
            assertTrue(e.getMessage().indexOf("requires a client TLS certificate") < 200, "leads: " + e.getMessage());
        }
        assertNotCommitted(id);
    }

    @Test
    void evaluate_noClientCertificate_saysTheServerRequiresOne() {
        try (Gateway noCert = profileGateway().build()) {
            TransactionException e = assertThrows(TransactionException.class,
                    () -> noCert.network(CHANNEL).contract("basic").evaluate("GetAllAssets"));

            assertTrue(e.getMessage().contains("requires a client TLS certificate"), e.getMessage());
        }
    }

    @Test
    void events_noClientCertificate_streamFailsSayingTheServerRequiresOne() {
        try (Gateway noCert = profileGateway().build();
                CloseableIterator<Block> blocks = noCert.network(CHANNEL).events().startBlock(0).noReconnect()
                        .blocks()) {
            EventStreamException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(EventStreamException.class, blocks::next));

            assertTrue(e.getMessage().contains("requires a client TLS certificate"), e.getMessage());
        }
    }

    @Test
    void submit_clientCertificateFromAnUntrustedCa_saysTheServerDidNotAcceptItAndWhoIssuedIt() {
        Instant now = Instant.now();
        X509Issuer.Issued ca = X509Issuer.certificate("CN=tlsca.stranger.example.com").ca(true)
                .validity(now.minus(1, ChronoUnit.DAYS), now.plus(1, ChronoUnit.DAYS)).selfSigned();
        X509Issuer.Issued client = X509Issuer.certificate("CN=User1@stranger.example.com").serverAndClientAuth()
                .validity(now.minus(1, ChronoUnit.DAYS), now.plus(1, ChronoUnit.DAYS)).issuedBy(ca);
        String id = Networks.assetId("mtls-stranger");

        try (Gateway stranger = profileGateway().clientTls(List.of(client.certificate()), client.key()).build()) {
            EndorseException e = assertThrows(EndorseException.class,
                    () -> stranger.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));

            assertTrue(e.getMessage().contains("client TLS certificate issued by a CA it trusts"), e.getMessage());
            assertTrue(e.getMessage().contains("CN=tlsca.stranger.example.com"), "names the issuer: " + e.getMessage());
            assertFalse(e.retryable(), "no other peer will accept it either");
        }
        assertNotCommitted(id);
    }

    private static void assertNotCommitted(String id) {
        assertEquals("false", new String(gateway.network(CHANNEL).contract("basic").evaluate("AssetExists", id), UTF_8));
    }
}
