package dev.weft.core;

import io.grpc.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The SDK's one source of time: a wall clock for timestamps (proposal and seek headers,
 * certificate validity), a monotonic clock for deadlines, and a timer for timeouts, back-offs and
 * reconnects. A {@code Gateway} owns one and hands it to every part it builds (selection, endorse,
 * broadcast, commit events, channel-config reads), so a test that gives the gateway a
 * {@link ManualScheduler} drives every timeout of the SDK by hand.
 *
 * <p>Implementations are thread-safe. Scheduled tasks must be short and must not block: they run
 * on the scheduler's own thread (or, for a {@link ManualScheduler}, on the thread that advances
 * time), and typically just complete a future.
 *
 * <pre>{@code
 * try (SystemScheduler scheduler = SystemScheduler.start("my-timers")) {
 *     CompletableFuture<String> answer = ...;
 *     scheduler.within(answer, Duration.ofSeconds(5), () -> new TimeoutException("no answer in 5 s"));
 * }
 * }</pre>
 */
public interface Scheduler {

    /** The wall clock: what timestamps in messages and certificate checks use. */
    Clock clock();

    /** A monotonic time in nanoseconds, for measuring elapsed time and deadlines; not wall-clock time. */
    long nanoTime();

    /**
     * Runs a task once after a delay (at once for a delay of zero or less).
     *
     * @return a handle that cancels the task if it has not started
     */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can be cancelled before it runs. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run yet; does nothing otherwise. */
        void cancel();
    }

    /** A gRPC deadline {@code timeout} from now on this scheduler's monotonic clock. */
    default Deadline deadlineAfter(Duration timeout) {
        return Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS, ticker());
    }

    /** This scheduler's monotonic clock as a gRPC {@link Deadline.Ticker}. */
    default Deadline.Ticker ticker() {
        return new Deadline.Ticker() {
            @Override
            public long nanoTime() {
                return Scheduler.this.nanoTime();
            }
        };
    }

    /**
     * A copy of {@code future} that fails with {@code onTimeout.get()} if the future has not
     * completed within {@code timeout}. The timer is cancelled as soon as the future completes, so
     * nothing is left behind; completing or cancelling the returned copy does not affect the
     * original.
     */
    default <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout,
            Supplier<? extends Throwable> onTimeout) {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(onTimeout, "onTimeout");
        CompletableFuture<T> result = future.copy();
        if (result.isDone()) {
            return result;
        }
        Cancellable timer = schedule(timeout, () -> result.completeExceptionally(onTimeout.get()));
        result.whenComplete((value, error) -> timer.cancel());
        return result;
    }

    /** A future that completes after the delay. */
    default CompletableFuture<Void> delay(Duration delay) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Cancellable timer = schedule(delay, () -> done.complete(null));
        done.whenComplete((value, error) -> timer.cancel());
        return done;
    }
}
