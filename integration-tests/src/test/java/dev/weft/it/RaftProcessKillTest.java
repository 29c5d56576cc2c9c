package dev.weft.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ConnectionProfile;
import dev.weft.core.TransactionException;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.core.WeftException;
import dev.weft.events.CloseableIterator;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxResult;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-orderer Raft network with each orderer in a child JVM of its own ({@link ChildNodes})
 * and the peers in this one: the leader is SIGKILLed with hundreds of transactions in flight.
 * Every transaction the client reported committed is in every peer's ledger exactly once, every
 * one it reported failed is absent (one whose submit or commit wait timed out, which Weft reports
 * as in doubt, is at most once VALID), commits resume under a new leader within 5 s of the kill,
 * and the killed orderer, started again, catches up with the others.
 */
class RaftProcessKillTest {
    private static final String CHANNEL = "mychannel";
    /** Transactions in flight when the leader dies, at least. */
    private static final int IN_FLIGHT = 200;
    private static final int MAX_SUBMITS = 1000;
    /** The bound on how long commits may stop when the leader dies. */
    private static final Duration RESUME_BOUND = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private final List<Child> children = new ArrayList<>();
    private List<String> ordererNames;
    private ReferenceNetwork peers;
    private Gateway gateway;
    private Contract contract;
    private CloseableIterator<Block> blockStream;

    @BeforeEach
    void start() throws Exception {
        // The network is made here once, then each part started from its directory. The batch
        // timeout is in the channel config (the ledgers); the chaincode is given to each start.
        List<String> peerNames;
        try (ReferenceNetwork created = ReferenceNetwork.builder().directory(dir).orderers(3)
                .chaincode("basic", new AssetTransferChaincode()).batchTimeout(Duration.ofMillis(50)).start()) {
            ordererNames = created.orderers().stream().map(ReferenceNetwork.Node::name).toList();
            peerNames = created.peers().stream().map(ReferenceNetwork.Node::name).toList();
        }
        for (String orderer : ordererNames) {
            children.add(Child.start(dir, orderer));
        }
        for (Child child : children) {
            child.awaitReady();
        }
        peers = ReferenceNetwork.builder().directory(dir).chaincode("basic", new AssetTransferChaincode())
                .nodes(peerNames.toArray(String[]::new)).start();
        // Every orderer, as the profile names them (none runs in this JVM). A transaction the killed
        // leader had accepted but not yet replicated is lost with it: its client hears so at the
        // commit timeout.
        Gateway.Builder builder = Networks.gateway(peers).commitTimeout(Duration.ofSeconds(10));
        ConnectionProfile profile = ConnectionProfile.parse(peers.connectionProfile("Org1MSP"), "connection-org1",
                dir);
        for (ConnectionProfile.Node orderer : profile.orderers().values()) {
            builder.addOrderer(orderer.name(), orderer.endpoint());
        }
        assertEquals(Set.copyOf(ordererNames), profile.orderers().keySet());
        gateway = builder.build();
        contract = gateway.network(CHANNEL).contract("basic");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (blockStream != null) {
                blockStream.close();
            }
            if (gateway != null) {
                gateway.close();
            }
            if (peers != null) {
                peers.close();
            }
        } finally {
            for (Child child : children) {
                child.kill();
            }
        }
    }

    @Test
    void leaderSigkilledWith200InFlight_acknowledgedOnceEverywhere_failedAbsent_commitsResumeWithin5s()
            throws Exception {
        // One commit first: the cluster has a leader and the peers pull from it.
        TxResult first = create("before-kill").get(60, SECONDS);
        assertEquals(TxValidationCode.VALID, first.validationCode());
        Child leader = leader();
        BlockingQueue<long[]> arrivals = recordArrivals(first.blockNumber() + 1);
        // Submitted until enough are in flight: on a busy machine the first ones commit meanwhile.
        List<String> keys = new ArrayList<>();
        List<CompletableFuture<TxResult>> futures = new ArrayList<>();
        AtomicInteger pending = new AtomicInteger();
        while (pending.get() < IN_FLIGHT + 20 && futures.size() < MAX_SUBMITS) {
            String key = "kill-" + futures.size();
            keys.add(key);
            pending.incrementAndGet();
            futures.add(create(key).whenComplete((result, error) -> pending.decrementAndGet()));
        }

        long inFlight = pending.get();
        long killedAt = System.nanoTime();
        leader.process.destroyForcibly(); // SIGKILL on Linux
        // Submitted after the kill, whatever happens to the transactions in flight.
        CompletableFuture<TxResult> probe = contract.newTransaction("CreateAsset")
                .arguments("after-kill", "red", "1", "Ann", "1").submitTimeout(Duration.ofSeconds(30)).submitAsync();
        CompletableFuture<Long> probeAt = probe.thenApply(result -> System.nanoTime());
        // A leader is ready once it has written every block of the earlier terms: the blocks from
        // its height then on were ordered under it, after the kill.
        long[] ready = newLeaderHeight(leader);
        long resumedAt = awaitArrival(arrivals, ready[1]);
        assertTrue(leader.process.waitFor(30, SECONDS), "the leader's process did not die");

        // Each outcome as the client reported it: committed; failed; or in doubt (a timeout: Weft
        // says such a transaction may still have been ordered, or may commit later).
        Map<String, String> acknowledged = new HashMap<>();
        List<String> failed = new ArrayList<>();
        Map<String, String> inDoubt = new HashMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (int i = 0; i < futures.size(); i++) {
            try {
                acknowledged.put(futures.get(i).get(60, SECONDS).transactionId(), keys.get(i));
            } catch (ExecutionException e) {
                Throwable why = WeftException.unwrap(e);
                assertTrue(why instanceof TransactionException, e.toString());
                TransactionException failure = (TransactionException) why;
                if (failure instanceof TransactionTimeoutException) {
                    inDoubt.put(failure.transactionId(), keys.get(i));
                } else {
                    failed.add(keys.get(i));
                }
                reasons.merge(failure.getClass().getSimpleName() + " at " + failure.stage(), 1, Integer::sum);
            }
        }
        long probeMillis;
        try {
            probeMillis = (probeAt.get(60, SECONDS) - killedAt) / 1_000_000;
        } catch (ExecutionException e) {
            throw new AssertionError("the transaction submitted after the kill did not commit", e.getCause());
        }
        long resumeMillis = (resumedAt - killedAt) / 1_000_000;
        System.out.printf("raft leader SIGKILL with %d of %d in flight: %d acknowledged, %d failed, %d in doubt %s; "
                + "a new leader ready after %d ms at height %d, a submit issued after the kill committed after %d "
                + "ms; commits resumed %d ms after the kill%n", inFlight, futures.size(), acknowledged.size(),
                failed.size(), inDoubt.size(), reasons, (ready[0] - killedAt) / 1_000_000, ready[1], probeMillis,
                resumeMillis);
        assertTrue(inFlight >= IN_FLIGHT, inFlight + " transactions were in flight at the kill");
        assertTrue(resumeMillis < RESUME_BOUND.toMillis(), "commits resumed " + resumeMillis + " ms after the kill "
                + "(the first block a new leader ordered reached a peer then)");
        acknowledged.put(probe.join().transactionId(), "after-kill");

        TxResult last = create("last").get(60, SECONDS);
        long height = last.blockNumber() + 1;
        for (ReferenceNetwork.Peer peer : peers.peers()) {
            Map<String, Integer> validCount = Networks.validCounts(peers, peer, CHANNEL, height);
            for (String txId : acknowledged.keySet()) {
                assertEquals(1, validCount.getOrDefault(txId, 0), peer.name() + ": acknowledged " + txId);
            }
            for (String txId : inDoubt.keySet()) {
                assertTrue(validCount.getOrDefault(txId, 0) <= 1, peer.name() + ": in doubt " + txId
                        + " is VALID more than once");
            }
            System.out.printf("raft leader SIGKILL: %s has %d of the %d in doubt committed%n", peer.name(),
                    inDoubt.keySet().stream().filter(validCount::containsKey).count(), inDoubt.size());
        }
        for (String key : failed) {
            assertEquals("false", new String(contract.evaluate("AssetExists", key), StandardCharsets.UTF_8),
                    "a transaction reported failed must not have committed: " + key);
        }

        // The killed orderer, started again from the directory, catches up with the others.
        Child restarted = Child.start(dir, leader.node);
        children.add(restarted);
        restarted.awaitReady();
        long caughtUp = awaitHeights(height);
        System.out.printf("raft leader SIGKILL: %s restarted, at height %d with the others%n", leader.node, caughtUp);
    }

    private CompletableFuture<TxResult> create(String key) {
        return contract.newTransaction("CreateAsset").arguments(key, "blue", "5", "Tom", "1").submitAsync();
    }

    /** The child whose orderer leads the channel, once exactly one living child says it does. */
    private Child leader() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<Child> leaders = new ArrayList<>();
            for (Child child : children) {
                if (child.process.isAlive() && child.ask("leader " + CHANNEL, "LEADER ").equals("true")) {
                    leaders.add(child);
                }
            }
            if (leaders.size() == 1) {
                return leaders.get(0);
            }
            LockSupport.parkNanos(50_000_000L); // an election is under way
        }
        throw new AssertionError("no single Raft leader within 30 s");
    }

    /**
     * When a surviving orderer first said it leads, and its height then: {@code {nanoTime, height}}.
     * Asked right after the kill, every 20 ms.
     */
    private long[] newLeaderHeight(Child killed) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Child child : children) {
                if (child != killed && child.ask("leader " + CHANNEL, "LEADER ").equals("true")) {
                    long at = System.nanoTime();
                    return new long[] {at, Long.parseLong(child.ask("height " + CHANNEL, "HEIGHT "))};
                }
            }
            LockSupport.parkNanos(20_000_000L); // the election is under way
        }
        throw new AssertionError("no surviving orderer led the channel within 30 s of the kill");
    }

    /**
     * Records when each block from {@code from} on reaches the client from a peer ({@code {number,
     * nanoTime}}), on a thread of its own, until the test ends.
     */
    private BlockingQueue<long[]> recordArrivals(long from) {
        BlockingQueue<long[]> arrivals = new LinkedBlockingQueue<>();
        CloseableIterator<Block> blocks = gateway.network(CHANNEL).events().startBlock(from).blocks();
        blockStream = blocks;
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    long number = blocks.next().getHeader().getNumber();
                    arrivals.add(new long[] {number, System.nanoTime()});
                }
            } catch (RuntimeException closed) {
                // the test closed the stream
            }
        }, "block-arrivals");
        reader.setDaemon(true);
        reader.start();
        return arrivals;
    }

    /** When the first block numbered {@code number} or more arrived. */
    private static long awaitArrival(BlockingQueue<long[]> arrivals, long number) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long[] next = arrivals.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("no block " + number + " or later reached a peer within 30 s");
            }
            if (next[0] >= number) {
                return next[1];
            }
        }
    }

    /** Waits until every living orderer has written {@code height} blocks or more, all the same; returns it. */
    private long awaitHeights(long height) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Long> heights = List.of();
        while (System.nanoTime() < deadline) {
            heights = new ArrayList<>();
            for (Child child : children) {
                if (child.process.isAlive()) {
                    heights.add(Long.parseLong(child.ask("height " + CHANNEL, "HEIGHT ")));
                }
            }
            if (heights.get(0) >= height && heights.stream().distinct().count() == 1) {
                return heights.get(0);
            }
            LockSupport.parkNanos(100_000_000L); // the restarted orderer is replaying its log
        }
        throw new AssertionError("the orderers' heights are " + heights + " after 30 s, expected " + height
                + " or more, the same on each");
    }

    /** A child JVM running some nodes, its answers read on a thread of their own into a queue. */
    private static final class Child {
        private static final String EOF = "\u0000end of output";
        final String node;
        final Process process;
        private final PrintWriter commands;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Child(String node, Process process) {
            this.node = node;
            this.process = process;
            this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                    true);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process died; the end is reported below
                } finally {
                    lines.add(EOF);
                }
            }, "child-" + node);
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Path dir, String node) throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.dev.weft=info",
                    "-Dorg.slf4j.simpleLogger.showDateTime=true",
                    "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                    "-cp", System.getProperty("java.class.path"), ChildNodes.class.getName(), dir.toString(), node)
                    .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".err").toFile())).start();
            return new Child(node, process);
        }

        void awaitReady() throws InterruptedException {
            String line = next(Duration.ofSeconds(60));
            assertEquals("READY", line, node + " did not start; see its log " + node + ".err in the test directory");
        }

        /** Sends a command and returns its answer without {@code prefix}. */
        String ask(String command, String prefix) throws InterruptedException {
            commands.println(command);
            String answer = next(Duration.ofSeconds(10));
            if (answer == null || !answer.startsWith(prefix)) {
                throw new AssertionError(node + " answered '" + command + "' with " + answer);
            }
            return answer.substring(prefix.length());
        }

        /** The next line the child printed, or null if it printed none in time or its output ended. */
        private String next(Duration timeout) throws InterruptedException {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (EOF.equals(line)) {
                lines.add(EOF);
                return null;
            }
            return line;
        }

        void kill() throws InterruptedException {
            commands.close();
            process.destroyForcibly();
            process.waitFor(30, SECONDS);
        }
    }
}
