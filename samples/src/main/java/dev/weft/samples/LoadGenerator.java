package dev.weft.samples;

import dev.weft.core.CommitException;
import dev.weft.core.TransactionException;
import dev.weft.core.WeftException;
import dev.weft.handlers.TxResult;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives transactions and measures them: a closed loop (a fixed number always in flight) or an
 * open loop (a fixed arrival rate, whatever the latency), for a duration or a number of
 * transactions. A warm-up is a run whose figures are thrown away.
 *
 * <p>Latency is from the call that starts a transaction to the completion of its future (for a
 * submit: the commit). CPU is the whole process's CPU time over the run.
 *
 * <p>A closed-loop worker whose transaction failed waits before its next one, a random delay
 * (full jitter) under a bound that doubles with each failure in a row from {@link #FIRST_BACKOFF}
 * to {@link #MAX_BACKOFF} and resets on success: a network that has gone away costs a few
 * attempts a second, not thousands. A run for a duration ends at its deadline: no worker starts a
 * transaction after it, and each transaction's whole budget ends a drain time after it.
 */
final class LoadGenerator implements AutoCloseable {
    static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    /** A transaction id in a message: it differs per transaction, the reason does not. */
    private static final Pattern TRANSACTION_ID = Pattern.compile("\\b[0-9a-f]{64}\\b");
    /** Failure reasons shown: the most frequent ones. */
    static final int TOP_REASONS = 5;

    /** Starts the n-th transaction (n counts up across runs), within a time budget (null: no limit of the run's). */
    interface TransactionStarter {
        CompletableFuture<TxResult> start(long n, Duration budget);
    }

    private final TransactionStarter transaction;
    private final UnaryOperator<String> normalizeReason;
    private final ExecutorService issuers;
    private final ScheduledExecutorService timer;
    private final AtomicLong sequence = new AtomicLong();
    private volatile Run current;

    /**
     * @param normalizeReason turns a failure's message into its reason, removing what differs per
     *     transaction (keys) so that the same failure counts once
     */
    LoadGenerator(TransactionStarter transaction, UnaryOperator<String> normalizeReason) {
        this.transaction = transaction;
        this.normalizeReason = normalizeReason;
        AtomicInteger n = new AtomicInteger();
        // Starting a transaction signs its proposal on the calling thread: use every core for it.
        this.issuers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
            Thread t = new Thread(r, "weft-bench-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-bench-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * When to stop issuing: after a duration, or after a number of transactions. {@code drain} is
     * how long after a duration's end transactions in flight may take.
     */
    record Limit(Duration duration, long count, Duration drain) {
        static Limit of(Duration duration, Duration drain) {
            return new Limit(duration, Long.MAX_VALUE, drain);
        }

        static Limit ofCount(long count) {
            return new Limit(null, count, null);
        }
    }

    /** Committed transactions of the run under way, for a progress display. */
    long committedSoFar() {
        Run run = current;
        return run == null ? 0 : run.committed.sum();
    }

    /**
     * Keeps {@code concurrency} transactions in flight until the limit, then waits for them; a
     * worker backs off after a failure.
     */
    Report closedLoop(int concurrency, Limit limit) {
        Run run = new Run(limit);
        CompletableFuture<Void> drained = new CompletableFuture<>();
        run.inFlight.set(concurrency);
        for (int i = 0; i < concurrency; i++) {
            Worker worker = new Worker();
            issuers.execute(() -> next(run, worker, drained));
        }
        drained.join();
        return run.report("closed loop, " + concurrency + " in flight", concurrency);
    }

    /** A closed-loop slot: its failures in a row, which set its back-off. */
    private static final class Worker {
        int failuresInARow;

        /** The wait before the next transaction: none after a success, else a jittered, doubling bound. */
        long backoffNanos() {
            if (failuresInARow == 0) {
                return 0;
            }
            long bound = FIRST_BACKOFF.toNanos() << Math.min(failuresInARow - 1, 20);
            return ThreadLocalRandom.current().nextLong(Math.min(bound, MAX_BACKOFF.toNanos()) + 1);
        }
    }

    private void next(Run run, Worker worker, CompletableFuture<Void> drained) {
        if (!run.mayIssue()) {
            stopWorker(run, drained);
            return;
        }
        // Continue on an issuer thread: a future that fails at once must not recurse on this stack.
        run.start().whenCompleteAsync((result, error) -> {
            worker.failuresInARow = error == null ? 0 : worker.failuresInARow + 1;
            long wait = worker.backoffNanos();
            if (wait == 0) {
                next(run, worker, drained);
            } else if (System.nanoTime() + wait >= run.deadline) {
                stopWorker(run, drained); // the deadline comes before the back-off ends
            } else {
                timer.schedule(() -> issuers.execute(() -> next(run, worker, drained)), wait, TimeUnit.NANOSECONDS);
            }
        }, issuers);
    }

    private static void stopWorker(Run run, CompletableFuture<Void> drained) {
        if (run.inFlight.decrementAndGet() == 0) {
            drained.complete(null);
        }
    }

    /**
     * Starts {@code rate} transactions per second until the limit, then waits for those in flight.
     * When {@code maxInFlight} are already waiting, a due transaction is skipped and counted.
     */
    Report openLoop(double rate, int maxInFlight, Limit limit) throws InterruptedException {
        Run run = new Run(limit);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-bench-ticker");
            t.setDaemon(true);
            return t;
        });
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        // The ticker holds one share of inFlight until it has stopped issuing, so that the count
        // reaches zero only once the last transaction is done.
        run.inFlight.set(1);
        Runnable done = () -> {
            if (run.inFlight.decrementAndGet() == 0) {
                drained.complete(null);
            }
        };
        AtomicLong started = new AtomicLong();
        ticker.scheduleAtFixedRate(() -> {
            long due = (long) ((System.nanoTime() - run.startNanos) / 1e9 * rate);
            while (started.get() < due) {
                if (!run.mayIssue()) {
                    stopped.complete(null);
                    return;
                }
                started.incrementAndGet();
                if (run.inFlight.get() - 1 >= maxInFlight) {
                    run.skipped.increment();
                    continue;
                }
                run.inFlight.incrementAndGet();
                issuers.execute(() -> run.start().whenComplete((r, e) -> done.run()));
            }
        }, 0, 1, TimeUnit.MILLISECONDS);
        try {
            stopped.join();
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(10, TimeUnit.SECONDS);
        }
        done.run(); // the ticker's share
        drained.join(); // every transaction completes, at the latest at its own timeout
        return run.report(String.format(Locale.ROOT, "open loop, %.0f tx/s offered", rate), 0);
    }

    /** The failure's kind: the exception, its stage, and for a commit its validation code. */
    static String kind(Throwable error) {
        Throwable t = WeftException.unwrap(error);
        if (t instanceof CommitException c) {
            return "CommitException " + c.validationCode();
        }
        if (t instanceof TransactionException e) {
            return e.getClass().getSimpleName() + " at " + e.stage();
        }
        return t.getClass().getSimpleName();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        issuers.shutdownNow();
    }

    /** One run: its limit, clock, counters and latencies. */
    private final class Run {
        final Limit limit;
        final long startNanos = System.nanoTime();
        final long startCpu = processCpuNanos();
        final long deadline;
        final AtomicLong issued = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();
        final Recorder latencies = new Recorder(3);
        final LongAdder committed = new LongAdder();
        final LongAdder skipped = new LongAdder();
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        /** By kind and normalized message: how many, and the first message as it was. */
        final Map<String, Reason> reasons = new ConcurrentHashMap<>();
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final long heapAtStart = memory.getHeapMemoryUsage().getUsed();
        final AtomicLong heapPeak = new AtomicLong(heapAtStart);

        Run(Limit limit) {
            this.limit = limit;
            this.deadline = limit.duration() == null ? Long.MAX_VALUE : startNanos + limit.duration().toNanos();
            threads.resetPeakThreadCount();
            current = this;
        }

        boolean mayIssue() {
            return System.nanoTime() < deadline && issued.getAndIncrement() < limit.count();
        }

        CompletableFuture<TxResult> start() {
            long started = System.nanoTime();
            if ((issued.get() & 31) == 0) {
                heapPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            }
            // A run for a duration: the transaction may take what is left of it and the drain time.
            Duration budget = deadline == Long.MAX_VALUE ? null
                    : Duration.ofNanos(Math.max(1, deadline - started)).plus(limit.drain());
            CompletableFuture<TxResult> future;
            try {
                future = transaction.start(sequence.getAndIncrement(), budget);
            } catch (RuntimeException e) {
                future = CompletableFuture.failedFuture(e);
            }
            return future.whenComplete((result, error) -> {
                if (error == null) {
                    latencies.recordValue(Math.max(1, (System.nanoTime() - started) / 1000));
                    committed.increment();
                } else {
                    String kind = kind(error);
                    failures.computeIfAbsent(kind, k -> new LongAdder()).increment();
                    String message = firstLine(WeftException.unwrap(error).getMessage());
                    String reason = TRANSACTION_ID.matcher(normalizeReason.apply(message)).replaceAll("<txid>");
                    reasons.computeIfAbsent(kind + "\n" + reason,
                            k -> new Reason(kind, message)).count.increment();
                }
            });
        }

        Report report(String mode, int concurrency) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            long cpu = processCpuNanos();
            Map<String, Long> failed = new TreeMap<>();
            failures.forEach((k, v) -> failed.put(k, v.sum()));
            List<FailureReason> top = reasons.values().stream()
                    .map(r -> new FailureReason(r.kind, r.message, r.count.sum()))
                    .sorted(Comparator.comparingLong(FailureReason::count).reversed()
                            .thenComparing(FailureReason::message))
                    .limit(TOP_REASONS)
                    .toList();
            return new Report(mode, concurrency, committed.sum(), failed, top, skipped.sum(), elapsed,
                    latencies.getIntervalHistogram(), cpu < 0 || startCpu < 0 ? -1 : (cpu - startCpu) / 1000,
                    threads.getPeakThreadCount(), heapAtStart, heapPeak.get());
        }
    }

    /** A reason being counted. */
    private static final class Reason {
        final String kind;
        final String message;
        final LongAdder count = new LongAdder();

        Reason(String kind, String message) {
            this.kind = kind;
            this.message = message;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** One reason transactions failed, how many times, and its first message as it was. */
    record FailureReason(String kind, String message, long count) {
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * The figures of a run.
     *
     * @param reasons the most frequent failure reasons, most frequent first (at most {@link #TOP_REASONS})
     * @param cpuMicros process CPU time over the run in µs, or -1 if the JVM cannot tell
     * @param heapAtStart heap in use when the run started, in bytes
     * @param heapPeak the most heap seen in use during the run (sampled), in bytes
     */
    record Report(String mode, int concurrency, long committed, Map<String, Long> failures,
            List<FailureReason> reasons, long skipped,
            Duration elapsed, Histogram latencyMicros, long cpuMicros, int peakThreads, long heapAtStart,
            long heapPeak) {
        double throughput() {
            double seconds = elapsed.toNanos() / 1e9;
            return seconds == 0 ? 0 : committed / seconds;
        }

        double percentileMillis(double percentile) {
            return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxMillis() {
            return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
        }

        long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Process CPU per committed transaction in µs, or -1. */
        long cpuMicrosPerTransaction() {
            return cpuMicros < 0 || committed == 0 ? -1 : cpuMicros / committed;
        }
    }
}
