package dev.weft.testnet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigUpdate;
import dev.weft.core.ConfigChanges;
import dev.weft.core.internal.Envelopes;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.config.ConfigUpdates;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.junit.jupiter.api.Test;

/**
 * A peer given a config block that needs a capability it does not support stops the channel with
 * a clear error instead of committing blocks it cannot validate as the others would (seed 004).
 * The reference orderer refuses such an update, so the block is written here through a plugged
 * consenter, as an orderer of another version could have written it.
 */
class PeerCapabilityTest {

    @Test
    void configBlockWithAnUnknownApplicationCapability_peerStopsTheChannelAndSaysWhy() throws Exception {
        PluggedConsenterTest.OnePerBlock consenter = new PluggedConsenterTest.OnePerBlock();
        try (ReferenceNetwork network = ReferenceNetwork.builder().consenter(consenter).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            String channel = network.channel();
            assertTrue(client.submit("basic", "CreateAsset", "before", "blue", "5", "Tom", "1").isValid());
            ChannelConfig current = network.channelConfig(channel);
            ChannelConfigUpdate update = ChannelConfigUpdate.compute(current,
                    ConfigChanges.withCapabilities(current.config(), ChannelConfig.APPLICATION, Set.of("V9_9")));
            ReferenceNetwork.User org1 = network.admin("Org1MSP");
            ReferenceNetwork.User org2 = network.admin("Org2MSP");
            Envelope signedUpdate = update.envelope(List.of(update.sign(org1.identity(), org1.signer()),
                    update.sign(org2.identity(), org2.signer())), org1.identity(), org1.signer());
            // A valid config transaction by every rule but the capability: its update is signed by a MAJORITY of admins.
            ConfigEnvelope config = ConfigUpdates.propose(current, signedUpdate, new VerifiedSignatures());
            ReferenceNetwork.User ordererAdmin = network.admin("OrdererMSP");
            Envelope configTx = Envelopes.signed(HeaderType.CONFIG, channel, ordererAdmin.identity(),
                    ordererAdmin.signer(), config.toByteString(), Instant.now());
            ConsenterSupport support = consenter.lastSupport;
            long configBlock = support.height();

            support.writeConfigBlock(support.createNextBlock(List.of(configTx)), "config".getBytes(UTF_8));

            for (ReferenceNetwork.Peer peer : network.peers()) {
                ProposalResponse refused = awaitRefusal(client, peer);
                assertEquals(500, refused.getResponse().getStatus());
                String message = refused.getResponse().getMessage();
                assertTrue(message.contains("channel '" + channel + "' is stopped on this peer"), message);
                assertTrue(message.contains("requires Application capability V9_9"), message);
                assertTrue(message.contains("config block " + configBlock), message);
                assertEquals(configBlock, peer.height(channel), "the config block is not committed");
                assertFalse(peer.awaitHeight(channel, configBlock + 1, Duration.ofMillis(200)));
            }
        }
    }

    @Test
    void configBlockOtherThanItsUpdateMakes_peerStopsTheChannelRatherThanMarkIt() throws Exception {
        PluggedConsenterTest.OnePerBlock consenter = new PluggedConsenterTest.OnePerBlock();
        try (ReferenceNetwork network = ReferenceNetwork.builder().consenter(consenter).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            String channel = network.channel();
            assertTrue(client.submit("basic", "CreateAsset", "before", "blue", "5", "Tom", "1").isValid());
            ChannelConfig current = network.channelConfig(channel);
            ChannelConfigUpdate update = ChannelConfigUpdate.compute(current,
                    ConfigChanges.withMaxMessageCount(current.config(), 5));
            ReferenceNetwork.User ordererAdmin = network.admin("OrdererMSP");
            Envelope signedUpdate = update.envelope(List.of(update.sign(ordererAdmin.identity(), ordererAdmin.signer())),
                    ordererAdmin.identity(), ordererAdmin.signer());
            ConfigEnvelope made = ConfigUpdates.propose(current, signedUpdate, new VerifiedSignatures());
            // The config carried is not the one the update makes: a batch of 6, not 5.
            ConfigEnvelope tampered = made.toBuilder().setConfig(ConfigChanges.withMaxMessageCount(made.getConfig(), 6))
                    .build();
            Envelope configTx = Envelopes.signed(HeaderType.CONFIG, channel, ordererAdmin.identity(),
                    ordererAdmin.signer(), tampered.toByteString(), Instant.now());
            ConsenterSupport support = consenter.lastSupport;
            long configBlock = support.height();

            support.writeConfigBlock(support.createNextBlock(List.of(configTx)), "config".getBytes(UTF_8));

            for (ReferenceNetwork.Peer peer : network.peers()) {
                String message = awaitRefusal(client, peer).getResponse().getMessage();
                assertTrue(message.contains("block " + configBlock + " could not be committed: error validating config "
                        + "which passed initial validity checks: ConfigEnvelope LastUpdate did not produce the "
                        + "supplied config result"), message);
                assertEquals(configBlock, peer.height(channel));
            }
        }
    }

    /** The peer's answer to a read once it has stopped the channel (it pulls the block on its own thread). */
    private static ProposalResponse awaitRefusal(RawClient client, ReferenceNetwork.Peer peer) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            ProposalResponse response = client.endorse(client.proposal("basic", "ReadAsset", "before"), peer);
            if (response.getResponse().getStatus() != 200 || System.nanoTime() > deadline) {
                return response;
            }
            Thread.sleep(20);
        }
    }
}
