package dev.weft.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only when a test says so, for testing timeouts, back-offs
 * and expiry without waiting (grpc-java's {@code FakeClock} is the model). The wall clock and the
 * monotonic clock move together; {@link #advance} runs every task that falls due, in order of due
 * time (then of scheduling), on the calling thread.
 *
 * <pre>{@code
 * ManualScheduler time = new ManualScheduler(Instant.parse("2026-01-01T00:00:00Z"));
 * Gateway gateway = Gateway.builder()....scheduler(time).build();
 * CompletableFuture<TxResult> tx = contract.newTransaction("Slow").submitAsync();
 * time.advance(Duration.ofSeconds(16));     // the endorse timeout (15 s) fires now
 * }</pre>
 *
 * <p>Thread-safe: tasks may be scheduled from any thread; advancing from several threads at once
 * runs each task once.
 */
public final class ManualScheduler implements Scheduler {
    private final Instant start;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long sequence;

    /** Time starts at {@code start}; the monotonic clock starts at 0. */
    public ManualScheduler(Instant start) {
        this.start = Objects.requireNonNull(start, "start");
    }

    /** Time starts at the current system time. */
    public ManualScheduler() {
        this(Instant.now());
    }

    @Override
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return Clock.fixed(instant(), zone);
            }

            @Override
            public Instant instant() {
                return start.plusNanos(nanoTime());
            }
        };
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    /** The current wall-clock time. */
    public Instant instant() {
        return start.plusNanos(nanoTime());
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        Task scheduled;
        synchronized (this) {
            scheduled = new Task(now + Math.max(0, delay.toNanos()), sequence++, task);
            queue.add(scheduled);
            notifyAll();
        }
        return () -> {
            synchronized (ManualScheduler.this) {
                queue.remove(scheduled);
            }
        };
    }

    /**
     * Moves time forward and runs, on this thread, every task due by the new time, including tasks
     * those tasks schedule within it.
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time cannot go back: " + duration);
        }
        long target;
        synchronized (this) {
            target = now + duration.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due > target) {
                    now = Math.max(now, target);
                    return;
                }
                queue.poll();
                now = Math.max(now, next.due);
            }
            next.task.run();
        }
    }

    /**
     * Waits, in real time, until at least {@code count} tasks are pending: for a test to see that
     * the code under test, running on other threads, has scheduled what it should.
     *
     * @return whether they were there before the real-time timeout
     */
    public synchronized boolean awaitPendingTasks(int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (queue.size() < count) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /**
     * Waits, in real time, until a task is pending that falls due exactly {@code delay} from now:
     * for a test to see that a particular timer (a 10 s commit timeout, say) has been set by code
     * running on other threads, before it moves time past it.
     *
     * @return whether such a task was there before the real-time timeout
     */
    public synchronized boolean awaitTaskDueIn(Duration delay, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        long due = now + delay.toNanos();
        while (queue.stream().noneMatch(t -> t.due == due)) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** How many tasks wait to fall due. */
    public synchronized int pendingTasks() {
        return queue.size();
    }

    /** The delays from now of the waiting tasks, soonest first. */
    public synchronized List<Duration> pendingDelays() {
        List<Task> tasks = new ArrayList<>(queue);
        tasks.sort(null);
        return tasks.stream().map(t -> Duration.ofNanos(t.due - now)).toList();
    }

    @Override
    public String toString() {
        return "ManualScheduler[" + instant() + ", " + pendingTasks() + " pending]";
    }

    private record Task(long due, long order, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(order, other.order);
        }
    }
}
