package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft network start} in a child JVM, as a user runs it, then submit, evaluate and listen
 * against it through the files it wrote.
 */
class NetworkRoundTripTest {
    @TempDir
    static Path dir;
    private static Process network;
    private static final List<String> networkOutput = new ArrayList<>();
    private static Path profile;
    private static Path userMsp;

    @BeforeAll
    static void startNetwork() throws Exception {
        WeftProcess started = WeftProcess.networkStart(dir.resolve("network-stderr.log"),
                List.of("--dir", dir.resolve("net").toString(), "--batch-timeout", "50ms"));
        network = started.process();
        networkOutput.addAll(started.lines());
        Path org1 = dir.resolve("net/organizations/peerOrganizations/org1.example.com");
        profile = org1.resolve("connection-org1.yaml");
        userMsp = org1.resolve("users/User1@org1.example.com/msp");
    }

    @AfterAll
    static void stopNetwork() throws Exception {
        if (network != null) {
            network.destroy(); // SIGTERM: what Ctrl-C does, through the shutdown hook
            assertTrue(network.waitFor(30, TimeUnit.SECONDS), "the network process did not stop on SIGTERM");
        }
    }

    private static String[] with(String command, String... rest) {
        List<String> args = new ArrayList<>(List.of(command, "--profile", profile.toString(),
                "--msp-dir", userMsp.toString()));
        args.addAll(List.of(rest));
        return args.toArray(String[]::new);
    }

    @Test
    void networkStart_printsEndpointsProfilesAndACommandToTry() {
        String printed;
        synchronized (networkOutput) {
            printed = String.join("\n", networkOutput);
        }
        assertTrue(printed.contains("orderer   orderer.example.com"), printed);
        assertTrue(printed.contains("peer0.org1.example.com"), printed);
        assertTrue(printed.contains(profile.toString()), printed);
        assertTrue(printed.contains("submit --profile " + profile), printed);
    }

    @Test
    void submitEvaluateListen_againstTheStartedNetwork_roundTrip() {
        Cli created = Cli.run(with("submit", "--chaincode", "events", "CreateAsset", "cli-1", "blue", "5", "Tom", "100"));
        assertEquals(0, created.exitCode(), created.toString());
        assertTrue(created.out().contains("\"Owner\" : \"Tom\""), created.toString());
        assertTrue(created.out().contains("status VALID"), created.toString());

        Cli transferred = Cli.run(with("submit", "--chaincode", "events", "--json", "--transient", "note=gift",
                "TransferAsset", "cli-1", "Ann"));
        assertEquals(0, transferred.exitCode(), transferred.toString());
        assertTrue(transferred.out().contains("\"status\":\"VALID\""), transferred.toString());
        assertTrue(transferred.out().contains("\"result\":\"Tom\""), transferred.toString());

        Cli read = Cli.run(with("evaluate", "--chaincode", "events", "ReadAsset", "cli-1"));
        assertEquals(0, read.exitCode(), read.toString());
        assertTrue(read.out().contains("\"Owner\" : \"Ann\""), read.toString());

        Cli events = Cli.run(with("listen", "--chaincode", "events", "--from", "0", "--count", "2"));
        assertEquals(0, events.exitCode(), events.toString());
        List<String> lines = events.out().lines().toList();
        assertEquals(2, lines.size(), events.toString());
        assertTrue(lines.get(0).contains("CreateAsset") && lines.get(0).contains("\"Owner\":\"Tom\""), lines.get(0));
        assertTrue(lines.get(1).contains("TransferAsset") && lines.get(1).contains("\"Owner\":\"Ann\""), lines.get(1));

        Cli genesis = Cli.run(with("listen", "--from", "0", "--count", "1"));
        assertEquals(0, genesis.exitCode(), genesis.toString());
        assertTrue(genesis.out().startsWith("block 0") && genesis.out().contains("config"), genesis.toString());

        String createdBlock = created.out().lines().filter(l -> l.startsWith("block")).findFirst().orElseThrow()
                .substring("block".length()).trim();
        Cli block = Cli.run(with("listen", "--from", createdBlock, "--count", "1"));
        assertEquals(0, block.exitCode(), block.toString());
        assertTrue(block.out().contains("VALID events.CreateAsset"), block.toString());

        Cli filtered = Cli.run(with("listen", "--filtered", "--from", createdBlock, "--count", "1"));
        assertEquals(0, filtered.exitCode(), filtered.toString());
        assertTrue(filtered.out().startsWith("block " + createdBlock), filtered.toString());
        assertTrue(filtered.out().contains("VALID"), filtered.toString());
    }

    @Test
    void submit_ownPeersProfileWithDiscoveryOrAuto_commitsUnderTheTwoOrganisationDefaultPolicy() {
        // Only Org1's peer and no orderer in the profile: discovery finds Org2's peer, the config the orderer.
        Path ownPeers = profile.resolveSibling("connection-org1-own-peers.yaml");
        String[] args = {"submit", "--profile", ownPeers.toString(), "--msp-dir", userMsp.toString(), "--selection",
            "discovery", "--json", "--chaincode", "basic", "CreateAsset", "cli-disc", "red", "1", "Ann", "1"};
        Cli created = Cli.run(args);
        assertEquals(0, created.exitCode(), created.toString());
        assertTrue(created.out().contains("\"status\":\"VALID\""), created.toString());

        args[6] = "auto"; // the reference channel is at V2_5 and its peers serve discovery
        args[11] = "cli-auto";
        Cli auto = Cli.run(args);
        assertEquals(0, auto.exitCode(), auto.toString());
        assertTrue(auto.out().contains("\"status\":\"VALID\""), auto.toString());

        args[6] = "policy";
        args[11] = "cli-policy";
        Cli withoutDiscovery = Cli.run(args);
        assertEquals(1, withoutDiscovery.exitCode(), withoutDiscovery.toString());
        assertTrue(withoutDiscovery.err().contains("cannot satisfy the endorsement policy"), withoutDiscovery.toString());
    }

    @Test
    void submit_ownPeersProfileThroughThePeerGateway_commitsUnderTheTwoOrganisationDefaultPolicy() {
        // The peer's Gateway service plans Org2's endorsement and orders: no selection, no orderer needed.
        Path ownPeers = profile.resolveSibling("connection-org1-own-peers.yaml");
        Cli created = Cli.run("submit", "--profile", ownPeers.toString(), "--msp-dir", userMsp.toString(),
                "--transport", "gateway", "--json", "--chaincode", "basic", "CreateAsset", "cli-pgw", "red", "1", "Ann", "1");
        assertEquals(0, created.exitCode(), created.toString());
        assertTrue(created.out().contains("\"status\":\"VALID\""), created.toString());

        Cli read = Cli.run("evaluate", "--profile", ownPeers.toString(), "--msp-dir", userMsp.toString(),
                "--transport", "hybrid", "--chaincode", "basic", "ReadAsset", "cli-pgw");
        assertEquals(0, read.exitCode(), read.toString());
        assertTrue(read.out().contains("cli-pgw"), read.toString());
    }

    @Test
    void transport_unknown_isAUsageError() {
        Cli result = Cli.run(with("evaluate", "--transport", "carrier-pigeon", "--chaincode", "basic", "GetAllAssets"));
        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.err().contains("--transport carrier-pigeon: expected direct, gateway or hybrid"),
                result.toString());
    }

    @Test
    void selection_unknown_isAUsageError() {
        Cli result = Cli.run(with("evaluate", "--selection", "random", "--chaincode", "basic", "GetAllAssets"));
        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.err().contains("--selection random: expected policy, static, discovery or auto"), result.toString());
    }

    @Test
    void evaluate_jsonWithAScalarResult_keepsItAJsonValue() {
        Cli created = Cli.run(with("submit", "--chaincode", "basic", "CreateAsset", "cli-json", "red", "1", "Ann", "1"));
        assertEquals(0, created.exitCode(), created.toString());

        Cli exists = Cli.run(with("evaluate", "--chaincode", "basic", "--json", "AssetExists", "cli-json"));

        assertEquals(0, exists.exitCode(), exists.toString());
        assertTrue(exists.out().contains("\"result\":true"), exists.toString());
    }

    @Test
    void listen_readerGoesAway_stopsInsteadOfRunningForever() {
        // Like `weft listen | head -n 1`: the first line is read, then the pipe is closed.
        java.io.OutputStream closedAfterFirstLine = new java.io.OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws java.io.IOException {
                if (closed) {
                    throw new java.io.IOException("Broken pipe");
                }
                if (b == '\n') {
                    closed = true;
                }
            }
        };
        java.io.PrintStream out = new java.io.PrintStream(closedAfterFirstLine, true, StandardCharsets.UTF_8);
        java.io.PrintStream err = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());

        int code = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> Weft.run(with("listen", "--from", "0"), out, err));

        assertEquals(0, code);
    }

    @Test
    void evaluate_chaincodeError_exitOneWithTheChaincodesMessageOnOneLine() {
        Cli result = Cli.run(with("evaluate", "--chaincode", "basic", "ReadAsset", "no-such-asset"));

        assertEquals(1, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().startsWith("weft: EndorseException"), result.toString());
        assertTrue(result.err().contains("The asset no-such-asset does not exist"), result.toString());
    }
}
