package dev.weft.samples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ChaincodeResponse;
import dev.weft.testnet.ReferenceNetwork;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CLI against a running reference network when the input is wrong or the network misbehaves:
 * arguments that are not what they claim, streams that break, peers that stop, endorsers that
 * fail, a plaintext client on a TLS port, a host that does not resolve. Each case asserts the exit
 * code, the words a user needs, and that nothing was committed when the command was refused.
 */
class CliFaultsTest {
    @TempDir
    static Path dir;
    private static ReferenceNetwork network;
    private static Path profile;
    private static Path userMsp;

    @BeforeAll
    static void startNetwork() {
        network = ReferenceNetwork.builder()
                .chaincode("basic", new AssetTransferChaincode())
                // Echo: its argument and transient entry "t" as hex, to see the bytes the CLI sent.
                .chaincode("echo", stub -> ChaincodeResponse.success(HexFormat.of().formatHex(stub.arguments().get(1))
                        + "|" + HexFormat.of().formatHex(stub.transientData().getOrDefault("t", new byte[0]))))
                .batchTimeout(Duration.ofMillis(50))
                .start();
        profile = network.writeTo(dir.resolve("net")).get("Org1MSP");
        userMsp = dir.resolve("net/organizations/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp");
    }

    @AfterAll
    static void stopNetwork() {
        if (network != null) {
            network.close();
        }
    }

    private static String[] with(String command, String... rest) {
        List<String> args = new ArrayList<>(List.of(command, "--profile", profile.toString(),
                "--msp-dir", userMsp.toString()));
        args.addAll(List.of(rest));
        return args.toArray(String[]::new);
    }

    private static long height() {
        return network.orderer().height(network.channel());
    }

    static List<Arguments> refusedArguments() {
        return List.of(
                Arguments.of(new String[] {"--transient", "note", "CreateAsset", "t1", "blue", "5", "Tom", "1"},
                        "--transient note: expected KEY=VALUE"),
                Arguments.of(new String[] {"--transient", "=gift", "CreateAsset", "t2", "blue", "5", "Tom", "1"},
                        "with a non-empty KEY"),
                Arguments.of(new String[] {"--transient", "k=1", "--transient", "k=2", "CreateAsset", "t3", "blue",
                    "5", "Tom", "1"}, "transient key 'k' is given twice"),
                Arguments.of(new String[] {"CreateAsset", "caf\uFFFD", "blue", "5", "Tom", "1"},
                        "ARG 1 is not valid UTF-8 text"),
                Arguments.of(new String[] {"--transient", "note=\uFFFD", "CreateAsset", "t4", "blue", "5", "Tom", "1"},
                        "--transient note is not valid UTF-8 text"),
                Arguments.of(new String[] {"--args-encoding", "hex", "CreateAsset", "zz"}, "ARG 1 is not hex"),
                Arguments.of(new String[] {"--args-encoding", "base64", "CreateAsset", "!!!"}, "ARG 1 is not base64"),
                Arguments.of(new String[] {"--args-encoding", "rot13", "CreateAsset", "x"},
                        "expected one of [utf8, hex, base64]"),
                Arguments.of(new String[] {"--transient-file", "t=" + dir.resolve("no-such-file"), "CreateAsset", "t5",
                    "blue", "5", "Tom", "1"}, "does not exist"));
    }

    @ParameterizedTest
    @MethodSource("refusedArguments")
    void submit_badArgument_exitTwoSayingWhichAndHowToGiveItAndNothingIsCommitted(String[] rest, String expected) {
        long before = height();
        List<String> args = new ArrayList<>(List.of("--chaincode", "basic"));
        args.addAll(List.of(rest));

        Cli result = Cli.run(with("submit", args.toArray(String[]::new)));

        assertEquals(Weft.USAGE, result.exitCode(), result.toString());
        assertTrue(result.err().startsWith("weft: ") && result.err().contains(expected), result.toString());
        assertTrue(result.err().lines().count() <= 2, result.toString());
        assertEquals(before, height(), "a refused command committed something");
    }

    @Test
    void evaluate_binaryArgumentsAsHexAndTransientFromAFile_reachTheChaincodeByteForByte() throws Exception {
        Path file = Files.write(dir.resolve("transient.bin"), new byte[] {1, (byte) 0xfe, 0});

        Cli hex = Cli.run(with("evaluate", "--chaincode", "echo", "--args-encoding", "hex",
                "--transient-file", "t=" + file, "Echo", "00ff10"));
        Cli base64 = Cli.run(with("evaluate", "--chaincode", "echo", "--args-encoding", "base64", "Echo", "AP8Q"));

        assertEquals(0, hex.exitCode(), hex.toString());
        assertEquals("00ff10|01fe00", hex.out().strip(), hex.toString());
        assertEquals(0, base64.exitCode(), base64.toString());
        assertEquals("00ff10|", base64.out().strip(), base64.toString());
    }

    @Test
    void listen_fromPastTheHeight_exitOneSayingTheHeightAndSuggestingWait() {
        long height = network.peer("Org1MSP").height(network.channel());

        Cli result = Cli.run(with("listen", "--from", String.valueOf(height + 5), "--count", "1"));

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().contains("has " + height + " blocks"), result.toString());
        assertTrue(result.err().contains("--wait"), result.toString());
    }

    @Test
    void listen_fromPastTheHeightWithWait_printsThatBlockOnceItCommits() throws Exception {
        long height = network.peer("Org1MSP").height(network.channel());
        Background listen = Background.run(with("listen", "--from", String.valueOf(height + 1), "--wait", "--count", "1"));

        submit("wait-1");
        submit("wait-2");

        Cli result = listen.await();
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.out().startsWith("block " + (height + 1) + " "), result.toString());
        assertEquals(1, result.out().lines().count(), result.toString());
    }

    @Test
    void listen_acrossBrokenStreamsAndAStoppedPeer_printsEveryBlockOnceAndSaysWhenItReconnects() throws Exception {
        long start = network.peer("Org1MSP").height(network.channel());
        Background listen = Background.run(with("listen", "--from", String.valueOf(start), "--count", "4"));
        submit("resume-1");
        listen.awaitOut("block " + start + " ");

        network.peers().forEach(ReferenceNetwork.Peer::breakDeliverStreams);
        submit("resume-2");
        listen.awaitOut("block " + (start + 1) + " ");

        // The client's organisation's peer goes away: the stream moves to the other one.
        ReferenceNetwork.Peer org1 = network.peer("Org1MSP");
        org1.stop();
        listen.awaitErr("reconnecting", 2);
        org1.start();
        submit("resume-3");
        submit("resume-4");

        Cli result = listen.await();
        assertEquals(0, result.exitCode(), result.toString());
        List<Long> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^block (\\d+) ").matcher(result.out());
        while (m.find()) {
            blocks.add(Long.parseLong(m.group(1)));
        }
        assertEquals(List.of(start, start + 1, start + 2, start + 3), blocks, result.toString());
        assertTrue(result.err().contains("the event stream broke after block " + start + " "), result.toString());
        assertTrue(result.err().contains("the event stream broke after block " + (start + 1) + " "), result.toString());
    }

    @Test
    void bench_unknownChaincode_exitOneWithTheReasonOnStderr() {
        long before = height();

        Cli result = Cli.run(with("bench", "--chaincode", "nosuch", "--count", "6", "--concurrency", "2", "--json"));

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        assertTrue(result.err().contains("6 of 6 transactions failed (none committed)"), result.toString());
        assertTrue(result.err().contains("nosuch"), "the reason names the chaincode:\n" + result);
        assertTrue(result.out().contains("\"failureReasons\":[{\"kind\":\"EndorseException at ENDORSE\""),
                result.toString());
        assertEquals(before, height());
    }

    @Test
    void bench_someEndorsementsFail_exitOneUnlessFailuresAreAllowed() {
        AtomicInteger responses = new AtomicInteger();
        ReferenceNetwork.Peer org2 = network.peer("Org2MSP");
        // Every third proposal response of Org2's peer is a chaincode error.
        org2.interceptResponses(r -> responses.incrementAndGet() % 3 != 0 ? r : ProposalResponse.newBuilder(r)
                .setResponse(Response.newBuilder().setStatus(500).setMessage("injected endorsement failure")).build());
        try {
            Cli strict = Cli.run(with("bench", "--count", "9", "--concurrency", "1"));
            Cli allowed = Cli.run(with("bench", "--count", "9", "--concurrency", "1", "--allow-failures"));

            assertEquals(Weft.FAILURE, strict.exitCode(), strict.toString());
            assertTrue(strict.err().contains("3 of 9 transactions failed; the reason:"), strict.toString());
            assertTrue(strict.err().contains("injected endorsement failure"), strict.toString());
            assertTrue(strict.out().contains("committed     6 tx"), strict.toString());
            assertEquals(0, allowed.exitCode(), allowed.toString());
            assertTrue(allowed.err().contains("3 of 9 transactions failed"), allowed.toString());
        } finally {
            org2.interceptResponses(null);
        }
    }

    @Test
    void evaluate_plaintextAgainstATlsPort_exitOneSayingToUseGrpcs() throws Exception {
        Path plain = Files.writeString(dir.resolve("plaintext.yaml"),
                Files.readString(profile).replace("grpcs://", "grpc://"));

        Cli result = Cli.run("evaluate", "--profile", plain.toString(), "--msp-dir", userMsp.toString(),
                "--chaincode", "basic", "--timeout", "10s", "ReadAsset", "a1");

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().contains("grpcs://"), result.toString());
    }

    @Test
    void evaluate_hostDoesNotResolve_exactlyOneLineOnStderrNamingTheHost() throws Exception {
        Path unresolvable = Files.writeString(dir.resolve("unresolvable.yaml"),
                Files.readString(profile).replace("127.0.0.1", "peer.weft-test.invalid"));
        String classpath = Files.readString(Path.of(System.getProperty("weft.cli.classpath"))).trim()
                + File.pathSeparator + System.getProperty("weft.cli.classes");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A real process: gRPC's own java.util.logging output goes to the process's stderr.
        Process process = new ProcessBuilder(java, "-cp", classpath, "dev.weft.samples.Weft", "evaluate",
                "--profile", unresolvable.toString(), "--msp-dir", userMsp.toString(), "--chaincode", "basic",
                "--timeout", "10s", "ReadAsset", "a1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "weft evaluate did not end");
        } finally {
            process.destroyForcibly();
        }
        String err = new String(stderr.get(10, TimeUnit.SECONDS), UTF_8);

        assertEquals(Weft.FAILURE, process.exitValue(), err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("peer.weft-test.invalid"), err);
    }

    private static void submit(String key) {
        Cli result = Cli.run(with("submit", "--chaincode", "basic", "CreateAsset", key, "blue", "5", "Tom", "1"));
        if (result.exitCode() != 0) {
            throw new AssertionError("submit " + key + " failed: " + result);
        }
    }

    /** A CLI command running on its own thread, with its output readable while it runs. */
    private record Background(Output out, Output err, CompletableFuture<Integer> code) {
        static Background run(String... args) {
            Output out = new Output();
            Output err = new Output();
            CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> Weft.run(args,
                    new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8)));
            // Wake anyone waiting for text once the command has ended.
            code.whenComplete((c, e) -> {
                out.wake();
                err.wake();
            });
            return new Background(out, err, code);
        }

        void awaitOut(String text) throws InterruptedException {
            out.await(text, 1, code);
        }

        void awaitErr(String text, int times) throws InterruptedException {
            err.await(text, times, code);
        }

        Cli await() throws Exception {
            int exit = code.get(60, TimeUnit.SECONDS);
            return new Cli(exit, out.text(), err.text());
        }
    }

    /** Captured output that a test can wait on: each write wakes the waiters. */
    private static final class Output extends ByteArrayOutputStream {
        @Override
        public synchronized void write(int b) {
            super.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            notifyAll();
        }

        synchronized void wake() {
            notifyAll();
        }

        synchronized String text() {
            return toString(UTF_8);
        }

        /** Waits until {@code part} has been written {@code times} times, failing if the command ends first. */
        synchronized void await(String part, int times, CompletableFuture<Integer> command) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (occurrences(text(), part) < times) {
                long left = deadline - System.nanoTime();
                if (command.isDone() || left <= 0) {
                    throw new AssertionError("waited for '" + part + "' x" + times + "; the command "
                            + (command.isDone() ? "ended with " + command.join() : "is still running")
                            + " and wrote:\n" + text());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        private static int occurrences(String text, String part) {
            int n = 0;
            for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
                n++;
            }
            return n;
        }
    }
}
