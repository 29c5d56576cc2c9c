package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testnet.ReferenceNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
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
                        "give --duration or --count, not both"));
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
