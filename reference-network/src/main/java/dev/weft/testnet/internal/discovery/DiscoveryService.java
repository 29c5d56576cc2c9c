package dev.weft.testnet.internal.discovery;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.IdentityValidationException;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.Principal;
import dev.weft.testnet.internal.SignedData;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.deliver.TlsBinding;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigValue;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.common.OrdererAddresses;
import org.hyperledger.fabric.protos.discovery.ChaincodeQuery;
import org.hyperledger.fabric.protos.discovery.ChaincodeQueryResult;
import org.hyperledger.fabric.protos.discovery.ConfigResult;
import org.hyperledger.fabric.protos.discovery.DiscoveryGrpc;
import org.hyperledger.fabric.protos.discovery.Endpoint;
import org.hyperledger.fabric.protos.discovery.Endpoints;
import org.hyperledger.fabric.protos.discovery.Error;
import org.hyperledger.fabric.protos.discovery.PeerMembershipResult;
import org.hyperledger.fabric.protos.discovery.Peers;
import org.hyperledger.fabric.protos.discovery.Query;
import org.hyperledger.fabric.protos.discovery.QueryResult;
import org.hyperledger.fabric.protos.discovery.Request;
import org.hyperledger.fabric.protos.discovery.Response;
import org.hyperledger.fabric.protos.discovery.SignedRequest;
import org.hyperledger.fabric.protos.msp.FabricMSPConfig;
import org.hyperledger.fabric.protos.msp.MSPConfig;
import org.hyperledger.fabric.protos.peer.ChaincodeCall;
import org.hyperledger.fabric.protos.peer.ChaincodeInterest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference peer's {@code discovery.Discovery/Discover}, answering as a Fabric 2.5 peer does
 * ({@code discovery/service.go}):
 *
 * <ul>
 *   <li>The request must carry the client's identity and, since the peer serves TLS, the SHA-256
 *       of the TLS certificate the client presented on this connection; otherwise the call fails.
 *   <li>Each query is answered on its own. A channel query (config, peers, endorsers) is for a
 *       client whose signature over the request satisfies the channel's
 *       {@code /Channel/Application/Writers}, as Fabric's peer configures it; a local-peers query
 *       (no channel) for an admin of the peer's own organisation. Others get "access denied".
 *   <li>Config: every FABRIC MSP of the channel and the orderer endpoints (per orderer
 *       organisation, else the channel's global addresses). Peers: the live peers that have joined
 *       the channel, by organisation, each with its identity, alive message and state info
 *       (ledger height, chaincodes). Endorsers: see {@link EndorsementLayouts}.
 * </ul>
 *
 * <p>Peers learn of each other from the network's shared {@link Membership}, not from gossip, so
 * what it says of a peer (alive, height) is current rather than a gossip round old.
 *
 * <p>Thread-safe.
 */
@InternalApi
public final class DiscoveryService extends DiscoveryGrpc.DiscoveryImplBase {
    private static final Logger log = LoggerFactory.getLogger(DiscoveryService.class);
    private static final String WRITERS = "/Channel/Application/Writers";
    private static final String ACCESS_DENIED = "access denied";

    /** A channel the peer has joined, as discovery sees it. */
    public interface Channel {
        ChannelConfig config();

        EndorsementLayouts.ChannelView view();
    }

    private final String mspId;
    private final Function<String, Optional<Channel>> channels;
    private final Supplier<List<Channel>> joined;
    private final Membership membership;
    private final Clock clock;
    private final VerifiedSignatures signatures;

    /**
     * @param mspId the peer's organisation, whose admins may ask for its local peers
     * @param channels the peer's channels by id
     * @param joined every channel the peer has joined (one of them gives its organisation's MSP)
     */
    public DiscoveryService(String mspId, Function<String, Optional<Channel>> channels, Supplier<List<Channel>> joined,
            Membership membership, Clock clock, VerifiedSignatures signatures) {
        this.mspId = mspId;
        this.channels = channels;
        this.joined = joined;
        this.membership = membership;
        this.clock = clock;
        this.signatures = signatures;
    }

    @Override
    public void discover(SignedRequest signed, StreamObserver<Response> out) {
        Request request;
        try {
            request = Request.parseFrom(signed.getPayload());
        } catch (InvalidProtocolBufferException e) {
            out.onError(Status.UNKNOWN.withDescription("failed parsing request: " + e.getMessage()).asRuntimeException());
            return;
        }
        String refused = refusal(request);
        if (refused != null) {
            log.warn("discovery request from {} refused: {}", TlsBinding.REMOTE_ADDRESS.get(), refused);
            out.onError(Status.UNKNOWN.withDescription(refused).asRuntimeException());
            return;
        }
        Response.Builder response = Response.newBuilder();
        SignedData data = new SignedData(request.getAuthentication().getClientIdentity(), signed.getPayload(),
                signed.getSignature());
        for (Query query : request.getQueriesList()) {
            response.addResults(answer(query, data));
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    /** Why the request as a whole is refused, or null. */
    private static String refusal(Request request) {
        if (!request.hasAuthentication()) {
            return "access denied, no authentication info in request";
        }
        if (request.getAuthentication().getClientIdentity().isEmpty()) {
            return "access denied, client identity wasn't supplied";
        }
        byte[] computed = TlsBinding.CLIENT_CERT_HASH.get();
        if (computed == null || computed.length == 0) {
            return "client didn't send a TLS certificate";
        }
        if (!ByteString.copyFrom(computed).equals(request.getAuthentication().getClientTlsCertHash())) {
            return "client claimed TLS hash doesn't match computed TLS hash from gRPC stream";
        }
        return null;
    }

    private QueryResult answer(Query query, SignedData data) {
        String channelId = query.getChannel();
        if (channelId.isEmpty()) {
            Optional<String> denied = localAccess(data);
            if (denied.isPresent()) {
                log.warn("local discovery query refused: {}", denied.get());
                return error(ACCESS_DENIED);
            }
            if (query.getQueryCase() != Query.QueryCase.LOCAL_PEERS) {
                return error("unknown or missing request type");
            }
            return members(localPeers());
        }
        Optional<Channel> channel = channels.apply(channelId);
        if (channel.isEmpty()) {
            log.warn("discovery query for channel {}, which this peer has not joined", channelId);
            return error(ACCESS_DENIED);
        }
        ChannelConfig config = channel.get().config();
        Optional<String> denied = data.check(config, WRITERS, clock.instant(), signatures);
        if (denied.isPresent()) {
            log.warn("discovery query for channel {} refused: {}", channelId, denied.get());
            return error(ACCESS_DENIED);
        }
        try {
            return switch (query.getQueryCase()) {
                case CONFIG_QUERY -> QueryResult.newBuilder().setConfigResult(config(config)).build();
                case PEER_QUERY -> members(channelPeers(channelId, channel.get(),
                        query.getPeerQuery().hasFilter() ? query.getPeerQuery().getFilter() : null));
                case CC_QUERY -> endorsers(channelId, channel.get(), query.getCcQuery());
                default -> error("unknown or missing request type");
            };
        } catch (EndorsementLayouts.DescriptorException e) {
            return error(e.getMessage());
        }
    }

    /** Fabric's local access policy: an admin of the peer's organisation, signing the request. */
    private Optional<String> localAccess(SignedData data) {
        Optional<ChannelConfig> anyConfig = joined.get().stream().map(Channel::config)
                .filter(c -> c.msps().msp(mspId).isPresent()).findFirst();
        if (anyConfig.isEmpty()) {
            return Optional.of("the peer has joined no channel, so it cannot check identities of " + mspId);
        }
        MspIdentity identity;
        try {
            identity = anyConfig.get().msps().validate(data.identity(), clock.instant());
        } catch (IdentityValidationException e) {
            return Optional.of("the client is not a valid identity: " + e.getMessage());
        }
        if (!identity.mspId().equals(mspId) || !identity.satisfies(Principal.role(mspId, MSPRole.MSPRoleType.ADMIN))) {
            return Optional.of(identity + " is not an admin of " + mspId);
        }
        if (!signatures.verify(identity, data.data(), data.signature())) {
            return Optional.of("the signature of " + identity + " is not valid");
        }
        return Optional.empty();
    }

    private Map<String, Peers> localPeers() {
        Map<String, Peers.Builder> byOrg = new TreeMap<>();
        for (Membership.Member member : membership.alive()) {
            byOrg.computeIfAbsent(member.mspId(), o -> Peers.newBuilder())
                    .addPeers(EndorsementLayouts.peer(member, null));
        }
        return built(byOrg);
    }

    /**
     * The live members of a channel by organisation; with a filter, only those that run its
     * chaincodes and may read its collections (Fabric's {@code PeersAuthorizedByCriteria}).
     * Organisations whose peers are all down are listed with none.
     */
    private Map<String, Peers> channelPeers(String channelId, Channel channel, ChaincodeInterest filter) {
        Map<String, Peers.Builder> byOrg = new TreeMap<>();
        for (Membership.Member member : membership.all()) {
            if (member.channel(channelId).isPresent()) {
                byOrg.computeIfAbsent(member.mspId(), o -> Peers.newBuilder());
            }
        }
        List<EndorsementLayouts.Candidate> candidates = EndorsementLayouts.candidates(channelId, channel.config(),
                membership.alive());
        if (filter != null && filter.getChaincodesCount() > 0) {
            candidates = authorizedFor(channelId, channel, filter, candidates);
        }
        for (EndorsementLayouts.Candidate c : candidates) {
            byOrg.computeIfAbsent(c.member().mspId(), o -> Peers.newBuilder())
                    .addPeers(EndorsementLayouts.peer(c.member(), c.stateInfo()));
        }
        return built(byOrg);
    }

    private static List<EndorsementLayouts.Candidate> authorizedFor(String channelId, Channel channel,
            ChaincodeInterest filter, List<EndorsementLayouts.Candidate> candidates) {
        List<EndorsementLayouts.Candidate> kept = candidates;
        for (ChaincodeCall call : filter.getChaincodesList()) {
            EndorsementLayouts.Definition definition = channel.view().definitions().apply(call.getName())
                    .orElseThrow(() -> new EndorsementLayouts.DescriptorException("chaincode " + call.getName()
                            + " is not defined on channel " + channelId));
            kept = kept.stream().filter(c -> definition.version().equals(c.state().chaincodes().get(call.getName())))
                    .toList();
            if (call.getNoPrivateReads()) {
                continue;
            }
            for (String collection : call.getCollectionNamesList()) {
                String org = EndorsementLayouts.implicitCollectionOrg(collection).orElseThrow(() ->
                        new EndorsementLayouts.DescriptorException("collection " + collection + " does not exist in "
                                + "the collection config of chaincode " + call.getName()));
                Principal member = Principal.role(org, MSPRole.MSPRoleType.MEMBER);
                kept = kept.stream().filter(c -> c.identity().map(id -> id.satisfies(member)).orElse(false)).toList();
            }
        }
        return kept;
    }

    private QueryResult endorsers(String channelId, Channel channel, ChaincodeQuery query) {
        if (query.getInterestsCount() == 0) {
            return error("chaincode query must have at least one chaincode interest");
        }
        for (ChaincodeInterest interest : query.getInterestsList()) {
            if (interest.getChaincodesCount() == 0) {
                return error("chaincode interest must contain at least one chaincode");
            }
            for (ChaincodeCall call : interest.getChaincodesList()) {
                if (call.getName().isEmpty()) {
                    return error("chaincode name in interest cannot be empty");
                }
            }
        }
        ChaincodeQueryResult.Builder result = ChaincodeQueryResult.newBuilder();
        List<Membership.Member> alive = membership.alive();
        for (ChaincodeInterest interest : query.getInterestsList()) {
            try {
                result.addContent(EndorsementLayouts.describe(channelId, channel.view(), interest, alive));
            } catch (EndorsementLayouts.DescriptorException e) {
                log.info("no endorsement descriptor for {} on channel {}: {}", EndorsementLayouts.names(interest),
                        channelId, e.getMessage());
                return error("failed constructing descriptor for chaincodes " + EndorsementLayouts.names(interest)
                        + ": " + e.getMessage());
            }
        }
        return QueryResult.newBuilder().setCcQueryRes(result).build();
    }

    /**
     * Fabric's config result: the FABRIC MSPs of the orderer and application organisations, and
     * the orderer endpoints of each orderer organisation (its own, or else the channel's global
     * addresses for every orderer organisation).
     */
    static ConfigResult config(ChannelConfig channelConfig) {
        Config config = channelConfig.config();
        ConfigGroup root = config.getChannelGroup();
        ConfigGroup orderer = root.getGroupsOrDefault(ChannelConfig.ORDERER, ConfigGroup.getDefaultInstance());
        ConfigGroup application = root.getGroupsOrDefault(ChannelConfig.APPLICATION, ConfigGroup.getDefaultInstance());
        ConfigResult.Builder result = ConfigResult.newBuilder();
        Map<String, List<String>> perOrg = new LinkedHashMap<>();
        for (ConfigGroup org : new TreeMap<>(orderer.getGroupsMap()).values()) {
            fabricMsp(org).ifPresent(msp -> perOrg.put(msp.getName(), addresses(org.getValuesMap().get("Endpoints"))));
        }
        boolean anyPerOrg = perOrg.values().stream().anyMatch(l -> !l.isEmpty());
        List<String> global = addresses(root.getValuesMap().get("OrdererAddresses"));
        perOrg.forEach((msp, own) -> {
            Endpoints.Builder endpoints = Endpoints.newBuilder();
            for (String address : anyPerOrg ? own : global) {
                endpoint(address).ifPresent(endpoints::addEndpoint);
            }
            result.putOrderers(msp, endpoints.build());
        });
        for (ConfigGroup group : List.of(orderer, application)) {
            for (ConfigGroup org : new TreeMap<>(group.getGroupsMap()).values()) {
                fabricMsp(org).ifPresent(msp -> {
                    if (!result.containsMsps(msp.getName())) {
                        result.putMsps(msp.getName(), msp);
                    }
                });
            }
        }
        return result.build();
    }

    private static Optional<FabricMSPConfig> fabricMsp(ConfigGroup org) {
        ConfigValue value = org.getValuesMap().get("MSP");
        if (value == null) {
            return Optional.empty();
        }
        try {
            MSPConfig msp = MSPConfig.parseFrom(value.getValue());
            return msp.getType() == 0 ? Optional.of(FabricMSPConfig.parseFrom(msp.getConfig())) : Optional.empty();
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    private static List<String> addresses(ConfigValue value) {
        if (value == null) {
            return List.of();
        }
        try {
            return OrdererAddresses.parseFrom(value.getValue()).getAddressesList();
        } catch (InvalidProtocolBufferException e) {
            return List.of();
        }
    }

    private static Optional<Endpoint> endpoint(String address) {
        try {
            URI uri = new URI("grpc://" + address);
            if (uri.getHost() == null || uri.getPort() < 0) {
                return Optional.empty();
            }
            return Optional.of(Endpoint.newBuilder().setHost(uri.getHost()).setPort(uri.getPort()).build());
        } catch (java.net.URISyntaxException e) {
            log.warn("orderer address {} is not host:port; left out of the config result", address);
            return Optional.empty();
        }
    }

    private static Map<String, Peers> built(Map<String, Peers.Builder> byOrg) {
        Map<String, Peers> out = new LinkedHashMap<>();
        byOrg.forEach((org, peers) -> out.put(org, peers.build()));
        return out;
    }

    private static QueryResult members(Map<String, Peers> byOrg) {
        return QueryResult.newBuilder().setMembers(PeerMembershipResult.newBuilder().putAllPeersByOrg(byOrg)).build();
    }

    private static QueryResult error(String content) {
        return QueryResult.newBuilder().setError(Error.newBuilder().setContent(content)).build();
    }
}
