package dev.weft.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigUpdate;
import dev.weft.core.ConfigChanges;
import dev.weft.core.SubmitException;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Network;
import dev.weft.handlers.TxResult;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Channel config updates end to end through the public API: computed from the current config,
 * signed by the admins the changed elements' mod_policies need, validated and ordered by the
 * orderer, applied by the orderer and the peers; refused updates change nothing.
 */
class ConfigUpdateTest {
    private ReferenceNetwork network;
    private Gateway gateway;
    private Network channel;

    @BeforeEach
    void start() {
        network = ReferenceNetwork.builder().chaincode("basic", new AssetTransferChaincode()).start();
        gateway = Networks.withOrderer(Networks.gateway(network), network).build();
        channel = gateway.network("mychannel");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void batchSize_signedByTheOrdererAdmin_isTheNewConfigOfOrdererAndPeersAndCutsBlocks() throws Exception {
        ChannelConfig before = channel.channelConfig();
        ChannelConfigUpdate update = ChannelConfigUpdate.compute(before, withMaxMessageCount(before.config(), 3));

        ChannelConfig after = channel.submitConfigUpdate(update, List.of(sign(update, "OrdererMSP")))
                .get(30, SECONDS);

        assertEquals(before.sequence() + 1, after.sequence());
        assertEquals(3, after.batchSize().orElseThrow().getMaxMessageCount());
        assertEquals(3, network.channelConfig("mychannel").batchSize().orElseThrow().getMaxMessageCount(),
                "the orderer orders with the new batch size");
        // Ten transactions at once: with the old MaxMessageCount of 100 they would share blocks of more than three.
        Contract contract = channel.contract("basic");
        List<CompletableFuture<TxResult>> submits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            submits.add(contract.newTransaction("CreateAsset")
                    .arguments(Networks.assetId("batch"), "blue", "5", "Tom", "100").submitAsync());
        }
        Map<Long, Integer> perBlock = new HashMap<>();
        for (CompletableFuture<TxResult> submit : submits) {
            perBlock.merge(submit.get(30, SECONDS).blockNumber(), 1, Integer::sum);
        }
        assertTrue(perBlock.values().stream().allMatch(n -> n <= 3), "blocks of at most 3 transactions: " + perBlock);
        for (ReferenceNetwork.Peer peer : network.peers()) {
            assertTrue(peer.awaitHeight("mychannel", network.orderer().height("mychannel"), Duration.ofSeconds(10)));
        }
    }

    @Test
    void batchSize_onARaftCluster_sentToEveryOrderer_appliedByTheLeaderThatCuts() throws Exception {
        stop();
        network = ReferenceNetwork.builder().chaincode("basic", new AssetTransferChaincode()).orderers(3).start();
        Gateway.Builder builder = Networks.gateway(network);
        // The follower first: it forwards the config message to the leader.
        ReferenceNetwork.Orderer leader = network.leader("mychannel", Duration.ofSeconds(10));
        List<ReferenceNetwork.Orderer> orderers = new ArrayList<>(network.orderers());
        orderers.sort((a, b) -> Boolean.compare(a == leader, b == leader));
        orderers.forEach(o -> builder.addOrderer(o.name(), o.endpointConfig()));
        gateway = builder.build();
        channel = gateway.network("mychannel");
        ChannelConfig before = channel.channelConfig();
        ChannelConfigUpdate update = ChannelConfigUpdate.compute(before, withMaxMessageCount(before.config(), 2));

        ChannelConfig after = channel.submitConfigUpdate(update, List.of(sign(update, "OrdererMSP"))).get(30, SECONDS);

        assertEquals(2, after.batchSize().orElseThrow().getMaxMessageCount());
        List<CompletableFuture<TxResult>> submits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            submits.add(channel.contract("basic").newTransaction("CreateAsset")
                    .arguments(Networks.assetId("raft"), "blue", "5", "Tom", "100").submitAsync());
        }
        Map<Long, Integer> perBlock = new HashMap<>();
        for (CompletableFuture<TxResult> submit : submits) {
            perBlock.merge(submit.get(30, SECONDS).blockNumber(), 1, Integer::sum);
        }
        assertTrue(perBlock.values().stream().allMatch(n -> n <= 2), "blocks of at most 2 transactions: " + perBlock);
        long height = leader.height("mychannel");
        for (ReferenceNetwork.Orderer orderer : network.orderers()) {
            assertTrue(orderer.awaitHeight("mychannel", height, Duration.ofSeconds(10)), orderer
                    + " wrote the config block and what followed");
        }
    }

    @Test
    void twoUpdatesAtOnceOnARaftCluster_bothApplyInTurn_ordererAndPeersAgree() throws Exception {
        stop();
        network = ReferenceNetwork.builder().chaincode("basic", new AssetTransferChaincode()).orderers(3).start();
        network.leader("mychannel", Duration.ofSeconds(10));
        gateway = Networks.gateway(network).addOrderer(network.orderer().name(), network.orderer().endpointConfig())
                .build();
        channel = gateway.network("mychannel");
        ChannelConfig before = channel.channelConfig();
        // Both made from the same config: the second is made again from the config the first makes.
        ChannelConfigUpdate batch = ChannelConfigUpdate.compute(before, withMaxMessageCount(before.config(), 4));
        ChannelConfigUpdate timeout = ChannelConfigUpdate.compute(before,
                ConfigChanges.withBatchTimeout(before.config(), Duration.ofMillis(300)));

        CompletableFuture<ChannelConfig> first = channel.submitConfigUpdate(batch, List.of(sign(batch, "OrdererMSP")));
        CompletableFuture<ChannelConfig> second = channel.submitConfigUpdate(timeout,
                List.of(sign(timeout, "OrdererMSP")));
        first.get(30, SECONDS);
        second.get(30, SECONDS);

        ChannelConfig orderers = network.channelConfig("mychannel");
        assertEquals(before.sequence() + 2, orderers.sequence());
        assertEquals(4, orderers.batchSize().orElseThrow().getMaxMessageCount());
        assertEquals(Duration.ofMillis(300), orderers.batchTimeout().orElseThrow());
        for (ReferenceNetwork.Peer peer : network.peers()) {
            assertTrue(peer.awaitHeight("mychannel", network.orderer().height("mychannel"), Duration.ofSeconds(10)));
        }
        try (Gateway fresh = Networks.gateway(network).build()) {
            ChannelConfig peers = fresh.network("mychannel").channelConfig();
            assertEquals(orderers.sequence(), peers.sequence(), "the peers hold the orderers' config");
            assertEquals(orderers.batchSize(), peers.batchSize());
            assertEquals(orderers.batchTimeout(), peers.batchTimeout());
        }
    }

    @Test
    void applicationChange_needsAMajorityOfApplicationAdmins() throws Exception {
        ChannelConfig before = channel.channelConfig();
        ChannelConfigUpdate update = ChannelConfigUpdate.compute(before, withApplicationCapabilities(before.config(),
                before.applicationCapabilities().contains("V2_5") ? Set.of("V2_0") : Set.of("V2_0", "V2_5")));

        ExecutionException refused = assertThrowsExecution(() -> channel.submitConfigUpdate(update,
                List.of(sign(update, "Org1MSP"))).get(30, SECONDS));

        SubmitException submit = assertInstanceOf(SubmitException.class, refused.getCause());
        assertTrue(submit.getMessage().contains("BAD_REQUEST"), submit.getMessage());
        assertTrue(submit.getMessage().contains("error applying config update to existing channel 'mychannel': "
                + "error authorizing update: error validating DeltaSet: policy for [Value]  "
                + "/Channel/Application/Capabilities not satisfied: implicit policy evaluation failed - 1 sub-policies "
                + "were satisfied, but this policy requires 2 of the 'Admins' sub-policies to be satisfied"),
                submit.getMessage());
        assertEquals(before.sequence(), network.channelConfig("mychannel").sequence(), "nothing changed");

        // One admin signing twice is still one admin.
        ExecutionException twice = assertThrowsExecution(() -> channel.submitConfigUpdate(update,
                List.of(sign(update, "Org1MSP"), sign(update, "Org1MSP"))).get(30, SECONDS));
        assertTrue(twice.getCause().getMessage().contains("1 sub-policies were satisfied"),
                twice.getCause().getMessage());

        ChannelConfig after = channel.submitConfigUpdate(update, List.of(sign(update, "Org1MSP"),
                sign(update, "Org2MSP"))).get(30, SECONDS);

        assertEquals(before.sequence() + 1, after.sequence());
        assertTrue(!after.applicationCapabilities().equals(before.applicationCapabilities()));
        assertEquals(after.applicationCapabilities(), network.channelConfig("mychannel").applicationCapabilities());
    }

    @Test
    void staleUpdate_isRefusedWithTheVersionsAndChangesNothing() throws Exception {
        ChannelConfig before = channel.channelConfig();
        ChannelConfigUpdate first = ChannelConfigUpdate.compute(before, withMaxMessageCount(before.config(), 3));
        ChannelConfigUpdate second = ChannelConfigUpdate.compute(before, withMaxMessageCount(before.config(), 5));
        channel.submitConfigUpdate(first, List.of(sign(first, "OrdererMSP"))).get(30, SECONDS);

        ExecutionException refused = assertThrowsExecution(() -> channel.submitConfigUpdate(second,
                List.of(sign(second, "OrdererMSP"))).get(30, SECONDS));

        assertTrue(refused.getCause().getMessage().contains("attempt to set key [Value]  /Channel/Orderer/BatchSize "
                + "to version 1, but key is at version 1"), refused.getCause().getMessage());
        assertEquals(3, network.channelConfig("mychannel").batchSize().orElseThrow().getMaxMessageCount());
        assertEquals(before.sequence() + 1, channel.channelConfig().sequence());
    }

    @Test
    void unknownCapability_isRefusedAsNotCompatible() throws Exception {
        ChannelConfig before = channel.channelConfig();
        ChannelConfigUpdate update = ChannelConfigUpdate.compute(before,
                withApplicationCapabilities(before.config(), Set.of("V9_9")));

        ExecutionException refused = assertThrowsExecution(() -> channel.submitConfigUpdate(update,
                List.of(sign(update, "Org1MSP"), sign(update, "Org2MSP"))).get(30, SECONDS));

        assertTrue(refused.getCause().getMessage().contains("config update is not compatible"),
                refused.getCause().getMessage());
        assertTrue(refused.getCause().getMessage().contains("V9_9"), refused.getCause().getMessage());
        assertEquals(before.sequence(), network.channelConfig("mychannel").sequence());
    }

    @Test
    void updateOfAnotherChannel_isRefusedBeforeAnythingIsSent() {
        ChannelConfig before = channel.channelConfig();
        ChannelConfigUpdate update = ChannelConfigUpdate.compute("otherchannel", before.config(),
                withMaxMessageCount(before.config(), 3));

        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> channel.submitConfigUpdate(update, List.of()));

        assertTrue(e.getMessage().contains("otherchannel"), e.getMessage());
    }

    private ConfigSignature sign(ChannelConfigUpdate update, String mspId) {
        ReferenceNetwork.User admin = network.admin(mspId);
        return update.sign(admin.identity(), admin.signer());
    }

    private interface Call {
        void run() throws Exception;
    }

    private static ExecutionException assertThrowsExecution(Call call) {
        return org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, call::run);
    }

    private static Config withMaxMessageCount(Config config, int count) {
        return ConfigChanges.withMaxMessageCount(config, count);
    }

    private static Config withApplicationCapabilities(Config config, Set<String> capabilities) {
        return ConfigChanges.withCapabilities(config, ChannelConfig.APPLICATION, capabilities);
    }
}
