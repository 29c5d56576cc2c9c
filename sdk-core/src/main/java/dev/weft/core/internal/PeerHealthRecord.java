package dev.weft.core.internal;

import dev.weft.core.InternalApi;
import dev.weft.core.Peer;
import dev.weft.core.PeerHealth;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The pipeline's record of peer failures behind the read-only {@link PeerHealth} that selection
 * sees. A failure is forgotten after the memory period or when the peer next succeeds. Time is
 * the gateway's monotonic clock, so a test that drives the gateway's scheduler drives this too.
 *
 * <p>Thread-safe; one instance is shared by a gateway's networks.
 */
@InternalApi
public final class PeerHealthRecord implements PeerHealth {
    /** How long a failure counts. */
    public static final Duration DEFAULT_MEMORY = Duration.ofSeconds(30);

    private final Map<String, Long> failures = new ConcurrentHashMap<>();
    private final long memoryNanos;
    private final LongSupplier nanoTime;

    public PeerHealthRecord(Duration memory, LongSupplier nanoTime) {
        this.memoryNanos = Objects.requireNonNull(memory, "memory").toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    public void failed(Peer peer) {
        failures.put(peer.name(), nanoTime.getAsLong());
    }

    public void succeeded(Peer peer) {
        failures.remove(peer.name());
    }

    @Override
    public boolean recentlyFailed(Peer peer) {
        Long at = failures.get(peer.name());
        if (at == null) {
            return false;
        }
        if (nanoTime.getAsLong() - at > memoryNanos) {
            failures.remove(peer.name(), at);
            return false;
        }
        return true;
    }
}
