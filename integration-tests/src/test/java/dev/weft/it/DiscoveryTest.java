package dev.weft.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ConnectionProfile;
import dev.weft.core.EndorseException;
import dev.weft.core.InvokedChaincode;
import dev.weft.core.TransactionStage;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxResult;
import dev.weft.selection.EndorserSelectors;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.nio.file.Path;
import java.util.Set;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Weft from the profile Fabric's test network hands out: only Org1's peers, no orderers, no
 * channels. Discovery finds Org2's peers; the orderer comes from the channel config.
 */
class DiscoveryTest {
    private static final String CHANNEL = "mychannel";
    private static ReferenceNetwork network;
    private static ConnectionProfile onePeerProfile;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().peersPerOrganization(2)
                .chaincode("and", new AssetTransferChaincode(), Networks.AND_POLICY)
                .chaincode("or", new AssetTransferChaincode(), Networks.OR_POLICY).start();
        onePeerProfile = ConnectionProfile.parse(network.organizationProfile("Org1MSP"), "org1 profile", Path.of("."));
    }

    @AfterAll
    static void stop() {
        if (network != null) {
            network.close();
        }
    }

    private static Gateway discoveryGateway() {
        ReferenceNetwork.User user = network.user("Org1MSP");
        return Gateway.builder().identity(user.identity()).signer(user.signer()).connectionProfile(onePeerProfile)
                .endorserSelector(EndorserSelectors.discovery()).build();
    }

    @Test
    void onePeerProfile_andPolicy_endorsedByAnOrg2PeerDiscoveryFound_orderedByTheConfigsOrderer() {
        try (Gateway gateway = discoveryGateway()) {
            Contract contract = gateway.network(CHANNEL).contract("and");
            String id = Networks.assetId("disc");

            TxResult result = contract.newTransaction("CreateAsset").arguments(id, "blue", "5", "Tom", "100").submit();

            // VALID under AND(Org1, Org2): an Org2 peer, in no profile, endorsed it.
            assertEquals(TxValidationCode.VALID, result.validationCode(), result.toString());
            assertEquals(network.orderer().endpoint(), result.orderer().orElseThrow().name(),
                    "the orderer is the one the channel config names, by its endpoint");
            Set<String> endorsers = Networks.endorsers(network, gateway, CHANNEL, result);
            assertEquals(2, endorsers.size(), endorsers.toString());
            assertTrue(endorsers.stream().anyMatch(n -> n.endsWith(".org1.example.com")), endorsers.toString());
            assertTrue(endorsers.stream().anyMatch(n -> n.endsWith(".org2.example.com")), endorsers.toString());
            Networks.awaitEveryPeer(network, CHANNEL, result);
            assertTrue(new String(contract.evaluate("ReadAsset", id), UTF_8).contains("\"Owner\":\"Tom\""));
        }
    }

    @Test
    void discoveryInterest_calledChaincodesAndCollections_plannedByThePeersDiscoveryService() {
        try (Gateway gateway = discoveryGateway()) {
            Contract or = gateway.network(CHANNEL).contract("or", ChaincodePolicy.signature(Networks.OR_POLICY));

            // OR(Org1, Org2) alone: one peer, the client's own organisation's.
            TxResult alone = or.newTransaction("CreateAsset").arguments(Networks.assetId("int"), "red", "1", "Ann", "1")
                    .submit();
            Set<String> one = Networks.endorsers(network, gateway, CHANNEL, alone);
            assertEquals(1, one.size(), one.toString());
            assertTrue(one.iterator().next().endsWith(".org1.example.com"), one.toString());

            // Calling "and" too: the plan must satisfy AND(Org1, Org2) as well.
            TxResult calling = or.newTransaction("CreateAsset").arguments(Networks.assetId("int"), "red", "2", "Ann", "2")
                    .discoveryInterest(InvokedChaincode.of("and")).submit();
            assertEquals(TxValidationCode.VALID, calling.validationCode());
            Set<String> both = Networks.endorsers(network, gateway, CHANNEL, calling);
            assertTrue(both.stream().anyMatch(n -> n.endsWith(".org1.example.com"))
                    && both.stream().anyMatch(n -> n.endsWith(".org2.example.com")), both.toString());

            // Org2's implicit collection: only its members may endorse, under its policy.
            TxResult collection = or.newTransaction("CreateAsset")
                    .arguments(Networks.assetId("int"), "red", "3", "Ann", "3")
                    .discoveryInterest(InvokedChaincode.of("or").withCollections("_implicit_org_Org2MSP")).submit();
            Set<String> members = Networks.endorsers(network, gateway, CHANNEL, collection);
            assertEquals(1, members.size(), members.toString());
            assertTrue(members.iterator().next().endsWith(".org2.example.com"), members.toString());

            EndorseException unknown = assertThrows(EndorseException.class, () -> or.newTransaction("CreateAsset")
                    .arguments(Networks.assetId("int"), "red", "4", "Ann", "4")
                    .discoveryInterest(InvokedChaincode.of("or").withCollections("no-such-collection")).submit());
            assertEquals(TransactionStage.SELECT, unknown.stage());
            assertTrue(unknown.getMessage().contains("no-such-collection"), unknown.getMessage());
        }
    }

    @Test
    void org2PeerDown_cachedPlanFailsOverAndANewGatewaysPlanLeavesItOut() {
        try (Gateway gateway = discoveryGateway()) {
            Contract contract = gateway.network(CHANNEL).contract("and");
            TxResult first = contract.newTransaction("CreateAsset")
                    .arguments(Networks.assetId("disc"), "red", "1", "Ann", "1").submit();
            String org2Endorser = Networks.endorsers(network, gateway, CHANNEL, first).stream()
                    .filter(n -> n.endsWith(".org2.example.com")).findFirst().orElseThrow();
            ReferenceNetwork.Peer down = network.peers().stream().filter(p -> p.name().equals(org2Endorser))
                    .findFirst().orElseThrow();
            down.stop();
            try {
                // The plan cached before the stop names the stopped peer: the endorsement fails over to the other.
                TxResult again = contract.newTransaction("CreateAsset")
                        .arguments(Networks.assetId("disc"), "red", "2", "Ann", "2").submit();
                assertEquals(TxValidationCode.VALID, again.validationCode());
                assertTrue(!Networks.endorsers(network, gateway, CHANNEL, again).contains(org2Endorser));

                // A new gateway asks discovery afresh, whose answer leaves the stopped peer out.
                try (Gateway fresh = discoveryGateway()) {
                    TxResult fromFresh = fresh.network(CHANNEL).contract("and").newTransaction("CreateAsset")
                            .arguments(Networks.assetId("disc"), "red", "3", "Ann", "3").submit();
                    assertEquals(TxValidationCode.VALID, fromFresh.validationCode());
                    Set<String> endorsers = Networks.endorsers(network, fresh, CHANNEL, fromFresh);
                    assertTrue(!endorsers.contains(org2Endorser), endorsers.toString());
                    assertTrue(endorsers.stream().anyMatch(n -> n.endsWith(".org2.example.com")), endorsers.toString());
                }
            } finally {
                down.start();
            }
        }
    }
}
