package dev.weft.events;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.Peer;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Commit status from peers' {@code DeliverFiltered} streams.
 *
 * <pre>{@code
 * try (CommitStatusSource events = CommitStatusSources.builder()
 *         .identity(identity).signer(signer)
 *         .eventPeers(channel -> List.of(peer0org1, peer0org2))
 *         .build()) {
 *     try (CommitStatusSource.Registration r = events.register("mychannel", txId)) {
 *         r.ready().get(10, SECONDS);          // now broadcast the transaction
 *         TransactionStatus status = r.status().get(30, SECONDS);
 *     }
 * }
 * }</pre>
 *
 * <p>Each channel has one stream, opened on its first registration and shared by every
 * transaction waiting on that channel; it is signed by the client's identity and starts at the
 * newest block. When a stream breaks, the next one resumes at the block after the last one seen,
 * on the same peer if the stream had been working and otherwise on the next peer of the channel's
 * list, after a back-off that doubles (from {@link Builder#reconnectDelay}'s initial to its maximum
 * value) each time every peer has failed. If every peer refuses the client (FORBIDDEN, BAD_REQUEST,
 * or NOT_FOUND for the channel) the waiting transactions fail with
 * {@link dev.weft.core.CommitStatusException}.
 *
 * <p>Thread-safe. The source owns its streams, not the peers' gRPC channels.
 */
public final class CommitStatusSources {
    private CommitStatusSources() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of a commit status source. Not thread-safe. */
    public static final class Builder {
        private X509Identity identity;
        private Signer signer;
        private Function<String, List<Peer>> eventPeers;
        private Clock clock = Clock.systemUTC();
        private Duration initialDelay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(5);

        private Builder() {
        }

        /** The identity that signs seek requests (a reader of the channel). Required. */
        public Builder identity(X509Identity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /** The identity's signer. Required. */
        public Builder signer(Signer signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        /**
         * The peers to receive a channel's events from, in order of preference (usually the
         * client's own organisation first). Called once per channel, on its first registration;
         * the list must not be empty. Required.
         */
        public Builder eventPeers(Function<String, List<Peer>> eventPeers) {
            this.eventPeers = Objects.requireNonNull(eventPeers, "eventPeers");
            return this;
        }

        /** The clock that timestamps seek requests. Default: the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long to wait before reconnecting after a stream failed without delivering anything:
         * {@code initial} at first, doubling up to {@code max}. Default: 100 ms up to 5 s.
         */
        public Builder reconnectDelay(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("reconnect delays must satisfy 0 < initial <= max, got "
                        + initial + " and " + max);
            }
            this.initialDelay = initial;
            this.maxDelay = max;
            return this;
        }

        /** @throws IllegalStateException naming the first required option not set */
        public CommitStatusSource build() {
            require(identity, "identity");
            require(signer, "signer");
            require(eventPeers, "eventPeers");
            return new DeliverCommitStatusSource(identity, signer, eventPeers, clock, initialDelay, maxDelay);
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException(name + " must be set");
            }
        }
    }
}
