package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigUpdate;
import dev.weft.core.ConfigChanges;
import java.time.Duration;
import java.util.List;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.junit.jupiter.api.Test;

/**
 * Config updates on a Raft cluster: while a config block is in flight the leader holds what comes
 * after it, as Fabric's etcdraft does, so that a second update made from the same config is made
 * again from the one the first made instead of forking the config.
 */
class RaftConfigUpdateTest {

    @Test
    void twoUpdatesFromOneConfig_onOneStreamToTheLeader_bothApplyInTurnOnEveryOrderer() throws Exception {
        try (ReferenceNetwork network = ReferenceNetwork.builder().orderers(3).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            String channel = network.channel();
            ReferenceNetwork.Orderer leader = network.leader(channel, Duration.ofSeconds(10));
            ChannelConfig before = network.channelConfig(channel);
            Envelope batch = signed(network, ChannelConfigUpdate.compute(before,
                    ConfigChanges.withMaxMessageCount(before.config(), 4)));
            Envelope timeout = signed(network, ChannelConfigUpdate.compute(before,
                    ConfigChanges.withBatchTimeout(before.config(), Duration.ofMillis(300))));

            List<BroadcastResponse> answers = RawClient.broadcast(client.channelTo(leader), batch, timeout);

            assertEquals(List.of(Status.SUCCESS, Status.SUCCESS), answers.stream().map(BroadcastResponse::getStatus)
                    .toList());
            long height = before.sequence() + 3; // genesis, then the two config blocks
            for (ReferenceNetwork.Orderer orderer : network.orderers()) {
                assertTrue(orderer.awaitHeight(channel, height, Duration.ofSeconds(10)), orderer
                        + " wrote both config blocks");
                assertEquals(height, orderer.height(channel));
            }
            ChannelConfig after = network.channelConfig(channel);
            assertEquals(before.sequence() + 2, after.sequence());
            assertEquals(4, after.batchSize().orElseThrow().getMaxMessageCount());
            assertEquals(Duration.ofMillis(300), after.batchTimeout().orElseThrow());
            // Ordering goes on under the new config.
            assertTrue(client.submit("basic", "CreateAsset", "after-config", "blue", "5", "Tom", "1").isValid());
        }
    }

    private static Envelope signed(ReferenceNetwork network, ChannelConfigUpdate update) {
        ReferenceNetwork.User admin = network.admin("OrdererMSP");
        return update.envelope(List.of(update.sign(admin.identity(), admin.signer())), admin.identity(), admin.signer());
    }
}
