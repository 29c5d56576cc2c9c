package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.TransactionStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The default network end to end: endorse on both peers, order, commit, read back. */
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
}
