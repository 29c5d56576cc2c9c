package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.Blocks;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.orderer.etcdraft.BlockMetadata;
import org.hyperledger.fabric.protos.orderer.etcdraft.ConfigMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three orderers ordering with Raft on Apache Ratis: the config names them as Fabric's etcdraft
 * does, every orderer writes the same blocks with Raft metadata, a follower forwards Broadcast to
 * the leader, a restarted orderer catches up, and without a majority Broadcast answers
 * SERVICE_UNAVAILABLE.
 */
class RaftOrderingTest {
    private ReferenceNetwork network;
    private RawClient client;

    @BeforeEach
    void start() {
        network = ReferenceNetwork.builder().orderers(3).batchTimeout(java.time.Duration.ofMillis(50)).start();
        client = new RawClient(network, network.user("Org1MSP"));
    }

    @AfterEach
    void stop() {
        client.close();
        network.close();
    }


    @Test
    void genesisConfig_namesTheThreeConsentersAsEtcdraft() throws Exception {
        var consensus = network.channelConfig(network.channel());
        Block genesis = network.genesisBlock(network.channel());
        assertEquals(3, network.orderers().size());
        assertEquals(List.of("orderer.example.com", "orderer2.example.com", "orderer3.example.com"),
                network.orderers().stream().map(ReferenceNetwork.Orderer::name).toList());
        assertTrue(consensus != null);
        ConfigMetadata metadata = ConfigMetadata.parseFrom(ConsensusTypeOf.metadata(genesis));
        assertEquals(3, metadata.getConsentersCount());
        assertEquals("etcdraft", ConsensusTypeOf.type(genesis));
        assertTrue(metadata.getConsenters(0).getServerTlsCert().toStringUtf8().startsWith("-----BEGIN CERTIFICATE"));
    }

    @Test
    void submitsThroughLeaderAndFollower_everyOrdererWritesTheSameBlocksWithRaftMetadata() throws Exception {
        ReferenceNetwork.Orderer leader = network.leader(network.channel(), java.time.Duration.ofSeconds(10));
        ReferenceNetwork.Orderer follower = network.orderers().stream().filter(o -> o != leader).findFirst()
                .orElseThrow();

        assertTrue(client.submitVia(leader, "basic", "CreateAsset", "r1", "blue", "5", "Tom", "1").isValid());
        assertTrue(client.submitVia(follower, "basic", "CreateAsset", "r2", "blue", "5", "Tom", "1").isValid());

        long height = network.peer("Org1MSP").height(network.channel());
        List<Block> reference = client.blocks(leader, 0, height - 1);
        for (ReferenceNetwork.Orderer o : network.orderers()) {
            List<Block> blocks = client.blocks(o, 0, height - 1);
            assertEquals(reference.size(), blocks.size(), o.name());
            for (int n = 0; n < blocks.size(); n++) {
                assertEquals(reference.get(n).getHeader(), blocks.get(n).getHeader(), o.name() + " block " + n);
                assertEquals(reference.get(n).getData(), blocks.get(n).getData(), o.name() + " block " + n);
                if (n > 0) {
                    BlockMetadata raft = raftMetadata(blocks.get(n));
                    assertEquals(List.of(1L, 2L, 3L), raft.getConsenterIdsList(), o.name());
                    assertTrue(raft.getRaftIndex() > 0, o.name());
                    assertEquals(ByteString.copyFrom(Blocks.headerHash(blocks.get(n - 1).getHeader())),
                            blocks.get(n).getHeader().getPreviousHash());
                }
            }
        }
    }

    @Test
    void stoppedFollowerRestarted_catchesUpAndServesDeliver() throws Exception {
        ReferenceNetwork.Orderer leader = network.leader(network.channel(), java.time.Duration.ofSeconds(10));
        ReferenceNetwork.Orderer follower = network.orderers().stream().filter(o -> o != leader).findFirst()
                .orElseThrow();
        follower.stop();
        for (int i = 0; i < 3; i++) {
            assertTrue(client.submitVia(leader, "basic", "CreateAsset", "c" + i, "red", "1", "Ann", "1").isValid());
        }
        long height = network.peer("Org2MSP").height(network.channel());

        follower.start();

        List<Block> caughtUp = client.blocks(follower, 0, height - 1);
        assertEquals(height, caughtUp.size());
        assertEquals(client.blocks(leader, height - 1, height - 1).get(0).getHeader(),
                caughtUp.get(caughtUp.size() - 1).getHeader());
    }

    @Test
    void twoOfThreeStopped_broadcastIsServiceUnavailable_andWorksOnceTheyReturn() throws Exception {
        ReferenceNetwork.Orderer leader = network.leader(network.channel(), java.time.Duration.ofSeconds(10));
        assertTrue(client.submitVia(leader, "basic", "CreateAsset", "before", "red", "1", "Ann", "1").isValid());
        List<ReferenceNetwork.Orderer> others = network.orderers().stream().filter(o -> o != leader).toList();
        ReferenceNetwork.Orderer survivor = others.get(0);
        leader.stop();
        others.get(1).stop();

        var proposal = client.proposal("basic", "CreateAsset", "during", "red", "1", "Ann", "1");
        var envelope = dev.weft.core.TransactionEnvelope.create(proposal, client.endorseAll(proposal))
                .sign(client.user.signer());
        // A leader that has just lost its majority may accept a message before it steps down (that
        // message is never committed, as in Fabric); within an election timeout Broadcast refuses.
        List<BroadcastResponse> refused = List.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            refused = RawClient.broadcast(client.channelTo(survivor), envelope);
            if (refused.get(0).getStatus() != Status.SUCCESS) {
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
        }

        assertEquals(Status.SERVICE_UNAVAILABLE, refused.get(0).getStatus(), refused.toString());
        String info = refused.get(0).getInfo();
        assertTrue(info.contains("no Raft leader") || info.contains("the Raft leader could not be reached"), info);

        leader.start();
        others.get(1).start();
        ReferenceNetwork.Orderer newLeader = network.leader(network.channel(), java.time.Duration.ofSeconds(10));
        assertTrue(client.submitVia(newLeader, "basic", "CreateAsset", "after", "red", "1", "Ann", "1").isValid());
        assertTrue(client.evaluate("basic", "ReadAsset", "before").contains("\"ID\":\"before\""));
    }

    private static BlockMetadata raftMetadata(Block block) throws Exception {
        Metadata signatures = Metadata.parseFrom(block.getMetadata().getMetadata(0));
        return BlockMetadata.parseFrom(Metadata.parseFrom(OrdererBlockMetadata.parseFrom(signatures.getValue())
                .getConsenterMetadata()).getValue());
    }

    /** The ConsensusType value of a genesis block's orderer group. */
    private static final class ConsensusTypeOf {
        static org.hyperledger.fabric.protos.orderer.ConsensusType of(Block genesis) throws Exception {
            var envelope = org.hyperledger.fabric.protos.common.Envelope.parseFrom(genesis.getData().getData(0));
            var payload = org.hyperledger.fabric.protos.common.Payload.parseFrom(envelope.getPayload());
            var config = org.hyperledger.fabric.protos.common.ConfigEnvelope.parseFrom(payload.getData());
            var value = config.getConfig().getChannelGroup().getGroupsOrThrow("Orderer").getValuesOrThrow("ConsensusType");
            return org.hyperledger.fabric.protos.orderer.ConsensusType.parseFrom(value.getValue());
        }

        static ByteString metadata(Block genesis) throws Exception {
            return of(genesis).getMetadata();
        }

        static String type(Block genesis) throws Exception {
            return of(genesis).getType();
        }
    }
}
