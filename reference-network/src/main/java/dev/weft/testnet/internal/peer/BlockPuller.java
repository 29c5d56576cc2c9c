package dev.weft.testnet.internal.peer;

import dev.weft.core.InternalApi;
import dev.weft.core.Scheduler;
import dev.weft.core.SeekRequest;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.DeliverResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls a channel's blocks from an orderer, as a Fabric peer's deliver client does (moving to the
 * next orderer of the list when a stream fails): a signed
 * seek from the ledger height, forever, one block requested at a time (each is committed before
 * the next is asked for), and a reconnect with growing back-off whenever the stream ends. When
 * the orderer requires client certificates, the seek is bound to the TLS session by the hash of
 * the peer's client certificate, as Fabric requires.
 *
 * <p>A refusal by the orderer (a status instead of blocks) is logged at WARN the first time it
 * is seen and at DEBUG while the same status repeats, so a puller that cannot get blocks says so
 * without a line per retry; after a block arrives, the next refusal is news again.
 *
 * <p>Thread-safe: {@link #start()} once, {@link #close()} from any thread. Blocks are committed
 * one at a time on the puller's own thread.
 */
@InternalApi
public final class BlockPuller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlockPuller.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final String peer;
    private final String channelId;
    /** The orderers to pull from: the current one until its stream fails, then the next. */
    private final List<? extends Channel> orderers;
    private volatile int current;
    private final X509Identity identity;
    private final Signer signer;
    private final byte[] tlsCertHash;
    private final LongSupplier height;
    private final Consumer<Block> sink;
    private final Scheduler scheduler;
    private final Clock clock;
    private final ExecutorService committer;
    private volatile boolean closed;
    private volatile ClientCallStreamObserver<Envelope> call;
    /** The status of the last refusal, until a block arrives; to log each refusal once, not each retry. */
    private final AtomicReference<Status> lastRefusal = new AtomicReference<>();
    private Duration backoff = MIN_BACKOFF;

    /**
     * @param peer the pulling peer's name, for logs
     * @param tlsCertHash SHA-256 of the TLS client certificate the channel to the orderer presents
     *     ({@link dev.weft.core.EndpointConfig#clientCertificateHash()}); empty without mutual TLS
     * @param sink commits a block; throwing stops the puller (the channel cannot go on)
     */
    public BlockPuller(String peer, String channelId, List<? extends Channel> orderers, X509Identity identity,
            Signer signer,
            byte[] tlsCertHash, LongSupplier height, Consumer<Block> sink, Scheduler scheduler,
            Clock clock) {
        this.peer = peer;
        this.channelId = channelId;
        if (orderers.isEmpty()) {
            throw new IllegalArgumentException("a block puller needs at least one orderer");
        }
        this.orderers = List.copyOf(orderers);
        this.identity = identity;
        this.signer = signer;
        this.tlsCertHash = tlsCertHash.clone();
        this.height = height;
        this.sink = sink;
        this.scheduler = scheduler;
        this.clock = clock;
        this.committer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "weft-commit-" + channelId);
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        connect();
    }

    private void connect() {
        if (closed) {
            return;
        }
        long from = height.getAsLong();
        SeekRequest.Builder request = SeekRequest.builder().channel(channelId).identity(identity).startAt(from)
                .stopNever().clock(clock);
        if (tlsCertHash.length > 0) {
            // An orderer that requires client certificates refuses a seek not bound to the TLS session.
            request.tlsCertHash(tlsCertHash);
        }
        Envelope seek = request.build().sign(signer);
        Channel orderer = orderers.get(current);
        AtomicBroadcastGrpc.newStub(orderer).deliver(new ClientResponseObserver<Envelope, DeliverResponse>() {
            private ClientCallStreamObserver<Envelope> stream;

            @Override
            public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
                stream = requestStream;
                call = requestStream;
                requestStream.disableAutoRequestWithInitial(1);
            }

            @Override
            public void onNext(DeliverResponse response) {
                if (response.hasBlock()) {
                    Block block = response.getBlock();
                    committer.execute(() -> {
                        if (closed) {
                            return;
                        }
                        try {
                            sink.accept(block);
                            backoff = MIN_BACKOFF;
                            lastRefusal.set(null);
                            stream.request(1);
                        } catch (RuntimeException e) {
                            log.error("channel {}: cannot commit block {}; the peer stops pulling blocks for it",
                                    channelId, block.getHeader().getNumber(), e);
                            closed = true;
                            stream.cancel("commit failed", e);
                        }
                    });
                } else {
                    refused(response.getStatus(), from, orderer);
                    stream.request(1);
                }
            }

            @Override
            public void onError(Throwable t) {
                if (!closed) {
                    log.debug("channel {}: deliver stream from orderer {} failed: {}", channelId, orderer.authority(),
                            t.toString());
                    // The orderer may be down: ask the next one (all orderers hold the same blocks).
                    current = (current + 1) % orderers.size();
                    retry();
                }
            }

            @Override
            public void onCompleted() {
                retry();
            }
        }).onNext(seek);
    }

    /** The orderer answered the seek with a status: the stream ends and the puller will retry. */
    private void refused(Status status, long from, Channel orderer) {
        if (lastRefusal.getAndSet(status) != status) {
            log.warn("{} on channel {}: orderer {} refused to deliver blocks from {} with {}; retrying with back-off "
                    + "(the orderer's log says why; repeats are logged at DEBUG)", peer, channelId,
                    orderer.authority(), from, status);
        } else {
            log.debug("{} on channel {}: orderer {} refused again with {}", peer, channelId, orderer.authority(),
                    status);
        }
    }

    private void retry() {
        if (closed) {
            return;
        }
        Duration wait = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        // Wait for queued commits before asking again from the new height.
        scheduler.schedule(wait, () -> committer.execute(this::connect));
    }

    @Override
    public void close() {
        closed = true;
        ClientCallStreamObserver<Envelope> current = call;
        if (current != null) {
            current.cancel("peer closing", null);
        }
        committer.shutdown();
        try {
            if (!committer.awaitTermination(5, TimeUnit.SECONDS)) {
                committer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            committer.shutdownNow();
        }
    }
}
