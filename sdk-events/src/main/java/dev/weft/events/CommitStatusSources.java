package dev.weft.events;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.SystemScheduler;
import dev.weft.core.X509Identity;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * Commit status for one channel over one {@code DeliverFiltered} stream opened with a request
     * the application signed (see {@link EventStreams.Builder#newRequest()}; start it at the newest
     * block with {@code startAtNewest()}, so that it is positioned as soon as the first block
     * arrives). Such a request can be used once: when the stream ends, the waiting transactions fail
     * with {@link dev.weft.core.CommitStatusException}. Close the source when done.
     */
    public static CommitStatusSource forRequest(DeliverRequest signedRequest, Scheduler scheduler) {
        Objects.requireNonNull(signedRequest, "signedRequest");
        Objects.requireNonNull(scheduler, "scheduler");
        signedRequest.envelope(); // refuses an unsigned request here, not when the stream opens
        AtomicBoolean used = new AtomicBoolean();
        DeliverCommitStatusSource.Streams streams = new DeliverCommitStatusSource.Streams() {
            @Override
            public List<Peer> peers(String channelId) {
                requireChannel(channelId);
                return List.of(signedRequest.peer());
            }

            @Override
            public ChannelCommitEvents.Seeks seeks(String channelId) {
                return (peer, nextBlock) -> used.getAndSet(true) ? Optional.empty()
                        : Optional.of(signedRequest.envelope());
            }

            private void requireChannel(String channelId) {
                if (!channelId.equals(signedRequest.channelId())) {
                    throw new IllegalArgumentException("the deliver request is for channel " + signedRequest.channelId()
                            + ", not " + channelId);
                }
            }
        };
        return new DeliverCommitStatusSource(streams, scheduler, null, Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** Options of a commit status source. Not thread-safe. */
    public static final class Builder {
        private X509Identity identity;
        private Signer signer;
        private Function<String, List<Peer>> eventPeers;
        private Scheduler scheduler;
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

        /**
         * The clock that timestamps seek requests and the timer of reconnect delays. Default: a
         * {@link SystemScheduler} of the source's own, closed with it.
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
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
            SystemScheduler owned = scheduler == null ? SystemScheduler.start("weft-commit-events") : null;
            Scheduler time = scheduler != null ? scheduler : owned;
            return new DeliverCommitStatusSource(DeliverCommitStatusSource.signed(eventPeers, identity, signer, time), time,
                    owned, initialDelay, maxDelay);
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException(name + " must be set");
            }
        }
    }
}
