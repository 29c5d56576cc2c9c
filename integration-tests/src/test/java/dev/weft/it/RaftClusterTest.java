package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.SubmitException;
import dev.weft.core.TransactionException;
import dev.weft.core.WeftException;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxResult;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Weft's client on a three-orderer Raft network, through the public API: the leader stops with
 * hundreds of transactions in flight, and every transaction the client reported committed is in
 * every peer's ledger exactly once, every one it reported failed is absent or invalid, and
 * commits go on under a new leader; with two of three orderers down a submit fails saying the
 * orderers are unavailable, and nothing acknowledged is lost when they return.
 */
class RaftClusterTest {
    private ReferenceNetwork network;
    private Gateway gateway;
    private Contract contract;

    @BeforeEach
    void start() {
        network = ReferenceNetwork.builder().orderers(3).chaincode("basic", new AssetTransferChaincode())
                .batchTimeout(Duration.ofMillis(50)).start();
        Gateway.Builder builder = Networks.gateway(network).commitTimeout(Duration.ofSeconds(20));
        for (ReferenceNetwork.Orderer orderer : network.orderers()) {
            builder.addOrderer(orderer.name(), orderer.endpointConfig());
        }
        gateway = builder.build();
        contract = gateway.network(network.channel()).contract("basic");
    }

    @AfterEach
    void stop() {
        gateway.close();
        network.close();
    }


    @Test
    void leaderStoppedWith200InFlight_acknowledgedOnceEverywhere_failedAbsent_commitsResume() throws Exception {
        network.leader(network.channel(), Duration.ofSeconds(10)); // elected before the load starts
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<TxResult>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String key = "raft-" + i;
            ids.add(key);
            futures.add(contract.newTransaction("CreateAsset").arguments(key, "blue", "5", "Tom", "1").submitAsync());
        }
        network.leader(network.channel(), Duration.ofSeconds(10)).stop();

        Map<String, String> acknowledged = new HashMap<>();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            try {
                acknowledged.put(futures.get(i).get(60, TimeUnit.SECONDS).transactionId(), ids.get(i));
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(WeftException.unwrap(e) instanceof TransactionException, e.toString());
                failed.add(ids.get(i));
            }
        }
        long resumeStart = System.nanoTime();
        TxResult after = contract.newTransaction("CreateAsset").arguments("after-failover", "red", "1", "Ann", "1")
                .submitAsync().get(60, TimeUnit.SECONDS);
        System.out.printf("raft failover: %d acknowledged, %d failed; next commit %d ms after the load%n",
                acknowledged.size(), failed.size(), (System.nanoTime() - resumeStart) / 1_000_000);
        assertTrue(after.blockNumber() > 0);

        long height = network.peer("Org1MSP").height(network.channel());
        for (ReferenceNetwork.Peer peer : network.peers()) {
            Map<String, Integer> validCount = Networks.validCounts(network, peer, network.channel(), height);
            for (String txId : acknowledged.keySet()) {
                assertEquals(1, validCount.getOrDefault(txId, 0), peer.name() + ": acknowledged " + txId);
            }
        }
        for (String key : failed) {
            assertEquals("false", new String(contract.evaluate("AssetExists", key)),
                    "a transaction reported failed must not have committed: " + key);
        }
    }

    @Test
    void twoOfThreeDown_submitFailsSayingTheOrderersAreUnavailable_nothingLostWhenTheyReturn() throws Exception {
        TxResult before = contract.newTransaction("CreateAsset").arguments("kept", "red", "1", "Ann", "1").submit();
        ReferenceNetwork.Orderer leader = network.leader(network.channel(), Duration.ofSeconds(10));
        List<ReferenceNetwork.Orderer> down = new ArrayList<>(network.orderers().stream()
                .filter(o -> o != leader).limit(1).toList());
        down.add(leader);
        down.forEach(ReferenceNetwork.Orderer::stop);

        TransactionException e = assertThrows(TransactionException.class, () -> contract
                .newTransaction("CreateAsset").arguments("during", "red", "1", "Ann", "1")
                .submitTimeout(Duration.ofSeconds(4)).submit());

        assertTrue(e instanceof SubmitException || e.getMessage().contains("not broadcast"), e.toString());
        assertTrue(e.getMessage().contains("SERVICE_UNAVAILABLE") || e.getMessage().contains("Raft leader"),
                e.getMessage());
        down.forEach(ReferenceNetwork.Orderer::start);
        network.leader(network.channel(), Duration.ofSeconds(10));
        assertTrue(contract.newTransaction("CreateAsset").arguments("back", "red", "1", "Ann", "1").submit()
                .blockNumber() > before.blockNumber());
        assertEquals("true", new String(contract.evaluate("AssetExists", "kept")));
    }
}
