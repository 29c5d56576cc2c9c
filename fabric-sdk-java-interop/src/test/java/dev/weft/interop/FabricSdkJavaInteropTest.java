package dev.weft.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.sdk.BlockEvent;
import org.hyperledger.fabric.sdk.BlockchainInfo;
import org.hyperledger.fabric.sdk.Channel;
import org.hyperledger.fabric.sdk.HFClient;
import org.hyperledger.fabric.sdk.NetworkConfig;
import org.hyperledger.fabric.sdk.Peer;
import org.hyperledger.fabric.sdk.ProposalResponse;
import org.hyperledger.fabric.sdk.QueryByChaincodeRequest;
import org.hyperledger.fabric.sdk.TransactionInfo;
import org.hyperledger.fabric.sdk.TransactionProposalRequest;
import org.hyperledger.fabric.sdk.security.CryptoSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that the reference network speaks Fabric: fabric-sdk-java 2.2 (client-side
 * orchestration, its own protobuf classes, written by the Hyperledger project) connects with the
 * connection profile and crypto files the network wrote, initialises the channel, submits
 * CreateAsset through both organisations' peers and the orderer over TLS, waits for its commit
 * event and reads the asset back. The network runs in a child JVM, started as a user would start it
 * ({@code weft network start}).
 */
class FabricSdkJavaInteropTest {
    @TempDir
    static Path dir;
    private static Process network;

    @BeforeAll
    static void startNetwork() throws Exception {
        String classpath = Files.readString(Path.of(System.getProperty("weft.cli.classpath"))).trim()
                + File.pathSeparator + System.getProperty("weft.cli.classes");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        network = new ProcessBuilder(java, "-cp", classpath, "dev.weft.samples.Weft", "network", "start",
                "--dir", dir.toString())
                .redirectError(dir.resolve("network-stderr.log").toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(network.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("Network ready.")) {
                        return line;
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                return null;
            }
        });
        String line = ready.get(60, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("the network process ended before it was ready: "
                    + Files.readString(dir.resolve("network-stderr.log")));
        }
    }

    @AfterAll
    static void stopNetwork() throws Exception {
        if (network != null) {
            network.destroy(); // SIGTERM, as Ctrl-C would: the CLI's shutdown hook stops the network
            if (!network.waitFor(20, TimeUnit.SECONDS)) {
                network.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void createAsset_fromFabricSdkJava_commitsValidAndReadsBack() throws Exception {
        Path org1 = dir.resolve("organizations/peerOrganizations/org1.example.com");
        NetworkConfig config = NetworkConfig.fromYamlFile(org1.resolve("connection-org1.yaml").toFile());
        HFClient client = HFClient.createNewInstance();
        client.setCryptoSuite(CryptoSuite.Factory.getCryptoSuite());
        client.setUserContext(FabricSdkJavaBench.user(org1.resolve("users/User1@org1.example.com/msp"), "Org1MSP"));
        Channel channel = client.loadChannelFromConfig("mychannel", config);
        channel.initialize();
        try {
            TransactionProposalRequest request = client.newTransactionProposalRequest();
            request.setChaincodeName("basic");
            request.setFcn("CreateAsset");
            request.setArgs("interop-1", "green", "7", "Ann", "250");
            request.setProposalWaitTime(30_000);
            Collection<ProposalResponse> responses = channel.sendTransactionProposal(request);
            assertEquals(2, responses.size(), "one endorsement per organisation");
            for (ProposalResponse response : responses) {
                assertEquals(ProposalResponse.Status.SUCCESS, response.getStatus(), response.getMessage());
                assertTrue(response.isVerified(), "fabric-sdk-java verified the endorsement of " + response.getPeer());
            }

            BlockEvent.TransactionEvent event = channel.sendTransaction(responses).get(60, TimeUnit.SECONDS);
            assertTrue(event.isValid(), "validation code " + event.getValidationCode());
            assertEquals(0, event.getValidationCode());

            QueryByChaincodeRequest query = client.newQueryProposalRequest();
            query.setChaincodeName("basic");
            query.setFcn("ReadAsset");
            query.setArgs("interop-1");
            Collection<ProposalResponse> read = channel.queryByChaincode(query);
            assertFalse(read.isEmpty());
            for (ProposalResponse response : read) {
                assertEquals("{\"AppraisedValue\":250,\"Color\":\"green\",\"ID\":\"interop-1\",\"Owner\":\"Ann\",\"Size\":7}",
                        response.getProposalResponse().getResponse().getPayload().toStringUtf8());
            }

            BlockchainInfo info = channel.queryBlockchainInfo();
            assertEquals(event.getBlockEvent().getBlockNumber() + 1, info.getHeight());
            TransactionInfo transaction = channel.queryTransactionByID(event.getTransactionID());
            assertEquals(0, transaction.getValidationCode().getNumber());
        } finally {
            channel.shutdown(true);
        }
    }

    /**
     * Discovery on, as fabric-sdk-java users run it against a Fabric test network: the profile
     * names only Org1's peer (with the discover role) and no orderer. fabric-sdk-java's service
     * discovery asks that peer for the endorsers and the config, endorses on Org2's peer too and
     * broadcasts to the orderer the config names.
     */
    @Test
    void createAsset_withDiscovery_fromOrg1sPeerAlone_endorsedByBothOrganisationsOrderedByTheConfigsOrderer()
            throws Exception {
        Path org1 = dir.resolve("organizations/peerOrganizations/org1.example.com");
        Path profile = dir.resolve("discovery-org1.yaml");
        Files.writeString(profile, Files.readString(org1.resolve("connection-org1-own-peers.yaml"))
                + "channels:\n  mychannel:\n    peers:\n      peer0.org1.example.com:\n        discover: true\n"
                + "        endorsingPeer: true\n        chaincodeQuery: true\n        ledgerQuery: true\n"
                + "        eventSource: true\n");
        NetworkConfig config = NetworkConfig.fromYamlFile(profile.toFile());
        HFClient client = HFClient.createNewInstance();
        client.setCryptoSuite(CryptoSuite.Factory.getCryptoSuite());
        client.setUserContext(FabricSdkJavaBench.user(org1.resolve("users/User1@org1.example.com/msp"), "Org1MSP"));
        Channel channel = client.loadChannelFromConfig("mychannel", config);
        assertTrue(channel.getOrderers().isEmpty(), "the profile names no orderer");
        channel.initialize();
        try {
            TransactionProposalRequest request = client.newTransactionProposalRequest();
            request.setChaincodeName("basic");
            request.setFcn("CreateAsset");
            request.setArgs("interop-discovery-1", "red", "3", "Bob", "90");
            request.setProposalWaitTime(30_000);
            Collection<ProposalResponse> responses = channel.sendTransactionProposalToEndorsers(request,
                    Channel.DiscoveryOptions.createDiscoveryOptions().setForceDiscovery(true));

            Set<String> organisations = new HashSet<>();
            for (ProposalResponse response : responses) {
                assertEquals(ProposalResponse.Status.SUCCESS, response.getStatus(), response.getMessage());
                assertTrue(response.isVerified(), "fabric-sdk-java verified the endorsement of " + response.getPeer());
                organisations.add(response.getPeer().getProperties().getProperty(Peer.PEER_ORGANIZATION_MSPID_PROPERTY));
            }
            assertEquals(Set.of("Org1MSP", "Org2MSP"), organisations, "discovery found Org2's peer");

            BlockEvent.TransactionEvent event = channel.sendTransaction(responses).get(60, TimeUnit.SECONDS);
            assertTrue(event.isValid(), "validation code " + event.getValidationCode());
            assertFalse(channel.getOrderers().isEmpty(), "the orderer came from discovery's config");
        } finally {
            channel.shutdown(true);
        }
    }
}
