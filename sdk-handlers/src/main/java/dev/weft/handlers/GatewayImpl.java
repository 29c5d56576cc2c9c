package dev.weft.handlers;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.ConnectionProfile;
import dev.weft.core.ConnectionProfileException;
import dev.weft.core.Credentials;
import dev.weft.core.EndorserSelector;
import dev.weft.core.EndpointConfig;
import dev.weft.core.GrpcChannels;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.SystemScheduler;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.PeerHealthRecord;
import dev.weft.core.internal.X509Issuer;
import dev.weft.events.CommitStatusSources;
import dev.weft.handlers.internal.Futures;
import dev.weft.selection.EndorserSelectors;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** See {@link Gateway}. */
final class GatewayImpl implements Gateway {
    private static final Logger log = LoggerFactory.getLogger(GatewayImpl.class);

    final X509Identity identity;
    /** Null when the application signs everything itself. */
    final Signer signer;
    final Scheduler scheduler;
    final Executor executor;
    final EndorserSelector selector;
    final Transport transport;
    final PeerHealthRecord health;
    final Timeouts timeouts;
    final List<Handler> addedHandlers;
    final Map<PipelineStep, UnaryOperator<Handler>> customizers;
    /** Every peer, with the channels it serves (empty: every channel) and whether it is an event source. */
    final List<PeerEntry> peers;
    final List<OrdererEntry> orderers;
    final CommitStatusSource commits;
    private final ExecutorService ownedExecutor;
    private final SystemScheduler ownedScheduler;
    private final List<ManagedChannel> ownedChannels;
    final LearntPeers learnt;
    private final Map<String, NetworkImpl> networks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * A peer and, from the connection profile, the channels it was listed for and its roles there.
     * An empty map means "every channel, every role".
     */
    record PeerEntry(Peer peer, Map<String, ConnectionProfile.PeerRoles> channels) {
    }

    /** An orderer and the channels the profile lists it for (empty: every channel). */
    record OrdererEntry(Orderer orderer, List<String> channels) {
    }

    private GatewayImpl(BuilderImpl b) {
        this.identity = b.identity;
        this.signer = b.signer;
        this.addedHandlers = List.copyOf(b.handlers);
        this.customizers = new EnumMap<>(b.customizers);
        this.timeouts = timeouts(b);
        this.transport = b.transport;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownedExecutor = null;
        } else {
            int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
            AtomicInteger count = new AtomicInteger();
            this.ownedExecutor = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "weft-gateway-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.executor = ownedExecutor;
        }
        if (b.scheduler != null) {
            this.scheduler = b.scheduler;
            this.ownedScheduler = null;
        } else {
            this.ownedScheduler = SystemScheduler.start("weft-gateway-timer", Clock.systemUTC(), executor);
            this.scheduler = ownedScheduler;
        }
        this.health = new PeerHealthRecord(PeerHealthRecord.DEFAULT_MEMORY, scheduler::nanoTime);
        List<ManagedChannel> created = new ArrayList<>();
        try {
            this.peers = connectPeers(b, created);
            this.orderers = connectOrderers(b, created);
        } catch (RuntimeException e) {
            shutdown(created);
            releaseThreads();
            throw e;
        }
        this.ownedChannels = List.copyOf(created);
        this.learnt = new LearntPeers(b.clientCertificateChain, b.clientKey);
        this.selector = b.selector.forGateway(learnt);
        this.commits = signer == null ? new NoCommitEvents()
                : CommitStatusSources.builder().identity(identity).signer(signer).scheduler(scheduler)
                        .eventPeers(this::eventPeers).build();
    }

    /**
     * The gateway's timeouts: each one set on the builder, else the connection profile's
     * ({@code client.connection.timeout.peer.endorser} for endorse and evaluate, {@code .orderer}
     * for submit), else {@link Timeouts#DEFAULTS}.
     */
    private static Timeouts timeouts(BuilderImpl b) {
        Map<String, Duration> profile = b.profile == null ? Map.of() : b.profile.clientTimeouts();
        Timeouts t = Timeouts.DEFAULTS;
        Duration endorse = b.endorseTimeout != null ? b.endorseTimeout : profile.get("peer.endorser");
        Duration evaluate = b.evaluateTimeout != null ? b.evaluateTimeout : profile.get("peer.endorser");
        Duration submit = b.submitTimeout != null ? b.submitTimeout : profile.get("orderer");
        if (endorse != null) {
            t = t.withEndorse(endorse);
        }
        if (evaluate != null) {
            t = t.withEvaluate(evaluate);
        }
        if (submit != null) {
            t = t.withSubmit(submit);
        }
        if (b.commitTimeout != null) {
            t = t.withCommit(b.commitTimeout);
        }
        if (b.timeout != null) {
            t = t.withTotal(b.timeout);
        }
        return t;
    }

    /** For a gateway without a signer: its shared event streams cannot be signed. */
    private static final class NoCommitEvents implements CommitStatusSource {
        @Override
        public Registration register(String channelId, String transactionId) {
            throw new IllegalStateException("this gateway has no signer to sign its event streams, so it cannot "
                    + "wait for transaction " + transactionId + ": sign EndorsedTransaction.commitStatusRequest() and "
                    + "submit with it, or build the gateway with a signer");
        }

        @Override
        public void close() {
        }
    }

    private EndpointConfig prepare(EndpointConfig endpoint, BuilderImpl b) {
        EndpointConfig.Builder config = endpoint.toBuilder().executor(executor);
        if (b.clientCertificateChain != null && endpoint.clientCertificateChain().isEmpty()) {
            config.clientCertificate(b.clientCertificateChain, b.clientKey);
        }
        return config.build();
    }

    private List<PeerEntry> connectPeers(BuilderImpl b, List<ManagedChannel> created) {
        Map<String, PeerEntry> byName = new LinkedHashMap<>();
        if (b.profile != null) {
            Map<String, Map<String, ConnectionProfile.PeerRoles>> rolesByPeer = new LinkedHashMap<>();
            b.profile.channels().forEach((channel, info) -> info.peers().forEach((peer, roles) ->
                    rolesByPeer.computeIfAbsent(peer, p -> new LinkedHashMap<>()).put(channel, roles)));
            for (ConnectionProfile.Node node : b.profile.peers().values()) {
                String mspId = b.profile.mspIdOfPeer(node.name()).orElseThrow(() -> new ConnectionProfileException(
                        b.profile.source(), "peers." + node.name(), "is not listed under any organization, so its MSP "
                                + "id is unknown: add it to the peers of its organization", null));
                EndpointConfig endpoint = prepare(node.endpoint(), b);
                ManagedChannel channel = GrpcChannels.create(endpoint);
                created.add(channel);
                byName.put(node.name(), new PeerEntry(Peer.of(node.name(), mspId, endpoint, channel),
                        rolesByPeer.getOrDefault(node.name(), Map.of())));
            }
        }
        for (PeerSpec spec : b.peerSpecs) {
            Peer peer = spec.peer;
            if (peer == null) {
                EndpointConfig endpoint = prepare(spec.endpoint, b);
                ManagedChannel channel = GrpcChannels.create(endpoint);
                created.add(channel);
                peer = Peer.of(spec.name, spec.mspId, endpoint, channel);
            }
            if (byName.put(peer.name(), new PeerEntry(peer, Map.of())) != null) {
                throw new IllegalArgumentException("peer " + peer.name() + " is configured twice");
            }
        }
        if (byName.isEmpty() && b.profile != null) {
            throw new ConnectionProfileException(b.profile.source(), "peers", "lists no peers; add your "
                    + "organization's peers, each with a url (grpcs://host:port) and tlsCACerts, or add peers to the "
                    + "gateway builder", null);
        }
        if (byName.isEmpty()) {
            throw new IllegalStateException("no peers: give a connection profile or add peers to the gateway builder");
        }
        return List.copyOf(byName.values());
    }

    private List<OrdererEntry> connectOrderers(BuilderImpl b, List<ManagedChannel> created) {
        Map<String, OrdererEntry> byName = new LinkedHashMap<>();
        if (b.profile != null) {
            Map<String, List<String>> channelsByOrderer = new LinkedHashMap<>();
            b.profile.channels().forEach((channel, info) -> info.orderers().forEach(o ->
                    channelsByOrderer.computeIfAbsent(o, x -> new ArrayList<>()).add(channel)));
            for (ConnectionProfile.Node node : b.profile.orderers().values()) {
                EndpointConfig endpoint = prepare(node.endpoint(), b);
                ManagedChannel channel = GrpcChannels.create(endpoint);
                created.add(channel);
                byName.put(node.name(), new OrdererEntry(Orderer.of(node.name(), endpoint, channel),
                        channelsByOrderer.getOrDefault(node.name(), List.of())));
            }
        }
        for (OrdererSpec spec : b.ordererSpecs) {
            Orderer orderer = spec.orderer;
            if (orderer == null) {
                EndpointConfig endpoint = prepare(spec.endpoint, b);
                ManagedChannel channel = GrpcChannels.create(endpoint);
                created.add(channel);
                orderer = Orderer.of(spec.name, endpoint, channel);
            }
            if (byName.put(orderer.name(), new OrdererEntry(orderer, List.of())) != null) {
                throw new IllegalArgumentException("orderer " + orderer.name() + " is configured twice");
            }
        }
        return List.copyOf(byName.values());
    }

    /**
     * The peers that serve a channel in a role: those the connection profile lists for the channel
     * with that role, and those it lists for no channel at all (added peers included).
     */
    List<Peer> peersFor(String channelId, Predicate<ConnectionProfile.PeerRoles> role) {
        List<Peer> result = new ArrayList<>();
        for (PeerEntry entry : peers) {
            ConnectionProfile.PeerRoles roles = entry.channels().get(channelId);
            if (entry.channels().isEmpty() || (roles != null && role.test(roles))) {
                result.add(entry.peer());
            }
        }
        return result;
    }

    /** The peers that deliver a channel's events: the client's organisation first. */
    List<Peer> eventPeers(String channelId) {
        List<Peer> ordered = new ArrayList<>(peersFor(channelId, ConnectionProfile.PeerRoles::eventSource));
        ordered.sort(Comparator.comparing(p -> !p.mspId().equals(identity.mspId())));
        return ordered;
    }

    /**
     * The future to hand to the application for the pipeline's work: completed on the gateway's
     * executor with the failure unwrapped; cancelling it fires the transaction's cancellation.
     */
    <T> CompletableFuture<T> handOver(CompletableFuture<T> work, CompletableFuture<Void> cancellation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                cancellation.complete(null);
            }
        });
        work.whenComplete((r, e) -> completeOnExecutor(() -> {
            if (e != null) {
                result.completeExceptionally(Futures.unwrap(e));
            } else {
                result.complete(r);
            }
        }));
        return result;
    }

    /** Runs a completion on the gateway's executor, or here if the executor no longer takes work. */
    void completeOnExecutor(Runnable completion) {
        try {
            executor.execute(completion);
        } catch (RejectedExecutionException e) {
            completion.run(); // the gateway is closing: complete anyway, never leave a future hanging
        }
    }

    @Override
    public X509Identity identity() {
        return identity;
    }

    @Override
    public Network network(String channelId) {
        Checks.nonEmpty(channelId, "channelId");
        if (closed) {
            throw new IllegalStateException("the gateway is closed");
        }
        return networks.computeIfAbsent(channelId, id -> new NetworkImpl(this, id));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        commits.close();
        networks.values().forEach(NetworkImpl::close);
        if (selector instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("endorser selector {} failed to close", selector, e);
            }
        }
        learnt.close();
        shutdown(ownedChannels);
        releaseThreads();
    }

    /** Stops the timer and executor the gateway created; the caller's stay running. */
    private void releaseThreads() {
        if (ownedScheduler != null) {
            ownedScheduler.close();
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
            try {
                if (!ownedExecutor.awaitTermination(5, TimeUnit.SECONDS)) {
                    ownedExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ownedExecutor.shutdownNow();
            }
        }
    }

    /**
     * What the gateway lends its selector ({@link EndorserSelector.Context}): the peers it learns
     * of (from discovery) beyond those it was given, connected on first use and kept until the
     * gateway closes, and connections that present a client certificate for requests bound to it.
     */
    final class LearntPeers implements EndorserSelector.Context {
        private final List<X509Certificate> clientChain;
        private final PrivateKey clientKey;
        private final Map<String, Peer> byName = new ConcurrentHashMap<>();
        private final Map<String, Peer> certified = new ConcurrentHashMap<>();
        private final Map<String, Orderer> learntOrderers = new ConcurrentHashMap<>();
        private final List<ManagedChannel> channels = new ArrayList<>();
        private X509Issuer.Issued selfSigned;
        private boolean closed;

        LearntPeers(List<X509Certificate> clientChain, PrivateKey clientKey) {
            this.clientChain = clientChain;
            this.clientKey = clientKey;
        }

        @Override
        public X509Identity identity() {
            return identity;
        }

        @Override
        public Optional<Signer> signer() {
            return Optional.ofNullable(signer);
        }

        @Override
        public Scheduler scheduler() {
            return scheduler;
        }

        @Override
        public Peer peer(String name, String mspId, String endpoint, List<X509Certificate> tlsRoots) {
            Checks.nonEmpty(name, "name");
            Checks.nonEmpty(endpoint, "endpoint");
            for (PeerEntry entry : peers) {
                Peer own = entry.peer();
                if (own.name().equals(name) || own.endpoint().target().equals(endpoint)) {
                    return own;
                }
            }
            return byName.computeIfAbsent(name, n -> connect(n, mspId, endpoint, tlsRoots));
        }

        private Peer connect(String name, String mspId, String endpoint, List<X509Certificate> tlsRoots) {
            EndpointConfig config = endpoint("peer " + name + " of " + mspId, endpoint, tlsRoots);
            log.debug("connecting to peer {} of {} at {}, learnt from discovery", name, mspId, endpoint);
            return Peer.of(name, mspId, config, own(GrpcChannels.create(config)));
        }

        /** An orderer the channel config names, connected on first use; its name is its endpoint. */
        Orderer orderer(String endpoint, List<X509Certificate> tlsRoots) {
            for (OrdererEntry entry : orderers) {
                if (entry.orderer().endpoint().target().equals(endpoint)) {
                    return entry.orderer();
                }
            }
            return learntOrderers.computeIfAbsent(endpoint, e -> {
                EndpointConfig config = endpoint("orderer " + e, e, tlsRoots);
                log.debug("connecting to orderer {}, named by the channel config", e);
                return Orderer.of(e, config, own(GrpcChannels.create(config)));
            });
        }

        /** TLS as the gateway's own peers use it, with the gateway's client certificate if it has one. */
        private EndpointConfig endpoint(String what, String endpoint, List<X509Certificate> tlsRoots) {
            boolean tls = peers.stream().anyMatch(e -> e.peer().endpoint().tls());
            EndpointConfig.Builder config = EndpointConfig.builder(endpoint).executor(executor);
            if (tls) {
                if (tlsRoots.isEmpty()) {
                    throw new IllegalStateException(what + " at " + endpoint + " has no TLS root certificate in the "
                            + "channel config, so its TLS certificate cannot be verified");
                }
                config.tls(tlsRoots);
                if (clientChain != null) {
                    config.clientCertificate(clientChain, clientKey);
                }
            } else {
                config.plaintext();
            }
            return config.build();
        }

        @Override
        public Peer withClientCertificate(Peer peer) {
            EndpointConfig endpoint = peer.endpoint();
            if (!endpoint.tls() || !endpoint.clientCertificateChain().isEmpty()) {
                return peer;
            }
            return certified.computeIfAbsent(peer.name(), n -> {
                X509Issuer.Issued certificate = selfSigned();
                EndpointConfig built = endpoint.toBuilder().executor(executor)
                        .clientCertificate(List.of(certificate.certificate()), certificate.key()).build();
                return Peer.of(peer.name(), peer.mspId(), built, own(GrpcChannels.create(built)));
            });
        }

        /** One throwaway TLS client certificate per gateway, made when first needed. */
        private synchronized X509Issuer.Issued selfSigned() {
            if (selfSigned == null) {
                Instant now = scheduler.clock().instant();
                selfSigned = X509Issuer.certificate("CN=weft-client-" + identity.mspId())
                        .validity(now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(365)))
                        .serverAndClientAuth().selfSigned();
            }
            return selfSigned;
        }

        private synchronized ManagedChannel own(ManagedChannel channel) {
            if (closed) {
                channel.shutdownNow();
                throw new IllegalStateException("the gateway is closed");
            }
            channels.add(channel);
            return channel;
        }

        void close() {
            List<ManagedChannel> toClose;
            synchronized (this) {
                closed = true;
                toClose = List.copyOf(channels);
            }
            shutdown(toClose);
        }
    }

    private static void shutdown(List<ManagedChannel> channels) {
        channels.forEach(ManagedChannel::shutdown);
        for (ManagedChannel channel : channels) {
            try {
                if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("gRPC channel {} did not terminate within 5 s; forcing it", channel);
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.shutdownNow();
            }
        }
    }

    private record PeerSpec(String name, String mspId, EndpointConfig endpoint, Peer peer) {
    }

    private record OrdererSpec(String name, EndpointConfig endpoint, Orderer orderer) {
    }

    static final class BuilderImpl implements Gateway.Builder {
        private X509Identity identity;
        private Signer signer;
        private ConnectionProfile profile;
        private List<X509Certificate> clientCertificateChain;
        private PrivateKey clientKey;
        private final List<PeerSpec> peerSpecs = new ArrayList<>();
        private final List<OrdererSpec> ordererSpecs = new ArrayList<>();
        private Duration endorseTimeout;
        private Duration evaluateTimeout;
        private Duration submitTimeout;
        private Duration commitTimeout;
        private Duration timeout;
        private Executor executor;
        private Scheduler scheduler;
        private EndorserSelector selector = EndorserSelectors.policyBased();
        private Transport transport = Transport.DIRECT;
        private final List<Handler> handlers = new ArrayList<>();
        private final Map<PipelineStep, UnaryOperator<Handler>> customizers = new EnumMap<>(PipelineStep.class);

        @Override
        public Builder identity(X509Identity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        @Override
        public Builder signer(Signer signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        @Override
        public Builder connectionProfile(Path file) {
            return connectionProfile(ConnectionProfile.load(Objects.requireNonNull(file, "file")));
        }

        @Override
        public Builder connectionProfile(ConnectionProfile profile) {
            this.profile = Objects.requireNonNull(profile, "profile");
            return this;
        }

        @Override
        public Builder clientTls(List<X509Certificate> certificateChain, PrivateKey key) {
            Objects.requireNonNull(certificateChain, "certificateChain");
            if (certificateChain.isEmpty()) {
                throw new IllegalArgumentException("certificateChain must hold at least the client's TLS certificate");
            }
            this.clientCertificateChain = List.copyOf(certificateChain);
            this.clientKey = Objects.requireNonNull(key, "key");
            return this;
        }

        @Override
        public Builder addPeer(String name, String mspId, EndpointConfig endpoint) {
            peerSpecs.add(new PeerSpec(Checks.nonEmpty(name, "name"), Checks.nonEmpty(mspId, "mspId"),
                    Objects.requireNonNull(endpoint, "endpoint"), null));
            return this;
        }

        @Override
        public Builder addPeer(Peer peer) {
            peerSpecs.add(new PeerSpec(null, null, null, Objects.requireNonNull(peer, "peer")));
            return this;
        }

        @Override
        public Builder addOrderer(String name, EndpointConfig endpoint) {
            ordererSpecs.add(new OrdererSpec(Checks.nonEmpty(name, "name"), Objects.requireNonNull(endpoint, "endpoint"), null));
            return this;
        }

        @Override
        public Builder addOrderer(Orderer orderer) {
            ordererSpecs.add(new OrdererSpec(null, null, Objects.requireNonNull(orderer, "orderer")));
            return this;
        }

        @Override
        public Builder endorseTimeout(Duration timeout) {
            this.endorseTimeout = Checks.positive(timeout, "endorseTimeout");
            return this;
        }

        @Override
        public Builder evaluateTimeout(Duration timeout) {
            this.evaluateTimeout = Checks.positive(timeout, "evaluateTimeout");
            return this;
        }

        @Override
        public Builder submitTimeout(Duration timeout) {
            this.submitTimeout = Checks.positive(timeout, "submitTimeout");
            return this;
        }

        @Override
        public Builder commitTimeout(Duration timeout) {
            this.commitTimeout = Checks.positive(timeout, "commitTimeout");
            return this;
        }

        @Override
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.positive(timeout, "timeout");
            return this;
        }

        @Override
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        @Override
        public Builder endorserSelector(EndorserSelector selector) {
            this.selector = Objects.requireNonNull(selector, "selector");
            return this;
        }

        @Override
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        @Override
        public Builder addHandler(Handler handler) {
            handlers.add(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        @Override
        public Builder handler(PipelineStep step, UnaryOperator<Handler> customizer) {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(customizer, "customizer");
            UnaryOperator<Handler> before = customizers.get(step);
            customizers.put(step, before == null ? customizer : h -> customizer.apply(before.apply(h)));
            return this;
        }

        @Override
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        @Override
        public Gateway build() {
            if (identity == null) {
                throw new IllegalStateException("identity must be set: the client's MSP id and certificate");
            }
            // Peers refuse an expired certificate with an opaque error: say so before sending anything.
            Instant now = scheduler != null ? scheduler.clock().instant() : Instant.now();
            Credentials.checkValidAt(identity.certificate(), now, "the client identity's certificate");
            if (clientCertificateChain != null) {
                Credentials.checkValidAt(clientCertificateChain.get(0), now, "the client TLS certificate");
            }
            return new GatewayImpl(this);
        }
    }
}
