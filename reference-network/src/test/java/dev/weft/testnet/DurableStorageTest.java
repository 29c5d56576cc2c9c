package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.internal.ledger.FileBlockStore;
import dev.weft.testnet.internal.ledger.MvStoreStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ReferenceNetwork.Builder.storage(dir)}: every node's blocks and every peer's state are on
 * disk where the builder says, complete and consistent once the network has closed: the same
 * blocks on the orderer and the peers, an intact hash chain, and the state at the last block.
 */
class DurableStorageTest {
    @TempDir
    Path dir;

    @Test
    void networkOnDisk_afterClose_storesHoldEveryBlockAndTheStateAtTheLastOne() throws Exception {
        List<String> committed = new ArrayList<>();
        String channel;
        String ordererName;
        List<String> peerNames = new ArrayList<>();
        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            channel = network.channel();
            ordererName = network.orderer().name();
            network.peers().forEach(p -> peerNames.add(p.name()));
            for (int i = 0; i < 5; i++) {
                assertTrue(client.submit("basic", "CreateAsset", "d" + i, "blue", "5", "Tom", "100").isValid());
                committed.add("d" + i);
            }
            assertTrue(client.submit("basic", "TransferAsset", "d0", "Ann").isValid());
        }

        List<Block> orderer = blocks(dir.resolve("ledgers").resolve(ordererName).resolve(channel).resolve("blocks"));
        assertEquals(7, orderer.size(), "genesis, five creates and a transfer");
        for (int n = 1; n < orderer.size(); n++) {
            assertEquals(ByteString.copyFrom(Blocks.headerHash(orderer.get(n - 1).getHeader())),
                    orderer.get(n).getHeader().getPreviousHash(), "hash chain at block " + n);
        }
        for (String peer : peerNames) {
            Path node = dir.resolve("ledgers").resolve(peer).resolve(channel);
            List<Block> stored = blocks(node.resolve("blocks"));
            assertEquals(orderer.size(), stored.size(), peer);
            for (int n = 0; n < stored.size(); n++) {
                assertEquals(orderer.get(n).getHeader(), stored.get(n).getHeader(), peer + " block " + n);
                assertEquals(orderer.get(n).getData(), stored.get(n).getData(), peer + " block " + n);
            }
            assertTrue(Files.isRegularFile(node.resolve("state.mv.db")), peer);
            try (MvStoreStateStore state = MvStoreStateStore.open(node.resolve("state.mv.db"))) {
                assertEquals(6, state.savepoint(), peer);
                for (String key : committed) {
                    assertTrue(state.get("basic", key).isPresent(), peer + " " + key);
                }
                String d0 = new String(state.get("basic", "d0").orElseThrow().value(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(d0.contains("\"Owner\":\"Ann\""), d0);
                assertEquals(6, state.get("basic", "d0").orElseThrow().blockNumber());
            }
        }
    }

    private static List<Block> blocks(Path directory) {
        List<Block> blocks = new ArrayList<>();
        try (FileBlockStore store = FileBlockStore.open(directory)) {
            for (long n = 0; n < store.height(); n++) {
                blocks.add(store.block(n));
            }
        }
        return blocks;
    }

    @Test
    void storeFiles_areWhereTheBuilderSays() {
        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).start()) {
            Path peer = dir.resolve("ledgers").resolve(network.peers().get(0).name()).resolve(network.channel());
            assertTrue(Files.isDirectory(peer.resolve("blocks")), peer.toString());
            assertTrue(Files.isRegularFile(peer.resolve("state.mv.db")), peer.toString());
            assertTrue(Files.isDirectory(dir.resolve("ledgers").resolve(network.orderer().name()).resolve(network.channel())
                    .resolve("blocks")));
            assertTrue(Files.isRegularFile(dir.resolve("weft-network.yaml")));
            assertTrue(Files.isRegularFile(dir.resolve("organizations/peerOrganizations/org1.example.com/"
                    + "connection-org1.yaml")));
        }
    }

    @Test
    void startAgainFromTheDirectory_resumesAtTheStoredHeightsWithTheSameStateCryptoAndPorts() throws Exception {
        Block genesis;
        long height;
        String endpoint;
        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            assertFalse(network.resumed());
            assertTrue(client.submit("basic", "CreateAsset", "r1", "blue", "5", "Tom", "100").isValid());
            assertTrue(client.submit("basic", "TransferAsset", "r1", "Ann").isValid());
            genesis = network.genesisBlock(network.channel());
            height = network.orderer().height(network.channel());
            endpoint = network.peer("Org1MSP").endpoint();
        }

        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            assertTrue(network.resumed());
            assertEquals(height, network.orderer().height(network.channel()));
            for (ReferenceNetwork.Peer peer : network.peers()) {
                assertEquals(height, peer.height(network.channel()), peer.name());
            }
            assertEquals(genesis, network.genesisBlock(network.channel()));
            assertEquals(endpoint, network.peer("Org1MSP").endpoint(), "same ports");
            assertTrue(client.evaluate("basic", "ReadAsset", "r1").contains("\"Owner\":\"Ann\""));
            // The chain goes on: a new transaction, and a conflicting create of an old key.
            assertTrue(client.submit("basic", "CreateAsset", "r2", "red", "1", "Bob", "1").isValid());
            assertEquals(height + 1, network.orderer().height(network.channel()));
        }
        List<Block> stored = blocks(dir.resolve("ledgers/peer0.org1.example.com/mychannel/blocks"));
        assertEquals(height + 1, stored.size());
        for (int n = 1; n < stored.size(); n++) {
            assertEquals(ByteString.copyFrom(Blocks.headerHash(stored.get(n - 1).getHeader())),
                    stored.get(n).getHeader().getPreviousHash(), "hash chain at block " + n);
        }
    }

    @Test
    void startAgainWithAnotherShape_failsNamingWhatDiffers() {
        ReferenceNetwork.builder().directory(dir).start().close();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ReferenceNetwork.builder().directory(dir).peersPerOrganization(2).start());

        assertTrue(e.getMessage().contains("has peers per organization 1, not 2"), e.getMessage());
        assertTrue(e.getMessage().contains("--fresh"), e.getMessage());
    }

    @Test
    void startAgainWithoutShapeSettings_takesTheStoredShape() {
        ReferenceNetwork.builder().directory(dir).organizations("Org1MSP", "Org2MSP", "Org3MSP").start().close();

        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).start()) {
            assertTrue(network.resumed());
            assertEquals(List.of("Org1MSP", "Org2MSP", "Org3MSP"), network.organizations());
            assertEquals(3, network.peers().size());
        }
    }

    @Test
    void ledgersWithoutAManifest_areNotSilentlyReplaced() throws Exception {
        Files.createDirectories(dir.resolve("ledgers/orderer.example.com/mychannel/blocks"));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ReferenceNetwork.builder().directory(dir).start());

        assertTrue(e.getMessage().contains("holds ledgers but no weft-network.yaml"), e.getMessage());
    }
}
