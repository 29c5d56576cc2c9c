package dev.weft.samples;

import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code weft network ...}: the reference network as a standalone process. */
@Command(name = "network", mixinStandardHelpOptions = true, description = "Runs the reference network.",
        subcommands = NetworkCommand.Start.class)
final class NetworkCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: start");
    }

    /** The line printed once the network accepts connections; scripts and tests wait for it. */
    static final String READY = "Network ready. Press Ctrl-C to stop it.";

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Starts a reference network and runs it until Ctrl-C: orderers (solo, or a Raft cluster) and "
                    + "peers over TLS, "
                    + "chaincodes 'basic' (asset-transfer-basic) and 'events' (asset-transfer-events). Writes "
                    + "crypto material (cryptogen layout) and one connection profile per organisation into DIR.")
    static final class Start implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", defaultValue = "weft-network", paramLabel = "DIR",
                description = "Where to write crypto material and connection profiles. Default: ${DEFAULT-VALUE}.")
        Path directory;

        @Option(names = "--orgs", defaultValue = "2", paramLabel = "N",
                description = "Number of peer organisations (Org1MSP ... OrgNMSP). Default: ${DEFAULT-VALUE}.")
        int organizations;

        @Option(names = "--peers-per-org", defaultValue = "1", paramLabel = "N",
                description = "Peers per organisation. Default: ${DEFAULT-VALUE}.")
        int peersPerOrganization;

        @Option(names = "--channel", defaultValue = "mychannel", paramLabel = "NAME",
                description = "The channel. Default: ${DEFAULT-VALUE}.")
        String channel;

        @Option(names = "--batch-timeout", defaultValue = "100ms", paramLabel = "DURATION",
                converter = Durations.class, description = "Cut a block after this long (e.g. 50ms, 2s). "
                        + "Default: ${DEFAULT-VALUE}.")
        Duration batchTimeout;

        @Option(names = "--batch-size", defaultValue = "100", paramLabel = "N",
                description = "Cut a block at this many transactions. Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Option(names = "--base-port", defaultValue = "0", paramLabel = "PORT",
                description = "Orderer on PORT, peers on PORT+1, PORT+2...; 0 picks free ports. Default: ${DEFAULT-"
                        + "VALUE}.")
        int basePort;

        @Option(names = "--client-auth", description = "Require client TLS certificates (mutual TLS).")
        boolean clientAuth;

        @Option(names = "--orderers", defaultValue = "1", paramLabel = "N",
                description = "Number of orderers (orderer.example.com, orderer2.example.com, ...). Default: "
                        + "${DEFAULT-VALUE}.")
        int orderers;

        @Option(names = "--consensus", paramLabel = "TYPE",
                description = "solo or raft (Fabric's etcdraft, on Apache Ratis). Default: raft for more than one "
                        + "orderer, else solo.")
        String consensus;

        @Option(names = "--nodes", split = ",", paramLabel = "NAME",
                description = "Start only these nodes of the network kept in DIR (orderers and peers by host name: "
                        + "orderer2.example.com,peer0.org1.example.com); its other nodes run elsewhere, e.g. in "
                        + "other 'weft network start --nodes' processes, on the ports DIR records.")
        List<String> nodes;

        @Option(names = "--fresh", description = "Remove the network kept in DIR (its ledgers, crypto material and "
                + "profiles) and start a new one. Without it, a DIR that holds a network resumes it.")
        boolean fresh;

        @Override
        public Integer call() throws Exception {
            check(organizations >= 1 && organizations <= 20, "--orgs must be between 1 and 20, got " + organizations);
            check(peersPerOrganization >= 1 && peersPerOrganization <= 10,
                    "--peers-per-org must be between 1 and 10, got " + peersPerOrganization);
            check(batchSize >= 1, "--batch-size must be at least 1, got " + batchSize);
            check(orderers >= 1 && orderers <= 9, "--orderers must be between 1 and 9, got " + orderers);
            check(consensus == null || consensus.equals("solo") || consensus.equals("raft"),
                    "--consensus must be solo or raft, got '" + consensus + "'");
            check(!"solo".equals(consensus) || orderers == 1, "--consensus solo runs one orderer; give --orderers 1 "
                    + "or --consensus raft");
            check(!batchTimeout.isZero(), "--batch-timeout must be positive");
            // The reference network takes fixed ports up to 65000, leaving the rest to the system's ephemeral ones.
            int maxPort = Math.min(65000, 65535 - 1 - organizations * peersPerOrganization);
            check(basePort >= 0 && basePort <= maxPort, "--base-port must be between 0 and " + maxPort
                    + " (the orderer takes it, the peers the ports after it), got " + basePort);
            if (Files.exists(directory) && !Files.isDirectory(directory)) {
                throw new Weft.UsageException("--dir: " + directory + " exists and is not a directory");
            }
            if (nodes != null) {
                check(!fresh, "--nodes starts some nodes of the network kept in --dir; --fresh would remove it");
                check(Files.isRegularFile(directory.resolve("weft-network.yaml")), "--nodes starts some nodes of "
                        + "the network kept in --dir, but " + directory + " holds none (no weft-network.yaml): start "
                        + "the whole network there first");
            }
            checkWritable(directory);
            List<String> mspIds = new ArrayList<>();
            for (int i = 1; i <= organizations; i++) {
                mspIds.add("Org" + i + "MSP");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (fresh) {
                removeNetwork(out);
            }
            ReferenceNetwork.Builder builder = ReferenceNetwork.builder()
                    .directory(directory)
                    .chaincode("basic", new AssetTransferChaincode())
                    .chaincode("events", AssetTransferChaincode.withEvents())
                    .batchSize(batchSize, 99 * 1024 * 1024, 512 * 1024) // Fabric's default byte limits
                    .batchTimeout(batchTimeout)
                    .basePort(basePort);
            // The shape only when given: a network resumed from --dir keeps its own otherwise.
            CommandLine.ParseResult given = spec.commandLine().getParseResult();
            if (given.hasMatchedOption("--orgs")) {
                builder.organizations(mspIds.toArray(String[]::new));
            }
            if (given.hasMatchedOption("--peers-per-org")) {
                builder.peersPerOrganization(peersPerOrganization);
            }
            if (given.hasMatchedOption("--channel")) {
                builder.channels(channel);
            }
            if (given.hasMatchedOption("--client-auth")) {
                builder.clientAuthRequired(clientAuth);
            }
            if (given.hasMatchedOption("--orderers")) {
                builder.orderers(orderers);
            }
            if ("raft".equals(consensus)) {
                builder.raft();
            }
            if (nodes != null) {
                try {
                    builder.nodes(nodes.toArray(String[]::new));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new Weft.UsageException("--nodes: " + e.getMessage());
                }
            }
            ReferenceNetwork network = builder.start();
            Map<String, Path> profiles;
            try {
                profiles = network.writeTo(directory);
            } catch (RuntimeException e) {
                network.close();
                throw new IllegalStateException("--dir: cannot write the network's files into " + directory + ": "
                        + e.getMessage() + "; the network was stopped", e);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                network.close();
                stopped.countDown();
            }, "weft-network-stop"));
            describe(out, network, profiles);
            out.println(READY);
            out.flush();
            stopped.await();
            return 0;
        }

        /**
         * Creates the directory and writes a file in it before any node starts, so that a place
         * the files cannot go fails at once, with its cause, rather than after the network is up.
         */
        private static void checkWritable(Path directory) {
            try {
                Files.createDirectories(directory);
                Path probe = Files.createTempFile(directory, ".weft-write-check", "");
                Files.delete(probe);
            } catch (IOException e) {
                throw new IllegalStateException("--dir: cannot write the network's files into " + directory + ": "
                        + reason(e) + "; give a directory you can write with --dir", e);
            }
        }

        /** The I/O failure in words: the exception's kind, since its message is often only the path. */
        private static String reason(IOException e) {
            String kind;
            if (e instanceof AccessDeniedException) {
                kind = "permission denied";
            } else if (e instanceof FileAlreadyExistsException) {
                kind = "a file (not a directory) is in the way";
            } else if (e instanceof NoSuchFileException) {
                kind = "no such file or directory";
            } else if (e instanceof FileSystemException f && f.getReason() != null) {
                kind = f.getReason();
            } else {
                return e.toString();
            }
            String file = ((FileSystemException) e).getFile();
            return file == null || file.isEmpty() ? kind : kind + " (" + file + ")";
        }

        /** --fresh: removes what a network wrote into DIR, and nothing else. */
        private void removeNetwork(PrintWriter out) throws IOException {
            List<Path> ours = List.of(directory.resolve("weft-network.yaml"), directory.resolve("ledgers"),
                    directory.resolve("organizations"));
            boolean removed = false;
            for (Path path : ours) {
                if (Files.exists(path)) {
                    try (java.util.stream.Stream<Path> files = Files.walk(path)) {
                        for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.delete(file);
                        }
                    }
                    removed = true;
                }
            }
            if (removed) {
                out.printf("--fresh: removed the network kept in %s (ledgers, crypto material, profiles)%n", directory);
            }
        }

        private void describe(PrintWriter out, ReferenceNetwork network, Map<String, Path> profiles) {
            String channel = network.channel();
            long height = network.orderers().isEmpty() ? network.peers().get(0).height(channel)
                    : network.orderer().height(channel);
            if (nodes != null) {
                out.printf("Started %s of the reference network kept in %s: channel %s at block %d; its other nodes "
                        + "run elsewhere%n", String.join(", ", nodes), directory, channel, height - 1);
            } else if (network.resumed()) {
                out.printf("Resumed the reference network kept in %s: channel %s at block %d%n", directory, channel,
                        height - 1);
            } else {
                out.printf("Reference network on channel %s, kept in %s (start it again with the same --dir to "
                        + "resume it)%n", channel, directory);
            }
            for (ReferenceNetwork.Orderer orderer : network.orderers()) {
                out.printf("  %-9s %-28s %s%n", "orderer", orderer.name(), orderer.endpoint());
            }
            for (ReferenceNetwork.Peer peer : network.peers()) {
                out.printf("  %-9s %-28s %s  (%s)%n", "peer", peer.name(), peer.endpoint(), peer.mspId());
            }
            profiles.forEach((msp, path) -> out.printf("  %-9s %-28s %s%n", "profile", msp, path));
            out.printf("  %-9s basic (asset-transfer-basic), events (asset-transfer-events); policy MAJORITY "
                    + "Endorsement%n", "chaincode");
            if (network.clientAuthRequired()) {
                out.println("  mutual TLS: clients must present a TLS certificate (--tls-cert, --tls-key)");
            }
            ReferenceNetwork.User user = network.user("Org1MSP");
            Path msp = directory.resolve("organizations/peerOrganizations/org1.example.com/users")
                    .resolve(user.name()).resolve("msp");
            out.println();
            out.println("Try, from another terminal:");
            String weft = System.getProperty("weft.command", "weft");
            out.printf("  %s submit --profile %s --msp-dir %s --channel %s --chaincode basic CreateAsset asset1 blue 5 "
                    + "Tom 100%n", weft, profiles.get("Org1MSP"), msp, channel);
            out.printf("  %s listen --profile %s --msp-dir %s --channel %s --chaincode events%n", weft,
                    profiles.get("Org1MSP"), msp, channel);
        }

        private void check(boolean condition, String message) {
            if (!condition) {
                throw new CommandLine.ParameterException(spec.commandLine(), message);
            }
        }
    }
}
