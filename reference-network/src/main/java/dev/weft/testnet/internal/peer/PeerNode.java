package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import dev.weft.core.EndpointConfig;
import dev.weft.core.GrpcChannels;
import dev.weft.core.InternalApi;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.X509Issuer.Issued;
import dev.weft.testnet.BlockStore;
import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.GrpcServers;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.discovery.GossipMessages;
import dev.weft.testnet.internal.discovery.Membership;
import dev.weft.testnet.internal.gateway.GatewayService;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.gossip.Envelope;

/**
 * One reference peer's lifecycle: its TLS gRPC server (Endorser, Deliver, Discovery and Gateway), the channels it has
 * joined, a {@link BlockPuller} and {@link BlockCommitter} per channel while it runs, and its
 * connection to the orderer. It can be stopped (as a crashed peer: no server, no pulling; the
 * ledgers are kept) and started again on the same port, after which it catches up with the
 * orderer.
 *
 * <p>The orderers are given as a list of endpoints, as a peer learns them from the channel
 * config; blocks are pulled from the first. The node presents its own TLS certificate to them
 * when client authentication is required.
 *
 * <p>Thread-safe: lifecycle methods are synchronized on the node. The executors are the caller's
 * and stay running after {@link #shutdown()}.
 */
@InternalApi
public final class PeerNode implements Membership.Member {
    /**
     * What a peer node is made of.
     *
     * @param name its host name, as in its certificates ({@code peer0.org1.example.com})
     * @param identity its signing identity (what its endorsements and seeks carry)
     * @param signer the signer of {@code identity}'s key
     * @param tls its TLS certificate and key, as server and as client of the orderers
     * @param clientTlsRoots the CAs whose TLS certificates its server accepts from clients
     * @param clientAuthRequired whether its server requires client certificates, and the orderers do
     * @param host the address to listen on and advertise
     * @param port the port to listen on, 0 for a free one (kept for restarts once chosen)
     * @param orderers the orderers to pull blocks from, at least one; without client certificates
     * @param clock the clock for timestamps and certificate checks
     * @param signatures the network's shared signature checks
     */
    public record Settings(String name, X509Identity identity, Signer signer, Issued tls,
            List<X509Certificate> clientTlsRoots, boolean clientAuthRequired, String host, int port,
            List<EndpointConfig> orderers, Clock clock, VerifiedSignatures signatures) {
        public Settings {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(signer, "signer");
            Objects.requireNonNull(tls, "tls");
            clientTlsRoots = List.copyOf(clientTlsRoots);
            Objects.requireNonNull(host, "host");
            orderers = List.copyOf(orderers);
            if (orderers.isEmpty()) {
                throw new IllegalArgumentException("a peer needs at least one orderer endpoint");
            }
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(signatures, "signatures");
        }
    }

    private final Settings settings;
    private final PeerService service;
    private final Executor executor;
    private final Scheduler scheduler;
    private final ForkJoinPool validators;
    private final Map<String, PeerChannel> channels = new LinkedHashMap<>();
    private final Map<String, BlockPuller> pullers = new LinkedHashMap<>();
    private List<ManagedChannel> ordererChannels = List.of();
    /** The gateway's connections to the other peers, by endpoint. */
    private final Map<String, ManagedChannel> peerChannels = new LinkedHashMap<>();
    private Server server;
    private int port;
    /** This run's gossip messages: a restarted peer announces itself with a new incarnation. */
    private volatile GossipMessages gossip;

    /**
     * A node that is not yet listening; {@link #start()} it.
     *
     * @param executor runs gRPC calls and deliver streams
     * @param scheduler times the block pullers' reconnects
     * @param validators validates blocks' transactions in parallel
     */
    public PeerNode(Settings settings, Executor executor, Scheduler scheduler, ForkJoinPool validators) {
        this(settings, executor, scheduler, validators, new Membership());
    }

    /**
     * A node that is not yet listening, one of the {@code membership} its discovery service
     * answers for (it adds itself).
     */
    public PeerNode(Settings settings, Executor executor, Scheduler scheduler, ForkJoinPool validators,
            Membership membership) {
        this.settings = settings;
        this.executor = executor;
        this.scheduler = scheduler;
        this.validators = validators;
        this.gossip = newGossip();
        this.service = new PeerService(settings.identity(), settings.signer(), executor, settings.clock(),
                settings.clientAuthRequired(), membership, settings.signatures(), this, new GatewayLinks());
        membership.add(this);
    }

    private GossipMessages newGossip() {
        Instant now = settings.clock().instant();
        return new GossipMessages(settings.identity(), settings.signer(), now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }

    @Override
    public String name() {
        return settings.name();
    }

    public X509Identity identity() {
        return settings.identity();
    }

    /** The node's gRPC services, for fault injection and hooks; they keep their state across restarts. */
    public PeerService service() {
        return service;
    }

    /** {@code host:port}; the port is 0 until the node has first listened on a free one. */
    public synchronized String endpoint() {
        return settings.host() + ":" + port;
    }

    /** Whether the node is listening. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public String mspId() {
        return settings.identity().mspId();
    }

    @Override
    public ByteString serializedIdentity() {
        return settings.identity().serialized();
    }

    @Override
    public boolean isAlive() {
        return isRunning();
    }

    @Override
    public Envelope aliveMessage() {
        return gossip.alive(endpoint());
    }

    /** The node's ledger height and chaincodes (each at its definition's sequence) on a channel it has joined. */
    @Override
    public Optional<Membership.ChannelState> channel(String channelId) {
        return service.channel(channelId).map(channel -> {
            Map<String, String> chaincodes = new LinkedHashMap<>();
            channel.chaincodes().forEach((name, definition) -> chaincodes.put(name, String.valueOf(definition.sequence())));
            return new Membership.ChannelState(channel.ledger().height(), chaincodes);
        });
    }

    @Override
    public Optional<Envelope> stateInfo(String channelId) {
        return channel(channelId).map(state -> gossip.stateInfo(channelId, state));
    }

    /**
     * The number of blocks committed on a channel.
     *
     * @throws IllegalArgumentException if the node has not joined the channel
     */
    public long height(String channelId) {
        return service.channel(channelId).orElseThrow(() -> new IllegalArgumentException("no channel " + channelId))
                .ledger().height();
    }

    /**
     * Waits until the peer has committed at least {@code height} blocks on a channel, woken by
     * each block it commits.
     *
     * @return whether it had within the timeout
     * @throws IllegalArgumentException if the node has not joined the channel
     */
    public boolean awaitHeight(String channelId, long height, Duration timeout) throws InterruptedException {
        return service.channel(channelId).orElseThrow(() -> new IllegalArgumentException("no channel " + channelId))
                .ledger().awaitHeight(height, timeout);
    }

    /**
     * Listens (on the same port as before, after a stop) and pulls every joined channel from the
     * orderer; does nothing if running.
     *
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        List<ServerServiceDefinition> services = new ArrayList<>();
        for (BindableService s : service.services()) {
            services.add(s.bindService());
        }
        server = GrpcServers.start(settings.host(), port == 0 ? settings.port() : port, settings.tls(),
                settings.clientTlsRoots(), settings.clientAuthRequired(), executor, services);
        port = server.getPort();
        gossip = newGossip();
        for (PeerChannel channel : channels.values()) {
            pull(channel);
        }
    }

    /**
     * Joins a channel from its genesis block, on the given stores (committing the genesis block
     * if the block store is empty), and pulls its blocks if the node is running.
     *
     * @throws dev.weft.testnet.UnsupportedCapabilityException if the config needs a capability the peer lacks
     */
    public synchronized void join(Block genesis, BlockStore blocks, StateStore state, List<ChaincodeDefinition> chaincodes) {
        PeerChannel channel = new PeerChannel(genesis, new ChannelLedger(blocks), state, chaincodes, settings.clock(),
                settings.signatures());
        channels.put(channel.channelId(), channel);
        service.addChannel(channel);
        if (server != null) {
            pull(channel);
        }
    }

    /** Stops listening and committing, as a crashed peer would; the ledgers are kept. */
    public synchronized void stop() {
        if (server != null) {
            // Long-lived calls would hold a graceful shutdown for its whole grace period.
            service.abortDeliverStreams();
            service.dropStalledEndorsements();
            GrpcServers.stop(server);
            server = null;
        }
        pullers.values().forEach(BlockPuller::close);
        pullers.clear();
    }

    /** Stops the node for good and closes its connection to the orderer. */
    public synchronized void shutdown() {
        stop();
        List<ManagedChannel> all = new ArrayList<>(ordererChannels);
        all.addAll(peerChannels.values());
        peerChannels.clear();
        for (ManagedChannel channel : all) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : all) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ordererChannels = List.of();
    }

    /** The connections to the orderers, made on first use and kept until {@link #shutdown()}. */
    private synchronized List<ManagedChannel> ordererChannels() {
        if (ordererChannels.isEmpty()) {
            ordererChannels = ordererEndpoints().stream().map(GrpcChannels::create).toList();
        }
        return ordererChannels;
    }

    /** How the node's Gateway service reaches the other peers (TLS as the network runs it) and the orderers. */
    private final class GatewayLinks implements GatewayService.Links {
        @Override
        public ManagedChannel peer(Membership.Member member) {
            synchronized (PeerNode.this) {
                return peerChannels.computeIfAbsent(member.endpoint(), target -> {
                    EndpointConfig.Builder endpoint = EndpointConfig.builder(target).tls(settings.clientTlsRoots())
                            .authorityOverride(member.name());
                    if (settings.clientAuthRequired()) {
                        endpoint.clientCertificate(List.of(settings.tls().certificate()), settings.tls().key());
                    }
                    return GrpcChannels.create(endpoint.build());
                });
            }
        }

        @Override
        public List<GatewayService.Orderer> orderers() {
            List<ManagedChannel> channels = ordererChannels();
            List<GatewayService.Orderer> orderers = new ArrayList<>();
            for (int i = 0; i < channels.size(); i++) {
                orderers.add(new GatewayService.Orderer(settings.orderers().get(i).target(), "", channels.get(i)));
            }
            return orderers;
        }
    }

    private void pull(PeerChannel channel) {
        List<EndpointConfig> endpoints = ordererEndpoints();
        List<ManagedChannel> ordererChannels = ordererChannels();
        BlockCommitter committer = new BlockCommitter(channel, validators);
        BlockPuller puller = new BlockPuller(name(), channel.channelId(), ordererChannels, settings.identity(),
                settings.signer(), endpoints.get(0).clientCertificateHash(), () -> channel.ledger().height(),
                block -> {
                    try {
                        committer.commit(block);
                    } catch (RuntimeException e) {
                        channel.stop("block " + block.getHeader().getNumber() + " could not be committed: "
                                + e.getMessage());
                        throw e;
                    }
                },
                scheduler, settings.clock());
        pullers.put(channel.channelId(), puller);
        puller.start();
    }

    /** The orderers to pull from, with this node's TLS client certificate when the orderers require one. */
    private List<EndpointConfig> ordererEndpoints() {
        return settings.orderers().stream().map(orderer -> {
            EndpointConfig.Builder endpoint = orderer.toBuilder();
            if (settings.clientAuthRequired()) {
                endpoint.clientCertificate(List.of(settings.tls().certificate()), settings.tls().key());
            }
            return endpoint.build();
        }).toList();
    }

    @Override
    public String toString() {
        return name() + "@" + endpoint();
    }
}
