package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.TransactionStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The default network end to end, the asset-transfer sample, and the network's lifecycle. */
class ReferenceNetworkTest {
    private static ReferenceNetwork network;
    private static RawClient client;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        client = new RawClient(network, network.user("Org1MSP"));
    }

    @AfterAll
    static void stop() {
        client.close();
        network.close();
    }

    @Test
    void createAsset_endorsedByBothOrgs_commitsValidAndReadsBack() throws Exception {
        TransactionStatus status = client.submit("basic", "CreateAsset", "a1", "blue", "5", "Tom", "100");
        assertTrue(status.isValid(), "status " + status);
        assertEquals("{\"AppraisedValue\":100,\"Color\":\"blue\",\"ID\":\"a1\",\"Owner\":\"Tom\",\"Size\":5}",
                client.evaluate("basic", "ReadAsset", "a1"));
        assertEquals(network.orderer().height(network.channel()), network.peer("Org2MSP").height(network.channel()));
    }

    @Test
    void assetTransferSample_everyFunction_behavesAsFabricSamples() throws Exception {
        assertTrue(client.submit("basic", "InitLedger").isValid());
        assertEquals("{\"AppraisedValue\":300,\"Color\":\"blue\",\"ID\":\"asset1\",\"Owner\":\"Tomoko\",\"Size\":5,"
                + "\"docType\":\"asset\"}", client.evaluate("basic", "ReadAsset", "asset1"));
        String all = client.evaluate("basic", "GetAllAssets");
        assertTrue(all.startsWith("[{") && all.endsWith("}]"), all);
        for (int i = 1; i <= 6; i++) {
            assertTrue(all.contains("\"ID\":\"asset" + i + "\""), all);
        }

        ProposalResponse created = client.endorse(client.proposal("basic", "CreateAsset", "s1", "red", "3", "Ann", "50"),
                network.peer("Org1MSP"));
        assertEquals("{\"ID\":\"s1\",\"Color\":\"red\",\"Size\":3,\"Owner\":\"Ann\",\"AppraisedValue\":50}",
                created.getResponse().getPayload().toStringUtf8(), "CreateAsset returns the asset in field order");
        assertTrue(client.submit("basic", "CreateAsset", "s1", "red", "3", "Ann", "50").isValid());
        ProposalResponse transfer = client.endorse(client.proposal("basic", "TransferAsset", "s1", "Bob"),
                network.peer("Org1MSP"));
        assertEquals("Ann", transfer.getResponse().getPayload().toStringUtf8(), "TransferAsset returns the old owner");
        assertTrue(client.submit("basic", "TransferAsset", "s1", "Bob").isValid());
        assertTrue(client.evaluate("basic", "ReadAsset", "s1").contains("\"Owner\":\"Bob\""));
        assertTrue(client.submit("basic", "UpdateAsset", "s1", "green", "4", "Cy", "60").isValid());
        assertEquals("{\"AppraisedValue\":60,\"Color\":\"green\",\"ID\":\"s1\",\"Owner\":\"Cy\",\"Size\":4}",
                client.evaluate("basic", "ReadAsset", "s1"));
        assertEquals("true", client.evaluate("basic", "AssetExists", "s1"));
        assertTrue(client.submit("basic", "DeleteAsset", "s1").isValid());
        assertEquals("false", client.evaluate("basic", "AssetExists", "s1"));

        ProposalResponse missing = client.endorse(client.proposal("basic", "ReadAsset", "nope"), network.peer("Org1MSP"));
        assertEquals(500, missing.getResponse().getStatus());
        assertEquals("The asset nope does not exist", missing.getResponse().getMessage());
        assertFalse(missing.hasEndorsement());
        ProposalResponse duplicate = client.endorse(client.proposal("basic", "CreateAsset", "asset1", "x", "1", "y", "1"),
                network.peer("Org1MSP"));
        assertEquals("The asset asset1 already exists", duplicate.getResponse().getMessage());
        ProposalResponse unknown = client.endorse(client.proposal("basic", "Nope"), network.peer("Org1MSP"));
        assertEquals("You've asked to invoke a function that does not exist: Nope", unknown.getResponse().getMessage());
        ProposalResponse badSize = client.endorse(client.proposal("basic", "CreateAsset", "s2", "x", "big", "y", "1"),
                network.peer("Org1MSP"));
        assertEquals(500, badSize.getResponse().getStatus());
        assertTrue(badSize.getResponse().getMessage().contains("size"), badSize.getResponse().getMessage());
    }

    @Test
    void stoppedPeer_restarted_catchesUpWithTheOrderer() throws Exception {
        try (ReferenceNetwork net = ReferenceNetwork.builder()
                .chaincode("basic", new AssetTransferChaincode(), "OR('Org1MSP.peer','Org2MSP.peer')").start();
                RawClient org1 = new RawClient(net, net.user("Org1MSP"))) {
            ReferenceNetwork.Peer org2 = net.peer("Org2MSP");
            org2.stop();
            assertFalse(org2.isRunning());
            var proposal = org1.proposal("basic", "CreateAsset", "c1", "blue", "1", "Ann", "1");
            var response = org1.endorse(proposal, net.peer("Org1MSP"));
            TransactionStatus status = org1.submitAndWait(
                    dev.weft.core.TransactionEnvelope.create(proposal, java.util.List.of(response)).sign(org1.user.signer()),
                    proposal.transactionId());
            assertTrue(status.isValid());

            org2.start();
            assertTrue(org2.isRunning());
            TransactionStatus seen = org1.waitForStatus(org2, proposal.transactionId(), 0);
            assertEquals(status, seen, "the restarted peer committed the block it missed");
        }
    }

    @Test
    void start_unsupportedCapability_refusedWithClearMessage() {
        UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                () -> ReferenceNetwork.builder().capabilities(Set.of("V3_0"), Set.of("V2_0"), Set.of("V2_5")).start());
        assertTrue(e.getMessage().contains("Channel capability V3_0"), e.getMessage());
        assertTrue(e.getMessage().contains("V2_0"), "names what is supported: " + e.getMessage());
        UnsupportedCapabilityException app = assertThrows(UnsupportedCapabilityException.class,
                () -> ReferenceNetwork.builder().capabilities(Set.of("V2_0"), Set.of("V2_0"), Set.of("V9_9")).start());
        assertTrue(app.getMessage().contains("Application capability V9_9"), app.getMessage());
    }

    @Test
    void close_freesThePorts() throws Exception {
        int base = freeBlockBelowEphemeralRange(10);
        ReferenceNetwork first = ReferenceNetwork.builder().basePort(base).start();
        assertEquals("127.0.0.1:" + base, first.orderer().endpoint());
        first.close();
        try (ReferenceNetwork second = ReferenceNetwork.builder().basePort(base).start()) {
            assertEquals("127.0.0.1:" + (base + 1), second.peer("Org1MSP").endpoint());
        }
    }

    /**
     * A base port whose next {@code size} ports are free, below Linux's ephemeral range (32768 and
     * up) so that no outgoing connection of a parallel test can take one of them between the probe
     * and the start.
     */
    private static int freeBlockBelowEphemeralRange(int size) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 32000 - size);
            if (allFree(base, size)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + size + " consecutive free ports found in 20000..32000");
    }

    private static boolean allFree(int base, int size) {
        for (int port = base; port < base + size; port++) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
