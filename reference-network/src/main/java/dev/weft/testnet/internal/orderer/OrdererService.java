package dev.weft.testnet.internal.orderer;

import dev.weft.core.InternalApi;
import dev.weft.testnet.OrderingException;
import dev.weft.testnet.internal.deliver.DeliverService;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.orderer.DeliverResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference orderer's {@code orderer.AtomicBroadcast} service.
 *
 * <p>Broadcast answers each envelope, in order, with Fabric's status: BAD_REQUEST for an
 * unparsable or unknown-channel envelope, a header type other than an endorser transaction, an
 * empty or oversized message or an expired identity; FORBIDDEN when the creator's signature does
 * not satisfy {@code /Channel/Writers}; SERVICE_UNAVAILABLE when the chain cannot take it; SUCCESS
 * once it is queued for ordering. After the first non-SUCCESS answer the stream ends, as in Fabric.
 *
 * <p>A stream is read on while earlier messages wait for their chain to take them (a Raft
 * follower forwards to its leader, {@link dev.weft.testnet.Chain#orderAsync}); the answers go out
 * in the order the messages came.
 */
@InternalApi
public final class OrdererService extends AtomicBroadcastGrpc.AtomicBroadcastImplBase {
    private static final Logger log = LoggerFactory.getLogger(OrdererService.class);

    private static final BroadcastResponse SUCCESS = BroadcastResponse.newBuilder().setStatus(Status.SUCCESS).build();

    private final Map<String, OrdererChannel> channels = new ConcurrentHashMap<>();
    private final DeliverService<DeliverResponse> deliver;
    /** Where config messages are handed to their chain, off the Broadcast thread. */
    private final Executor executor;

    public OrdererService(Executor executor, Clock clock, boolean requireTlsBinding) {
        this.executor = executor;
        this.deliver = new DeliverService<>(this::source, "/Channel/Readers",
                new DeliverService.Responses<>() {
                    @Override
                    public DeliverResponse block(String channelId, Block block) {
                        return DeliverResponse.newBuilder().setBlock(block).build();
                    }

                    @Override
                    public DeliverResponse status(Status status) {
                        return DeliverResponse.newBuilder().setStatus(status).build();
                    }
                }, executor, clock, requireTlsBinding);
    }

    public void addChannel(OrdererChannel channel) {
        channels.put(channel.channelId(), channel);
    }

    public Optional<OrdererChannel> channel(String channelId) {
        return Optional.ofNullable(channels.get(channelId));
    }

    private Optional<DeliverService.Source> source(String channelId) {
        return Optional.ofNullable(channels.get(channelId));
    }

    @Override
    public StreamObserver<Envelope> broadcast(StreamObserver<BroadcastResponse> out) {
        return new StreamObserver<>() {
            /** No more messages are read: a refusal was known at once, or the client ended the stream. */
            private boolean done;
            /** Answers of earlier messages, sent in order; each new answer goes out after them. */
            private CompletableFuture<Void> answered = CompletableFuture.completedFuture(null);
            /** The stream is over for the server: a refusal went out, or the call was cancelled. */
            private final AtomicBoolean ended = new AtomicBoolean();

            @Override
            public void onNext(Envelope envelope) {
                if (done || ended.get()) {
                    return;
                }
                CompletableFuture<BroadcastResponse> response = process(envelope);
                if (response.isDone() && response.join().getStatus() != Status.SUCCESS) {
                    done = true;
                }
                answered = answered.thenCombine(response, (previous, r) -> r).thenAccept(this::send);
            }

            /** Runs for one message at a time, in the order they came. */
            private void send(BroadcastResponse response) {
                if (ended.get()) {
                    return;
                }
                try {
                    out.onNext(response);
                    if (response.getStatus() != Status.SUCCESS && ended.compareAndSet(false, true)) {
                        out.onCompleted();
                    }
                } catch (RuntimeException e) {
                    ended.set(true); // the client went away meanwhile
                    log.debug("broadcast answer could not be sent: {}", e.toString());
                }
            }

            @Override
            public void onError(Throwable t) {
                done = true;
                ended.set(true);
            }

            @Override
            public void onCompleted() {
                done = true;
                answered.thenRun(() -> {
                    if (ended.compareAndSet(false, true)) {
                        out.onCompleted();
                    }
                });
            }
        };
    }

    private CompletableFuture<BroadcastResponse> process(Envelope envelope) {
        try {
            ChannelHeader header = OrdererChannel.channelHeader(envelope);
            if (header.getType() != HeaderType.CONFIG_UPDATE_VALUE && !OrdererChannel.isNormalMessage(header.getType())) {
                throw new BroadcastRejection(Status.BAD_REQUEST, "message of header type " + header.getType()
                        + " cannot be broadcast (expected ENDORSER_TRANSACTION or CONFIG_UPDATE)");
            }
            OrdererChannel channel = channels.get(header.getChannelId());
            if (channel == null) {
                throw new BroadcastRejection(Status.BAD_REQUEST, "channel '" + header.getChannelId() + "' does not exist");
            }
            if (header.getType() == HeaderType.CONFIG_UPDATE_VALUE) {
                OrdererChannel.ConfigMessage config = channel.processConfigUpdate(envelope);
                channel.chain().waitReady();
                // Off the Broadcast thread: on a Raft follower, configure waits for the leader to take it.
                return CompletableFuture.runAsync(() -> channel.chain().configure(config.config(), config.sequence()),
                        executor).handle((accepted, error) -> answer(header.getChannelId(), error));
            }
            long sequence = channel.processNormalMessage(envelope);
            channel.chain().waitReady();
            return channel.chain().orderAsync(envelope, sequence)
                    .handle((accepted, error) -> answer(header.getChannelId(), error));
        } catch (BroadcastRejection e) {
            log.debug("broadcast rejected with {}: {}", e.status(), e.getMessage());
            return CompletableFuture.completedFuture(
                    BroadcastResponse.newBuilder().setStatus(e.status()).setInfo(e.getMessage()).build());
        } catch (OrderingException e) {
            return CompletableFuture.completedFuture(unavailable(e.getMessage()));
        }
    }

    /** Broadcast's answer once the chain took a message, or failed to: SERVICE_UNAVAILABLE when it could not order. */
    private static BroadcastResponse answer(String channelId, Throwable error) {
        if (error == null) {
            return SUCCESS;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof OrderingException) {
            return unavailable(cause.getMessage());
        }
        log.warn("channel {}: the chain failed to take a message", channelId, cause);
        return BroadcastResponse.newBuilder().setStatus(Status.INTERNAL_SERVER_ERROR)
                .setInfo("the orderer failed to take the message: " + cause).build();
    }

    private static BroadcastResponse unavailable(String why) {
        return BroadcastResponse.newBuilder().setStatus(Status.SERVICE_UNAVAILABLE).setInfo(why).build();
    }

    @Override
    public StreamObserver<Envelope> deliver(StreamObserver<DeliverResponse> out) {
        return deliver.open(out);
    }
}
