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
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.ConfigSignature;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A peer given a config block it cannot apply stops the channel with a clear error instead of
 * committing blocks it cannot validate as the others would: a config that needs a capability it
 * does not support (seed 004), or one its update does not make (Fabric's v20 validator fails the
 * block). The reference orderer refuses both, so the block is written here through a plugged
 * consenter, as an orderer of another version (or a faulty one) could have written it.
 */
class PeerCapabilityTest {
    private final PluggedConsenterTest.OnePerBlock consenter = new PluggedConsenterTest.OnePerBlock();
    private ReferenceNetwork network;
    private RawClient client;
    private String channel;

    @BeforeEach
    void start() throws Exception {
        network = ReferenceNetwork.builder().consenter(consenter).start();
        client = new RawClient(network, network.user("Org1MSP"));
        channel = network.channel();
        assertTrue(client.submit("basic", "CreateAsset", "before", "blue", "5", "Tom", "1").isValid());
    }

    @AfterEach
    void stop() {
        client.close();
        network.close();
    }

    @Test
    void configBlockWithAnUnknownApplicationCapability_peerStopsTheChannelAndSaysWhy() throws Exception {
        ChannelConfig current = network.channelConfig(channel);
        // A valid config transaction by every rule but the capability: its update is signed by a MAJORITY of admins.
        ConfigEnvelope config = made(current, ConfigChanges.withCapabilities(current.config(), ChannelConfig.APPLICATION,
                Set.of("V9_9")), "Org1MSP", "Org2MSP");

        long configBlock = writeConfigBlock(config);

        for (ReferenceNetwork.Peer peer : network.peers()) {
            ProposalResponse refused = awaitRefusal(peer);
            assertEquals(500, refused.getResponse().getStatus());
            String message = refused.getResponse().getMessage();
            assertTrue(message.contains("channel '" + channel + "' is stopped on this peer"), message);
            assertTrue(message.contains("requires Application capability V9_9"), message);
            assertTrue(message.contains("config block " + configBlock), message);
            assertEquals(configBlock, peer.height(channel), "the config block is not committed");
            assertFalse(peer.awaitHeight(channel, configBlock + 1, Duration.ofMillis(200)));
        }
    }

    @Test
    void configBlockOtherThanItsUpdateMakes_peerStopsTheChannelRatherThanMarkIt() throws Exception {
        ChannelConfig current = network.channelConfig(channel);
        ConfigEnvelope made = made(current, ConfigChanges.withMaxMessageCount(current.config(), 5), "OrdererMSP");
        // The config carried is not the one the update makes: a batch of 6, not 5.
        ConfigEnvelope tampered = made.toBuilder().setConfig(ConfigChanges.withMaxMessageCount(made.getConfig(), 6))
                .build();

        long configBlock = writeConfigBlock(tampered);

        for (ReferenceNetwork.Peer peer : network.peers()) {
            String message = awaitRefusal(peer).getResponse().getMessage();
            assertTrue(message.contains("block " + configBlock + " could not be committed: error validating config "
                    + "which passed initial validity checks: ConfigEnvelope LastUpdate did not produce the "
                    + "supplied config result"), message);
            assertEquals(configBlock, peer.height(channel));
        }
    }

    /** The config envelope an update to {@code desired}, signed by these organisations' admins, makes. */
    private ConfigEnvelope made(ChannelConfig current, Config desired, String... signers) {
        ChannelConfigUpdate update = ChannelConfigUpdate.compute(current, desired);
        List<ConfigSignature> signatures = Arrays.stream(signers)
                .map(network::admin).map(admin -> update.sign(admin.identity(), admin.signer())).toList();
        ReferenceNetwork.User submitter = network.admin(signers[0]);
        Envelope signedUpdate = update.envelope(signatures, submitter.identity(), submitter.signer());
        return ConfigUpdates.propose(current, signedUpdate, new VerifiedSignatures());
    }

    /** Writes a config block of this envelope, signed by the orderer admin, through the plugged consenter. */
    private long writeConfigBlock(ConfigEnvelope config) {
        ReferenceNetwork.User ordererAdmin = network.admin("OrdererMSP");
        Envelope configTx = Envelopes.signed(HeaderType.CONFIG, channel, ordererAdmin.identity(), ordererAdmin.signer(),
                config.toByteString(), Instant.now());
        ConsenterSupport support = consenter.lastSupport;
        long number = support.height();
        support.writeConfigBlock(support.createNextBlock(List.of(configTx)), "config".getBytes(UTF_8));
        return number;
    }

    /**
     * The peer's answer to a read once it has stopped the channel: it pulls the block on its own
     * thread, and nothing tells a client when it has; a bounded poll.
     */
    private ProposalResponse awaitRefusal(ReferenceNetwork.Peer peer) throws Exception {
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
