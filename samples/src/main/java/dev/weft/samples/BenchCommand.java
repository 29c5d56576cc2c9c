package dev.weft.samples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.weft.core.GoDurations;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Transaction;
import dev.weft.testnet.ReferenceNetwork;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code weft bench}: a load generator of CreateAsset submits with unique keys. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Submits CreateAsset transactions with unique keys, as a closed loop (--concurrency always "
                + "in flight) or an open loop (--rate per second), against a network given by --profile or an"
                + " embedded one (--embedded). Reports committed tx/s, failures by kind, latency percentiles,"
                + " and CPU time per committed transaction (of this process, which with --embedded includes "
                + "the network). A worker whose transaction failed backs off (50 ms doubling to 2 s, jittered) "
                + "before its next one. The most frequent failure reasons go to stderr; the exit code is 1 when "
                + "any transaction failed (unless --allow-failures) or none committed.")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--embedded", description = "Run against a reference network started in this process.")
    boolean embedded;

    @Option(names = "--chaincode", defaultValue = "basic", paramLabel = "NAME",
            description = "A chaincode with the asset-transfer CreateAsset. Default: ${DEFAULT-VALUE}.")
    String chaincode;

    @Option(names = "--concurrency", defaultValue = "16", paramLabel = "C",
            description = "Closed loop: transactions kept in flight. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--rate", paramLabel = "R", description = "Open loop: start R transactions per second instead.")
    Double rate;

    @Option(names = "--max-in-flight", defaultValue = "10000", paramLabel = "N",
            description = "Open loop: skip (and count) transactions when N are waiting. Default: ${DEFAULT-VALUE}.")
    int maxInFlight;

    @Option(names = "--duration", defaultValue = "10s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long to run. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--count", paramLabel = "N", description = "Run N transactions instead of for a duration.")
    Long count;

    @Option(names = "--warmup", defaultValue = "0s", converter = Durations.class, paramLabel = "DURATION",
            description = "Run this long first without counting it (JIT, connections). Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--drain-timeout", defaultValue = "5s", converter = Durations.class, paramLabel = "DURATION",
            description = "With --duration: how much longer transactions still in flight may take; those that do "
                    + "not finish fail (TransactionTimeoutException). Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--allow-failures", description = "Exit 0 even when some transactions failed (not when none "
            + "committed).")
    boolean allowFailures;

    @Option(names = "--batch-timeout", converter = Durations.class, paramLabel = "DURATION",
            description = "With --embedded: the orderer's batch timeout. Default: the network's (100ms).")
    Duration batchTimeout;

    @Option(names = "--orderers", defaultValue = "1", paramLabel = "N",
            description = "With --embedded: the number of orderers; more than one order with Raft. Default: "
                    + "${DEFAULT-VALUE}.")
    int orderers;

    @Option(names = "--kill-leader-after", converter = Durations.class, paramLabel = "DURATION",
            description = "With --embedded and more than one orderer: this long into the measured run, stop the "
                    + "Raft leader as a crash would, and report how long after it the first transaction submitted "
                    + "after it committed. Transactions the leader had accepted but not ordered fail (their commit "
                    + "waits time out): add --allow-failures.")
    Duration killLeaderAfter;

    @Option(names = "--json", description = "Print the figures as JSON, for scripts.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        if (embedded) {
            ReferenceNetwork.Builder builder = ReferenceNetwork.builder().channels(client.channel);
            if (batchTimeout != null) {
                builder.batchTimeout(batchTimeout);
            }
            builder.orderers(orderers);
            try (ReferenceNetwork network = builder.start(); Gateway gateway = embeddedGateway(network);
                    LeaderKill kill = killLeaderAfter == null ? null
                            : new LeaderKill(network, client.channel, killLeaderAfter)) {
                int exit = run(out, gateway, kill);
                if (orderers > 1) {
                    // Which orderer led matters to the figures: messages sent to a follower are forwarded.
                    String leader = network.orderers().stream().filter(o -> o.isLeader(client.channel))
                            .map(ReferenceNetwork.Orderer::name).findFirst().orElse("none");
                    spec.commandLine().getErr().printf("Raft among %d orderers: %s led %s at the end; the client "
                            + "sends to %s first%n", orderers, leader, client.channel, network.orderers().get(0).name());
                    spec.commandLine().getErr().flush();
                }
                return exit;
            }
        }
        try (Gateway gateway = client.gateway().build()) {
            return run(out, gateway, null);
        }
    }

    private void validate() {
        if (embedded == (client.profile != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give either --embedded or --profile (with the client identity), not both or neither");
        }
        if (!embedded && spec.commandLine().getParseResult().hasMatchedOption("--orderers")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--orderers applies only with --embedded");
        }
        if (orderers < 1 || orderers > 9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--orderers must be between 1 and 9, got "
                    + orderers);
        }
        if (!embedded && batchTimeout != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch-timeout applies only with --embedded");
        }
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        if (rate != null && given.hasMatchedOption("--concurrency")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--concurrency (closed loop) and --rate (open loop) do not go together; open loops cap what is "
                            + "in flight with --max-in-flight");
        }
        if (count != null && given.hasMatchedOption("--duration")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --duration or --count, not both");
        }
        if (concurrency < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--concurrency must be at least 1, got " + concurrency);
        }
        if (rate != null && !(rate > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be positive, got " + rate);
        }
        if (count != null && count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
        }
        if (duration.isZero()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration must be positive");
        }
        if (count != null && given.hasMatchedOption("--drain-timeout")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--drain-timeout applies only with --duration");
        }
        if (maxInFlight < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-in-flight must be at least 1");
        }
        if (killLeaderAfter != null) {
            if (!embedded || orderers < 2) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--kill-leader-after needs --embedded "
                        + "with --orderers 2 or more (a Raft cluster)");
            }
            if (count != null || killLeaderAfter.isZero() || killLeaderAfter.compareTo(duration) >= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--kill-leader-after must fall inside "
                        + "the --duration of the run (" + GoDurations.format(duration) + "), got "
                        + GoDurations.format(killLeaderAfter));
            }
        }
    }

    private Gateway embeddedGateway(ReferenceNetwork network) {
        ReferenceNetwork.User user = network.user("Org1MSP");
        Gateway.Builder builder = Gateway.builder().identity(user.identity()).signer(user.signer())
                .transport(ClientOptions.transport(client.transport));
        for (ReferenceNetwork.Orderer orderer : network.orderers()) {
            builder.addOrderer(orderer.name(), orderer.endpointConfig());
        }
        for (ReferenceNetwork.Peer peer : network.peers()) {
            builder.addPeer(peer.name(), peer.mspId(), peer.endpointConfig());
        }
        return builder.build();
    }

    private int run(PrintWriter out, Gateway gateway, LeaderKill kill) throws Exception {
        Contract contract = gateway.network(client.channel).contract(chaincode);
        String prefix = "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-";
        Pattern keys = Pattern.compile(Pattern.quote(prefix) + "\\d+");
        LoadGenerator.Limit limit = count != null ? LoadGenerator.Limit.ofCount(count)
                : LoadGenerator.Limit.of(duration, drainTimeout);
        LoadGenerator.TransactionStarter createAsset = (n, budget) -> {
            Transaction tx = contract.newTransaction("CreateAsset")
                    .arguments(prefix + n, "blue", "5", "Bench", String.valueOf(n));
            if (budget != null) {
                tx.timeout(budget);
            }
            if (kill == null) {
                return tx.submitAsync();
            }
            long submitted = System.nanoTime();
            return tx.submitAsync().whenComplete((result, error) -> {
                if (error == null) {
                    kill.committed(submitted);
                }
            });
        };
        // A reason names the asset key only as <key>, so that one failure of every transaction counts once.
        try (LoadGenerator load = new LoadGenerator(createAsset, m -> keys.matcher(m).replaceAll("<key>"))) {
            if (!warmup.isZero()) {
                measure(load, LoadGenerator.Limit.of(warmup, drainTimeout), "warm-up");
            }
            if (kill != null) {
                kill.schedule();
            }
            LoadGenerator.Report report = measure(load, limit, "bench");
            LeaderKill.Outcome killed = kill == null ? null : kill.outcome();
            out.println(json ? json(report, killed) : table(report, embedded, killed));
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            if (report.failed() > 0) {
                err.println(failureSummary(report));
            }
            err.flush();
            if (report.committed() == 0 || (report.failed() > 0 && !allowFailures)) {
                return Weft.FAILURE;
            }
            return 0;
        }
    }

    /** For stderr: how many failed, and the most frequent reasons, each with its count. */
    static String failureSummary(LoadGenerator.Report r) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "weft: %s of %s transactions failed%s",
                Text.count(r.failed()), Text.count(r.failed() + r.committed()),
                r.committed() == 0 ? " (none committed)" : ""));
        text.append(r.reasons().size() == 1 ? "; the reason:" : "; the most frequent reasons:");
        for (LoadGenerator.FailureReason reason : r.reasons()) {
            text.append(String.format(Locale.ROOT, "%n  %8s  %s: %s", Text.count(reason.count()), reason.kind(),
                    reason.message()));
        }
        return text.toString();
    }

    private LoadGenerator.Report measure(LoadGenerator load, LoadGenerator.Limit limit, String task) throws Exception {
        boolean showProgress = !json && System.console() != null;
        if (!showProgress) {
            return rate != null ? load.openLoop(rate, maxInFlight, limit) : load.closedLoop(concurrency, limit);
        }
        long max = limit.duration() != null ? limit.duration().toSeconds() : limit.count();
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setUnit(limit.duration() != null ? " s" : " tx", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
            long start = System.nanoTime();
            Thread updater = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                    bar.stepTo(limit.duration() != null ? Math.min(max, seconds) : load.committedSoFar());
                    bar.setExtraMessage(Text.count(load.committedSoFar()) + " committed");
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "weft-bench-progress");
            updater.setDaemon(true);
            updater.start();
            try {
                return rate != null ? load.openLoop(rate, maxInFlight, limit) : load.closedLoop(concurrency, limit);
            } finally {
                updater.interrupt();
                updater.join();
                bar.stepTo(max);
            }
        }
    }

    static String table(LoadGenerator.Report r, boolean embedded) {
        return table(r, embedded, null);
    }

    static String table(LoadGenerator.Report r, boolean embedded, LeaderKill.Outcome kill) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.printf(Locale.ROOT, "%-13s %s%n", "mode", r.mode());
        out.printf(Locale.ROOT, "%-13s %s tx in %.1f s = %.1f tx/s%n", "committed", Text.count(r.committed()),
                r.elapsed().toNanos() / 1e9, r.throughput());
        out.printf(Locale.ROOT, "%-13s %s%s%n", "failures", Text.count(r.failed()), r.failures().isEmpty() ? ""
                : " " + r.failures());
        if (r.skipped() > 0) {
            out.printf(Locale.ROOT, "%-13s %s (too many in flight)%n", "skipped", Text.count(r.skipped()));
        }
        out.printf(Locale.ROOT, "%-13s p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n", "latency (ms)",
                r.percentileMillis(50), r.percentileMillis(90), r.percentileMillis(99), r.percentileMillis(99.9),
                r.maxMillis());
        out.printf(Locale.ROOT, "%-13s %s%n", "CPU per tx", r.cpuMicrosPerTransaction() < 0 ? "n/a"
                : r.cpuMicrosPerTransaction() + " µs (process CPU" + (embedded ? ", network included)" : ")"));
        out.printf(Locale.ROOT, "%-13s %d%n", "peak threads", r.peakThreads());
        out.printf(Locale.ROOT, "%-13s %.0f MB (%.0f MB at start)%n", "peak heap", r.heapPeak() / 1048576.0,
                r.heapAtStart() / 1048576.0);
        if (kill != null) {
            out.printf(Locale.ROOT, "%-13s %s%n", "leader kill", kill.describe());
        }
        out.flush();
        return text.toString().stripTrailing();
    }

    static String json(LoadGenerator.Report r) {
        return json(r, null);
    }

    static String json(LoadGenerator.Report r, LeaderKill.Outcome kill) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("mode", r.mode());
            g.writeNumberField("concurrency", r.concurrency());
            g.writeNumberField("committed", r.committed());
            g.writeNumberField("failed", r.failed());
            g.writeObjectFieldStart("failures");
            for (Map.Entry<String, Long> e : r.failures().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("failureReasons");
            for (LoadGenerator.FailureReason reason : r.reasons()) {
                g.writeStartObject();
                g.writeStringField("kind", reason.kind());
                g.writeStringField("message", reason.message());
                g.writeNumberField("count", reason.count());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("skipped", r.skipped());
            g.writeNumberField("seconds", r.elapsed().toNanos() / 1e9);
            g.writeNumberField("txPerSecond", r.throughput());
            g.writeObjectFieldStart("latencyMs");
            g.writeNumberField("p50", r.percentileMillis(50));
            g.writeNumberField("p90", r.percentileMillis(90));
            g.writeNumberField("p99", r.percentileMillis(99));
            g.writeNumberField("p99.9", r.percentileMillis(99.9));
            g.writeNumberField("max", r.maxMillis());
            g.writeEndObject();
            g.writeNumberField("cpuMicrosPerTx", r.cpuMicrosPerTransaction());
            g.writeNumberField("peakThreads", r.peakThreads());
            g.writeNumberField("heapStartMb", r.heapAtStart() / 1048576.0);
            g.writeNumberField("heapPeakMb", r.heapPeak() / 1048576.0);
            if (kill != null) {
                g.writeObjectFieldStart("leaderKill");
                g.writeStringField("orderer", kill.orderer());
                g.writeNumberField("afterSeconds", kill.after().toMillis() / 1000.0);
                if (kill.recovery() != null) {
                    g.writeNumberField("recoveryMs", kill.recovery().toNanos() / 1e6);
                } else {
                    g.writeNullField("recoveryMs");
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
