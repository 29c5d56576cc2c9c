package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChannelConfig;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft channel update} and {@code weft channel sign} against a reference network, as a user runs them. */
class ChannelCommandTest {
    @TempDir
    Path dir;
    private ReferenceNetwork network;
    private Path profile;
    private Path userMsp;

    @BeforeEach
    void start() {
        network = ReferenceNetwork.builder().chaincode("basic", new AssetTransferChaincode()).start();
        profile = network.writeTo(dir).get("Org1MSP");
        userMsp = dir.resolve("organizations/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp");
    }

    @AfterEach
    void stop() {
        network.close();
    }

    private Path admin(String org) {
        return org.equals("orderer")
                ? dir.resolve("organizations/ordererOrganizations/example.com/users/Admin@example.com/msp")
                : dir.resolve("organizations/peerOrganizations/" + org + ".example.com/users/Admin@" + org
                        + ".example.com/msp");
    }

    private Cli update(String... rest) {
        List<String> args = new ArrayList<>(List.of("channel", "update", "--profile", profile.toString(), "--msp-dir",
                userMsp.toString()));
        args.addAll(List.of(rest));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void update_batchSettingsSignedByTheOrdererAdmin_newConfigOnTheNetwork() {
        Cli cli = update("--batch-size", "7", "--batch-timeout", "300ms", "--admin", "OrdererMSP=" + admin("orderer"));

        assertEquals(0, cli.exitCode(), cli.toString());
        assertTrue(cli.out().contains("Channel mychannel: config sequence 0 -> 1. Batch size 7, batch timeout 300ms"),
                cli.toString());
        ChannelConfig config = network.channelConfig("mychannel");
        assertEquals(7, config.batchSize().orElseThrow().getMaxMessageCount());
        assertEquals(Duration.ofMillis(300), config.batchTimeout().orElseThrow());
    }

    @Test
    void update_savedSignedApartAndSubmitted_changesTheApplicationCapabilities() throws Exception {
        String level = network.channelConfig("mychannel").applicationCapabilities().contains("V2_5") ? "V2_0" : "V2_5";
        Path saved = dir.resolve("update.pb");

        Cli save = update("--capability", "application=" + level, "--save-update", saved.toString());
        Cli org1 = Cli.run("channel", "sign", "--update", saved.toString(), "--admin", "Org1MSP=" + admin("org1"),
                "--out", dir.resolve("org1.sig").toString());
        Cli org2 = Cli.run("channel", "sign", "--update", saved.toString(), "--admin", "Org2MSP=" + admin("org2"),
                "--out", dir.resolve("org2.sig").toString());
        assertEquals(0, save.exitCode(), save.toString());
        assertEquals(0, network.channelConfig("mychannel").sequence(), "saving submits nothing");
        assertEquals(0, org1.exitCode(), org1.toString());
        assertEquals(0, org2.exitCode(), org2.toString());

        Cli submit = update("--update", saved.toString(), "--signature", dir.resolve("org1.sig").toString(),
                "--signature", dir.resolve("org2.sig").toString());

        assertEquals(0, submit.exitCode(), submit.toString());
        assertEquals(Set.of(level), network.channelConfig("mychannel").applicationCapabilities());
        assertTrue(Files.size(saved) > 0);
    }

    @Test
    void update_tooFewAdmins_failsWithThePolicyAndChangesNothing() {
        String level = network.channelConfig("mychannel").applicationCapabilities().contains("V2_5") ? "V2_0" : "V2_5";

        Cli cli = update("--capability", "application=" + level, "--admin", "Org1MSP=" + admin("org1"));

        assertEquals(1, cli.exitCode(), cli.toString());
        assertTrue(cli.err().contains("sub-policies were satisfied, but this policy requires"), cli.toString());
        assertEquals(0, network.channelConfig("mychannel").sequence());
    }

    @Test
    void update_nothingToChange_isAUsageError() {
        Cli cli = update("--admin", "Org1MSP=" + admin("org1"));

        assertEquals(2, cli.exitCode(), cli.toString());
        assertTrue(cli.err().contains("nothing to change"), cli.toString());
    }

    @Test
    void update_badCapability_isAUsageError() {
        Cli cli = update("--capability", "ledger=V2_0");

        assertEquals(2, cli.exitCode(), cli.toString());
        assertTrue(cli.err().contains("the section is channel, orderer or application"), cli.toString());
    }
}
