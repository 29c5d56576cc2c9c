package dev.weft.samples;

import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigUpdate;
import dev.weft.core.ConfigChanges;
import dev.weft.core.GoDurations;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Network;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code weft channel update | sign}: changes to a channel's config, signed by its admins. */
@Command(name = "channel", mixinStandardHelpOptions = true, description = "Changes a channel's config.",
        subcommands = {ChannelCommand.Update.class, ChannelCommand.Sign.class})
final class ChannelCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: update or sign");
    }

    @Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Computes a config update from the channel's config and the changes given (as configtxlator "
                    + "compute_update does), has it signed by the admins given, submits it with your identity and "
                    + "waits until a peer serves the new config. With --save-update it only writes the update, for "
                    + "admins to sign elsewhere (weft channel sign); --update submits one saved before.",
            footer = {"", "Examples:",
                "  weft channel update --profile P --msp-dir USER_MSP --batch-size 50 --batch-timeout 500ms \\",
                "      --admin OrdererMSP=organizations/ordererOrganizations/example.com/users/Admin@example.com/msp",
                "  weft channel update --profile P --msp-dir USER_MSP --capability application=V2_5 \\",
                "      --save-update update.pb",
                "  weft channel sign --update update.pb --admin Org1MSP=ORG1_ADMIN_MSP --out org1.sig",
                "  weft channel update --profile P --msp-dir USER_MSP --update update.pb --signature org1.sig \\",
                "      --signature org2.sig"})
    static final class Update implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--batch-size", paramLabel = "N",
                description = "The orderer's MaxMessageCount: at most N transactions per block.")
        Integer batchSize;

        @Option(names = "--batch-timeout", converter = Durations.class, paramLabel = "DURATION",
                description = "The orderer's BatchTimeout, e.g. 250ms or 2s.")
        Duration batchTimeout;

        @Option(names = "--capability", paramLabel = "SECTION=LEVEL",
                description = "A capability level: channel=V2_0, orderer=V2_0 or application=V2_5 sets that "
                        + "section's capabilities to the level given. Repeatable.")
        List<String> capabilities = new ArrayList<>();

        @Option(names = "--admin", paramLabel = "MSPID=MSP_DIR",
                description = "An admin who signs the update here: its MSP id and MSP directory (signcerts/, "
                        + "keystore/). Repeatable: give as many as the changed elements' mod_policies need.")
        List<String> admins = new ArrayList<>();

        @Option(names = "--signature", paramLabel = "FILE",
                description = "A signature an admin made with weft channel sign. Repeatable.")
        List<Path> signatureFiles = new ArrayList<>();

        @Option(names = "--update", paramLabel = "FILE",
                description = "Submit this saved update (from --save-update) instead of computing one.")
        Path updateFile;

        @Option(names = "--save-update", paramLabel = "FILE",
                description = "Write the computed update to FILE and stop: nothing is signed or submitted.")
        Path saveUpdate;

        @Option(names = "--timeout", converter = Durations.class, defaultValue = "30s", paramLabel = "DURATION",
                description = "How long to wait for the new config. Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            boolean changes = batchSize != null || batchTimeout != null || !capabilities.isEmpty();
            if (updateFile != null && changes) {
                throw new Weft.UsageException("--update submits a saved update; give the changes when saving it, "
                        + "not with --update");
            }
            if (updateFile == null && !changes) {
                throw new Weft.UsageException("nothing to change: give --batch-size, --batch-timeout or --capability "
                        + "(or --update FILE)");
            }
            if (saveUpdate != null && (updateFile != null || !admins.isEmpty() || !signatureFiles.isEmpty())) {
                throw new Weft.UsageException("--save-update only writes the update; sign it with weft channel sign");
            }
            Map<String, Path> adminDirs = admins(admins);
            List<ConfigSignature> signatures = new ArrayList<>();
            for (Path file : signatureFiles) {
                signatures.add(readSignature(file));
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Gateway gateway = client.gateway().build()) {
                Network network = gateway.network(client.channel);
                ChannelConfig current = network.channelConfig();
                ChannelConfigUpdate update = updateFile != null
                        ? ChannelConfigUpdate.parse(read(ClientOptions.existing(updateFile, "--update")))
                        : ChannelConfigUpdate.compute(current, desired(current.config()));
                if (!update.channelId().equals(client.channel)) {
                    throw new Weft.UsageException("--update: the update is for channel " + update.channelId()
                            + ", not for --channel " + client.channel);
                }
                if (saveUpdate != null) {
                    write(saveUpdate, update.toByteArray());
                    out.printf("Wrote the update of channel %s (from config sequence %d) to %s.%n"
                            + "Have each admin sign it: weft channel sign --update %s --admin MSPID=MSP_DIR --out FILE%n",
                            client.channel, current.sequence(), saveUpdate, saveUpdate);
                    return 0;
                }
                for (Map.Entry<String, Path> admin : adminDirs.entrySet()) {
                    signatures.add(sign(update, admin.getKey(), admin.getValue()));
                }
                ChannelConfig next;
                try {
                    next = network.submitConfigUpdate(update, signatures).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                } catch (TimeoutException e) {
                    throw new IllegalStateException("no peer served a config of channel " + client.channel
                            + " made by the update within " + timeout.toSeconds() + " s (--timeout); if the orderers "
                            + "took it, it may still commit: check the channel's config before submitting it again");
                }
                out.printf("Channel %s: config sequence %d -> %d. Batch size %d, batch timeout %s; capabilities: "
                        + "channel %s, orderer %s, application %s.%n", client.channel, current.sequence(),
                        next.sequence(), next.batchSize().map(b -> b.getMaxMessageCount()).orElse(0),
                        next.batchTimeout().map(GoDurations::format).orElse("-"), next.channelCapabilities(),
                        next.ordererCapabilities(), next.applicationCapabilities());
            }
            return 0;
        }

        private Config desired(Config config) {
            Config desired = config;
            if (batchSize != null) {
                desired = ConfigChanges.withMaxMessageCount(desired, batchSize);
            }
            if (batchTimeout != null) {
                desired = ConfigChanges.withBatchTimeout(desired, batchTimeout);
            }
            Map<String, String> levels = new LinkedHashMap<>();
            for (String capability : capabilities) {
                int equals = capability.indexOf('=');
                if (equals < 1 || equals == capability.length() - 1) {
                    throw new Weft.UsageException("--capability " + capability + ": expected SECTION=LEVEL, e.g. "
                            + "application=V2_5");
                }
                String section = switch (capability.substring(0, equals).toLowerCase(Locale.ROOT)) {
                    case "channel" -> ChannelConfig.ROOT;
                    case "orderer" -> ChannelConfig.ORDERER;
                    case "application" -> ChannelConfig.APPLICATION;
                    default -> throw new Weft.UsageException("--capability " + capability + ": the section is "
                            + "channel, orderer or application");
                };
                if (levels.put(section, capability.substring(equals + 1)) != null) {
                    throw new Weft.UsageException("--capability: " + section + " is given twice");
                }
            }
            for (Map.Entry<String, String> level : levels.entrySet()) {
                desired = ConfigChanges.withCapabilities(desired, level.getKey(), Set.of(level.getValue()));
            }
            return desired;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Signs a saved config update (weft channel update --save-update) as an admin and writes the "
                    + "signature (a common.ConfigSignature) for weft channel update --signature.")
    static final class Sign implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--update", required = true, paramLabel = "FILE", description = "The saved update.")
        Path updateFile;

        @Option(names = "--admin", required = true, paramLabel = "MSPID=MSP_DIR",
                description = "The admin who signs: its MSP id and MSP directory (signcerts/, keystore/).")
        String admin;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the signature.")
        Path out;

        @Override
        public Integer call() {
            ChannelConfigUpdate update = ChannelConfigUpdate.parse(read(ClientOptions.existing(updateFile, "--update")));
            Map.Entry<String, Path> signer = admins(List.of(admin)).entrySet().iterator().next();
            write(out, sign(update, signer.getKey(), signer.getValue()).toByteArray());
            spec.commandLine().getOut().printf("%s signed the update of channel %s: %s%n", signer.getKey(),
                    update.channelId(), out);
            return 0;
        }
    }

    /** --admin MSPID=DIR values, by MSP id. */
    static Map<String, Path> admins(List<String> values) {
        Map<String, Path> admins = new LinkedHashMap<>();
        for (String value : values) {
            int equals = value.indexOf('=');
            if (equals < 1 || equals == value.length() - 1) {
                throw new Weft.UsageException("--admin " + value + ": expected MSPID=MSP_DIR");
            }
            Path dir = ClientOptions.existing(Path.of(value.substring(equals + 1)), "--admin");
            if (admins.put(value.substring(0, equals), dir) != null) {
                throw new Weft.UsageException("--admin: " + value.substring(0, equals) + " is given twice");
            }
        }
        return admins;
    }

    /** An admin's signature of an update, with the key and certificate of its MSP directory. */
    static ConfigSignature sign(ChannelConfigUpdate update, String mspId, Path mspDir) {
        ClientOptions.Signing admin = ClientOptions.signing(mspId,
                ClientOptions.onlyFile(mspDir.resolve("signcerts"), "--admin"),
                ClientOptions.onlyFile(mspDir.resolve("keystore"), "--admin"));
        return update.sign(admin.identity(), admin.signer());
    }

    private static ConfigSignature readSignature(Path file) {
        try {
            ConfigSignature signature = ConfigSignature.parseFrom(read(ClientOptions.existing(file, "--signature")));
            if (signature.getSignatureHeader().isEmpty() || signature.getSignature().isEmpty()) {
                throw new Weft.UsageException("--signature " + file + " is not a signature from weft channel sign");
            }
            return signature;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new Weft.UsageException("--signature " + file + " is not a signature from weft channel sign: "
                    + e.getMessage());
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Weft.UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Writes a file whole or not at all: a temporary file beside it, then moved into place. */
    private static void write(Path file, byte[] bytes) {
        Path absolute = file.toAbsolutePath();
        try {
            Path temporary = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
            try {
                Files.write(temporary, bytes);
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
