package dev.weft.selection;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link EndorserSelectors#discovery(DiscoveryOptions) discovery selection} uses the peers'
 * discovery service. Immutable; build one with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code refreshInterval} (default 60 s): how long an answer is used before asking again.
 *       An answer is also asked again at once when the channel config changes.
 *   <li>{@code timeout} (default 10 s): how long one discovery call may take; the next known peer
 *       is asked after a failure.
 * </ul>
 */
public final class DiscoveryOptions {
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final DiscoveryOptions DEFAULTS = builder().build();

    private final Duration refreshInterval;
    private final Duration timeout;

    private DiscoveryOptions(Builder b) {
        this.refreshInterval = b.refreshInterval;
        this.timeout = b.timeout;
    }

    public static DiscoveryOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration refreshInterval() {
        return refreshInterval;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return "DiscoveryOptions[refreshInterval=" + refreshInterval + ", timeout=" + timeout + "]";
    }

    /** Not thread-safe. */
    public static final class Builder {
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {
        }

        /**
         * @throws IllegalArgumentException if not positive
         */
        public Builder refreshInterval(Duration interval) {
            this.refreshInterval = positive(interval, "refreshInterval");
            return this;
        }

        /**
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        public DiscoveryOptions build() {
            return new DiscoveryOptions(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
