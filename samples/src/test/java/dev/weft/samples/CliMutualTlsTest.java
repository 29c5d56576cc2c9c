package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every client command on a network that requires client TLS certificates, from the files
 * {@code weft network start --client-auth} writes: with the user's TLS certificate they work end
 * to end (a submit commits); without one, or with one from a CA the network does not trust, they
 * fail on one line that says so and names the options to give.
 */
class CliMutualTlsTest {
    @TempDir
    static Path dir;
    private static ReferenceNetwork network;
    private static Path profile;
    private static Path userMsp;
    private static Path userTls;
    /** A TLS client certificate and key from another network's CA. */
    private static Path strangerTls;

    @BeforeAll
    static void startNetwork() {
        try (ReferenceNetwork other = ReferenceNetwork.builder().clientAuthRequired(true).start()) {
            other.writeTo(dir.resolve("other"));
        }
        strangerTls = dir.resolve("other/organizations/peerOrganizations/org1.example.com/users/User1@org1.example.com/tls");
        network = ReferenceNetwork.builder()
                .chaincode("basic", new AssetTransferChaincode())
                .chaincode("events", AssetTransferChaincode.withEvents())
                .clientAuthRequired(true)
                .start();
        profile = network.writeTo(dir.resolve("net")).get("Org1MSP");
        Path user = dir.resolve("net/organizations/peerOrganizations/org1.example.com/users/User1@org1.example.com");
        userMsp = user.resolve("msp");
        userTls = user.resolve("tls");
    }

    @AfterAll
    static void stopNetwork() {
        if (network != null) {
            network.close();
        }
    }

    private static String[] command(Path tls, String command, String... rest) {
        List<String> args = new ArrayList<>(List.of(command, "--profile", profile.toString(),
                "--msp-dir", userMsp.toString()));
        if (tls != null) {
            args.addAll(List.of("--tls-cert", tls.resolve("client.crt").toString(),
                    "--tls-key", tls.resolve("client.key").toString()));
        }
        args.addAll(List.of(rest));
        return args.toArray(String[]::new);
    }

    @Test
    void everyCommand_withTheUsersTlsCertificate_works() {
        Cli submitted = Cli.run(command(userTls, "submit", "--chaincode", "events", "CreateAsset", "mtls-1", "blue",
                "5", "Tom", "100"));
        assertEquals(0, submitted.exitCode(), submitted.toString());
        assertTrue(submitted.out().contains("status VALID"), submitted.toString());

        Cli evaluated = Cli.run(command(userTls, "evaluate", "--chaincode", "events", "ReadAsset", "mtls-1"));
        assertEquals(0, evaluated.exitCode(), evaluated.toString());
        assertTrue(evaluated.out().contains("\"Owner\" : \"Tom\""), evaluated.toString());

        Cli genesis = Cli.run(command(userTls, "listen", "--from", "0", "--count", "1"));
        assertEquals(0, genesis.exitCode(), genesis.toString());
        assertTrue(genesis.out().startsWith("block 0"), genesis.toString());

        Cli filtered = Cli.run(command(userTls, "listen", "--filtered", "--from", "1", "--count", "1"));
        assertEquals(0, filtered.exitCode(), filtered.toString());
        assertTrue(filtered.out().startsWith("block 1") && filtered.out().contains("VALID"), filtered.toString());

        Cli events = Cli.run(command(userTls, "listen", "--chaincode", "events", "--from", "0", "--count", "1"));
        assertEquals(0, events.exitCode(), events.toString());
        assertTrue(events.out().contains("CreateAsset") && events.out().contains("mtls-1"), events.toString());

        Cli bench = Cli.run(command(userTls, "bench", "--count", "5", "--concurrency", "2"));
        assertEquals(0, bench.exitCode(), bench.toString());
        assertTrue(bench.out().contains("committed     5 tx"), bench.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"submit", "evaluate", "listen", "bench"})
    void command_withoutAClientCertificate_exitOneNamingTheOptions(String command) {
        long before = network.orderer().height(network.channel());

        Cli result = Cli.run(command(null, command, args(command)));

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        assertTrue(result.err().contains("requires a client TLS certificate"), result.toString());
        assertTrue(result.err().contains("--tls-cert and --tls-key"), result.toString());
        assertEquals(before, network.orderer().height(network.channel()), "nothing is committed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"submit", "evaluate", "listen"})
    void command_withACertificateFromAnUntrustedCa_exitOneSayingWhichCaIsNeeded(String command) {
        long before = network.orderer().height(network.channel());

        Cli result = Cli.run(command(strangerTls, command, args(command)));

        assertEquals(Weft.FAILURE, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().contains("client TLS certificate"), result.toString());
        assertTrue(result.err().contains("tlsca of"), result.toString());
        assertEquals(before, network.orderer().height(network.channel()), "nothing is committed");
    }

    private static String[] args(String command) {
        return switch (command) {
            case "submit" -> new String[] {"--chaincode", "basic", "--timeout", "10s", "CreateAsset", "refused", "red",
                "1", "Eve", "1"};
            case "evaluate" -> new String[] {"--chaincode", "basic", "--timeout", "10s", "ReadAsset", "mtls-1"};
            case "listen" -> new String[] {"--from", "0", "--count", "1"};
            case "bench" -> new String[] {"--count", "2", "--concurrency", "1"};
            default -> throw new IllegalArgumentException(command);
        };
    }
}
