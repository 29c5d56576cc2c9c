package dev.weft.testnet.internal.orderer;

import dev.weft.core.InternalApi;
import dev.weft.testnet.OrderingException;
import dev.weft.testnet.internal.deliver.DeliverService;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
 */
@InternalApi
public final class OrdererService extends AtomicBroadcastGrpc.AtomicBroadcastImplBase {
    private static final Logger log = LoggerFactory.getLogger(OrdererService.class);

    private final Map<String, OrdererChannel> channels = new ConcurrentHashMap<>();
    private final DeliverService<DeliverResponse> deliver;

    public OrdererService(Executor executor, Clock clock, boolean requireTlsBinding) {
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
            private boolean done;

            @Override
            public void onNext(Envelope envelope) {
                if (done) {
                    return;
                }
                BroadcastResponse response = process(envelope);
                out.onNext(response);
                if (response.getStatus() != Status.SUCCESS) {
                    done = true;
                    out.onCompleted();
                }
            }

            @Override
            public void onError(Throwable t) {
                done = true;
            }

            @Override
            public void onCompleted() {
                if (!done) {
                    done = true;
                    out.onCompleted();
                }
            }
        };
    }

    private BroadcastResponse process(Envelope envelope) {
        try {
            ChannelHeader header = OrdererChannel.channelHeader(envelope);
            if (header.getType() == HeaderType.CONFIG_UPDATE_VALUE) {
                throw new BroadcastRejection(Status.BAD_REQUEST,
                        "config updates are not supported by the Weft reference network");
            }
            if (!OrdererChannel.isNormalMessage(header.getType())) {
                throw new BroadcastRejection(Status.BAD_REQUEST, "message of header type " + header.getType()
                        + " cannot be broadcast (expected ENDORSER_TRANSACTION)");
            }
            OrdererChannel channel = channels.get(header.getChannelId());
            if (channel == null) {
                throw new BroadcastRejection(Status.BAD_REQUEST, "channel '" + header.getChannelId() + "' does not exist");
            }
            long sequence = channel.processNormalMessage(envelope);
            channel.chain().waitReady();
            channel.chain().order(envelope, sequence);
            return BroadcastResponse.newBuilder().setStatus(Status.SUCCESS).build();
        } catch (BroadcastRejection e) {
            log.debug("broadcast rejected with {}: {}", e.status(), e.getMessage());
            return BroadcastResponse.newBuilder().setStatus(e.status()).setInfo(e.getMessage()).build();
        } catch (OrderingException e) {
            return BroadcastResponse.newBuilder().setStatus(Status.SERVICE_UNAVAILABLE).setInfo(e.getMessage()).build();
        }
    }

    @Override
    public StreamObserver<Envelope> deliver(StreamObserver<DeliverResponse> out) {
        return deliver.open(out);
    }
}
