package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft network start --dir DIR} killed with SIGKILL and started again: it resumes from DIR
 * with the same heights, world state and blocks (the hash chain intact, a torn block file
 * repaired), and goes on committing; {@code --fresh} starts over and says so.
 */
class NetworkRestartTest {
    @TempDir
    Path dir;
    private Process network;

    @AfterEach
    void stop() throws InterruptedException {
        if (network != null) {
            network.destroyForcibly();
            network.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code weft network start} in a child JVM and returns what it printed until it was ready. */
    private List<String> start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--dir", dir.resolve("net").toString(), "--batch-timeout", "50ms"));
        args.addAll(List.of(extra));
        WeftProcess started = WeftProcess.networkStart(dir.resolve("network-stderr.log"), args);
        network = started.process();
        return started.lines();
    }

    private void kill() throws InterruptedException {
        network.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(network.waitFor(30, TimeUnit.SECONDS));
        network = null;
    }

    private String[] with(String command, String... rest) {
        Path org1 = dir.resolve("net/organizations/peerOrganizations/org1.example.com");
        List<String> args = new ArrayList<>(List.of(command, "--profile", org1.resolve("connection-org1.yaml").toString(),
                "--msp-dir", org1.resolve("users/User1@org1.example.com/msp").toString()));
        args.addAll(List.of(rest));
        return args.toArray(String[]::new);
    }

    private static List<String> blockLines(String out) {
        return out.lines().filter(l -> l.startsWith("block ")).toList();
    }

    @Test
    void killedAndStartedAgain_resumesWithEveryBlockAndTheStateThenGoesOn() throws Exception {
        List<String> first = start();
        assertTrue(first.get(0).startsWith("Reference network on channel mychannel, kept in"), first.toString());
        for (int i = 1; i <= 3; i++) {
            Cli created = Cli.run(with("submit", "--chaincode", "basic", "CreateAsset", "k" + i, "blue", "5", "Tom", "1"));
            assertEquals(0, created.exitCode(), created.toString());
        }
        Cli before = Cli.run(with("listen", "--from", "0", "--count", "4"));
        assertEquals(0, before.exitCode(), before.toString());
        kill();
        // A torn write: half a record after the last block of a peer's block file, as a crash mid-append leaves it.
        Path blockFile = dir.resolve("net/ledgers/peer0.org1.example.com/mychannel/blocks/blockfile_000000");
        Files.write(blockFile, new byte[] {0, 0, 1, 0, 42, 42, 42}, StandardOpenOption.APPEND);

        List<String> second = start();

        assertTrue(second.get(0).startsWith("Resumed the reference network kept in")
                && second.get(0).endsWith("channel mychannel at block 3"), second.toString());
        Cli after = Cli.run(with("listen", "--from", "0", "--count", "4"));
        assertEquals(0, after.exitCode(), after.toString());
        assertEquals(blockLines(before.out()), blockLines(after.out()), "the same blocks, with the same transactions");
        Cli read = Cli.run(with("evaluate", "--chaincode", "basic", "ReadAsset", "k3"));
        assertEquals(0, read.exitCode(), read.toString());
        assertTrue(read.out().contains("\"ID\" : \"k3\""), read.toString());
        Cli next = Cli.run(with("submit", "--chaincode", "basic", "CreateAsset", "k4", "red", "1", "Ann", "1"));
        assertEquals(0, next.exitCode(), next.toString());
        assertTrue(next.out().contains("block  4"), next.toString());
        assertTrue(Files.readString(dir.resolve("network-stderr.log")).contains("torn tail in " + blockFile),
                "the repair is logged");
    }

    @Test
    void raftNetworkOfThree_killedAndStartedAgain_resumesItsLedgersAndRaftLogs() throws Exception {
        List<String> first = start("--orderers", "3");
        assertTrue(first.stream().filter(l -> l.startsWith("  orderer ")).count() == 3, first.toString());
        for (int i = 1; i <= 2; i++) {
            Cli created = Cli.run(with("submit", "--chaincode", "basic", "CreateAsset", "raft" + i, "blue", "5", "Tom",
                    "1"));
            assertEquals(0, created.exitCode(), created.toString());
        }
        Cli before = Cli.run(with("listen", "--from", "0", "--count", "3"));
        kill();

        List<String> second = start(); // the shape (three Raft orderers) comes from the directory

        assertTrue(second.get(0).startsWith("Resumed the reference network kept in")
                && second.get(0).endsWith("at block 2"), second.toString());
        assertTrue(second.stream().filter(l -> l.startsWith("  orderer ")).count() == 3, second.toString());
        Cli after = Cli.run(with("listen", "--from", "0", "--count", "3"));
        assertEquals(blockLines(before.out()), blockLines(after.out()));
        Cli next = Cli.run(with("submit", "--chaincode", "basic", "CreateAsset", "raft3", "red", "1", "Ann", "1"));
        assertEquals(0, next.exitCode(), next.toString());
        assertTrue(next.out().contains("block  3"), next.toString());
    }

    @Test
    void fresh_removesTheKeptNetworkAndStartsAtBlockZero() throws Exception {
        start();
        Cli created = Cli.run(with("submit", "--chaincode", "basic", "CreateAsset", "old", "blue", "5", "Tom", "1"));
        assertEquals(0, created.exitCode(), created.toString());
        kill();

        List<String> lines = start("--fresh");

        assertTrue(lines.get(0).startsWith("--fresh: removed the network kept in"), lines.toString());
        assertTrue(lines.get(1).startsWith("Reference network on channel mychannel"), lines.toString());
        Cli read = Cli.run(with("evaluate", "--chaincode", "basic", "ReadAsset", "old"));
        assertEquals(Weft.FAILURE, read.exitCode(), read.toString());
        assertTrue(read.err().contains("does not exist"), read.toString());
        Matcher height = Pattern.compile("block (\\d+)").matcher(Cli.run(with("listen", "--from", "0", "--count", "1"))
                .out());
        assertTrue(height.find() && height.group(1).equals("0"));
    }
}
