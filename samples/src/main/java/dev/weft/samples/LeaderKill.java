package dev.weft.samples;

import dev.weft.core.GoDurations;
import dev.weft.testnet.ReferenceNetwork;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code weft bench --kill-leader-after}: stops the Raft leader of an embedded network partway
 * through the measured run, as a crash would ({@link ReferenceNetwork.Orderer#stop()}), and
 * measures the recovery: from the kill to the commit of the first transaction submitted after
 * it. That spans the election, the client's failover to another orderer and the new leader's
 * first block.
 */
final class LeaderKill implements AutoCloseable {
    private final ReferenceNetwork network;
    private final String channel;
    private final Duration after;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "weft-bench-leader-kill");
        t.setDaemon(true);
        return t;
    });
    /** {@link System#nanoTime()} of the kill, or 0 before it. */
    private volatile long killedAt;
    private volatile String victim;
    private volatile RuntimeException failure;
    private final AtomicLong recoveredAt = new AtomicLong();

    LeaderKill(ReferenceNetwork network, String channel, Duration after) {
        this.network = network;
        this.channel = channel;
        this.after = after;
    }

    /** Starts the clock: the leader is stopped {@code after} from now. */
    void schedule() {
        timer.schedule(() -> {
            try {
                ReferenceNetwork.Orderer leader = network.leader(channel, Duration.ofSeconds(5));
                victim = leader.name();
                killedAt = System.nanoTime();
                leader.stop();
            } catch (RuntimeException e) {
                failure = e;
            }
        }, after.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A transaction submitted at {@code submittedAt} ({@link System#nanoTime()}) has committed. */
    void committed(long submittedAt) {
        long killed = killedAt;
        if (killed != 0 && submittedAt - killed > 0) {
            recoveredAt.compareAndSet(0, System.nanoTime());
        }
    }

    /** What happened, once the run is over. */
    Outcome outcome() {
        if (failure != null) {
            throw new IllegalStateException("could not stop the Raft leader: " + failure.getMessage(), failure);
        }
        if (victim == null) {
            throw new IllegalStateException("the run ended before the leader was to be stopped, "
                    + GoDurations.format(after) + " into it");
        }
        long recovered = recoveredAt.get();
        return new Outcome(victim, after, recovered == 0 ? null : Duration.ofNanos(recovered - killedAt));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /**
     * @param recovery from the kill to the first commit of a transaction submitted after it; null
     *     if none committed before the run ended
     */
    record Outcome(String orderer, Duration after, Duration recovery) {
        String describe() {
            String when = String.format(Locale.ROOT, "%s stopped %.1f s into the run; ", orderer,
                    after.toMillis() / 1000.0);
            return when + (recovery == null ? "no transaction submitted after it committed before the run ended"
                    : String.format(Locale.ROOT, "the first transaction submitted after it committed %,d ms later",
                            recovery.toMillis()));
        }
    }
}
