package dev.weft.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which peers failed recently. The pipeline records a peer's transport or service failure here;
 * endorser selection prefers peers without a recent failure, so that one dead peer does not slow
 * down every transaction. A failure is forgotten after the {@linkplain #DEFAULT_MEMORY memory}
 * period or when the peer next succeeds.
 *
 * <p>Thread-safe; one instance is shared by a gateway's networks.
 */
public final class PeerHealth {
    public static final Duration DEFAULT_MEMORY = Duration.ofSeconds(30);

    private final Map<String, Instant> failures = new ConcurrentHashMap<>();
    private final Duration memory;
    private final Clock clock;

    public PeerHealth() {
        this(DEFAULT_MEMORY, Clock.systemUTC());
    }

    public PeerHealth(Duration memory, Clock clock) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void failed(Peer peer) {
        failures.put(peer.name(), clock.instant());
    }

    public void succeeded(Peer peer) {
        failures.remove(peer.name());
    }

    /** Whether the peer failed within the memory period. */
    public boolean recentlyFailed(Peer peer) {
        Instant at = failures.get(peer.name());
        if (at == null) {
            return false;
        }
        if (at.plus(memory).isBefore(clock.instant())) {
            failures.remove(peer.name(), at);
            return false;
        }
        return true;
    }
}
