package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ReferenceNetwork.Builder.nodes(...)}: some nodes of a network kept in a directory start
 * here, the others elsewhere (here: another {@link ReferenceNetwork} in this JVM), and they work
 * as one network: a peer started apart pulls the blocks the other part's orderer cuts; profiles
 * name every node; the manifest is left as it was. Starts that cannot work are refused, saying why.
 */
class PartialStartTest {
    private static final String OR_POLICY = "OR('Org1MSP.peer','Org2MSP.peer')";

    @TempDir
    Path dir;

    private ReferenceNetwork.Builder builder() {
        return ReferenceNetwork.builder().directory(dir).chaincode("basic", new AssetTransferChaincode(), OR_POLICY);
    }

    @Test
    void twoParts_peerApartPullsTheBlocksOfTheOrdererElsewhere_profilesNameEveryNode_manifestUnchanged()
            throws Exception {
        builder().start().close();
        byte[] manifest = Files.readAllBytes(dir.resolve("weft-network.yaml"));

        try (ReferenceNetwork main = builder().nodes("orderer.example.com", "peer0.org1.example.com").start();
                ReferenceNetwork apart = builder().nodes("peer0.org2.example.com").start();
                RawClient client = new RawClient(main, main.user("Org1MSP"))) {
            assertEquals(List.of("orderer.example.com"), main.orderers().stream().map(ReferenceNetwork.Node::name)
                    .toList());
            assertEquals(List.of("peer0.org1.example.com"), main.peers().stream().map(ReferenceNetwork.Node::name)
                    .toList());
            assertEquals(List.of(), apart.orderers());
            assertThrows(IllegalStateException.class, apart::orderer);
            assertThrows(IllegalStateException.class, () -> apart.peer("Org1MSP"));
            assertTrue(main.resumed() && apart.resumed());
            assertEquals(main.genesisBlock(main.channel()), apart.genesisBlock(apart.channel()));

            assertTrue(client.submit("basic", "CreateAsset", "p1", "blue", "5", "Tom", "100").isValid());
            long height = main.orderer().height(main.channel());
            ReferenceNetwork.Peer peer = apart.peer("Org2MSP");
            for (int i = 0; i < 400 && peer.height(apart.channel()) < height; i++) {
                LockSupport.parkNanos(25_000_000L);
            }
            assertEquals(height, peer.height(apart.channel()), "the peer apart pulled every block");

            String profile = apart.connectionProfile("Org2MSP");
            assertTrue(profile.contains(main.orderer().endpoint()), profile);
            assertTrue(profile.contains(main.peer("Org1MSP").endpoint()), profile);
            assertTrue(profile.contains(peer.endpoint()), profile);
            assertEquals(main.connectionProfile("Org1MSP"), apart.connectionProfile("Org1MSP"));
        }
        assertArrayEquals(manifest, Files.readAllBytes(dir.resolve("weft-network.yaml")), "manifest unchanged");
    }

    @Test
    void nodes_withoutADirectory_refused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ReferenceNetwork.builder().nodes("orderer.example.com").start());

        assertTrue(e.getMessage().contains("give directory(DIR) of a network started there before"), e.getMessage());
    }

    @Test
    void nodes_directoryWithoutANetwork_refusedBeforeAnythingIsWritten() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ReferenceNetwork.builder().nodes("orderer.example.com").directory(dir).start());

        assertTrue(e.getMessage().contains(dir + " holds no network (no weft-network.yaml)"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing written");
        }
        assertThrows(IllegalStateException.class,
                () -> ReferenceNetwork.builder().directory(dir).nodes("orderer.example.com"));
    }

    @Test
    void nodes_unknownName_refusedListingTheNodes() {
        builder().start().close();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder().nodes("orderer.example.com", "peer7.org1.example.com"));

        assertTrue(e.getMessage().contains("no node peer7.org1.example.com in the network kept in " + dir),
                e.getMessage());
        assertTrue(e.getMessage().contains("its nodes: orderer.example.com, peer0.org1.example.com, "
                + "peer0.org2.example.com"), e.getMessage());
        IllegalArgumentException atStart = assertThrows(IllegalArgumentException.class,
                () -> ReferenceNetwork.builder().nodes("orderer9.example.com").directory(dir).start());
        assertTrue(atStart.getMessage().contains("no node orderer9.example.com"), atStart.getMessage());
    }

    @Test
    void nodes_noneOrTwice_refused() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ReferenceNetwork.builder().nodes());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> ReferenceNetwork.builder().nodes("orderer.example.com", "orderer.example.com"));

        assertTrue(none.getMessage().contains("at least one node name"), none.getMessage());
        assertTrue(twice.getMessage().contains("orderer.example.com is listed twice"), twice.getMessage());
    }

    @Test
    void nodes_onAnotherHost_refused() {
        builder().start().close();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder().host("127.0.0.2").nodes("orderer.example.com").start());

        assertTrue(e.getMessage().contains("listens on 127.0.0.1, not 127.0.0.2"), e.getMessage());
    }
}
