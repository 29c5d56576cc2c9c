package dev.weft.core;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Capabilities;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigPolicy;
import org.hyperledger.fabric.protos.common.ConfigValue;
import org.hyperledger.fabric.protos.common.HashingAlgorithm;
import org.hyperledger.fabric.protos.common.OrdererAddresses;
import org.hyperledger.fabric.protos.msp.MSPConfig;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.hyperledger.fabric.protos.orderer.BatchTimeout;
import org.hyperledger.fabric.protos.orderer.ConsensusType;
import org.hyperledger.fabric.protos.peer.ACLs;
import org.hyperledger.fabric.protos.peer.AnchorPeer;
import org.hyperledger.fabric.protos.peer.AnchorPeers;

/**
 * A decoded channel configuration: the MSPs of the application and orderer organisations,
 * orderer endpoints, anchor peers, capabilities at channel, orderer and application level, batch
 * settings, consensus type, ACLs and every policy by path ({@code /Channel/Application/Writers}).
 *
 * <p>Read one from a config block ({@link #fromBlock}) or a {@code common.Config}. The group keys
 * of organisations are their configtx names, which need not equal their MSP ids; this class
 * always reports MSP ids as read from each organisation's {@code FabricMSPConfig.name}.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * ChannelConfig config = ChannelConfig.fromBlock(genesisBlock);
 * config.batchTimeout();                                   // PT1S
 * config.evaluate("/Channel/Application/Writers", List.of(clientIdentity));
 * }</pre>
 */
public final class ChannelConfig {
    public static final String ROOT = "Channel";
    public static final String APPLICATION = "Application";
    public static final String ORDERER = "Orderer";

    private final String channelId;
    private final Config config;
    private final ChannelMsps msps;
    private final Map<String, String> applicationOrgs;
    private final Map<String, String> ordererOrgs;
    private final Map<String, List<String>> ordererEndpoints;
    private final List<String> globalOrdererAddresses;
    private final Map<String, List<String>> anchorPeers;
    private final Set<String> channelCapabilities;
    private final Set<String> ordererCapabilities;
    private final Set<String> applicationCapabilities;
    private final BatchSize batchSize;
    private final Duration batchTimeout;
    private final ConsensusType consensusType;
    private final Map<String, String> acls;
    private final Map<String, ChannelPolicy> policies;
    private final String hashingAlgorithm;

    private ChannelConfig(String channelId, Config config, Clock clock) {
        this.channelId = channelId;
        this.config = config;
        ConfigGroup root = config.getChannelGroup();
        this.hashingAlgorithm = value(root, "HashingAlgorithm", HashingAlgorithm.parser(), "/Channel")
                .map(HashingAlgorithm::getName).orElse("");
        this.globalOrdererAddresses = value(root, "OrdererAddresses", OrdererAddresses.parser(), "/Channel")
                .map(a -> List.copyOf(a.getAddressesList())).orElse(List.of());
        this.channelCapabilities = capabilities(root, "/Channel");

        List<Msp> allMsps = new ArrayList<>();
        Map<String, String> appOrgs = new LinkedHashMap<>();
        Map<String, List<String>> anchors = new LinkedHashMap<>();
        ConfigGroup application = root.getGroupsMap().get(APPLICATION);
        if (application != null) {
            this.applicationCapabilities = capabilities(application, "/Channel/Application");
            for (var org : application.getGroupsMap().entrySet()) {
                String path = "/Channel/Application/" + org.getKey();
                Msp msp = msp(org.getValue(), path);
                allMsps.add(msp);
                appOrgs.put(org.getKey(), msp.id());
                anchors.put(msp.id(), value(org.getValue(), "AnchorPeers", AnchorPeers.parser(), path)
                        .map(a -> a.getAnchorPeersList().stream().map(ChannelConfig::hostPort).toList())
                        .orElse(List.of()));
            }
            this.acls = value(application, "ACLs", ACLs.parser(), "/Channel/Application")
                    .map(a -> {
                        Map<String, String> m = new LinkedHashMap<>();
                        a.getAclsMap().forEach((k, v) -> m.put(k, v.getPolicyRef()));
                        return Map.copyOf(m);
                    }).orElse(Map.of());
        } else {
            this.applicationCapabilities = Set.of();
            this.acls = Map.of();
        }
        Map<String, String> ordOrgs = new LinkedHashMap<>();
        Map<String, List<String>> endpoints = new LinkedHashMap<>();
        ConfigGroup orderer = root.getGroupsMap().get(ORDERER);
        if (orderer != null) {
            String path = "/Channel/Orderer";
            this.ordererCapabilities = capabilities(orderer, path);
            this.batchSize = value(orderer, "BatchSize", BatchSize.parser(), path).orElse(null);
            this.batchTimeout = value(orderer, "BatchTimeout", BatchTimeout.parser(), path)
                    .map(t -> parseTimeout(t.getTimeout())).orElse(null);
            this.consensusType = value(orderer, "ConsensusType", ConsensusType.parser(), path).orElse(null);
            for (var org : orderer.getGroupsMap().entrySet()) {
                String orgPath = path + "/" + org.getKey();
                Msp msp = msp(org.getValue(), orgPath);
                allMsps.add(msp);
                ordOrgs.put(org.getKey(), msp.id());
                endpoints.put(msp.id(), value(org.getValue(), "Endpoints", OrdererAddresses.parser(), orgPath)
                        .map(a -> List.copyOf(a.getAddressesList())).orElse(List.of()));
            }
        } else {
            this.ordererCapabilities = Set.of();
            this.batchSize = null;
            this.batchTimeout = null;
            this.consensusType = null;
        }
        this.applicationOrgs = Map.copyOf(appOrgs);
        this.ordererOrgs = Map.copyOf(ordOrgs);
        this.anchorPeers = Map.copyOf(anchors);
        this.ordererEndpoints = Map.copyOf(endpoints);
        Map<String, ChannelPolicy> collected = new LinkedHashMap<>();
        collectPolicies(root, "/" + ROOT, collected);
        this.policies = Collections.unmodifiableMap(collected);
        try {
            this.msps = ChannelMsps.of(allMsps, clock);
        } catch (IllegalArgumentException e) {
            throw new ChannelConfigException("channel " + channelId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the config of a config block (a genesis block or a later config update).
     *
     * @throws ChannelConfigException if the block does not hold exactly one CONFIG transaction or
     *     the config cannot be decoded
     */
    public static ChannelConfig fromBlock(Block block) {
        return fromBlock(block, Clock.systemUTC());
    }

    /** Like {@link #fromBlock(Block)}, with a clock for certificate validity checks. */
    public static ChannelConfig fromBlock(Block block, Clock clock) {
        Objects.requireNonNull(block, "block");
        BlockView view = BlockView.of(block);
        if (view.transactionCount() != 1) {
            throw new ChannelConfigException("block " + view.number() + " holds " + view.transactionCount()
                    + " transactions; a config block holds exactly one");
        }
        TransactionView tx;
        try {
            tx = view.transaction(0);
        } catch (ProtocolException e) {
            throw new ChannelConfigException("block " + view.number() + " is not a config block: " + e.getMessage(), e);
        }
        if (!tx.isConfig()) {
            throw new ChannelConfigException("block " + view.number() + " is not a config block (header type "
                    + tx.type() + ")");
        }
        try {
            return new ChannelConfig(tx.channelId(), tx.configEnvelope().getConfig(), clock);
        } catch (ProtocolException e) {
            throw new ChannelConfigException("block " + view.number() + ": " + e.getMessage(), e);
        }
    }

    /** Reads a {@code common.Config} of the named channel. */
    public static ChannelConfig fromConfig(String channelId, Config config) {
        return fromConfig(channelId, config, Clock.systemUTC());
    }

    /** Reads a {@code common.Config}, with a clock for certificate validity checks. */
    public static ChannelConfig fromConfig(String channelId, Config config, Clock clock) {
        return new ChannelConfig(Objects.requireNonNull(channelId, "channelId"), Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(clock, "clock"));
    }

    public String channelId() {
        return channelId;
    }

    /** The config sequence number (0 for the genesis config). */
    public long sequence() {
        return config.getSequence();
    }

    /** The raw config this view was read from. */
    public Config config() {
        return config;
    }

    /** The MSPs of every application and orderer organisation. */
    public ChannelMsps msps() {
        return msps;
    }

    /** MSP ids of the application organisations. */
    public Set<String> applicationMspIds() {
        return Set.copyOf(applicationOrgs.values());
    }

    /** MSP ids of the orderer organisations. */
    public Set<String> ordererMspIds() {
        return Set.copyOf(ordererOrgs.values());
    }

    /** Per orderer organisation (by MSP id), its {@code Endpoints} value. */
    public Map<String, List<String>> ordererEndpointsByOrganization() {
        return ordererEndpoints;
    }

    /** The deprecated channel-level {@code OrdererAddresses} (absent with the V3_0 capability). */
    public List<String> globalOrdererAddresses() {
        return globalOrdererAddresses;
    }

    /**
     * Every orderer endpoint a client should use: the per-organisation endpoints if any
     * organisation defines them, otherwise the channel-level addresses, as Fabric's clients decide.
     */
    public List<String> ordererEndpoints() {
        Set<String> all = new LinkedHashSet<>();
        ordererEndpoints.values().forEach(all::addAll);
        return all.isEmpty() ? globalOrdererAddresses : List.copyOf(all);
    }

    /** Per application organisation (by MSP id), its anchor peers as {@code host:port}. */
    public Map<String, List<String>> anchorPeers() {
        return anchorPeers;
    }

    public Set<String> channelCapabilities() {
        return channelCapabilities;
    }

    public Set<String> ordererCapabilities() {
        return ordererCapabilities;
    }

    public Set<String> applicationCapabilities() {
        return applicationCapabilities;
    }

    /** The orderer's batch size limits, if the config has an Orderer group. */
    public Optional<BatchSize> batchSize() {
        return Optional.ofNullable(batchSize);
    }

    /** The orderer's batch timeout, if the config has an Orderer group. */
    public Optional<Duration> batchTimeout() {
        return Optional.ofNullable(batchTimeout);
    }

    /** The consensus type ({@code etcdraft}, {@code BFT}, {@code solo}) and its metadata. */
    public Optional<ConsensusType> consensusType() {
        return Optional.ofNullable(consensusType);
    }

    /** The application ACLs: resource name to policy reference. Empty when the config sets none. */
    public Map<String, String> acls() {
        return acls;
    }

    /** The channel's hashing algorithm name ({@code SHA256}). */
    public String hashingAlgorithm() {
        return hashingAlgorithm;
    }

    /** Every policy of the config tree by absolute path, e.g. {@code /Channel/Orderer/BlockValidation}. */
    public Map<String, ChannelPolicy> policies() {
        return policies;
    }

    public Optional<ChannelPolicy> policy(String path) {
        return Optional.ofNullable(policies.get(path));
    }

    /**
     * Evaluates a policy of this config against a set of signers, as Fabric's policy manager does:
     * a signature policy directly, an implicit-meta policy by counting how many child groups'
     * policy of the sub-policy name is satisfied.
     *
     * @param path an absolute policy path such as {@code /Channel/Application/Endorsement}
     * @throws IllegalArgumentException if there is no policy at that path
     */
    public boolean evaluate(String path, Collection<? extends PolicyIdentity> identities) {
        ChannelPolicy policy = policies.get(path);
        if (policy == null) {
            throw new IllegalArgumentException("channel " + channelId + " has no policy " + path
                    + "; known policies: " + policies.keySet());
        }
        if (policy instanceof ChannelPolicy.Signature s) {
            return s.policy().isSatisfiedBy(identities);
        }
        ChannelPolicy.ImplicitMeta meta = (ChannelPolicy.ImplicitMeta) policy;
        return satisfiedChildren(path, meta, identities) >= meta.threshold(childGroups(path));
    }

    /**
     * Why a policy of this config is not satisfied by a set of signers, in Fabric's words, or
     * empty if it is: for an implicit-meta policy how many of its sub-policies were satisfied
     * against how many it needs; for a signature policy that the set did not satisfy it.
     *
     * @throws IllegalArgumentException if there is no policy at that path
     */
    public Optional<String> whyNotSatisfied(String path, Collection<? extends PolicyIdentity> identities) {
        if (evaluate(path, identities)) {
            return Optional.empty();
        }
        if (!(policies.get(path) instanceof ChannelPolicy.ImplicitMeta meta)) {
            return Optional.of("signature set did not satisfy policy");
        }
        return Optional.of("implicit policy evaluation failed - " + satisfiedChildren(path, meta, identities)
                + " sub-policies were satisfied, but this policy requires " + meta.threshold(childGroups(path))
                + " of the '" + meta.subPolicy() + "' sub-policies to be satisfied");
    }

    /** How many child groups of an implicit-meta policy's group satisfy its sub-policy. */
    private int satisfiedChildren(String path, ChannelPolicy.ImplicitMeta meta,
            Collection<? extends PolicyIdentity> identities) {
        String groupPath = path.substring(0, path.lastIndexOf('/'));
        int satisfied = 0;
        for (String child : group(groupPath).getGroupsMap().keySet()) {
            String childPolicy = groupPath + "/" + child + "/" + meta.subPolicy();
            if (policies.containsKey(childPolicy) && evaluate(childPolicy, identities)) {
                satisfied++;
            }
        }
        return satisfied;
    }

    private int childGroups(String policyPath) {
        return group(policyPath.substring(0, policyPath.lastIndexOf('/'))).getGroupsCount();
    }

    /**
     * The policy at {@code path} as one signature policy, as Fabric converts a policy for its
     * discovery service: a signature policy as it is; an implicit-meta policy as an
     * {@code OutOf(threshold, ...)} gate over its child groups' sub-policies, converted in turn, in
     * the order of the child groups' names, with their principals merged so that equal principals
     * share one entry. Evaluating the result gives the same answer as {@link #evaluate}.
     *
     * @throws IllegalArgumentException if there is no policy at that path, or a child group lacks
     *     the sub-policy (Fabric cannot convert that either)
     */
    public EndorsementPolicy toSignaturePolicy(String path) {
        List<Principal> principals = new ArrayList<>();
        EndorsementPolicy.Rule rule = convert(path, principals);
        return EndorsementPolicy.of(rule, principals);
    }

    private EndorsementPolicy.Rule convert(String path, List<Principal> principals) {
        ChannelPolicy policy = policies.get(path);
        if (policy == null) {
            throw new IllegalArgumentException("channel " + channelId + " has no policy " + path
                    + "; known policies: " + policies.keySet());
        }
        if (policy instanceof ChannelPolicy.Signature s) {
            return remap(s.policy().rule(), s.policy().principals(), principals);
        }
        ChannelPolicy.ImplicitMeta meta = (ChannelPolicy.ImplicitMeta) policy;
        String groupPath = path.substring(0, path.lastIndexOf('/'));
        ConfigGroup group = group(groupPath);
        List<EndorsementPolicy.Rule> rules = new ArrayList<>();
        for (String child : new TreeMap<>(group.getGroupsMap()).keySet()) {
            String childPolicy = groupPath + "/" + child + "/" + meta.subPolicy();
            if (!policies.containsKey(childPolicy)) {
                throw new IllegalArgumentException("policy " + path + " (" + meta + ") cannot be converted to a "
                        + "signature policy: group " + groupPath + "/" + child + " has no policy " + meta.subPolicy());
            }
            rules.add(convert(childPolicy, principals));
        }
        return new EndorsementPolicy.OutOf(meta.threshold(group.getGroupsCount()), rules);
    }

    /** The rule with its principal indexes moved into {@code into}, equal principals sharing one entry. */
    private static EndorsementPolicy.Rule remap(EndorsementPolicy.Rule rule, List<Principal> from, List<Principal> into) {
        if (rule instanceof EndorsementPolicy.SignedBy s) {
            Principal principal = from.get(s.index());
            int index = into.indexOf(principal);
            if (index < 0) {
                into.add(principal);
                index = into.size() - 1;
            }
            return new EndorsementPolicy.SignedBy(index);
        }
        EndorsementPolicy.OutOf gate = (EndorsementPolicy.OutOf) rule;
        return new EndorsementPolicy.OutOf(gate.n(), gate.rules().stream().map(r -> remap(r, from, into)).toList());
    }

    private ConfigGroup group(String path) {
        String[] parts = path.substring(1).split("/");
        ConfigGroup group = config.getChannelGroup();
        for (int i = 1; i < parts.length; i++) {
            group = group.getGroupsMap().get(parts[i]);
            if (group == null) {
                throw new IllegalArgumentException("channel " + channelId + " has no config group " + path);
            }
        }
        return group;
    }

    private static void collectPolicies(ConfigGroup group, String path, Map<String, ChannelPolicy> out) {
        for (Map.Entry<String, ConfigPolicy> e : new TreeMap<>(group.getPoliciesMap()).entrySet()) {
            try {
                out.put(path + "/" + e.getKey(), ChannelPolicy.fromProto(e.getValue().getPolicy()));
            } catch (ChannelConfigException ex) {
                throw new ChannelConfigException(path + "/" + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        for (Map.Entry<String, ConfigGroup> e : new TreeMap<>(group.getGroupsMap()).entrySet()) {
            collectPolicies(e.getValue(), path + "/" + e.getKey(), out);
        }
    }

    private static Msp msp(ConfigGroup org, String path) {
        MSPConfig config = value(org, "MSP", MSPConfig.parser(), path)
                .orElseThrow(() -> new ChannelConfigException(path + " has no MSP value"));
        try {
            return Msp.fromConfig(config);
        } catch (ChannelConfigException e) {
            throw new ChannelConfigException(path + "/MSP: " + e.getMessage(), e);
        }
    }

    private static Set<String> capabilities(ConfigGroup group, String path) {
        return value(group, "Capabilities", Capabilities.parser(), path)
                .map(c -> Set.copyOf(c.getCapabilitiesMap().keySet()))
                .orElse(Set.of());
    }

    private static <T extends Message> Optional<T> value(ConfigGroup group, String key, Parser<T> parser, String path) {
        ConfigValue value = group.getValuesMap().get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.parseFrom(value.getValue()));
        } catch (InvalidProtocolBufferException e) {
            throw new ChannelConfigException(path + "/" + key + " cannot be decoded", e);
        }
    }

    private static Duration parseTimeout(String text) {
        try {
            return GoDurations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ChannelConfigException("/Channel/Orderer/BatchTimeout: " + e.getMessage(), e);
        }
    }

    private static String hostPort(AnchorPeer peer) {
        return peer.getHost() + ":" + peer.getPort();
    }
}
