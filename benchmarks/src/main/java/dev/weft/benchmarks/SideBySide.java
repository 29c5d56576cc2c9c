package dev.weft.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end, side-by-side benchmark: one reference network in its own JVM, and against it,
 * at each concurrency, Weft's {@code weft bench} and the same load from fabric-sdk-java 2.2, each
 * client in a JVM of its own (so its CPU is measured apart from the network's), alternating which
 * goes first. Then, at concurrencies 64 and 256, Weft through the peer's Gateway service
 * ({@code --transport gateway}) and fabric-gateway, beside direct Weft. Then 10,000 transactions
 * in flight at once through Weft, for threads and heap. Then Weft's load at the highest
 * concurrency on a freshly started solo network and on a freshly started Raft cluster of
 * orderers, after the same warm-up ({@code --ordering-warmup}, at least 90 s: a fresh network
 * JVM is still compiling before that), and the time commits take to resume after the Raft
 * leader is killed. It prints a
 * markdown table, with the crypto floor and the in-memory pipeline from the JMH results
 * of the same script run, and writes it to {@code results.md} in the output directory.
 *
 * <p>Usage: {@code SideBySide --root REPO --out DIR [--jmh FILE] [--concurrency 1,16,64,256]
 * [--warmup 30] [--duration 20] [--batch-timeout 50ms] [--in-flight 10000] [--raft-orderers 3]
 * [--gateway-concurrency 64,256] [--ordering-warmup 90]} (seconds; {@code --raft-orderers 1} leaves Raft out; the gateway
 * rows run at those of the concurrencies that are also in {@code --concurrency}).
 */
public final class SideBySide {
    private final Path root;
    private final Path out;
    private final Map<String, String> options;
    private Process network;
    private Path profile;
    private Path userMsp;

    private SideBySide(Map<String, String> options) {
        this.options = options;
        this.root = Path.of(options.getOrDefault("--root", ".")).toAbsolutePath().normalize();
        this.out = Path.of(options.getOrDefault("--out", "target/benchmark")).toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        SideBySide run = new SideBySide(options);
        try {
            run.run();
        } finally {
            run.stopNetwork();
        }
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        List<Integer> concurrencies = new ArrayList<>();
        for (String c : options.getOrDefault("--concurrency", "1,16,64,256").split(",")) {
            concurrencies.add(Integer.parseInt(c.trim()));
        }
        String warmup = options.getOrDefault("--warmup", "30");
        String duration = options.getOrDefault("--duration", "20");
        String batchTimeout = options.getOrDefault("--batch-timeout", "50ms");
        startNetwork(batchTimeout, "network");

        List<Row> rows = new ArrayList<>();
        boolean weftFirst = true;
        for (int c : concurrencies) {
            Row weft = null;
            Row fsj = null;
            for (int turn = 0; turn < 2; turn++) {
                if ((turn == 0) == weftFirst) {
                    weft = measure("Weft", c, weftCommand(c, warmup, duration));
                } else {
                    fsj = measure("fabric-sdk-java 2.2", c, fsjCommand(c, warmup, duration));
                }
            }
            rows.add(weft);
            rows.add(fsj);
            weftFirst = !weftFirst;
        }
        // Through the peer's Gateway service, beside direct Weft's row of the same concurrency (same network).
        List<Row> viaGateway = new ArrayList<>();
        for (String g : options.getOrDefault("--gateway-concurrency", "64,256").split(",")) {
            int c = Integer.parseInt(g.trim());
            Row direct = rows.stream().filter(r -> r.client().equals("Weft") && r.concurrency() == c).findFirst()
                    .orElse(null);
            if (direct == null) {
                continue; // only beside a direct row of this run
            }
            Row weft = null;
            Row fgw = null;
            for (int turn = 0; turn < 2; turn++) {
                if ((turn == 0) == weftFirst) {
                    weft = measure("Weft, PEER_GATEWAY", c, weftCommand(c, warmup, duration, "--transport", "gateway"));
                } else {
                    fgw = measure("fabric-gateway 1.10", c, fabricGatewayCommand(c, warmup, duration));
                }
            }
            viaGateway.addAll(List.of(direct, weft, fgw));
            weftFirst = !weftFirst;
        }
        int inFlight = Integer.parseInt(options.getOrDefault("--in-flight", "10000"));
        Row many = measure("Weft", inFlight, java("samples", "dev.weft.samples.Weft", "bench",
                "--profile", profile.toString(), "--msp-dir", userMsp.toString(), "--concurrency",
                String.valueOf(inFlight), "--count", String.valueOf(inFlight), "--json"));

        // The same Weft load on a solo and then a Raft network, each freshly started and warmed up alike: the
        // network of the rows above has been warming for minutes, and a fresh JVM compiles for a minute or more
        // at this load (C2 took a third of a core at 20 s; solo's row above would flatter solo).
        List<Row> raft = new ArrayList<>();
        Row killed = null;
        int orderers = Integer.parseInt(options.getOrDefault("--raft-orderers", "3"));
        String orderingWarmup = options.getOrDefault("--ordering-warmup",
                String.valueOf(Math.max(90, Integer.parseInt(warmup))));
        if (orderers > 1) {
            int c = concurrencies.get(concurrencies.size() - 1);
            stopNetwork();
            startNetwork(batchTimeout, "network-solo");
            raft.add(measure("Weft, solo", c, weftCommand(c, orderingWarmup, duration)));
            stopNetwork();
            startNetwork(batchTimeout, "network-raft", "--orderers", String.valueOf(orderers), "--consensus", "raft");
            raft.add(measure("Weft, " + orderers + "-orderer Raft", c, weftCommand(c, orderingWarmup, duration)));
            // Recovery after a leader crash: weft bench's own embedded Raft network, its leader stopped halfway.
            stopNetwork();
            int half = Math.max(1, Integer.parseInt(duration) / 2);
            killed = measure("Weft, embedded " + orderers + "-orderer Raft, leader killed", c, java("samples",
                    "dev.weft.samples.Weft", "bench", "--embedded", "--orderers", String.valueOf(orderers),
                    "--batch-timeout", batchTimeout, "--concurrency", String.valueOf(c), "--warmup", warmup + "s",
                    "--duration", duration + "s", "--kill-leader-after", half + "s", "--allow-failures", "--json"));
        }

        String report = report(rows, many, options.containsKey("--jmh") ? jmh(Path.of(options.get("--jmh"))) : Map.of())
                + gatewayReport(viaGateway) + raftReport(raft, orderingWarmup) + leaderKillReport(killed);
        Files.writeString(out.resolve("results.md"), report);
        System.out.println(report);
    }

    // ---- processes

    /** A java command for a main class of a module (samples, fabric-sdk-java-interop, fabric-gateway-interop), on its runtime classpath. */
    private List<String> java(String module, String mainClass, String... args) {
        String classpath = read(root.resolve(module + "/target/runtime-classpath.txt")) + File.pathSeparator
                + root.resolve(module + "/target/classes");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath));
        if (module.equals("fabric-sdk-java-interop")) {
            // fabric-sdk-java exports OpenTelemetry traces to localhost:4317 unless told not to.
            command.add("-Dotel.traces.exporter=none");
        }
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private List<String> weftCommand(int concurrency, String warmup, String duration, String... extra) {
        List<String> command = java("samples", "dev.weft.samples.Weft", "bench", "--profile", profile.toString(),
                "--msp-dir", userMsp.toString(), "--concurrency", String.valueOf(concurrency),
                "--warmup", warmup + "s", "--duration", duration + "s", "--json");
        command.addAll(List.of(extra));
        return command;
    }

    private List<String> fsjCommand(int concurrency, String warmup, String duration) {
        return java("fabric-sdk-java-interop", "dev.weft.interop.FabricSdkJavaBench", "--profile", profile.toString(),
                "--msp-dir", userMsp.toString(), "--msp", "Org1MSP", "--concurrency", String.valueOf(concurrency),
                "--warmup", warmup, "--duration", duration);
    }

    private List<String> fabricGatewayCommand(int concurrency, String warmup, String duration) {
        return java("fabric-gateway-interop", "dev.weft.interop.gateway.FabricGatewayBench", "--profile",
                profile.toString(), "--msp-dir", userMsp.toString(), "--msp", "Org1MSP", "--concurrency",
                String.valueOf(concurrency), "--warmup", warmup, "--duration", duration);
    }

    private void startNetwork(String batchTimeout, String name, String... extra) throws Exception {
        Path dir = out.resolve(name);
        List<String> command = new ArrayList<>(java("samples", "dev.weft.samples.Weft", "network", "start", "--dir",
                dir.toString(), "--fresh", "--batch-timeout", batchTimeout));
        command.addAll(List.of(extra));
        network = new ProcessBuilder(command)
                .redirectError(out.resolve(name + "-stderr.log").toFile())
                .start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(network.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("Network ready.")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        if (!ready.get(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the network did not start; see " + out.resolve(name + "-stderr.log"));
        }
        Path org1 = dir.resolve("organizations/peerOrganizations/org1.example.com");
        profile = org1.resolve("connection-org1.yaml");
        userMsp = org1.resolve("users/User1@org1.example.com/msp");
    }

    private void stopNetwork() throws InterruptedException {
        if (network != null) {
            network.destroy();
            if (!network.waitFor(30, TimeUnit.SECONDS)) {
                network.destroyForcibly();
            }
            network = null;
        }
    }

    /**
     * Runs a client and reads its JSON; also measures the network process's CPU (Linux) over the
     * client's measured window only, not its warm-up: the network's CPU time is sampled every
     * 100 ms while the client runs, and the window is the client's reported {@code seconds} up to
     * its exit (it prints its figures and exits as the window ends).
     */
    private Row measure(String client, int concurrency, List<String> command) throws Exception {
        System.err.printf("running %s at concurrency %d...%n", client, concurrency);
        // No network process of ours when the client embeds its own.
        long pid = network == null || cpuTicks(network.pid()) < 0 ? -1 : network.pid();
        List<long[]> samples = new ArrayList<>(); // {System.nanoTime(), CPU ticks}
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "network-cpu-sampler");
            t.setDaemon(true);
            return t;
        });
        if (pid > 0) {
            sampler.scheduleAtFixedRate(() -> sample(samples, pid), 0, 100, TimeUnit.MILLISECONDS);
        }
        // Each client's own log (fabric-sdk-java's is loud) goes to a file beside the results.
        Path log = out.resolve(client.replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT) + "-c"
                + concurrency + ".log");
        String output;
        try {
            Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(client + " failed at concurrency " + concurrency + " (see " + log
                        + "): " + output);
            }
        } finally {
            sampler.shutdownNow();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (pid > 0) {
            sample(samples, pid);
        }
        String json = output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException(client + " printed no figures: " + output));
        Map<String, Object> figures = flatten(json);
        long committed = number(figures, "committed").longValue();
        double networkCpuMicrosPerTx = -1;
        if (pid > 0 && committed > 0 && samples.size() >= 2) {
            long[] last = samples.get(samples.size() - 1);
            long windowStart = last[0] - (long) (number(figures, "seconds").doubleValue() * 1e9);
            networkCpuMicrosPerTx = (last[1] - ticksAt(samples, windowStart)) * 1e6 / ticksPerSecond() / committed;
        }
        return new Row(client, concurrency, figures, networkCpuMicrosPerTx);
    }

    private static void sample(List<long[]> samples, long pid) {
        long ticks = cpuTicks(pid);
        if (ticks >= 0) {
            synchronized (samples) {
                samples.add(new long[] {System.nanoTime(), ticks});
            }
        }
    }

    /** The CPU ticks at a moment, interpolated between the samples around it. */
    static double ticksAt(List<long[]> samples, long nanos) {
        synchronized (samples) {
            if (nanos <= samples.get(0)[0]) {
                return samples.get(0)[1];
            }
            for (int i = 1; i < samples.size(); i++) {
                long[] after = samples.get(i);
                if (nanos <= after[0]) {
                    long[] before = samples.get(i - 1);
                    double fraction = (double) (nanos - before[0]) / Math.max(1, after[0] - before[0]);
                    return before[1] + fraction * (after[1] - before[1]);
                }
            }
            return samples.get(samples.size() - 1)[1];
        }
    }

    /** CPU time of a process in clock ticks from /proc, or -1 where there is no /proc. */
    private static long cpuTicks(long pid) {
        Path stat = Path.of("/proc", String.valueOf(pid), "stat");
        if (!Files.isReadable(stat)) {
            return -1;
        }
        String text = read(stat);
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    }

    private static double ticksPerSecond() {
        return 100; // USER_HZ on Linux
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- figures

    /** One client at one concurrency. */
    record Row(String client, int concurrency, Map<String, Object> figures, double networkCpuMicrosPerTx) {
        double get(String key) {
            return number(figures, key).doubleValue();
        }
    }

    private static Number number(Map<String, Object> figures, String key) {
        Object value = figures.get(key);
        if (!(value instanceof Number n)) {
            throw new IllegalStateException("no figure " + key + " in " + figures);
        }
        return n;
    }

    /** JSON objects as dotted keys ({@code latencyMs.p50}) to values. */
    static Map<String, Object> flatten(String json) throws IOException {
        Map<String, Object> values = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            List<String> path = new ArrayList<>();
            String field = null;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case FIELD_NAME -> field = p.currentName();
                    case START_OBJECT -> path.add(field == null ? "" : field + ".");
                    case END_OBJECT -> path.remove(path.size() - 1);
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> values.put(String.join("", path) + field, p.getNumberValue());
                    case VALUE_STRING -> values.put(String.join("", path) + field, p.getText());
                    default -> {
                    }
                }
            }
        }
        return values;
    }

    /** JMH scores by benchmark method name (µs/op), from {@code -rf json}. */
    static Map<String, Double> jmh(Path file) throws IOException {
        Map<String, Double> scores = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            String benchmark = null;
            int depth = 0;
            int metricDepth = -1;
            String field = null;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> {
                        depth--;
                        if (depth < metricDepth) {
                            metricDepth = -1;
                        }
                    }
                    case FIELD_NAME -> {
                        field = p.currentName();
                        if (field.equals("primaryMetric")) {
                            metricDepth = depth + 1;
                        }
                    }
                    case VALUE_STRING -> {
                        if ("benchmark".equals(field)) {
                            String name = p.getText();
                            benchmark = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
                        }
                    }
                    case VALUE_NUMBER_FLOAT, VALUE_NUMBER_INT -> {
                        if ("score".equals(field) && depth == metricDepth && benchmark != null) {
                            scores.put(benchmark, p.getDoubleValue());
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        return scores;
    }

    /**
     * Per concurrency, direct Weft, Weft through the peer's Gateway service and fabric-gateway
     * (rows in threes), and the ratios of their committed tx/s; empty when none was run.
     */
    static String gatewayReport(List<Row> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%n## Through the peer's Gateway service (same network, same run)%n%n"));
        md.append("| client | concurrency | committed tx/s | p50 ms | p99 ms | client CPU µs/tx | network CPU µs/tx |"
                + " peak threads |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f |%n",
                    r.client().equals("Weft") ? "Weft, DIRECT" : r.client(), r.concurrency(), r.get("txPerSecond"),
                    r.get("latencyMs.p50"), r.get("latencyMs.p99"), r.get("cpuMicrosPerTx"), r.networkCpuMicrosPerTx(),
                    r.get("peakThreads")));
        }
        md.append("\n| concurrency | tx/s PEER_GATEWAY / DIRECT | tx/s fabric-gateway / DIRECT | "
                + "tx/s PEER_GATEWAY / fabric-gateway | client CPU PEER_GATEWAY / fabric-gateway |\n"
                + "|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i + 2 < rows.size(); i += 3) {
            Row direct = rows.get(i);
            Row weft = rows.get(i + 1);
            Row fgw = rows.get(i + 2);
            md.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f |%n", direct.concurrency(),
                    weft.get("txPerSecond") / direct.get("txPerSecond"), fgw.get("txPerSecond") / direct.get("txPerSecond"),
                    weft.get("txPerSecond") / fgw.get("txPerSecond"),
                    weft.get("cpuMicrosPerTx") / fgw.get("cpuMicrosPerTx")));
        }
        return md.toString();
    }

    /** The solo and Raft rows at the same concurrency, and their ratio; empty when Raft was not run. */
    static String raftReport(List<Row> raft, String warmupSeconds) {
        if (raft.size() != 2) {
            return "";
        }
        Row solo = raft.get(0);
        Row cluster = raft.get(1);
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%n## Ordering: solo and a Raft cluster, Weft at concurrency %d (same run; each network freshly "
                        + "started, then %s s of warm-up)%n%n", cluster.concurrency(), warmupSeconds));
        md.append("| orderers | committed tx/s | p50 ms | p99 ms | network CPU µs/tx |\n|---|---:|---:|---:|---:|\n");
        for (Row r : raft) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.0f |%n",
                    r == solo ? "solo" : r.client().replace("Weft, ", ""), r.get("txPerSecond"), r.get("latencyMs.p50"),
                    r.get("latencyMs.p99"), r.networkCpuMicrosPerTx()));
        }
        md.append(String.format(Locale.ROOT, "%nRaft / solo committed tx/s: %.2f%n",
                cluster.get("txPerSecond") / solo.get("txPerSecond")));
        return md.toString();
    }

    /** The leader-kill run: who was stopped when, and how long until commits of new transactions resumed. */
    static String leaderKillReport(Row killed) {
        if (killed == null) {
            return "";
        }
        Object recovery = killed.figures().get("leaderKill.recoveryMs");
        return String.format(Locale.ROOT, "%n## Recovery after a Raft leader is killed (weft bench --embedded, "
                + "concurrency %d)%n%n%s stopped %.0f s into a %.0f s run: the first transaction submitted after it "
                + "committed %s later; %,d committed (%.1f tx/s over the run), %,d failed (accepted by the dead "
                + "leader, their commit waits timed out).%n", killed.concurrency(), killed.figures().get("leaderKill.orderer"),
                killed.get("leaderKill.afterSeconds"), killed.get("seconds"),
                recovery instanceof Number ms ? String.format(Locale.ROOT, "%,.0f ms", ms.doubleValue()) : "never",
                (long) killed.get("committed"), killed.get("txPerSecond"), (long) killed.get("failed"));
    }

    static String report(List<Row> rows, Row many, Map<String, Double> jmh) {
        StringBuilder md = new StringBuilder();
        Double sign = jmh.get("ClientPathBenchmark.floorSign");
        Double verify = jmh.get("ClientPathBenchmark.endorsementVerify");
        double floor = sign != null && verify != null ? 2 * sign + 2 * verify : -1;
        md.append("## End to end: one reference network (own JVM), each client in its own JVM\n\n");
        md.append("| client | concurrency | committed tx/s | p50 ms | p99 ms | client CPU µs/tx | network CPU µs/tx |"
                + " peak threads |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f |%n", r.client(),
                    r.concurrency(), r.get("txPerSecond"), r.get("latencyMs.p50"), r.get("latencyMs.p99"),
                    r.get("cpuMicrosPerTx"), r.networkCpuMicrosPerTx(), r.get("peakThreads")));
        }
        md.append("\n## Ratios\n\n| concurrency | tx/s Weft / fabric-sdk-java | p99 Weft / fabric-sdk-java | "
                + "client CPU Weft / fabric-sdk-java | Weft CPU / floor |\n|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            Row w = rows.get(i);
            Row f = rows.get(i + 1);
            md.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %s |%n", w.concurrency(),
                    w.get("txPerSecond") / f.get("txPerSecond"), w.get("latencyMs.p99") / f.get("latencyMs.p99"),
                    w.get("cpuMicrosPerTx") / f.get("cpuMicrosPerTx"),
                    floor > 0 ? String.format(Locale.ROOT, "%.2f", w.get("cpuMicrosPerTx") / floor) : "n/a"));
        }
        md.append(String.format(Locale.ROOT, "%n## %,d transactions in flight at once (Weft)%n%n", many.concurrency()));
        md.append(String.format(Locale.ROOT, "%.0f committed, %.0f failed, in %.1f s; peak threads %.0f; heap %.0f MB "
                        + "at start, %.0f MB at peak: %.1f KB per transaction in flight%n", many.get("committed"),
                many.get("failed"), many.get("seconds"), many.get("peakThreads"), many.get("heapStartMb"),
                many.get("heapPeakMb"), (many.get("heapPeakMb") - many.get("heapStartMb")) * 1024 / many.concurrency()));
        if (!jmh.isEmpty()) {
            md.append("\n## Client path, one thread (JMH, same run), µs per operation\n\n| operation | µs |\n|---|---:|\n");
            jmh.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.1f |%n", k, v)));
            if (floor > 0) {
                Double pipeline = jmh.get("PipelineBenchmark.submit");
                Double fake = jmh.get("ClientPathBenchmark.fakeEndorserResponse");
                md.append(String.format(Locale.ROOT, "%nFloor of one 2-endorser submit = 2 × sign + 2 × verify = %.0f µs.%n",
                        floor));
                if (pipeline != null && fake != null) {
                    double client = pipeline - 2 * fake;
                    md.append(String.format(Locale.ROOT, "In-memory pipeline: %.0f µs per submit, less 2 × %.0f µs of fake "
                            + "endorsers = %.0f µs of client work = %.2f × floor.%n", pipeline, fake, client, client / floor));
                }
            }
        }
        return md.toString();
    }
}
