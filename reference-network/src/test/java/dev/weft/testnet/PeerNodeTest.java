package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.EndpointConfig;
import dev.weft.core.SystemScheduler;
import dev.weft.core.TransactionStatus;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.ledger.InMemoryBlockStore;
import dev.weft.testnet.internal.ledger.InMemoryStateStore;
import dev.weft.testnet.internal.peer.ChaincodeDefinition;
import dev.weft.testnet.internal.peer.PeerNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link PeerNode} on its own, beside a running network whose orderer it pulls from: it joins
 * with the crypto of the network's Org1 peer and its own stores, and must end up with the blocks
 * the network's peers committed.
 */
class PeerNodeTest {
    @TempDir
    static Path files;

    private static ReferenceNetwork network;
    private static RawClient client;
    private static NetworkCrypto crypto;

    private ExecutorService executor;
    private SystemScheduler scheduler;
    private ForkJoinPool validators;
    private PeerNode node;

    @BeforeAll
    static void startNetwork() {
        network = ReferenceNetwork.builder()
                .chaincode("basic", new AssetTransferChaincode(), "OR('Org1MSP.peer','Org2MSP.peer')").start();
        client = new RawClient(network, network.user("Org1MSP"));
        crypto = new NetworkCrypto(network, files);
    }

    @AfterAll
    static void stopNetwork() {
        client.close();
        network.close();
    }

    @BeforeEach
    void executors() {
        executor = Executors.newCachedThreadPool();
        scheduler = SystemScheduler.start("test-timer");
        validators = new ForkJoinPool(2);
    }

    @AfterEach
    void shutdown() throws Exception {
        if (node != null) {
            node.shutdown();
        }
        executor.shutdownNow();
        scheduler.close();
        validators.shutdownNow();
        assertTrue(executor.awaitTermination(5, TimeUnit.SECONDS));
    }

    private PeerNode node(List<EndpointConfig> orderers) {
        ReferenceNetwork.Peer model = network.peer("Org1MSP");
        node = new PeerNode(new PeerNode.Settings(model.name(), model.identity(), crypto.peerSigner(model),
                crypto.peerTls(model), List.of(), false, "127.0.0.1", 0, orderers, Clock.systemUTC(),
                new VerifiedSignatures()), executor, scheduler, validators);
        return node;
    }

    private void join(PeerNode node) {
        Chaincode unused = stub -> ChaincodeResponse.error("not invoked");
        node.join(network.genesisBlock(network.channel()), new InMemoryBlockStore(), new InMemoryStateStore(),
                List.of(new ChaincodeDefinition("basic", "1.0", 1, unused,
                        ChaincodePolicy.signature("OR('Org1MSP.peer','Org2MSP.peer')"))));
    }

    /** Completes when the node's ledger reaches {@code height}. */
    private CompletableFuture<Void> reaches(PeerNode node, long height) {
        ChannelLedger ledger = node.service().channel(network.channel()).orElseThrow().ledger();
        CompletableFuture<Void> reached = new CompletableFuture<>();
        Runnable check = () -> {
            if (ledger.height() >= height) {
                reached.complete(null);
            }
        };
        ledger.addListener(check);
        reached.whenComplete((v, e) -> ledger.removeListener(check));
        check.run();
        return reached;
    }

    private TransactionStatus submit(String id) throws Exception {
        TransactionStatus status = client.submit("basic", "CreateAsset", id, "blue", "1", "Ann", "1");
        assertTrue(status.isValid(), status.toString());
        return status;
    }

    @Test
    void joinThenStart_catchesUpWithTheBlocksTheNetworkCommitted() throws Exception {
        TransactionStatus committed = submit("node-1");
        PeerNode node = node(List.of(network.orderer().endpointConfig()));
        join(node);
        assertFalse(node.isRunning());
        assertEquals(1, node.height(network.channel()), "the genesis block only");

        node.start();

        assertTrue(node.isRunning());
        assertNotEquals("127.0.0.1:0", node.endpoint());
        long target = network.orderer().height(network.channel());
        reaches(node, target).get(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ChannelLedger ledger = node.service().channel(network.channel()).orElseThrow().ledger();
        assertArrayEquals(Blocks.validationCodes(client.blocks(network.peer("Org1MSP"), committed.blockNumber(),
                committed.blockNumber()).get(0)), Blocks.validationCodes(ledger.block(committed.blockNumber())));
    }

    @Test
    void stopThenStart_sameEndpointAndTheBlocksOrderedMeanwhile() throws Exception {
        PeerNode node = node(List.of(network.orderer().endpointConfig()));
        join(node);
        node.start();
        String endpoint = node.endpoint();
        reaches(node, network.orderer().height(network.channel())).get(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        node.stop();
        assertFalse(node.isRunning());
        TransactionStatus meanwhile = submit("node-2");
        node.start();

        assertEquals(endpoint, node.endpoint());
        reaches(node, meanwhile.blockNumber() + 1).get(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void severalOrderers_pullsFromTheFirst() throws Exception {
        TransactionStatus committed = submit("node-3");
        EndpointConfig nobody = EndpointConfig.builder("127.0.0.1:1").tls(List.of(network.orderer().tlsRootCertificate()))
                .authorityOverride(network.orderer().name()).build();
        PeerNode node = node(List.of(network.orderer().endpointConfig(), nobody));
        join(node);

        node.start();

        reaches(node, committed.blockNumber() + 1).get(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void settings_noOrderer_refused() {
        ReferenceNetwork.Peer model = network.peer("Org1MSP");
        assertThrows(IllegalArgumentException.class, () -> new PeerNode.Settings(model.name(), model.identity(),
                crypto.peerSigner(model), crypto.peerTls(model), List.of(), false, "127.0.0.1", 0, List.of(),
                Clock.systemUTC(), new VerifiedSignatures()));
    }
}
