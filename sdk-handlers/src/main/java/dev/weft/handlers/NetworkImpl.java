package dev.weft.handlers;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigUpdate;
import dev.weft.core.Orderer;
import dev.weft.core.OrdererClient;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.core.WeftException;
import dev.weft.core.internal.Blocks;
import dev.weft.events.EventStreams;
import dev.weft.handlers.internal.ChannelConfigs;
import dev.weft.handlers.internal.ConfigReader;
import dev.weft.handlers.internal.Futures;
import dev.weft.handlers.internal.Services;
import dev.weft.orderer.OrdererClients;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.ConfigSignature;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;

/** See {@link Network}: a channel's services and its pipelines. */
final class NetworkImpl implements Network {
    private final GatewayImpl gateway;
    private final String channelId;
    private final OrdererClient orderers;
    private final ConfigReader configReader;
    private final ChannelConfigs configs;
    private final Services services;
    private final Pipeline pipeline;

    NetworkImpl(GatewayImpl gateway, String channelId) {
        this.gateway = gateway;
        this.channelId = channelId;
        List<Orderer> channelOrderers = new ArrayList<>();
        for (GatewayImpl.OrdererEntry entry : gateway.orderers) {
            if (entry.channels().isEmpty() || entry.channels().contains(channelId)) {
                channelOrderers.add(entry.orderer());
            }
        }
        List<Peer> endorsingPeers = endorsingPeers();
        this.configReader = new ConfigReader(channelId, gateway.identity, gateway.signer, () -> endorsingPeers,
                gateway.health, gateway.scheduler, gateway.timeouts.evaluate());
        this.configs = new ChannelConfigs(channelId, channel -> configReader.read(), gateway.scheduler);
        this.orderers = channelOrderers.isEmpty()
                ? new ConfigOrderers(channelId, configs, gateway.learnt::orderer, gateway.scheduler)
                : OrdererClients.create(channelOrderers, gateway.scheduler);
        gateway.commits.addConfigBlockListener(channelId, configs::configBlockCommitted);
        this.services = new Services(gateway.identity, gateway.signer, endorsingPeers, gateway.selector,
                gateway.health, orderers, gateway.commits, configs, gateway.scheduler);
        this.pipeline = Pipeline.build(services, gateway.transport, gateway.customizers, gateway.addedHandlers);
    }

    private List<Peer> endorsingPeers() {
        List<Peer> result = gateway.peersFor(channelId, roles -> roles.endorsingPeer() || roles.chaincodeQuery());
        if (result.isEmpty()) {
            throw new IllegalStateException("no peer of the gateway serves channel " + channelId
                    + ": the connection profile lists none for it");
        }
        return result;
    }

    /** The settings of a new transaction, with the gateway's timeouts. */
    TxContext.Builder newTransaction(String chaincode, ChaincodePolicy policy, String function) {
        return TxContext.builder(TxContext.Kind.SUBMIT, channelId, chaincode, function).policy(policy)
                .timeouts(gateway.timeouts);
    }

    /**
     * The context of a run that starts now: built from the settings, with the transaction's
     * deadline starting now when it has a time budget.
     */
    TxContext start(TxContext.Builder settings) {
        TxContext draft = settings.deadline(null).build();
        if (draft.timeout().isEmpty()) {
            return draft;
        }
        return settings.deadline(gateway.scheduler.deadlineAfter(draft.timeout().get())).build();
    }

    CompletableFuture<TxResult> submit(TxContext context) {
        return pipeline.submit(context);
    }

    CompletableFuture<TxResult> evaluate(TxContext context) {
        return pipeline.evaluate(context);
    }

    Pipeline pipeline() {
        return pipeline;
    }

    Services services() {
        return services;
    }

    Scheduler scheduler() {
        return gateway.scheduler;
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
        EventStreams.Builder builder = EventStreams.builder().channel(channelId).identity(gateway.identity)
                .scheduler(gateway.scheduler).peers(eventPeers);
        if (gateway.signer != null) {
            builder.signer(gateway.signer);
        }
        return builder;
    }

    @Override
    public ChannelConfig channelConfig() {
        return Futures.await(configs.get());
    }

    @Override
    public Proposal newConfigProposal() {
        TxContext context = TxContext.builder(TxContext.Kind.EVALUATE, channelId, "cscc", "GetConfigBlock")
                .timeouts(gateway.timeouts).build();
        return ProposalImpl.of(this, context, configReader.proposal());
    }

    @Override
    public ChannelConfig loadChannelConfig(Proposal signedConfigProposal) {
        if (!(Objects.requireNonNull(signedConfigProposal, "signedConfigProposal") instanceof ProposalImpl proposal)
                || proposal.network() != this || !proposal.isConfigRead()) {
            throw new IllegalArgumentException("give the proposal from this network's newConfigProposal(), signed");
        }
        return Futures.await(configs.load(configReader.read(proposal.signed())));
    }

    /** The first wait between two reads of the config after a config update; it doubles to {@link #MAX_CONFIG_POLL}. */
    private static final Duration FIRST_CONFIG_POLL = Duration.ofMillis(50);
    private static final Duration MAX_CONFIG_POLL = Duration.ofSeconds(1);

    @Override
    public CompletableFuture<ChannelConfig> submitConfigUpdate(ChannelConfigUpdate update,
            Collection<ConfigSignature> signatures) {
        Objects.requireNonNull(update, "update");
        Objects.requireNonNull(signatures, "signatures");
        if (!update.channelId().equals(channelId)) {
            throw new IllegalArgumentException("the config update is for channel " + update.channelId()
                    + ", not for " + channelId);
        }
        if (gateway.signer == null) {
            throw new IllegalStateException("the gateway has no signer to sign the config update's envelope with; sign "
                    + "ChannelConfigUpdate.envelope(...) elsewhere and broadcast it");
        }
        Envelope envelope = update.envelope(List.copyOf(signatures), gateway.identity, gateway.signer);
        String what = "config update of channel " + channelId;
        Duration timeout = gateway.timeouts.submit().plus(gateway.timeouts.commit());
        Deadline deadline = gateway.scheduler.deadlineAfter(timeout);
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        // The config before the broadcast: the update's block is one of the config blocks after it.
        CompletableFuture<ChannelConfig> work = configs.refresh().thenCompose(before -> {
            ConfigWait wait = new ConfigWait(envelope.getPayload(), before.sequence(), deadline, timeout, cancelled);
            return orderers.broadcast(envelope, what, gateway.timeouts.submit()).handle((orderer, error) -> error)
                    .thenCompose(error -> {
                        if (error == null) {
                            return wait.poll(FIRST_CONFIG_POLL);
                        }
                        // A refusal after a retry may be of a resend: the first send may have been ordered.
                        return wait.check().thenCompose(found -> found != null ? found
                                : CompletableFuture.failedFuture(Futures.unwrap(error)));
                    });
        });
        // Cancelling cannot take back an update the orderers may have taken; it stops the wait.
        return gateway.handOver(work, cancelled);
    }

    /**
     * Waits for the config block that a config update made: reads the channel's newest config
     * block, waiting longer between reads, and walks back over the config blocks after the one
     * the update was made from ({@code qscc GetBlockByNumber}) until one's last update is this
     * update's payload. Other updates may have been ordered before and after it.
     */
    private final class ConfigWait {
        private final ByteString payload;
        private final long baseline;
        private final Deadline deadline;
        private final Duration timeout;
        private final CompletableFuture<Void> cancelled;
        private volatile String lastSeen = "no config block read yet";

        ConfigWait(ByteString payload, long baseline, Deadline deadline, Duration timeout,
                CompletableFuture<Void> cancelled) {
            this.payload = payload;
            this.baseline = baseline;
            this.deadline = deadline;
            this.timeout = timeout;
            this.cancelled = cancelled;
        }

        /** The config if the update's block is there now, else null. */
        CompletableFuture<CompletableFuture<ChannelConfig>> check() {
            return configReader.read().thenCompose(this::find).handle((found, error) ->
                    error == null && found != null ? configs.load(configReader.read()) : null);
        }

        CompletableFuture<ChannelConfig> poll(Duration wait) {
            return configReader.read().thenCompose(this::find).handle((found, error) -> {
                if (error != null) {
                    lastSeen = "the last read failed: " + Futures.unwrap(error).getMessage();
                    return null;
                }
                return found;
            }).thenCompose(found -> {
                if (found != null) {
                    // Parsed and checked as every config is (a level Weft does not support fails here, at once).
                    return configs.load(configReader.read());
                }
                if (cancelled.isDone()) {
                    return CompletableFuture.failedFuture(new CancellationException(
                            "stopped waiting for the config update of channel " + channelId));
                }
                if (deadline.timeRemaining(TimeUnit.MILLISECONDS) <= wait.toMillis()) {
                    return CompletableFuture.failedFuture(new TransactionTimeoutException(TransactionStage.COMMIT,
                            timeout, "", List.of(), new WeftException("no peer served a config of channel "
                                    + channelId + " made by this config update (" + lastSeen + "); the orderers "
                                    + "accepted it, and may have ordered it or refused it on reprocessing")));
                }
                CompletableFuture<ChannelConfig> next = new CompletableFuture<>();
                Duration longer = wait.multipliedBy(2).compareTo(MAX_CONFIG_POLL) > 0 ? MAX_CONFIG_POLL
                        : wait.multipliedBy(2);
                gateway.scheduler.schedule(wait, () -> poll(longer).whenComplete((result, failure) -> {
                    if (failure != null) {
                        next.completeExceptionally(Futures.unwrap(failure));
                    } else {
                        next.complete(result);
                    }
                }));
                return next;
            });
        }

        /** Whether this config block, or a config block before it and after the baseline, was made by the update. */
        private CompletableFuture<Boolean> find(ByteString blockBytes) {
            Block block;
            ConfigEnvelope config;
            try {
                block = Block.parseFrom(blockBytes);
                config = ConfigEnvelope.parseFrom(Payload.parseFrom(Envelope.parseFrom(block.getData().getData(0))
                        .getPayload()).getData());
            } catch (InvalidProtocolBufferException | IndexOutOfBoundsException e) {
                lastSeen = "a peer returned a config block that cannot be read: " + e.getMessage();
                return CompletableFuture.completedFuture(null);
            }
            long sequence = config.getConfig().getSequence();
            if (sequence <= baseline) {
                lastSeen = "the newest config is still sequence " + sequence;
                return CompletableFuture.completedFuture(null);
            }
            if (config.getLastUpdate().getPayload().equals(payload)) {
                return CompletableFuture.completedFuture(true);
            }
            lastSeen = "config sequence " + sequence + " in block " + block.getHeader().getNumber()
                    + " was made by another update";
            if (sequence == baseline + 1 || block.getHeader().getNumber() == 0) {
                return CompletableFuture.completedFuture(null);
            }
            // The config block before this one: the block before it names it as its last config.
            return blockByNumber(block.getHeader().getNumber() - 1)
                    .thenCompose(previous -> blockByNumber(Blocks.lastConfigIndex(previous)))
                    .thenCompose(previousConfig -> find(previousConfig.toByteString()));
        }

        private CompletableFuture<Block> blockByNumber(long number) {
            return contract("qscc").newTransaction("GetBlockByNumber").arguments(channelId, String.valueOf(number))
                    .evaluateAsync().thenApply(result -> {
                        try {
                            return Block.parseFrom(result.resultBytes());
                        } catch (InvalidProtocolBufferException e) {
                            throw new WeftException("qscc GetBlockByNumber " + number + " did not return a block: "
                                    + e.getMessage(), e);
                        }
                    });
        }
    }

    void close() {
        orderers.close();
    }
}
