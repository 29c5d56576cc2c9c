package dev.weft.events;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.Peer;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** See {@link CommitStatusSources}: one {@link ChannelCommitEvents} per channel, created on first use. */
final class DeliverCommitStatusSource implements CommitStatusSource {
    private final X509Identity identity;
    private final Signer signer;
    private final Function<String, List<Peer>> eventPeers;
    private final Clock clock;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final Map<String, ChannelCommitEvents> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    DeliverCommitStatusSource(X509Identity identity, Signer signer, Function<String, List<Peer>> eventPeers,
            Clock clock, Duration initialDelay, Duration maxDelay) {
        this.identity = identity;
        this.signer = signer;
        this.eventPeers = eventPeers;
        this.clock = clock;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
    }

    @Override
    public Registration register(String channelId, String transactionId) {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(transactionId, "transactionId");
        if (closed) {
            throw new IllegalStateException("the commit status source is closed");
        }
        ChannelCommitEvents events = channels.computeIfAbsent(channelId, id -> new ChannelCommitEvents(id,
                eventPeers.apply(id), identity, signer, clock, initialDelay, maxDelay));
        if (closed) {
            events.close(); // close() ran concurrently and may have missed this channel
        }
        return events.register(transactionId);
    }

    @Override
    public void close() {
        closed = true;
        channels.values().forEach(ChannelCommitEvents::close);
    }
}
