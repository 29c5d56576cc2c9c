package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.hyperledger.fabric.protos.common.Block;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft snapshots on disk and a purged log: with a small SnapshotIntervalSize every orderer takes
 * snapshots and drops the log segments before them, so the Raft log stops growing with the
 * ledger; a follower that was down while the leader purged the entries it lacks installs the
 * leader's snapshot and pulls the missing blocks from the other orderers, then follows the log
 * again and serves Deliver; a network restarted from its directory starts each orderer from its
 * snapshot and the log after it.
 */
class RaftSnapshotTest {
    /** More than the entries a stopped follower can have beyond its last block (elections, blocks in flight). */
    private static final long MARGIN = 30;

    @TempDir
    Path dir;

    @Test
    void followerBehindThePurgedLog_installsTheSnapshot_pullsTheBlocks_andFollowsOn() throws Exception {
        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).orderers(3)
                .snapshotIntervalSize(16 * 1024).batchTimeout(Duration.ofMillis(20)).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            String channel = network.channel();
            ReferenceNetwork.Orderer leader = network.leader(network.channel(), Duration.ofSeconds(10));
            ReferenceNetwork.Orderer follower = network.orderers().stream().filter(o -> o != leader).findFirst()
                    .orElseThrow();
            assertTrue(client.submitVia(leader, "basic", "CreateAsset", "first", "red", "1", "Ann", "1").isValid());
            follower.stop();
            long followerHeight = follower.height(channel);

            // Blocks until the leader has purged its log well past every entry the follower holds.
            int submitted = 0;
            while (logStart(raftGroup(leader, channel)) <= followerHeight + MARGIN && submitted < 600) {
                assertTrue(client.submitVia(leader, "basic", "CreateAsset", "s" + submitted, "red", "1", "Ann", "1")
                        .isValid());
                submitted++;
            }
            Path leaderGroup = raftGroup(leader, channel);
            assertTrue(logStart(leaderGroup) > followerHeight + MARGIN, "after " + submitted + " blocks the leader "
                    + "purged its Raft log past the follower's entries: " + files(leaderGroup));
            assertTrue(hasSnapshot(leaderGroup), "the leader keeps a snapshot on disk: " + files(leaderGroup));

            follower.start();
            assertTrue(client.submitVia(leader, "basic", "CreateAsset", "after", "red", "1", "Ann", "1").isValid());
            awaitHeight(follower, channel, network.peer("Org1MSP").height(channel));
            // Then it follows the log again, and forwards Broadcast to the leader once it knows it.
            assertTrue(submitViaWhenItKnowsTheLeader(client, follower, "via-follower"));
            long height = network.peer("Org1MSP").height(channel);
            awaitHeight(follower, channel, height);

            List<Block> caughtUp = client.blocks(follower, 0, height - 1);
            List<Block> reference = client.blocks(leader, 0, height - 1);
            assertEquals(height, caughtUp.size());
            for (int i = 0; i < height; i++) {
                assertEquals(reference.get(i).getHeader(), caughtUp.get(i).getHeader(), "block " + i);
                assertEquals(reference.get(i).getData(), caughtUp.get(i).getData(), "block " + i);
            }
            Path followerGroup = raftGroup(follower, channel);
            assertTrue(hasSnapshot(followerGroup), "the follower installed the leader's snapshot: "
                    + files(followerGroup));
            assertTrue(logStart(followerGroup) > followerHeight + MARGIN,
                    "the follower's log starts after the snapshot: " + files(followerGroup));
        }
    }

    @Test
    void networkRestartedFromItsDirectory_startsFromTheSnapshots_andOrdersOn() throws Exception {
        long height;
        List<String> names;
        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).orderers(3)
                .snapshotIntervalSize(16 * 1024).batchTimeout(Duration.ofMillis(20)).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            ReferenceNetwork.Orderer leader = network.leader(network.channel(), Duration.ofSeconds(10));
            names = network.orderers().stream().map(ReferenceNetwork.Orderer::name).toList();
            int submitted = 0;
            while (!everyLogPurged(network) && submitted < 300) {
                assertTrue(client.submitVia(leader, "basic", "CreateAsset", "r" + submitted, "red", "1", "Ann", "1")
                        .isValid());
                submitted++;
            }
            assertTrue(everyLogPurged(network), "after " + submitted + " blocks every orderer snapshotted and "
                    + "purged the start of its log");
            height = network.peer("Org1MSP").height(network.channel());
            for (ReferenceNetwork.Orderer orderer : network.orderers()) {
                awaitHeight(orderer, network.channel(), height);
            }
        }

        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            assertEquals(names, network.orderers().stream().map(ReferenceNetwork.Orderer::name).toList());
            for (ReferenceNetwork.Orderer orderer : network.orderers()) {
                assertEquals(height, orderer.height(network.channel()), orderer.name() + " resumed at its height");
            }
            assertTrue(client.submitVia(network.leader(network.channel(), Duration.ofSeconds(10)), "basic", "CreateAsset", "resumed", "red", "1", "Ann", "1")
                    .isValid());
            for (ReferenceNetwork.Orderer orderer : network.orderers()) {
                awaitHeight(orderer, network.channel(), height + 1);
            }
            List<Block> blocks = client.blocks(network.orderers().get(0), 0, height);
            for (int i = 1; i < blocks.size(); i++) {
                assertTrue(dev.weft.core.internal.Blocks.follows(blocks.get(i - 1).getHeader(),
                        blocks.get(i).getHeader()), "block " + i + " follows block " + (i - 1));
            }
        }
    }

    private boolean everyLogPurged(ReferenceNetwork network) throws IOException {
        for (ReferenceNetwork.Orderer orderer : network.orderers()) {
            Path group = raftGroup(orderer, network.channel());
            if (!hasSnapshot(group) || logStart(group) <= 0) {
                return false;
            }
        }
        return true;
    }

    /** Submits through an orderer, retrying while it answers that it knows no leader (just after it restarted). */
    private static boolean submitViaWhenItKnowsTheLeader(RawClient client, ReferenceNetwork.Orderer orderer, String id)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return client.submitVia(orderer, "basic", "CreateAsset", id, "red", "1", "Ann", "1").isValid();
            } catch (AssertionError e) {
                if (!String.valueOf(e.getMessage()).contains("SERVICE_UNAVAILABLE") || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    private static void awaitHeight(ReferenceNetwork.Orderer orderer, String channel, long height) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (orderer.height(channel) < height && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000_000L);
        }
        assertEquals(height, orderer.height(channel), orderer.name() + " reached the peers' height");
    }


    /** An orderer's Raft group directory for a channel: {@code current/} (the log) and {@code sm/} (snapshots). */
    private Path raftGroup(ReferenceNetwork.Orderer orderer, String channel) throws IOException {
        Path raft = dir.resolve("ledgers").resolve(orderer.name()).resolve(channel).resolve("raft");
        try (Stream<Path> groups = Files.list(raft)) {
            return groups.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    /** The first index in the Raft log: the lowest start of its segments ({@code log_S-E}, {@code log_inprogress_S}). */
    private static long logStart(Path group) throws IOException {
        OptionalLong start = files(group).stream().filter(n -> n.startsWith("current/log_"))
                .map(n -> n.substring("current/log_".length()))
                .map(n -> n.startsWith("inprogress_") ? n.substring("inprogress_".length()) : n.split("-")[0])
                .mapToLong(Long::parseLong).min();
        return start.orElse(-1);
    }

    private static boolean hasSnapshot(Path group) throws IOException {
        return files(group).stream().anyMatch(n -> n.startsWith("sm/snapshot.") && !n.endsWith(".md5"));
    }

    private static List<String> files(Path group) throws IOException {
        try (Stream<Path> all = Files.walk(group)) {
            return all.filter(Files::isRegularFile).map(p -> group.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }
}
