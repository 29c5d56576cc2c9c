package dev.weft.testnet;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.SystemScheduler;
import dev.weft.core.X509Identity;
import dev.weft.testnet.internal.GrpcServers;
import dev.weft.testnet.internal.NetworkDescription;
import dev.weft.testnet.internal.NetworkFiles;
import dev.weft.testnet.internal.NetworkManifest;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.config.GenesisBlocks;
import dev.weft.testnet.internal.crypto.CryptoGenerator;
import dev.weft.testnet.internal.crypto.OrganizationCrypto;
import dev.weft.testnet.internal.discovery.Membership;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.ledger.FileBlockStore;
import dev.weft.testnet.internal.ledger.InMemoryBlockStore;
import dev.weft.testnet.internal.ledger.InMemoryStateStore;
import dev.weft.testnet.internal.ledger.MvStoreStateStore;
import dev.weft.testnet.internal.orderer.OrdererChannel;
import dev.weft.testnet.internal.orderer.OrdererService;
import dev.weft.testnet.internal.orderer.raft.RaftChain;
import dev.weft.testnet.internal.orderer.raft.RaftConsenter;
import dev.weft.testnet.internal.peer.ChaincodeDefinition;
import dev.weft.testnet.internal.peer.PeerNode;
import io.grpc.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.RaftPeer;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.hyperledger.fabric.protos.orderer.etcdraft.ConfigMetadata;
import org.hyperledger.fabric.protos.orderer.etcdraft.Options;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Fabric network in this JVM: an orderer and peers that listen on loopback with TLS and speak
 * Fabric's gRPC protocol, so that Weft, other Fabric SDKs and the {@code peer} CLI can use it like
 * a real network for the features it implements (endorsement with Java chaincode, ordering,
 * validation and commit with Fabric's validation codes, block and filtered-block delivery, service
 * discovery).
 *
 * <pre>{@code
 * try (ReferenceNetwork network = ReferenceNetwork.builder().start()) {   // Org1MSP, Org2MSP, mychannel, basic
 *     ReferenceNetwork.User user = network.user("Org1MSP");
 *     ReferenceNetwork.Peer peer = network.peer("Org1MSP");
 *     ManagedChannel channel = GrpcChannels.create(peer.endpointConfig());
 *     // ... build, sign and send proposals with user.identity() and user.signer()
 * }
 * }</pre>
 *
 * <p>What it sets up: crypto material generated at start as cryptogen makes it (a CA and TLS CA
 * per organisation, NodeOU roles); a genesis block per channel as configtxgen makes it; one solo
 * orderer (or another {@link Consenter}); one peer per organisation by default, each joined to every
 * channel, with the chaincodes given to the builder ({@link AssetTransferChaincode} as
 * {@code basic} if none are). {@link #writeTo(Path)} writes the crypto material and a connection
 * profile per organisation so another process can connect. A network kept in a directory
 * ({@link Builder#directory}) can also run spread over processes, each starting some of its nodes
 * ({@link Builder#nodes}).
 *
 * <p>Thread-safe. {@link #close()} stops every server and thread the network started and frees its
 * ports.
 */
public final class ReferenceNetwork implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReferenceNetwork.class);

    /** Where ledgers live in a network's directory: {@code ledgers/<node>/<channel>/}. */
    private static final String LEDGERS = "ledgers";

    private final Builder settings;
    /** The directory's manifest when the network resumed from it, else null. */
    private final NetworkManifest manifest;
    private final Map<String, OrganizationCrypto> peerOrganizations;
    private final OrganizationCrypto ordererOrganization;
    private final ExecutorService executor;
    private final SystemScheduler scheduler;
    private final ForkJoinPool validators;
    /** Signatures checked by one node are not checked again by the others (they share this JVM). */
    private final VerifiedSignatures signatures = new VerifiedSignatures();
    /** The peers as their discovery services know each other (Fabric peers would gossip this). */
    private final Membership membership = new Membership();
    private final Map<String, Block> genesisBlocks = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Orderer> orderers = new ArrayList<>();
    /** Each Raft group member's port, by {@code <orderer>/raft/<channel>}. */
    private final Map<String, Integer> raftPorts = new LinkedHashMap<>();
    /** Where Raft logs go when the network has no directory: a temporary one, removed on close. */
    private Path raftRoot;
    private final List<Peer> peers = new ArrayList<>();
    private volatile boolean closed;

    private ReferenceNetwork(Builder settings) {
        this.settings = settings;
        this.manifest = settings.directory == null ? null : NetworkManifest.read(settings.directory).orElse(null);
        this.peerOrganizations = new LinkedHashMap<>();
        if (!settings.nodes.isEmpty()) {
            // A partial start: some nodes of a network kept in the directory, the others elsewhere.
            requireNodes(manifest, settings.directory, settings.nodes);
            if (settings.shapeGiven.contains("host") && !settings.host.equals(manifest.host())) {
                throw new IllegalStateException("the network in " + settings.directory + " listens on "
                        + manifest.host() + ", not " + settings.host + ": nodes(...) starts some of its nodes where "
                        + "the others expect them; leave host unset");
            }
            settings.host = manifest.host();
        }
        if (manifest != null) {
            // Resuming: the crypto material the ledgers were made with, read back from the directory.
            settings.adopt(manifest);
            manifest.requireSameShape(settings.shape(Map.of()), settings.directory);
            for (String mspId : settings.organizations) {
                String domain = CryptoGenerator.domainFor(mspId, false);
                List<String> nodes = new ArrayList<>();
                for (int i = 0; i < settings.peersPerOrganization; i++) {
                    nodes.add("peer" + i + "." + domain);
                }
                List<String> users = new ArrayList<>(List.of("Admin@" + domain));
                settings.users.forEach(u -> users.add(u + "@" + domain));
                peerOrganizations.put(mspId, NetworkFiles.readOrganization(settings.directory, mspId, domain, false,
                        nodes, users));
            }
            String domain = CryptoGenerator.domainFor(settings.ordererMspId, true);
            this.ordererOrganization = NetworkFiles.readOrganization(settings.directory, settings.ordererMspId, domain,
                    true, CryptoGenerator.ordererNames(domain, settings.ordererCount), List.of("Admin@" + domain));
        } else {
            if (settings.directory != null && Files.exists(settings.directory.resolve(LEDGERS))) {
                throw new IllegalStateException(settings.directory + " holds ledgers but no " + NetworkManifest.FILE
                        + " (a start that did not finish?): remove " + settings.directory.resolve(LEDGERS)
                        + " or give another directory");
            }
            CryptoGenerator crypto = new CryptoGenerator(settings.clock.instant());
            for (String mspId : settings.organizations) {
                peerOrganizations.put(mspId, crypto.peerOrganization(mspId, settings.peersPerOrganization,
                        settings.users));
            }
            this.ordererOrganization = crypto.ordererOrganization(settings.ordererMspId, settings.ordererCount);
        }
        this.executor = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
                threads("weft-net"));
        this.scheduler = SystemScheduler.start("weft-timer", settings.clock);
        this.validators = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
    }

    /** A builder with the defaults: Org1MSP and Org2MSP with one peer each, channel mychannel, chaincode basic. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The nodes of the network kept in a directory, orderers first, by host name; the manifest's
     * shape says which there are.
     */
    private static List<String> nodeNames(NetworkManifest stored) {
        List<String> names = new ArrayList<>(CryptoGenerator.ordererNames(
                CryptoGenerator.domainFor(stored.ordererOrganization(), true), stored.orderers()));
        for (String mspId : stored.organizations()) {
            String domain = CryptoGenerator.domainFor(mspId, false);
            for (int i = 0; i < stored.peersPerOrganization(); i++) {
                names.add("peer" + i + "." + domain);
            }
        }
        return names;
    }

    /**
     * Checks that a partial start's nodes are nodes of the network kept in {@code directory}.
     *
     * @param stored the directory's manifest, or null if it has none
     * @throws IllegalStateException if the directory holds no network
     * @throws IllegalArgumentException naming the unknown nodes and listing the known ones
     */
    private static void requireNodes(NetworkManifest stored, Path directory, Set<String> names) {
        if (stored == null) {
            throw new IllegalStateException(directory + " holds no network (no " + NetworkManifest.FILE
                    + "): nodes(...) starts some nodes of a network kept in a directory; start the whole network "
                    + "there first");
        }
        List<String> known = nodeNames(stored);
        List<String> unknown = names.stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no node " + String.join(", ", unknown) + " in the network kept in "
                    + directory + " (its nodes: " + String.join(", ", known) + ")");
        }
    }

    /** Whether a node runs in this process: every node, or only those given to {@link Builder#nodes}. */
    private boolean runsHere(String node) {
        return settings.nodes.isEmpty() || settings.nodes.contains(node);
    }

    /** Whether only some of the network's nodes run in this process ({@link Builder#nodes}). */
    private boolean partial() {
        return !settings.nodes.isEmpty();
    }

    private void startNodes() {
        int index = 0;
        for (OrganizationCrypto.Member member : ordererOrganization.nodes().values()) {
            int offset = index++;
            if (!runsHere(member.name())) {
                continue;
            }
            OrdererNode node = new OrdererNode(member);
            node.listen(port(member.name(), offset));
            closeables.add(node::stop);
            orderers.add(new Orderer(member.name(), settings.ordererMspId, settings.host, node,
                    ordererOrganization.tlsCa().certificate()));
        }
        if (settings.usesRaft()) {
            int k = 0;
            for (String channelId : settings.channels) {
                for (String orderer : ordererOrganization.nodes().keySet()) {
                    String key = orderer + "/raft/" + channelId;
                    raftPorts.put(key, manifest != null ? requiredPort(key)
                            : settings.basePort == 0 ? GrpcServers.freePort(settings.host) : settings.basePort + 500 + k);
                    k++;
                }
            }
        }
        // Every orderer of the network, those running elsewhere too: a peer pulls from the next when one fails.
        List<EndpointConfig> ordererEndpoints = ordererOrganization.nodes().keySet().stream()
                .map(this::ordererEndpointConfig).toList();

        for (OrganizationCrypto org : peerOrganizations.values()) {
            for (OrganizationCrypto.Member member : org.nodes().values()) {
                int offset = index++;
                if (!runsHere(member.name())) {
                    continue;
                }
                PeerNode node = new PeerNode(new PeerNode.Settings(member.name(),
                        X509Identity.of(org.mspId(), member.signing().certificate()),
                        Signers.newPrivateKeySigner(member.signing().key()), member.tls(), allTlsRoots(),
                        settings.clientAuthRequired, settings.host, port(member.name(), offset), ordererEndpoints,
                        settings.clock, signatures), executor, scheduler, validators, membership);
                // Listening before the channels exist: the genesis blocks name the peers' endpoints as anchors.
                node.start();
                peers.add(new Peer(node, org.mspId(), org.tlsCa().certificate()));
            }
        }

        Map<String, BlockStore> peerBlocks = new LinkedHashMap<>();
        for (String channelId : settings.channels) {
            Block genesis = partial() ? storedGenesis(channelId, peerBlocks)
                    : GenesisBlocks.genesisBlock(channelDefinition(channelId), settings.clock.instant());
            for (Orderer orderer : orderers) {
                orderer.node.open(channelId, genesis);
            }
            // Block 0 as the orderers hold it: the one just made, or the stored one when resuming.
            genesisBlocks.put(channelId, orderers.isEmpty() ? genesis
                    : orderers.get(0).node.channels.get(channelId).ledger().block(0));
        }
        for (Peer peer : peers) {
            for (String channelId : settings.channels) {
                String store = peer.name() + "/" + channelId;
                BlockStore opened = peerBlocks.get(store);
                BlockStore blocks = opened != null ? opened : opened(settings.blockStores.apply(store));
                peer.node.join(genesisBlocks.get(channelId), blocks, opened(settings.stateStores.apply(store)),
                        settings.chaincodes.get(channelId));
            }
        }
    }

    /**
     * A partial start's block 0 of a channel: the one the first node started here holds in its
     * ledger (every node of the network holds the same), never a new one, which would fork the
     * channel from the nodes running elsewhere. Peers' block stores opened to look are kept in
     * {@code peerBlocks} for their join.
     *
     * @throws IllegalStateException if no node started here has a ledger of the channel
     */
    private Block storedGenesis(String channelId, Map<String, BlockStore> peerBlocks) {
        for (Orderer orderer : orderers) {
            ChannelLedger ledger = orderer.node.ledger(channelId);
            if (ledger.height() > 0) {
                return ledger.block(0);
            }
        }
        for (Peer peer : peers) {
            String store = peer.name() + "/" + channelId;
            BlockStore blocks = opened(settings.blockStores.apply(store));
            peerBlocks.put(store, blocks);
            if (blocks.height() > 0) {
                // As the orderers hold it: without the validation flags the peer added when it committed it.
                Block committed = blocks.block(0);
                return committed.toBuilder().setMetadata(committed.getMetadata().toBuilder()
                        .setMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE, ByteString.EMPTY)).build();
            }
        }
        throw new IllegalStateException("none of the nodes started here (" + String.join(", ", settings.nodes)
                + ") has a ledger of channel " + channelId + " in " + settings.directory + " to take its genesis "
                + "block from: start the whole network there once, or include a node that has one");
    }

    /**
     * How to reach an orderer, here or elsewhere: TLS verified against its name; one running
     * elsewhere is at its port in the manifest.
     */
    private EndpointConfig ordererEndpointConfig(String name) {
        for (Orderer orderer : orderers) {
            if (orderer.name().equals(name)) {
                return orderer.endpointConfig();
            }
        }
        return EndpointConfig.builder(settings.host + ":" + requiredPort(name))
                .tls(List.of(ordererOrganization.tlsCa().certificate()))
                .authorityOverride(name)
                .build();
    }

    /** A port the manifest of a resumed network must have. */
    private int requiredPort(String key) {
        Integer port = manifest.ports().get(key);
        if (port == null) {
            throw new IllegalStateException(settings.directory.resolve(NetworkManifest.FILE) + " has no port for " + key);
        }
        return port;
    }

    /** How an orderer orders: its own Raft consenter in a Raft network, else the configured one. */
    private Consenter consenterFor(OrganizationCrypto.Member member) {
        if (!settings.usesRaft()) {
            return settings.consenter;
        }
        GrpcTlsConfig tls = new GrpcTlsConfig(member.tls().key(), member.tls().certificate(),
                List.of(ordererOrganization.tlsCa().certificate()), true);
        return new RaftConsenter(channelId -> {
            // Every orderer is a member, those running elsewhere too: they are reached at their Raft ports.
            List<RaftPeer> members = new ArrayList<>();
            for (String orderer : ordererOrganization.nodes().keySet()) {
                members.add(RaftPeer.newBuilder().setId(orderer)
                        .setAddress(settings.host + ":" + raftPorts.get(orderer + "/raft/" + channelId)).build());
            }
            // Where a follower behind the leader's snapshot pulls blocks from, as this orderer.
            List<EndpointConfig> others = new ArrayList<>();
            for (String orderer : ordererOrganization.nodes().keySet()) {
                if (!orderer.equals(member.name())) {
                    EndpointConfig.Builder endpoint = ordererEndpointConfig(orderer).toBuilder();
                    if (settings.clientAuthRequired) {
                        endpoint.clientCertificate(List.of(member.tls().certificate()), member.tls().key());
                    }
                    others.add(endpoint.build());
                }
            }
            return new RaftChain.Settings(member.name(), members, raftStorage(member.name(), channelId), tls,
                    others, settings.directory != null);
        });
    }

    private synchronized Path raftStorage(String orderer, String channelId) {
        if (settings.directory != null) {
            return settings.directory.resolve(LEDGERS).resolve(orderer).resolve(channelId).resolve("raft");
        }
        if (raftRoot == null) {
            try {
                raftRoot = Files.createTempDirectory("weft-raft-");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create a directory for the Raft logs: " + e.getMessage(),
                        e);
            }
            Path root = raftRoot;
            closeables.add(0, () -> deleteRecursively(root));
        }
        return raftRoot.resolve(orderer).resolve(channelId);
    }

    private static void deleteRecursively(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * One orderer's server, Broadcast/Deliver service and channels. It can stop (its chains
     * halted, its port closed) and start again on the same port over the same ledgers.
     */
    private final class OrdererNode {
        final OrganizationCrypto.Member member;
        final OrdererService service = new OrdererService(executor, settings.clock, settings.clientAuthRequired);
        final Map<String, ChannelLedger> ledgers = new ConcurrentHashMap<>();
        final Map<String, OrdererChannel> channels = new ConcurrentHashMap<>();
        private Server server;
        private int port;

        OrdererNode(OrganizationCrypto.Member member) {
            this.member = member;
        }

        synchronized void listen(int wanted) {
            server = GrpcServers.start(settings.host, wanted, member.tls(), allTlsRoots(), settings.clientAuthRequired,
                    executor, List.of(service.bindService()));
            port = server.getPort();
        }

        /** The node's ledger of a channel, its block store opened the first time. */
        synchronized ChannelLedger ledger(String channelId) {
            return ledgers.computeIfAbsent(channelId, c -> new ChannelLedger(
                    opened(settings.blockStores.apply(member.name() + "/" + c))));
        }

        synchronized void open(String channelId, Block genesis) {
            ChannelLedger ledger = ledger(channelId);
            OrdererChannel channel = new OrdererChannel(genesis, ledger,
                    X509Identity.of(settings.ordererMspId, member.signing().certificate()),
                    Signers.newPrivateKeySigner(member.signing().key()), consenterFor(member), scheduler,
                    settings.clock, signatures);
            channels.put(channelId, channel);
            service.addChannel(channel);
        }

        synchronized boolean isRunning() {
            return server != null;
        }

        synchronized void stop() {
            if (server == null) {
                return;
            }
            channels.values().forEach(OrdererChannel::halt);
            // As a crash: every call ends at once. A graceful shutdown would wait out its grace period
            // for the Deliver streams (they never end of themselves), and the peers pulling from this
            // orderer would not move to another meanwhile.
            GrpcServers.kill(server);
            server = null;
        }

        synchronized void start() {
            if (server != null) {
                return;
            }
            listen(port);
            for (String channelId : settings.channels) {
                open(channelId, genesisBlocks.get(channelId));
            }
        }
    }

    /** A store the network opened: it is closed with the network, after the nodes have stopped. */
    private <T extends AutoCloseable> T opened(T store) {
        closeables.add(0, store);
        return store;
    }

    /** A node's port: the one it had when resuming, else {@code basePort + offset}, or 0 for any free one. */
    private int port(String node, int offset) {
        if (manifest != null) {
            return requiredPort(node);
        }
        return settings.basePort == 0 ? 0 : settings.basePort + offset;
    }

    /**
     * After the nodes have started in a directory: the crypto material and profiles, then the
     * manifest that makes the directory resumable.
     */
    private void writeDirectory() {
        writeTo(settings.directory);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Orderer orderer : orderers) {
            ports.put(orderer.name(), orderer.node.port);
        }
        ports.putAll(raftPorts);
        for (Peer peer : peers) {
            ports.put(peer.name(), Integer.parseInt(peer.endpoint().substring(peer.endpoint().lastIndexOf(':') + 1)));
        }
        settings.shape(ports).write(settings.directory);
    }

    /** Whether the network started again from the ledgers and crypto material in its {@linkplain Builder#directory directory}. */
    public boolean resumed() {
        return manifest != null;
    }

    private List<X509Certificate> allTlsRoots() {
        List<X509Certificate> roots = new ArrayList<>(ordererOrganization.tlsRoots());
        peerOrganizations.values().forEach(o -> roots.addAll(o.tlsRoots()));
        return roots;
    }

    private GenesisBlocks.ChannelDefinition channelDefinition(String channelId) {
        List<GenesisBlocks.PeerOrganization> orgs = new ArrayList<>();
        for (OrganizationCrypto org : peerOrganizations.values()) {
            List<String> anchors = peers.stream().filter(p -> p.mspId().equals(org.mspId())).limit(1)
                    .map(Peer::endpoint).toList();
            orgs.add(new GenesisBlocks.PeerOrganization(org.mspId(), org.mspConfig(), anchors));
        }
        return new GenesisBlocks.ChannelDefinition(channelId, orgs,
                List.of(new GenesisBlocks.OrdererOrganization(settings.ordererMspId, ordererOrganization.mspConfig(),
                        orderers.stream().map(Orderer::endpoint).toList())),
                settings.batchSize, settings.batchTimeout, settings.channelCapabilities,
                settings.ordererCapabilities, settings.applicationCapabilities,
                settings.usesRaft() ? RaftConsenter.TYPE : settings.consenter.type(),
                settings.usesRaft() ? raftConfigMetadata(channelId) : ByteString.EMPTY);
    }

    /**
     * The Raft consenters of a channel as Fabric writes them into {@code ConsensusType.metadata}
     * ({@code etcdraft.ConfigMetadata}: host, port and TLS certificates of each, and the options of
     * Fabric's sample configtx.yaml), so that Fabric's tools read our configs. The port is the
     * node's Raft port.
     */
    private ByteString raftConfigMetadata(String channelId) {
        ConfigMetadata.Builder metadata = ConfigMetadata.newBuilder()
                .setOptions(Options.newBuilder().setTickInterval("500ms").setElectionTick(10).setHeartbeatTick(1)
                        .setMaxInflightBlocks(5).setSnapshotIntervalSize(settings.snapshotIntervalSize));
        for (Orderer orderer : orderers) {
            ByteString tls = ByteString.copyFromUtf8(dev.weft.core.Credentials.toPem(
                    orderer.node.member.tls().certificate()));
            metadata.addConsenters(org.hyperledger.fabric.protos.orderer.etcdraft.Consenter.newBuilder()
                    .setHost(settings.host).setPort(raftPorts.get(orderer.name() + "/raft/" + channelId))
                    .setClientTlsCert(tls).setServerTlsCert(tls));
        }
        return metadata.build().toByteString();
    }

    /** The channels, in the order they were configured; the first is the default. */
    public List<String> channels() {
        return List.copyOf(settings.channels);
    }

    /** The first (default) channel. */
    public String channel() {
        return settings.channels.iterator().next();
    }

    /** MSP ids of the peer organisations. */
    public List<String> organizations() {
        return List.copyOf(peerOrganizations.keySet());
    }

    /**
     * The first orderer running in this process: {@code orderer.example.com}, unless only some
     * nodes were started ({@link Builder#nodes}).
     *
     * @throws IllegalStateException if no orderer runs in this process
     */
    public Orderer orderer() {
        if (orderers.isEmpty()) {
            throw new IllegalStateException("no orderer runs in this process: it started only "
                    + String.join(", ", settings.nodes) + " (the others run elsewhere)");
        }
        return orderers.get(0);
    }

    /**
     * Every orderer running in this process, the first one first: all of the network's, unless
     * only some nodes were started ({@link Builder#nodes}); the connection profiles
     * ({@link #connectionProfile}) name them all.
     */
    public List<Orderer> orderers() {
        return List.copyOf(orderers);
    }

    /**
     * The orderer that leads a channel's Raft group, once exactly one of the orderers running here
     * says it does (an election takes a few hundred milliseconds after a start or a leader's
     * crash); for a solo orderer, that orderer. For tests that stop the leader or a follower.
     *
     * @throws IllegalStateException if no single running orderer leads within the timeout
     */
    public Orderer leader(String channelId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Orderer> leaders = orderers.stream().filter(o -> o.isRunning() && o.isLeader(channelId)).toList();
            if (leaders.size() == 1) {
                return leaders.get(0);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no single orderer running here leads channel " + channelId + " after "
                        + timeout + " (leading: " + leaders.stream().map(Orderer::name).toList() + ")");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    /**
     * Every peer running in this process, by organisation: all of the network's, unless only some
     * nodes were started ({@link Builder#nodes}); the connection profiles name them all.
     */
    public List<Peer> peers() {
        return List.copyOf(peers);
    }

    /**
     * The first peer of an organisation running in this process.
     *
     * @throws IllegalArgumentException if the network has no such organisation
     * @throws IllegalStateException if none of the organisation's peers runs in this process ({@link Builder#nodes})
     */
    public Peer peer(String mspId) {
        org(mspId);
        return peers.stream().filter(p -> p.mspId().equals(mspId)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no peer of " + mspId + " runs in this process: it "
                        + "started only " + String.join(", ", settings.nodes) + " (the others run elsewhere)"));
    }

    /** The organisation's first client user ({@code User1} by default). */
    public User user(String mspId) {
        return user(mspId, settings.users.get(0));
    }

    /** A client user of an organisation by name ({@code User1}). */
    public User user(String mspId, String name) {
        return toUser(org(mspId), org(mspId).user(name));
    }

    /** The organisation's admin ({@code Admin@orgN.example.com}). */
    public User admin(String mspId) {
        OrganizationCrypto org = mspId.equals(settings.ordererMspId) ? ordererOrganization : org(mspId);
        return toUser(org, org.admin());
    }

    private OrganizationCrypto org(String mspId) {
        OrganizationCrypto org = peerOrganizations.get(mspId);
        if (org == null) {
            throw new IllegalArgumentException("no organization " + mspId + " in the network (organizations: "
                    + organizations() + ")");
        }
        return org;
    }

    private static User toUser(OrganizationCrypto org, OrganizationCrypto.Member member) {
        return new User(org.mspId(), member.name(), X509Identity.of(org.mspId(), member.signing().certificate()),
                member.signing().key(), Signers.newPrivateKeySigner(member.signing().key()),
                member.tls().certificate(), member.tls().key());
    }

    /** The genesis block of a channel, as the orderer holds it. */
    public Block genesisBlock(String channelId) {
        Block block = genesisBlocks.get(channelId);
        if (block == null) {
            throw new IllegalArgumentException("no channel " + channelId + " (channels: " + channels() + ")");
        }
        return block;
    }

    /** The current config of a channel, as the first orderer (or, without one here, the first peer) here holds it. */
    public ChannelConfig channelConfig(String channelId) {
        genesisBlock(channelId);
        if (orderers.isEmpty()) {
            return peers.get(0).node.service().channel(channelId).orElseThrow().config();
        }
        return orderers.get(0).node.service.channel(channelId).orElseThrow().sharedConfig();
    }

    /** Whether mutual TLS is required by the nodes. */
    public boolean clientAuthRequired() {
        return settings.clientAuthRequired;
    }

    /**
     * Writes the network's crypto material (cryptogen's directory layout under
     * {@code organizations/}) and, per peer organisation, a connection profile
     * ({@code connection-org1.yaml} and {@code .json}) naming every peer and the orderer, and
     * {@code connection-org1-own-peers.yaml}, the organisation's peers only
     * ({@link #organizationProfile}), for clients that use discovery.
     *
     * @return the profile paths by MSP id
     */
    public Map<String, Path> writeTo(Path directory) {
        return NetworkFiles.write(directory, description());
    }

    /** The connection profile of an organisation, in YAML. */
    public String connectionProfile(String mspId) {
        org(mspId);
        return NetworkFiles.connectionProfileYaml(description(), mspId);
    }

    /**
     * The connection profile Fabric's test network hands an organisation
     * ({@code test-network/organizations/ccp-template.yaml}), in YAML: only that organisation's
     * peers, no orderers, no channels. A client finds the other organisations' peers with
     * discovery ({@code EndorserSelectors.discovery()}) and the orderers in the channel config.
     */
    public String organizationProfile(String mspId) {
        org(mspId);
        return NetworkFiles.organizationProfileYaml(description(), mspId);
    }

    /**
     * The network as it is now, for {@link NetworkFiles}: every node, those running elsewhere
     * ({@link Builder#nodes}) at their ports in the manifest.
     */
    private NetworkDescription description() {
        List<NetworkDescription.Organization> orgs = peerOrganizations.values().stream()
                .map(NetworkDescription.Organization::of).toList();
        List<NetworkDescription.Node> peerNodes = new ArrayList<>();
        for (OrganizationCrypto org : peerOrganizations.values()) {
            for (String name : org.nodes().keySet()) {
                peerNodes.add(describe(name, org.mspId(), org.tlsCa().certificate(), peers));
            }
        }
        List<NetworkDescription.Node> ordererNodes = new ArrayList<>();
        for (String name : ordererOrganization.nodes().keySet()) {
            ordererNodes.add(describe(name, settings.ordererMspId, ordererOrganization.tlsCa().certificate(),
                    orderers));
        }
        return new NetworkDescription(channels(), settings.clientAuthRequired, orgs,
                List.of(NetworkDescription.Organization.of(ordererOrganization)), peerNodes, ordererNodes);
    }

    /** A node as it runs here, or, running elsewhere, at its port in the manifest. */
    private NetworkDescription.Node describe(String name, String mspId, X509Certificate tlsRoot,
            List<? extends Node> local) {
        String endpoint = local.stream().filter(n -> n.name().equals(name)).findFirst().map(Node::endpoint)
                .orElseGet(() -> settings.host + ":" + requiredPort(name));
        return new NetworkDescription.Node(name, mspId, endpoint, tlsRoot);
    }

    /** Stops every node and thread; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Peer peer : peers) {
            peer.node.shutdown();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                log.warn("error while stopping the reference network", e);
            }
        }
        executor.shutdown();
        scheduler.close();
        validators.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
            validators.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * A client identity of the network: its enrollment certificate and key (to sign proposals and
     * transactions) and its TLS client certificate and key (for mutual TLS).
     *
     * @param mspId the organisation
     * @param name e.g. {@code User1@org1.example.com}
     */
    public record User(String mspId, String name, X509Identity identity, PrivateKey privateKey, Signer signer,
            X509Certificate tlsCertificate, PrivateKey tlsPrivateKey) {
    }

    /** What every node has: a name, an address and the CA that signs its TLS certificate. */
    public interface Node {
        /** The host name in the node's certificates, e.g. {@code peer0.org1.example.com}. */
        String name();

        String mspId();

        /** {@code host:port} to connect to. */
        String endpoint();

        X509Certificate tlsRootCertificate();

        /** How to connect, without a client certificate; TLS verified against the node's name. */
        default EndpointConfig endpointConfig() {
            return EndpointConfig.builder(endpoint())
                    .tls(List.of(tlsRootCertificate()))
                    .authorityOverride(name())
                    .build();
        }

        /** How to connect as a user, presenting the user's TLS client certificate. */
        default EndpointConfig endpointConfig(User user) {
            return endpointConfig().toBuilder()
                    .clientCertificate(List.of(user.tlsCertificate()), user.tlsPrivateKey())
                    .build();
        }
    }

    /**
     * An orderer. In a Raft network it can be stopped and started again (on the same ports, over
     * the same ledgers and Raft log) to test leader failover and catch-up.
     */
    public static final class Orderer implements Node {
        private final String name;
        private final String mspId;
        private final String host;
        private final OrdererNode node;
        private final X509Certificate tlsRoot;

        private Orderer(String name, String mspId, String host, OrdererNode node, X509Certificate tlsRoot) {
            this.name = name;
            this.mspId = mspId;
            this.host = host;
            this.node = node;
            this.tlsRoot = tlsRoot;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String mspId() {
            return mspId;
        }

        @Override
        public String endpoint() {
            return host + ":" + node.port;
        }

        @Override
        public X509Certificate tlsRootCertificate() {
            return tlsRoot;
        }

        /** The number of blocks the orderer has written on a channel. */
        public long height(String channelId) {
            return channel(channelId).height();
        }

        /**
         * Waits until the orderer has written {@code height} blocks on a channel (a follower of a
         * Raft cluster writes them once the leader's entries reach it).
         *
         * @return whether it got there within the timeout
         * @throws InterruptedException if the waiting thread is interrupted
         */
        public boolean awaitHeight(String channelId, long height, Duration timeout) throws InterruptedException {
            return channel(channelId).ledger().awaitHeight(height, timeout);
        }

        /** Whether this orderer leads the channel's Raft group (always true for a solo orderer). */
        public boolean isLeader(String channelId) {
            return !(channel(channelId).chain() instanceof RaftChain raft) || raft.isLeader();
        }

        /** Whether the orderer is listening. */
        public boolean isRunning() {
            return node.isRunning();
        }

        /** Stops the orderer as a crash would: its chains halt, its ports close; its ledgers are kept. */
        public void stop() {
            node.stop();
        }

        /** Listens again on the same ports and rejoins the channels' Raft groups, catching up. */
        public void start() {
            node.start();
        }

        private OrdererChannel channel(String channelId) {
            OrdererChannel channel = node.channels.get(channelId);
            if (channel == null) {
                throw new IllegalArgumentException("no channel " + channelId);
            }
            return channel;
        }

        @Override
        public String toString() {
            return name + "@" + endpoint();
        }
    }

    /** A peer. It can be stopped and started again (on the same port) to test failover. */
    public static final class Peer implements Node {
        private final PeerNode node;
        private final String mspId;
        private final X509Certificate tlsRoot;

        private Peer(PeerNode node, String mspId, X509Certificate tlsRoot) {
            this.node = node;
            this.mspId = mspId;
            this.tlsRoot = tlsRoot;
        }

        @Override
        public String name() {
            return node.name();
        }

        @Override
        public String mspId() {
            return mspId;
        }

        @Override
        public String endpoint() {
            return node.endpoint();
        }

        @Override
        public X509Certificate tlsRootCertificate() {
            return tlsRoot;
        }

        /** The peer's signing identity (what its endorsements carry). */
        public X509Identity identity() {
            return node.identity();
        }

        /** The number of blocks the peer has committed on a channel. */
        public long height(String channelId) {
            return node.height(channelId);
        }

        /**
         * Rewrites every proposal response this peer sends, to test how clients handle a faulty or
         * malicious endorser (a different payload, a tampered signature); {@code null} restores
         * normal behaviour.
         */
        public void interceptResponses(UnaryOperator<ProposalResponse> hook) {
            node.service().endorser().setResponseHook(hook);
        }

        /**
         * Waits until the peer has committed at least {@code height} blocks on a channel: a submit
         * returns once one peer of the client's organisation has committed it, and a test whose
         * next transaction is endorsed by other peers waits for them to have seen it too.
         *
         * @return whether the peer got there within the timeout
         * @throws IllegalArgumentException if the peer has not joined the channel
         * @throws InterruptedException if the waiting thread is interrupted
         */
        public boolean awaitHeight(String channelId, long height, Duration timeout) throws InterruptedException {
            return node.awaitHeight(channelId, height, timeout);
        }

        /**
         * Whether the peer serves {@code gateway.Gateway} (default true). Switched off, it answers
         * every Gateway call UNIMPLEMENTED, as a Fabric peer with {@code peer.gateway.enabled: false}
         * (or one older than 2.4) does, to test clients that fall back to direct endorsement.
         */
        public void serveGateway(boolean serve) {
            node.service().gateway().serve(serve);
        }

        /**
         * Rewrites every transaction this peer's Gateway service prepares (its Endorse answer), to
         * test how clients handle a dishonest gateway peer; {@code null} restores normal behaviour.
         */
        public void interceptPreparedTransactions(UnaryOperator<Envelope> hook) {
            node.service().gateway().setPreparedTransactionHook(hook);
        }

        /**
         * Ends every open deliver stream of this peer with gRPC status UNAVAILABLE, as a network
         * failure would, to test that clients reconnect without missing a block. The peer keeps
         * running and accepts new streams.
         */
        public void breakDeliverStreams() {
            node.service().abortDeliverStreams();
        }

        /**
         * While stalled, the peer accepts proposals but does not answer them (a hung chaincode), to
         * test client timeouts. Un-stalling answers the proposals still waiting.
         */
        public void stallEndorsements(boolean stall) {
            node.service().stallEndorsements(stall);
        }

        /** Whether the peer is listening. */
        public boolean isRunning() {
            return node.isRunning();
        }

        /** Stops listening and committing, as a crashed peer would; the ledger is kept. */
        public void stop() {
            node.stop();
        }

        /** Listens again on the same port and catches up with the orderer. */
        public void start() {
            node.start();
        }

        @Override
        public String toString() {
            return name() + "@" + endpoint();
        }
    }

    /**
     * Configures and starts a {@link ReferenceNetwork}. Not thread-safe.
     *
     * <p>Defaults: organisations {@code Org1MSP} and {@code Org2MSP} with one peer each, orderer
     * organisation {@code OrdererMSP}, channel {@code mychannel}, chaincode {@code basic}
     * ({@link AssetTransferChaincode}) with the channel's default endorsement policy
     * ({@code MAJORITY Endorsement}: every organisation of a two-organisation network), solo
     * ordering, batches of up to 100 messages cut after at most 100 ms, capabilities V2_0 (channel),
     * V2_0 (orderer), V2_5 (application), TLS without client authentication, ephemeral ports on
     * 127.0.0.1, in-memory ledgers.
     */
    public static final class Builder {
        private final Set<String> organizations = new LinkedHashSet<>(List.of("Org1MSP", "Org2MSP"));
        private String ordererMspId = "OrdererMSP";
        private int peersPerOrganization = 1;
        private List<String> users = List.of("User1");
        private final Set<String> channels = new LinkedHashSet<>(List.of("mychannel"));
        private final Map<String, List<ChaincodeDefinition>> chaincodes = new LinkedHashMap<>();
        private final List<ChaincodeDefinition> chaincodeSpecs = new ArrayList<>();
        private BatchSize batchSize = BatchSize.newBuilder()
                .setMaxMessageCount(100).setAbsoluteMaxBytes(99 * 1024 * 1024).setPreferredMaxBytes(512 * 1024).build();
        private Duration batchTimeout = Duration.ofMillis(100);
        private Set<String> channelCapabilities = Set.of("V2_0");
        private Set<String> ordererCapabilities = Set.of("V2_0");
        private Set<String> applicationCapabilities = Set.of("V2_5");
        private Consenter consenter = Consenter.solo();
        private boolean consenterGiven;
        private int ordererCount = 1;
        private boolean raftChosen;
        private int snapshotIntervalSize = 16 * 1024 * 1024;
        private String host = "127.0.0.1";
        private int basePort;
        private boolean clientAuthRequired;
        private Clock clock = Clock.systemUTC();
        private Path directory;
        /** The shape settings given explicitly; a resumed network takes the others from its directory. */
        private final Set<String> shapeGiven = new java.util.HashSet<>();
        private Function<String, BlockStore> blockStores = name -> new InMemoryBlockStore();
        private Function<String, StateStore> stateStores = name -> new InMemoryStateStore();
        /** The nodes to start ({@link #nodes}); empty for all. */
        private final Set<String> nodes = new LinkedHashSet<>();

        private Builder() {
        }

        /** The peer organisations' MSP ids (replaces the defaults). */
        public Builder organizations(String... mspIds) {
            if (mspIds.length == 0) {
                throw new IllegalArgumentException("a network needs at least one peer organization");
            }
            organizations.clear();
            for (String id : mspIds) {
                if (!id.matches("[A-Za-z0-9.-]+")) {
                    throw new IllegalArgumentException("MSP id '" + id + "' may contain only letters, digits, '.' and '-'");
                }
                if (!organizations.add(id)) {
                    throw new IllegalArgumentException("organization " + id + " is listed twice");
                }
            }
            shapeGiven.add("organizations");
            return this;
        }

        /** The orderer organisation's MSP id (default {@code OrdererMSP}). */
        public Builder ordererOrganization(String mspId) {
            this.ordererMspId = Objects.requireNonNull(mspId, "mspId");
            shapeGiven.add("ordererOrganization");
            return this;
        }

        public Builder peersPerOrganization(int count) {
            if (count < 1 || count > 10) {
                throw new IllegalArgumentException("peersPerOrganization must be 1..10, got " + count);
            }
            this.peersPerOrganization = count;
            shapeGiven.add("peersPerOrganization");
            return this;
        }

        /** Client users generated per organisation (default {@code User1}); the first is {@link #user(String)}'s. */
        public Builder users(String... names) {
            if (names.length == 0) {
                throw new IllegalArgumentException("at least one user is needed");
            }
            this.users = List.of(names);
            shapeGiven.add("users");
            return this;
        }

        /** The channels every peer joins (replaces the default {@code mychannel}). */
        public Builder channels(String... names) {
            if (names.length == 0) {
                throw new IllegalArgumentException("a network needs at least one channel");
            }
            channels.clear();
            for (String name : names) {
                if (!name.matches("[a-z][a-z0-9.-]*")) {
                    throw new IllegalArgumentException("channel name '" + name
                            + "' must start with a lower-case letter and contain only a-z, 0-9, '.' and '-'");
                }
                channels.add(name);
            }
            shapeGiven.add("channels");
            return this;
        }

        /** Defines a chaincode on every channel with the channel's default endorsement policy. */
        public Builder chaincode(String name, Chaincode chaincode) {
            return addChaincode(new ChaincodeDefinition(name, "1.0", 1, chaincode, ChaincodePolicy.channelDefault()));
        }

        /**
         * Defines a chaincode on every channel with a signature endorsement policy, e.g.
         * {@code "OR('Org1MSP.peer','Org2MSP.peer')"}.
         *
         * @throws dev.weft.core.PolicyParseException if the policy text is malformed
         */
        public Builder chaincode(String name, Chaincode chaincode, String endorsementPolicy) {
            return addChaincode(new ChaincodeDefinition(name, "1.0", 1, chaincode,
                    ChaincodePolicy.signature(endorsementPolicy)));
        }

        private Builder addChaincode(ChaincodeDefinition definition) {
            if (!definition.name().matches("[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*")) {
                throw new IllegalArgumentException("chaincode name '" + definition.name()
                        + "' must be letters and digits, optionally joined by '-' or '_'");
            }
            chaincodeSpecs.removeIf(d -> d.name().equals(definition.name()));
            chaincodeSpecs.add(definition);
            return this;
        }

        /** The orderer's batch limits (Fabric's {@code BatchSize}). */
        public Builder batchSize(int maxMessageCount, int absoluteMaxBytes, int preferredMaxBytes) {
            if (maxMessageCount < 1 || absoluteMaxBytes < 1 || preferredMaxBytes < 1 || preferredMaxBytes > absoluteMaxBytes) {
                throw new IllegalArgumentException("batch size needs positive limits with preferredMaxBytes <= absoluteMaxBytes");
            }
            this.batchSize = BatchSize.newBuilder().setMaxMessageCount(maxMessageCount)
                    .setAbsoluteMaxBytes(absoluteMaxBytes).setPreferredMaxBytes(preferredMaxBytes).build();
            return this;
        }

        /** How long the orderer waits before cutting a batch that is not full (Fabric's {@code BatchTimeout}). */
        public Builder batchTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("batchTimeout must be positive, got " + timeout);
            }
            this.batchTimeout = timeout;
            return this;
        }

        /**
         * The capability levels written into the channel config. The nodes refuse to start on a
         * level they do not support, with {@link UnsupportedCapabilityException}.
         */
        public Builder capabilities(Set<String> channel, Set<String> orderer, Set<String> application) {
            this.channelCapabilities = Set.copyOf(channel);
            this.ordererCapabilities = Set.copyOf(orderer);
            this.applicationCapabilities = Set.copyOf(application);
            return this;
        }

        /** How the orderer orders (default {@link Consenter#solo()}); not with {@link #raft()}. */
        public Builder consenter(Consenter consenter) {
            this.consenter = Objects.requireNonNull(consenter, "consenter");
            this.consenterGiven = true;
            return this;
        }

        /**
         * The number of orderers (default 1), named {@code orderer.example.com},
         * {@code orderer2.example.com}, ... More than one orders with Raft ({@link #raft()}).
         */
        public Builder orderers(int count) {
            if (count < 1 || count > 9) {
                throw new IllegalArgumentException("orderers must be between 1 and 9, got " + count);
            }
            this.ordererCount = count;
            shapeGiven.add("orderers");
            return this;
        }

        /**
         * The channel config's etcdraft {@code SnapshotIntervalSize} (default Fabric's 16 MB): after
         * this many bytes of blocks a Raft orderer snapshots its ledger's height and purges its Raft
         * log up to there; a follower that lags behind the purged log installs the leader's snapshot
         * and pulls the missing blocks from the other orderers. Like the batch options, it is written
         * into a new channel's genesis block; a network resumed from a directory keeps its own.
         */
        public Builder snapshotIntervalSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("snapshotIntervalSize must be positive, got " + bytes);
            }
            this.snapshotIntervalSize = bytes;
            return this;
        }

        /**
         * Orders with Raft (Fabric's {@code etcdraft}), replicated with Apache Ratis among the
         * orderers over mutual TLS; the default for more than one orderer.
         */
        public Builder raft() {
            this.raftChosen = true;
            shapeGiven.add("consensus");
            return this;
        }

        /** Whether the orderers order with Raft. */
        private boolean usesRaft() {
            return raftChosen || ordererCount > 1;
        }

        /** The address nodes listen on and advertise (default 127.0.0.1). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            shapeGiven.add("host");
            return this;
        }

        /** Fixed ports: the orderer on {@code port}, peers on the following ports; 0 (default) for free ports. */
        public Builder basePort(int port) {
            if (port < 0 || port > 65000) {
                throw new IllegalArgumentException("basePort must be 0..65000, got " + port);
            }
            this.basePort = port;
            return this;
        }

        /** Require clients to present a TLS certificate from one of the network's TLS CAs (mutual TLS). */
        public Builder clientAuthRequired(boolean required) {
            this.clientAuthRequired = required;
            shapeGiven.add("clientAuthRequired");
            return this;
        }

        /** The clock for certificates, timestamps and time-window checks. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Keeps the network in a directory and resumes it from there. The first start generates
         * the crypto material and writes it there (cryptogen's layout under {@code organizations/},
         * with the connection profiles, as {@link ReferenceNetwork#writeTo} does), keeps every
         * node's ledgers under {@code ledgers/<node>/<channel>/} (blocks in append-only files forced
         * to disk before a block is acknowledged, a peer's world state in {@code state.mv.db}), and
         * records the network's shape and ports in {@value NetworkManifest#FILE}. A later start
         * with the same directory reads all of it back and resumes at the stored heights on the same
         * ports. Its shape is the stored one: organisations, orderer organisation, peers per
         * organisation, users, channels and client authentication left unset are taken from the
         * directory, and any given must equal the stored ones, as must the chaincode names (the
         * channel configs come from the ledgers, so batch settings, capabilities and ports given
         * then are not used). The default keeps everything in
         * memory. Replaces {@link #blockStores} and {@link #stateStores}. With {@link #nodes}, only
         * some of the network's nodes start from it.
         */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            Path ledgers = directory.resolve(LEDGERS);
            this.blockStores = name -> FileBlockStore.open(ledgers.resolve(name).resolve("blocks"));
            this.stateStores = name -> MvStoreStateStore.open(ledgers.resolve(name).resolve("state.mv.db"));
            return this;
        }

        /**
         * Starts only the named nodes of the network kept in {@linkplain #directory directory},
         * orderers and peers by host name ({@code orderer2.example.com},
         * {@code peer0.org1.example.com}); the others are expected to run elsewhere (in other
         * processes, each started with its own {@code nodes(...)}) at the ports the directory's
         * manifest records, Raft ports included. The network must have started in the directory
         * before: its manifest, crypto material and ledgers are there. The nodes started here
         * resume from their ledgers on their ports, as in a whole restart, and work with the
         * others as one network: peers pull blocks from every orderer, moving to the next when one
         * fails; a Raft orderer's group has every orderer as a member; connection profiles
         * ({@link ReferenceNetwork#connectionProfile}, {@link ReferenceNetwork#writeTo}) name every
         * node. {@link ReferenceNetwork#orderers()}, {@link ReferenceNetwork#peers()},
         * {@link ReferenceNetwork#orderer()} and {@link ReferenceNetwork#peer(String)} return the
         * nodes running here. A partial start does not rewrite the directory's manifest, and its
         * nodes listen on {@linkplain #host host} the manifest records.
         *
         * <p>Checked here when {@link #directory} was given first, else by {@link #start()}.
         *
         * @throws IllegalArgumentException if no name is given, a name is given twice, or a name is
         *     not a node of the network (the message lists its nodes)
         * @throws IllegalStateException if the directory holds no network
         */
        public Builder nodes(String... names) {
            if (names.length == 0) {
                throw new IllegalArgumentException("nodes() needs at least one node name, e.g. orderer.example.com "
                        + "or peer0.org1.example.com");
            }
            Set<String> chosen = new LinkedHashSet<>();
            for (String name : names) {
                Objects.requireNonNull(name, "name");
                if (!chosen.add(name)) {
                    throw new IllegalArgumentException("node " + name + " is listed twice");
                }
            }
            if (directory != null) {
                requireNodes(NetworkManifest.read(directory).orElse(null), directory, chosen);
            }
            nodes.clear();
            nodes.addAll(chosen);
            return this;
        }

        /** Takes the stored shape for each shape setting that was not given. */
        private void adopt(NetworkManifest stored) {
            if (!shapeGiven.contains("organizations")) {
                organizations.clear();
                organizations.addAll(stored.organizations());
            }
            if (!shapeGiven.contains("ordererOrganization")) {
                ordererMspId = stored.ordererOrganization();
            }
            if (!shapeGiven.contains("peersPerOrganization")) {
                peersPerOrganization = stored.peersPerOrganization();
            }
            if (!shapeGiven.contains("users")) {
                users = stored.users();
            }
            if (!shapeGiven.contains("channels")) {
                channels.clear();
                channels.addAll(stored.channels());
                chaincodes.clear();
                for (String channel : channels) {
                    chaincodes.put(channel, List.copyOf(chaincodeSpecs));
                }
            }
            if (!shapeGiven.contains("clientAuthRequired")) {
                clientAuthRequired = stored.clientAuthRequired();
            }
            if (!shapeGiven.contains("orderers")) {
                ordererCount = stored.orderers();
            }
            if (!shapeGiven.contains("consensus") && !consenterGiven) {
                raftChosen = RaftConsenter.TYPE.equals(stored.consensus());
            }
        }

        /** The network's shape as these settings describe it, with the nodes' ports. */
        private NetworkManifest shape(Map<String, Integer> ports) {
            return new NetworkManifest(List.copyOf(organizations), ordererMspId, peersPerOrganization, users,
                    List.copyOf(channels), chaincodeSpecs.stream().map(ChaincodeDefinition::name).toList(),
                    clientAuthRequired, ordererCount, usesRaft() ? RaftConsenter.TYPE : consenter.type(), host, ports);
        }

        /** Where nodes keep blocks; called once per node and channel with {@code "<node>/<channel>"}. */
        public Builder blockStores(Function<String, BlockStore> factory) {
            this.blockStores = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Where peers keep world state; called once per peer and channel with {@code "<peer>/<channel>"}. */
        public Builder stateStores(Function<String, StateStore> factory) {
            this.stateStores = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Generates the crypto material and genesis blocks, starts the orderer and peers and joins
         * the peers to the channels.
         *
         * @throws UnsupportedCapabilityException if a node does not support a configured capability
         * @throws java.io.UncheckedIOException if a port cannot be bound
         */
        public ReferenceNetwork start() {
            if (!nodes.isEmpty() && directory == null) {
                throw new IllegalStateException("nodes(" + String.join(", ", nodes) + ") starts some nodes of a "
                        + "network kept in a directory: give directory(DIR) of a network started there before");
            }
            if (consenterGiven && usesRaft()) {
                throw new IllegalStateException("a consenter was given, but " + (raftChosen ? "raft() was chosen"
                        : ordererCount + " orderers order with Raft") + ": give one or the other");
            }
            if (chaincodeSpecs.isEmpty()) {
                chaincode("basic", new AssetTransferChaincode());
            }
            for (String channel : channels) {
                chaincodes.put(channel, List.copyOf(chaincodeSpecs));
            }
            ReferenceNetwork network = new ReferenceNetwork(this);
            try {
                network.startNodes();
                if (directory != null && nodes.isEmpty()) {
                    // A partial start leaves the directory as it is: the manifest names every node.
                    network.writeDirectory();
                }
            } catch (RuntimeException e) {
                network.close();
                throw e;
            }
            log.debug("reference network started: orderers {}, peers {}", network.orderers, network.peers);
            return network;
        }
    }
}
