package dev.weft.testnet;

import java.time.Duration;

/**
 * Runs a task after a delay. Ordering uses it for batch timeouts, so that tests can drive time
 * by hand instead of waiting; the default runs on a real clock.
 */
@FunctionalInterface
public interface Scheduler {
    /** A scheduled task that can be cancelled before it runs. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run; does nothing otherwise. */
        void cancel();
    }

    Cancellable schedule(Duration delay, Runnable task);
}
