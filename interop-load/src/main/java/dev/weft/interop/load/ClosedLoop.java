package dev.weft.interop.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed load loop for a client with a blocking API: {@code concurrency} threads, each running
 * one transaction after another until the time is up, and the figures {@code weft bench --json}
 * prints (committed and failed counts, failures by exception class, tx/s, latency percentiles,
 * process CPU per committed transaction, peak threads), so the side-by-side benchmark reads every
 * client's run the same way. Also the command-line helpers the load generators share.
 */
public final class ClosedLoop {
    private ClosedLoop() {
    }

    /** One transaction, start to commit; throws when it fails. */
    @FunctionalInterface
    public interface Transaction {
        void run() throws Exception;
    }

    /** Runs the loop for {@code duration} and returns its figures as one line of JSON. */
    public static String run(int concurrency, Duration duration, Transaction transaction) throws InterruptedException {
        Recorder latencies = new Recorder(3);
        LongAdder committed = new LongAdder();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        ManagementFactory.getThreadMXBean().resetPeakThreadCount();
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        for (int i = 0; i < concurrency; i++) {
            workers.execute(() -> {
                while (System.nanoTime() < deadline) {
                    long began = System.nanoTime();
                    try {
                        transaction.run();
                        latencies.recordValue(Math.max(1, (System.nanoTime() - began) / 1000));
                        committed.increment();
                    } catch (Exception e) {
                        failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
                    }
                }
            });
        }
        workers.shutdown();
        workers.awaitTermination(duration.toSeconds() + 120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = processCpuNanos() - cpuStart;
        Histogram h = latencies.getIntervalHistogram();
        Map<String, Long> failed = new TreeMap<>();
        failures.forEach((k, v) -> failed.put(k, v.sum()));
        long n = committed.sum();
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"mode\":\"closed loop, %d in flight\",\"concurrency\":%d,"
                        + "\"committed\":%d,\"failed\":%d,\"failures\":{", concurrency, concurrency, n,
                failed.values().stream().mapToLong(Long::longValue).sum()));
        json.append(String.join(",", failed.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":" + e.getValue()).toList()));
        json.append(String.format(Locale.ROOT, "},\"skipped\":0,\"seconds\":%.3f,\"txPerSecond\":%.2f,"
                        + "\"latencyMs\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p99.9\":%.3f,\"max\":%.3f},"
                        + "\"cpuMicrosPerTx\":%d,\"peakThreads\":%d}",
                seconds, n / seconds, ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9),
                h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0, n == 0 ? -1 : cpu / 1000 / n,
                ManagementFactory.getThreadMXBean().getPeakThreadCount()));
        return json.toString();
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** {@code --option value} pairs. */
    public static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got " + List.of(args));
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    public static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    /** The one file in a directory (a cryptogen MSP's signcerts or keystore). */
    public static Path only(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> list = files.filter(Files::isRegularFile).toList();
            if (list.size() != 1) {
                throw new IllegalArgumentException(directory + " must hold exactly one file, holds " + list.size());
            }
            return list.get(0);
        }
    }
}
