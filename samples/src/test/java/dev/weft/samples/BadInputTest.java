package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testnet.ReferenceNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets one line on stderr that says what was wrong, exit code 2 for usage errors and 1
 * for failures, for every command.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    /** The files of a network that is no longer running: its peers refuse connections. */
    private static Path profile;
    private static Path userMsp;
    private static Path certificate;

    @BeforeAll
    static void writeFilesOfAStoppedNetwork() {
        try (ReferenceNetwork network = ReferenceNetwork.builder().start()) {
            profile = network.writeTo(dir.resolve("net")).get("Org1MSP");
        }
        Path org1 = dir.resolve("net/organizations/peerOrganizations/org1.example.com");
        userMsp = org1.resolve("users/User1@org1.example.com/msp");
        certificate = userMsp.resolve("signcerts/User1@org1.example.com-cert.pem");
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(new String[] {}, "a command is required"),
                Arguments.of(new String[] {"frobnicate"}, "Unmatched argument"),
                Arguments.of(new String[] {"demo", "--fast"}, "Unknown option: '--fast'"),
                Arguments.of(new String[] {"network"}, "a subcommand is required: start"),
                Arguments.of(new String[] {"network", "start", "--orgs", "0"}, "--orgs must be between 1 and 20"),
                Arguments.of(new String[] {"network", "start", "--batch-timeout", "soon"}, "'soon' is not a duration"),
                Arguments.of(new String[] {"submit", "--chaincode", "basic"}, "Missing required parameter: 'FUNCTION'"),
                Arguments.of(new String[] {"submit", "CreateAsset"}, "Missing required option: '--chaincode=NAME'"),
                Arguments.of(new String[] {"submit", "--chaincode", "basic", "--timeout", "-1s", "F"}, "is negative"),
                Arguments.of(new String[] {"evaluate", "--chaincode", "basic", "F"}, "--profile is required"),
                Arguments.of(new String[] {"evaluate", "--profile", "no-such-profile.yaml", "--msp-dir", "x",
                    "--chaincode", "basic", "F"}, "--profile: no-such-profile.yaml does not exist"),
                Arguments.of(new String[] {"listen", "--profile", "p", "--from", "-1"}, "--from must not be negative"),
                Arguments.of(new String[] {"listen", "--profile", "p", "--filtered", "--chaincode", "basic"},
                        "--filtered and --chaincode do not go together"),
                Arguments.of(new String[] {"bench"}, "give either --embedded or --profile"),
                Arguments.of(new String[] {"bench", "--embedded", "--rate", "0"}, "--rate must be positive"),
                Arguments.of(new String[] {"bench", "--embedded", "--concurrency", "0"}, "--concurrency must be at least 1"),
                Arguments.of(new String[] {"bench", "--embedded", "--rate", "10", "--concurrency", "5"},
                        "--concurrency (closed loop) and --rate (open loop) do not go together"),
                Arguments.of(new String[] {"bench", "--embedded", "--count", "5", "--duration", "1s"},
                        "give --duration or --count, not both"),
                Arguments.of(new String[] {"bench", "--embedded", "--count", "5", "--drain-timeout", "1s"},
                        "--drain-timeout applies only with --duration"),
                Arguments.of(new String[] {"bench", "--profile", "p", "--batch-timeout", "1s"},
                        "--batch-timeout applies only with --embedded"),
                Arguments.of(new String[] {"bench", "--embedded", "--count", "0"}, "--count must be at least 1"),
                Arguments.of(new String[] {"listen", "--profile", "p", "--wait"}, "--wait applies only with --from"),
                Arguments.of(new String[] {"listen", "--profile", "p", "--count", "0"}, "--count must be at least 1"),
                Arguments.of(new String[] {"network", "start", "--peers-per-org", "11"},
                        "--peers-per-org must be between 1 and 10"),
                Arguments.of(new String[] {"network", "start", "--batch-size", "0"}, "--batch-size must be at least 1"),
                Arguments.of(new String[] {"network", "start", "--orderers", "0"}, "--orderers must be between 1 and 9"),
                Arguments.of(new String[] {"network", "start", "--consensus", "paxos"},
                        "--consensus must be solo or raft, got 'paxos'"),
                Arguments.of(new String[] {"network", "start", "--consensus", "solo", "--orderers", "3"},
                        "--consensus solo runs one orderer"),
                Arguments.of(new String[] {"bench", "--profile", "p", "--orderers", "3"},
                        "--orderers applies only with --embedded"),
                Arguments.of(new String[] {"network", "start", "--base-port", "65530"},
                        "--base-port must be between 0 and 65000"),
                Arguments.of(new String[] {"network", "start", "--dir", "target/no-network-here", "--nodes",
                    "orderer.example.com"}, "target/no-network-here holds none (no weft-network.yaml)"),
                Arguments.of(new String[] {"network", "start", "--nodes", "orderer.example.com", "--fresh"},
                        "--fresh would remove it"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void command_usageError_exitTwoWithOneLineSayingWhatIsWrong(String[] args, String expected) {
        Cli result = Cli.run(args);

        assertEquals(Weft.USAGE, result.exitCode(), result.toString());
        assertTrue(result.err().startsWith("weft: "), result.toString());
        assertTrue(result.err().contains(expected), result.toString());
        assertTrue(result.err().lines().count() <= 2, "an error and at most a hint:\n" + result);
    }

    @Test
    void submit_identityMissing_exitTwoNamingTheOptions() {
        Cli result = Cli.run("submit", "--profile", profile.toString(), "--chaincode", "basic", "F");

        assertEquals(Weft.USAGE, result.exitCode(), result.toString());
        assertTrue(result.err().contains("give --cert and --key, or --msp-dir"), result.toString());
    }

    @Test
    void submit_keyFileIsACertificate_exitOneSayingTheFileHoldsNoKey() {
        Cli result = Cli.run("submit", "--profile", profile.toString(), "--cert", certificate.toString(),
                "--key", certificate.toString(), "--chaincode", "basic", "F");

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().contains(certificate.toString()), result.toString());
        assertTrue(result.err().toLowerCase().contains("key"), result.toString());
    }

    @Test
    void evaluate_peersUnreachable_exitOneNamingThePeerAndTheConnectionFailure() {
        Cli result = Cli.run("evaluate", "--profile", profile.toString(), "--msp-dir", userMsp.toString(),
                "--chaincode", "basic", "--timeout", "5s", "ReadAsset", "a1");

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().contains("no peer could evaluate"), result.toString());
        assertTrue(result.err().contains("cannot connect to 127.0.0.1:"), result.toString());
    }

    @Test
    void listen_mspDirectoryWithoutSigncerts_exitTwoExplainingTheLayout() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty-msp"));

        Cli result = Cli.run("listen", "--profile", profile.toString(), "--msp-dir", empty.toString());

        assertEquals(Weft.USAGE, result.exitCode(), result.toString());
        assertTrue(result.err().contains("signcerts/ and keystore/"), result.toString());
    }

    /** Options that need the files of a network: the profile, the identity, TLS files, other options. */
    static Stream<Arguments> badFiles() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.yaml"), "peers: [unclosed\n  - {");
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xe9, '\n'});
        Path noPeers = Files.writeString(dir.resolve("no-peers.yaml"), Files.readString(profile)
                .replaceAll("(?s)\npeers:.*?(?=\n[a-z])", "\npeers: {}"));
        Path org2 = dir.resolve("net/organizations/peerOrganizations/org2.example.com/users/User1@org2.example.com/msp");
        Path org2Key = org2.resolve("keystore/priv_sk");
        Path derKey = Files.write(dir.resolve("key.der"), dev.weft.core.Credentials.readPrivateKey(
                userMsp.resolve("keystore/priv_sk")).getEncoded());
        Path twoKeys = Files.createDirectories(dir.resolve("two-keys/keystore"));
        Files.copy(userMsp.resolve("keystore/priv_sk"), twoKeys.resolve("a_sk"));
        Files.copy(userMsp.resolve("keystore/priv_sk"), twoKeys.resolve("b_sk"));
        Files.createDirectories(dir.resolve("two-keys/signcerts"));
        Files.copy(certificate, dir.resolve("two-keys/signcerts/cert.pem"));
        Path userTls = userMsp.getParent().resolve("tls");
        String p = profile.toString();
        String msp = userMsp.toString();
        return Stream.of(
                // profile
                Arguments.of(Weft.FAILURE, new String[] {"evaluate", "--profile", garbage.toString(), "--msp-dir", msp,
                    "--chaincode", "basic", "F"}, "not valid YAML or JSON at line"),
                Arguments.of(Weft.FAILURE, new String[] {"evaluate", "--profile", latin1.toString(), "--msp-dir", msp,
                    "--chaincode", "basic", "F"}, "is not UTF-8 text"),
                Arguments.of(Weft.FAILURE, new String[] {"evaluate", "--profile", noPeers.toString(), "--msp-dir", msp,
                    "--chaincode", "basic", "F"}, "lists no peers"),
                Arguments.of(Weft.FAILURE, new String[] {"evaluate", "--profile", dir.toString(), "--msp-dir", msp,
                    "--chaincode", "basic", "F"}, dir.toString()),
                // credentials
                Arguments.of(Weft.USAGE, new String[] {"submit", "--profile", p, "--cert", "no-such-cert.pem", "--key",
                    org2Key.toString(), "--chaincode", "basic", "F"}, "--cert: no-such-cert.pem does not exist"),
                Arguments.of(Weft.FAILURE, new String[] {"submit", "--profile", p, "--cert", certificate.toString(),
                    "--key", org2Key.toString(), "--chaincode", "basic", "F"}, "does not match"),
                Arguments.of(Weft.FAILURE, new String[] {"submit", "--profile", p, "--cert", certificate.toString(),
                    "--key", derKey.toString(), "--chaincode", "basic", "F"}, "is DER (binary ASN.1)"),
                Arguments.of(Weft.USAGE, new String[] {"submit", "--profile", p, "--msp-dir",
                    dir.resolve("two-keys").toString(), "--chaincode", "basic", "F"}, "holds 2 files; expected exactly one"),
                Arguments.of(Weft.USAGE, new String[] {"submit", "--profile", p, "--msp-dir", msp, "--cert",
                    certificate.toString(), "--chaincode", "basic", "F"}, "give either --msp-dir or --cert and --key"),
                Arguments.of(Weft.USAGE, new String[] {"listen", "--profile", p, "--cert", certificate.toString()},
                        "the client identity is missing"),
                // TLS files
                Arguments.of(Weft.USAGE, new String[] {"evaluate", "--profile", p, "--msp-dir", msp, "--tls-cert",
                    userTls.resolve("client.crt").toString(), "--chaincode", "basic", "F"},
                        "mutual TLS needs both --tls-cert and --tls-key"),
                Arguments.of(Weft.USAGE, new String[] {"evaluate", "--profile", p, "--msp-dir", msp, "--tls-cert",
                    "no-such.crt", "--tls-key", userTls.resolve("client.key").toString(), "--chaincode", "basic", "F"},
                        "--tls-cert: no-such.crt does not exist"),
                Arguments.of(Weft.FAILURE, new String[] {"evaluate", "--profile", p, "--msp-dir", msp, "--tls-cert",
                    userTls.resolve("client.crt").toString(), "--tls-key", org2Key.toString(), "--chaincode", "basic",
                    "F"}, "does not match"),
                // options that need a profile to be checked
                Arguments.of(Weft.USAGE, new String[] {"submit", "--profile", p, "--msp-dir", msp, "--timeout", "0s",
                    "--chaincode", "basic", "F"}, "--timeout must be positive"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void command_badFileOrOption_exitCodeAndOneLineSayingWhatIsWrong(int exitCode, String[] args, String expected) {
        Cli result = Cli.run(args);

        assertEquals(exitCode, result.exitCode(), result.toString());
        assertTrue(result.err().startsWith("weft: ") && result.err().contains(expected), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertFalse(result.err().contains("PRIVATE KEY"), "no key material is printed");
    }

    @Test
    void bench_networkGone_backsOffStopsAtTheDeadlineAndNamesTheReason() throws Exception {
        Cli result = Cli.run("bench", "--profile", profile.toString(), "--msp-dir", userMsp.toString(),
                "--duration", "2s", "--drain-timeout", "1s", "--concurrency", "4", "--json");

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        Map<String, Object> figures = BenchCommandTest.flatten(result.out());
        long failed = ((Number) figures.get("failed")).longValue();
        // Without a back-off four workers fail thousands of times in 2 s; with it, a few each second.
        assertTrue(failed > 0 && failed < 200, "failed " + failed + " times:\n" + result);
        assertTrue(((Number) figures.get("seconds")).doubleValue() < 10, result.toString());
        assertTrue(result.err().contains(failed + " of " + failed + " transactions failed (none committed)"),
                result.toString());
        assertTrue(result.err().contains("cannot connect to 127.0.0.1:"), result.toString());
    }

    @Test
    void networkStart_dirUnderARegularFile_exitOneBeforeAnyNodeStartsNamingThePathAndCause() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");

        Cli result = Cli.run("network", "start", "--dir", file.resolve("net").toString());

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().contains("cannot write the network's files into " + file.resolve("net")),
                result.toString());
        assertTrue(result.err().contains("Not a directory") || result.err().contains("a file (not a directory)"),
                result.toString());
        assertFalse(result.out().contains(NetworkCommand.READY), "no network was started:\n" + result);
        assertEquals("", result.out(), result.toString());
    }

    @Test
    void networkStart_dirIsARegularFile_exitTwo() throws Exception {
        Path file = Files.writeString(dir.resolve("b-file"), "not a directory");

        Cli result = Cli.run("network", "start", "--dir", file.toString());

        assertEquals(Weft.USAGE, result.exitCode(), result.toString());
        assertTrue(result.err().contains("exists and is not a directory"), result.toString());
    }

    @Test
    void networkStart_nodesNotInTheKeptNetwork_exitTwoListingItsNodes() {
        Path kept = dir.resolve("kept");
        ReferenceNetwork.builder().directory(kept).start().close();

        Cli result = Cli.run("network", "start", "--dir", kept.toString(), "--nodes",
                "orderer.example.com,peer9.org1.example.com");

        assertEquals(Weft.USAGE, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().contains("--nodes: no node peer9.org1.example.com in the network kept in " + kept),
                result.toString());
        assertTrue(result.err().contains("its nodes: orderer.example.com, peer0.org1.example.com, "
                + "peer0.org2.example.com"), result.toString());
        assertEquals("", result.out(), "nothing was started:\n" + result);
    }

    @Test
    void help_onEveryCommand_exitZeroWithUsage() {
        for (String[] args : new String[][] {{"--help"}, {"demo", "--help"}, {"network", "start", "--help"},
            {"submit", "--help"}, {"evaluate", "--help"}, {"listen", "--help"}, {"bench", "--help"}}) {
            Cli result = Cli.run(args);
            assertEquals(0, result.exitCode(), result.toString());
            assertTrue(result.out().startsWith("Usage: weft"), result.toString());
        }
    }
}
