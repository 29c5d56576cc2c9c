package dev.weft.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on real time: the system UTC clock (or another), {@link System#nanoTime()},
 * and one daemon timer thread. Due tasks are handed to an executor when one is given (so that a
 * task that completes a future does not run the future's dependents on the timer thread),
 * otherwise they run on the timer thread.
 *
 * <p>Thread-safe. It owns its timer thread: {@link #close()} stops it, and tasks scheduled after
 * that are dropped (their handles cancel nothing). The executor stays the caller's.
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemScheduler.class);

    private final Clock clock;
    private final Executor executor;
    private final ScheduledThreadPoolExecutor timer;

    private SystemScheduler(String threadName, Clock clock, Executor executor) {
        this.clock = clock;
        this.executor = executor;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        // Timeouts are cancelled far more often than they fire: drop them from the queue at once.
        timer.setRemoveOnCancelPolicy(true);
    }

    /** A scheduler on the system UTC clock whose tasks run on its timer thread. */
    public static SystemScheduler start(String threadName) {
        return new SystemScheduler(Objects.requireNonNull(threadName, "threadName"), Clock.systemUTC(), null);
    }

    /** A scheduler whose wall clock is {@code clock} (timestamps only: delays are always real time). */
    public static SystemScheduler start(String threadName, Clock clock) {
        return new SystemScheduler(Objects.requireNonNull(threadName, "threadName"),
                Objects.requireNonNull(clock, "clock"), null);
    }

    /**
     * A scheduler whose wall clock is {@code clock} (timestamps only: delays are always real time)
     * and whose due tasks run on {@code executor}.
     */
    public static SystemScheduler start(String threadName, Clock clock, Executor executor) {
        return new SystemScheduler(Objects.requireNonNull(threadName, "threadName"),
                Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(executor, "executor"));
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        Runnable due = executor == null ? task : () -> handOff(task);
        ScheduledFuture<?> future;
        try {
            future = timer.schedule(due, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("scheduler closed; dropping a task due in {} ms", delay.toMillis());
            return () -> { };
        }
        return () -> future.cancel(false);
    }

    private void handOff(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // the executor is shutting down: a timeout must still fire, or a future hangs
        }
    }

    /** Stops the timer thread; pending tasks are dropped. Idempotent. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    @Override
    public String toString() {
        return "SystemScheduler[" + clock + "]";
    }
}
