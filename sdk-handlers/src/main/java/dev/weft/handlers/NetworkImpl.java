package dev.weft.handlers;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.NodeError;
import dev.weft.core.Orderer;
import dev.weft.core.OrdererClient;
import dev.weft.core.Peer;
import dev.weft.core.SubmitException;
import dev.weft.handlers.internal.ChannelConfigs;
import dev.weft.handlers.internal.Futures;
import dev.weft.handlers.internal.Services;
import dev.weft.events.EventStreams;
import dev.weft.orderer.OrdererClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Envelope;

/** See {@link Network}: a channel's services and its pipeline. */
final class NetworkImpl implements Network {
    private final GatewayImpl gateway;
    private final String channelId;
    private final OrdererClient orderers;
    private final ChannelConfigs configs;
    /**
     * The built-in steps (with the application's step customizations) but without its added
     * handlers: the gateway's own config reads ({@code cscc GetConfigBlock}, an evaluate) are not
     * the application's transactions, though a customized step does see them.
     */
    private final List<Handler> steps;
    private final List<Handler> pipeline;

    NetworkImpl(GatewayImpl gateway, String channelId) {
        this.gateway = gateway;
        this.channelId = channelId;
        List<Orderer> channelOrderers = new ArrayList<>();
        for (GatewayImpl.OrdererEntry entry : gateway.orderers) {
            if (entry.channels().isEmpty() || entry.channels().contains(channelId)) {
                channelOrderers.add(entry.orderer());
            }
        }
        this.orderers = channelOrderers.isEmpty() ? new NoOrderers(channelId) : OrdererClients.create(channelOrderers);
        this.configs = new ChannelConfigs(channelId, this::readConfigBlock, gateway.clock);
        Services services = new Services(gateway.identity, gateway.signer, endorsingPeers(), gateway.selector,
                gateway.health, orderers, gateway.commits, configs, gateway.clock);
        this.steps = Pipeline.steps(services, gateway.customizers);
        this.pipeline = Pipeline.handlers(gateway.addedHandlers, steps);
    }

    private List<Peer> endorsingPeers() {
        List<Peer> result = gateway.peersFor(channelId, roles -> roles.endorsingPeer() || roles.chaincodeQuery());
        if (result.isEmpty()) {
            throw new IllegalStateException("no peer of the gateway serves channel " + channelId
                    + ": the connection profile lists none for it");
        }
        return result;
    }

    private CompletableFuture<ByteString> readConfigBlock(String channel) {
        TxContext context = TxContext.builder(TxContext.Kind.EVALUATE, channel, "cscc", "GetConfigBlock")
                .arguments(List.of(ByteString.copyFrom(channel, StandardCharsets.UTF_8)))
                .endorseTimeout(gateway.evaluateTimeout)
                .build();
        return RealHandlerChain.run(steps, context).thenApply(TxResult::resultBytes);
    }

    CompletableFuture<TxResult> run(TxContext context) {
        return RealHandlerChain.run(pipeline, context);
    }

    Duration timeout(TxContext.Kind kind) {
        return kind == TxContext.Kind.EVALUATE ? gateway.evaluateTimeout : gateway.endorseTimeout;
    }

    GatewayImpl gateway() {
        return gateway;
    }

    @Override
    public String channelId() {
        return channelId;
    }

    @Override
    public Contract contract(String chaincodeName) {
        return new ContractImpl(this, chaincodeName, null);
    }

    @Override
    public Contract contract(String chaincodeName, ChaincodePolicy policy) {
        return new ContractImpl(this, chaincodeName, Objects.requireNonNull(policy, "policy"));
    }

    @Override
    public EventStreams.Builder events() {
        List<Peer> eventPeers = gateway.eventPeers(channelId);
        if (eventPeers.isEmpty()) {
            throw new IllegalStateException("no event peer serves channel " + channelId
                    + ": the connection profile gives none the eventSource role");
        }
        return EventStreams.builder().channel(channelId).identity(gateway.identity).signer(gateway.signer)
                .clock(gateway.clock).peer(eventPeers.get(0));
    }

    @Override
    public ChannelConfig channelConfig() {
        return Futures.await(configs.get());
    }

    void close() {
        orderers.close();
    }

    /** For a channel without orderers: evaluates work, submits fail saying what is missing. */
    private record NoOrderers(String channelId) implements OrdererClient {
        @Override
        public CompletableFuture<Orderer> broadcast(Envelope envelope, String transactionId, Duration timeout) {
            return CompletableFuture.failedFuture(new SubmitException("no orderers are configured for channel "
                    + channelId + ": add them to the connection profile or with Gateway.Builder.addOrderer",
                    transactionId, List.<NodeError>of(), null, false));
        }

        @Override
        public void close() {
        }
    }
}
