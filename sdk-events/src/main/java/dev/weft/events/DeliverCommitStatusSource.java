package dev.weft.events;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongConsumer;

/** See {@link CommitStatusSources}: one {@link ChannelCommitEvents} per channel, created on first use. */
final class DeliverCommitStatusSource implements CommitStatusSource {
    /** How a channel's streams are opened: its peers and the seeks that open them. */
    interface Streams {
        List<Peer> peers(String channelId);

        ChannelCommitEvents.Seeks seeks(String channelId);
    }

    private final Streams streams;
    private final Scheduler scheduler;
    private final AutoCloseable ownedScheduler;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final Map<String, ChannelCommitEvents> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    DeliverCommitStatusSource(Streams streams, Scheduler scheduler, AutoCloseable ownedScheduler,
            Duration initialDelay, Duration maxDelay) {
        this.streams = streams;
        this.scheduler = scheduler;
        this.ownedScheduler = ownedScheduler;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
    }

    private ChannelCommitEvents channel(String channelId) {
        ChannelCommitEvents events = channels.computeIfAbsent(channelId, id -> new ChannelCommitEvents(id,
                streams.peers(id), streams.seeks(id), scheduler, initialDelay, maxDelay));
        if (closed) {
            events.close(); // close() ran concurrently and may have missed this channel
        }
        return events;
    }

    @Override
    public Registration register(String channelId, String transactionId) {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(transactionId, "transactionId");
        if (closed) {
            throw new IllegalStateException("the commit status source is closed");
        }
        return channel(channelId).register(transactionId);
    }

    @Override
    public void addConfigBlockListener(String channelId, LongConsumer listener) {
        Objects.requireNonNull(listener, "listener");
        channel(Objects.requireNonNull(channelId, "channelId")).addConfigListener(listener);
    }

    @Override
    public void close() {
        closed = true;
        channels.values().forEach(ChannelCommitEvents::close);
        if (ownedScheduler != null) {
            try {
                ownedScheduler.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the commit status source's timer failed", e);
            }
        }
    }

    /** The usual streams: the channel's event peers, seeks signed by the client's signer. */
    static Streams signed(Function<String, List<Peer>> eventPeers, X509Identity identity, Signer signer,
            Scheduler scheduler) {
        return new Streams() {
            @Override
            public List<Peer> peers(String channelId) {
                return eventPeers.apply(channelId);
            }

            @Override
            public ChannelCommitEvents.Seeks seeks(String channelId) {
                return ChannelCommitEvents.signedBy(channelId, identity, signer, scheduler.clock());
            }
        };
    }
}
