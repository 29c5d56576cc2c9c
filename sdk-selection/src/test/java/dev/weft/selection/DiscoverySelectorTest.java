package dev.weft.selection;

import static dev.weft.selection.SelectionTesting.CHAINCODE;
import static dev.weft.selection.SelectionTesting.CHANNEL;
import static dev.weft.selection.SelectionTesting.assertMessageContains;
import static dev.weft.selection.SelectionTesting.names;
import static dev.weft.selection.SelectionTesting.request;
import static dev.weft.selection.SelectionTesting.selectFailure;
import static dev.weft.selection.SelectionTesting.selected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.ChannelConfig;
import dev.weft.core.Credentials;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorserSelector;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Fixtures;
import dev.weft.core.InvokedChaincode;
import dev.weft.core.ManualScheduler;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.Signatures;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.X509Issuer;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.hyperledger.fabric.protos.common.Capabilities;
import org.hyperledger.fabric.protos.common.Capability;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.discovery.ChaincodeQueryResult;
import org.hyperledger.fabric.protos.discovery.ConfigResult;
import org.hyperledger.fabric.protos.discovery.DiscoveryGrpc;
import org.hyperledger.fabric.protos.discovery.EndorsementDescriptor;
import org.hyperledger.fabric.protos.discovery.Error;
import org.hyperledger.fabric.protos.discovery.Layout;
import org.hyperledger.fabric.protos.discovery.Peers;
import org.hyperledger.fabric.protos.discovery.QueryResult;
import org.hyperledger.fabric.protos.discovery.Request;
import org.hyperledger.fabric.protos.discovery.Response;
import org.hyperledger.fabric.protos.discovery.SignedRequest;
import org.hyperledger.fabric.protos.gossip.AliveMessage;
import org.hyperledger.fabric.protos.gossip.Envelope;
import org.hyperledger.fabric.protos.gossip.GossipMessage;
import org.hyperledger.fabric.protos.gossip.Member;
import org.hyperledger.fabric.protos.gossip.Properties;
import org.hyperledger.fabric.protos.gossip.StateInfo;
import org.hyperledger.fabric.protos.msp.FabricMSPConfig;
import org.hyperledger.fabric.protos.peer.ChaincodeCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery selection against discovery services with crafted answers (in process): which layout
 * and peers it picks, how it caches and when it asks again, and how it fails.
 */
class DiscoverySelectorTest {
    private static final X509Issuer.Issued CLIENT = X509Issuer.certificate("CN=User1@org1.example.com").selfSigned();
    private static final X509Identity IDENTITY = X509Identity.of("Org1MSP", CLIENT.certificate());
    private static final Signer SIGNER = Signers.newPrivateKeySigner(IDENTITY, CLIENT.key());
    private static final X509Issuer.Issued ORG2_TLS_CA = X509Issuer.certificate("CN=tlsca.org2.example.com").ca(true)
            .selfSigned();

    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final ManualScheduler time = new ManualScheduler();

    @AfterEach
    void stop() throws InterruptedException {
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
        for (Server server : servers) {
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A discovery service that records the requests it gets and answers each with {@code answer}. */
    private static final class FakeDiscovery extends DiscoveryGrpc.DiscoveryImplBase {
        final List<Request> requests = new CopyOnWriteArrayList<>();
        volatile Supplier<Response> answer;
        volatile Status failure;

        @Override
        public void discover(SignedRequest request, StreamObserver<Response> responses) {
            try {
                Request decoded = Request.parseFrom(request.getPayload());
                requests.add(decoded);
                assertTrue(Signatures.verify(IDENTITY.certificate(), request.getPayload().toByteArray(),
                        request.getSignature().toByteArray()), "the request is signed by the gateway's identity");
            } catch (Exception e) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription(e.toString()).asRuntimeException());
                return;
            }
            if (failure != null) {
                responses.onError(failure.asRuntimeException());
                return;
            }
            responses.onNext(answer.get());
            responses.onCompleted();
        }
    }

    /** A gateway peer of Org1 serving {@code discovery}. */
    private Peer ownPeer(String name, FakeDiscovery discovery) throws Exception {
        return servingPeer(name, "Org1MSP", discovery);
    }

    /** A peer of {@code mspId} serving {@code discovery}. */
    private Peer servingPeer(String name, String mspId, FakeDiscovery discovery) throws Exception {
        String server = "discovery-" + name + "-" + System.nanoTime();
        servers.add(InProcessServerBuilder.forName(server).directExecutor().addService(discovery).build().start());
        ManagedChannel channel = InProcessChannelBuilder.forName(server).directExecutor().build();
        channels.add(channel);
        return Peer.of(name, mspId, EndpointConfig.builder("127.0.0.1:7051").plaintext().build(), channel);
    }

    /** What a gateway lends: the test's identity and clock; learnt peers recorded with the TLS roots they came with. */
    private final class FakeGateway implements EndorserSelector.Context {
        final Map<String, Peer> learnt = new ConcurrentHashMap<>();
        final Map<String, List<X509Certificate>> roots = new ConcurrentHashMap<>();
        private final boolean signs;

        FakeGateway(boolean signs) {
            this.signs = signs;
        }

        @Override
        public X509Identity identity() {
            return IDENTITY;
        }

        @Override
        public Optional<Signer> signer() {
            return signs ? Optional.of(SIGNER) : Optional.empty();
        }

        @Override
        public Scheduler scheduler() {
            return time;
        }

        @Override
        public Peer peer(String name, String mspId, String endpoint, List<X509Certificate> tlsRoots) {
            roots.put(name, tlsRoots);
            return learnt.computeIfAbsent(name, n -> Peer.of(n, mspId, EndpointConfig.builder(endpoint).plaintext()
                    .build(), SelectionTesting.UNUSED));
        }

        @Override
        public Peer withClientCertificate(Peer peer) {
            return peer;
        }
    }

    /** An endorser as discovery describes it: identity (CN = name), endpoint and ledger height. */
    private record Described(String name, String mspId, int port, long height) {
        org.hyperledger.fabric.protos.discovery.Peer toProto() {
            X509Certificate certificate = X509Issuer.certificate("CN=" + name).selfSigned().certificate();
            GossipMessage alive = GossipMessage.newBuilder().setAliveMsg(AliveMessage.newBuilder()
                    .setMembership(Member.newBuilder().setEndpoint("127.0.0.1:" + port))).build();
            GossipMessage state = GossipMessage.newBuilder().setStateInfo(StateInfo.newBuilder()
                    .setProperties(Properties.newBuilder().setLedgerHeight(height))).build();
            return org.hyperledger.fabric.protos.discovery.Peer.newBuilder()
                    .setIdentity(X509Identity.of(mspId, certificate).serialized())
                    .setMembershipInfo(Envelope.newBuilder().setPayload(alive.toByteString()))
                    .setStateInfo(Envelope.newBuilder().setPayload(state.toByteString())).build();
        }
    }

    /** An answer to discovery's config and endorsers queries: these groups and layouts. */
    private static Response answer(Map<String, List<Described>> groups, List<Map<String, Integer>> layouts) {
        EndorsementDescriptor.Builder descriptor = EndorsementDescriptor.newBuilder().setChaincode(CHAINCODE);
        groups.forEach((group, peers) -> descriptor.putEndorsersByGroups(group, Peers.newBuilder()
                .addAllPeers(peers.stream().map(Described::toProto).toList()).build()));
        layouts.forEach(l -> descriptor.addLayouts(Layout.newBuilder().putAllQuantitiesByGroup(l)));
        ConfigResult config = ConfigResult.newBuilder()
                .putMsps("Org2MSP", FabricMSPConfig.newBuilder().setName("Org2MSP")
                        .addTlsRootCerts(ByteString.copyFromUtf8(Credentials.toPem(ORG2_TLS_CA.certificate()))).build())
                .build();
        return Response.newBuilder().addResults(QueryResult.newBuilder().setConfigResult(config))
                .addResults(QueryResult.newBuilder().setCcQueryRes(ChaincodeQueryResult.newBuilder()
                        .addContent(descriptor)))
                .build();
    }

    private static Map<String, List<Described>> groups(Object... nameAndPeers) {
        Map<String, List<Described>> groups = new LinkedHashMap<>();
        for (int i = 0; i < nameAndPeers.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Described> peers = (List<Described>) nameAndPeers[i + 1];
            groups.put((String) nameAndPeers[i], peers);
        }
        return groups;
    }

    private static final Described ORG1_PEER0 = new Described("peer0.org1", "Org1MSP", 7051, 10);
    private static final Described ORG2_PEER0 = new Described("peer0.org2", "Org2MSP", 9051, 8);
    private static final Described ORG2_PEER1 = new Described("peer1.org2", "Org2MSP", 9052, 12);
    private static final Described ORG3_PEER0 = new Described("peer0.org3", "Org3MSP", 11051, 10);

    /** AND(Org1, Org2) or AND(Org1, Org2, Org3): two layouts, the smaller second. */
    private static Response twoLayouts() {
        return answer(groups("G0", List.of(ORG1_PEER0), "G1", List.of(ORG2_PEER0, ORG2_PEER1), "G2", List.of(ORG3_PEER0)),
                List.of(Map.of("G0", 1, "G1", 1, "G2", 1), Map.of("G0", 1, "G1", 1)));
    }

    @Test
    void submit_fewestPeersLayout_highestLedgerOfEachGroup_learntWithTheirOrganisationsTlsRoots() throws Exception {
        FakeDiscovery discovery = new FakeDiscovery();
        discovery.answer = DiscoverySelectorTest::twoLayouts;
        Peer own = ownPeer("peer0.org1", discovery);
        FakeGateway gateway = new FakeGateway(true);
        EndorserSelector selector = EndorserSelectors.discovery().forGateway(gateway);

        List<Peer> chosen = selected(selector, request(List.of(own)).build());

        assertEquals(Set.of("peer0.org1", "peer1.org2"), Set.copyOf(names(chosen)), "height 12 beats 8");
        assertTrue(chosen.contains(own), "the gateway's own peer is its own connection, not a learnt one");
        assertEquals(List.of(ORG2_TLS_CA.certificate()), gateway.roots.get("peer1.org2"));
        assertEquals("127.0.0.1:9052", gateway.learnt.get("peer1.org2").endpoint().target());
        Request sent = discovery.requests.get(0);
        assertEquals(IDENTITY.serialized(), sent.getAuthentication().getClientIdentity());
        assertEquals(2, sent.getQueriesCount());
        assertTrue(sent.getQueries(0).hasConfigQuery());
        assertEquals(CHAINCODE, sent.getQueries(1).getCcQuery().getInterests(0).getChaincodes(0).getName());
        assertEquals(CHANNEL, sent.getQueries(1).getChannel());
    }

    @Test
    void interest_chaincodesAndCollectionsTheCallerNames_sentOwnChaincodeFirst_cachedApart() throws Exception {
        FakeDiscovery discovery = new FakeDiscovery();
        discovery.answer = DiscoverySelectorTest::twoLayouts;
        Peer own = ownPeer("peer0.org1", discovery);
        EndorserSelector selector = EndorserSelectors.discovery().forGateway(new FakeGateway(true));

        selected(selector, request(List.of(own)).interest(InvokedChaincode.of("token"),
                InvokedChaincode.of(CHAINCODE).withCollections("_implicit_org_Org1MSP").withoutPrivateReads()).build());

        List<ChaincodeCall> calls = discovery.requests.get(0).getQueries(1).getCcQuery().getInterests(0).getChaincodesList();
        assertEquals(List.of(CHAINCODE, "token"), calls.stream().map(ChaincodeCall::getName).toList(),
                "the transaction's own chaincode first, then those it calls");
        assertEquals(List.of("_implicit_org_Org1MSP"), calls.get(0).getCollectionNamesList());
        assertTrue(calls.get(0).getNoPrivateReads());
        assertEquals(0, calls.get(1).getCollectionNamesCount());

        selected(selector, request(List.of(own)).build());
        assertEquals(2, discovery.requests.size(), "another interest is another plan");
        assertEquals(1, discovery.requests.get(1).getQueries(1).getCcQuery().getInterests(0).getChaincodesCount());
        selected(selector, request(List.of(own)).interest(InvokedChaincode.of(CHAINCODE).withCollections(
                "_implicit_org_Org1MSP").withoutPrivateReads(), InvokedChaincode.of("token")).build());
        assertEquals(2, discovery.requests.size(), "the same interest, named in another order, is the cached plan");
        selected(selector, request(List.of(own)).interest(InvokedChaincode.of("token").withCollections("b", "a"),
                InvokedChaincode.of("other")).build());
        selected(selector, request(List.of(own)).interest(InvokedChaincode.of("other"),
                InvokedChaincode.of("token").withCollections("a", "b")).build());
        assertEquals(3, discovery.requests.size(), "called chaincodes and collections in any order: one plan");

        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> request(List.of(own))
                .interest(InvokedChaincode.of("token"), InvokedChaincode.of("token").withCollections("c")).build());
        assertTrue(twice.getMessage().contains("named twice"), twice.getMessage());
    }

    @Test
    void submit_recentlyFailedAndExcludedPeersAvoided_layoutThatCannotBeFilledSkipped() throws Exception {
        FakeDiscovery discovery = new FakeDiscovery();
        discovery.answer = DiscoverySelectorTest::twoLayouts;
        Peer own = ownPeer("peer0.org1", discovery);
        FakeGateway gateway = new FakeGateway(true);
        EndorserSelector selector = EndorserSelectors.discovery().forGateway(gateway);
        selected(selector, request(List.of(own)).build()); // learns the peers
        Peer org2Peer1 = gateway.learnt.get("peer1.org2");
        Peer org2Peer0 = gateway.learnt.get("peer0.org2");

        List<Peer> healthy = selected(selector, request(List.of(own)).health(p -> p.equals(org2Peer1)).build());
        assertEquals(Set.of("peer0.org1", "peer0.org2"), Set.copyOf(names(healthy)));

        // Both Org2 peers failed for this transaction: no layout can be filled.
        EndorseException failure = selectFailure(selector, request(List.of(own)).excluded(org2Peer0, org2Peer1).build());
        assertMessageContains(failure, "cannot fill any layout", "peer0.org2", "peer1.org2");
    }

    @Test
    void plan_cachedUntilTheRefreshIntervalOrANewerConfig() throws Exception {
        FakeDiscovery discovery = new FakeDiscovery();
        discovery.answer = DiscoverySelectorTest::twoLayouts;
        Peer own = ownPeer("peer0.org1", discovery);
        EndorserSelector selector = EndorserSelectors.discovery(DiscoveryOptions.builder()
                .refreshInterval(Duration.ofSeconds(30)).build()).forGateway(new FakeGateway(true));
        ChannelConfig genesis = ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);
        ChannelConfig updated = ChannelConfig.fromBlock(Fixtures.peerBlock(15), Fixtures.VALID_CLOCK);
        assertTrue(updated.sequence() > genesis.sequence());

        selected(selector, request(List.of(own)).config(genesis).build());
        selected(selector, request(List.of(own)).config(genesis).build());
        assertEquals(1, discovery.requests.size(), "the second select uses the cached answer");

        time.advance(Duration.ofSeconds(31));
        selected(selector, request(List.of(own)).config(genesis).build());
        assertEquals(2, discovery.requests.size(), "asked again after the refresh interval");

        selected(selector, request(List.of(own)).config(updated).build());
        assertEquals(3, discovery.requests.size(), "asked again for a newer channel config");
        selected(selector, request(List.of(own)).config(updated).build());
        assertEquals(3, discovery.requests.size());
    }

    @Test
    void discovery_firstPeerFails_nextAsked_failedAnswerNotCached() throws Exception {
        FakeDiscovery broken = new FakeDiscovery();
        broken.failure = Status.UNAVAILABLE.withDescription("connection refused");
        FakeDiscovery working = new FakeDiscovery();
        working.answer = DiscoverySelectorTest::twoLayouts;
        Peer first = ownPeer("peer0.org1", broken);
        Peer second = ownPeer("peer1.org1", working);
        EndorserSelector selector = EndorserSelectors.discovery().forGateway(new FakeGateway(true));

        List<Peer> chosen = selected(selector, request(List.of(first, second)).build());
        assertEquals(Set.of("peer0.org1", "peer1.org2"), Set.copyOf(names(chosen)));
        assertEquals(1, broken.requests.size());
        assertEquals(1, working.requests.size());

        working.failure = Status.UNAVAILABLE.withDescription("down too");
        time.advance(Duration.ofMinutes(2));
        EndorseException failure = selectFailure(selector, request(List.of(first, second)).build());
        assertMessageContains(failure, "no peer answered discovery", "connection refused", "down too");
        assertEquals(2, failure.details().size());
        assertEquals("UNAVAILABLE", failure.details().get(0).status());

        working.failure = null;
        selected(selector, request(List.of(first, second)).build());
        assertEquals(3, working.requests.size(), "a failed answer is not kept: the next select asks again");
    }

    @Test
    void discovery_errorResult_isTheFailureWithItsText() throws Exception {
        FakeDiscovery refusing = new FakeDiscovery();
        refusing.answer = () -> Response.newBuilder()
                .addResults(QueryResult.newBuilder().setError(Error.newBuilder().setContent("access denied")))
                .addResults(QueryResult.newBuilder().setError(Error.newBuilder().setContent("access denied")))
                .build();
        Peer own = ownPeer("peer0.org1", refusing);
        EndorserSelector selector = EndorserSelectors.discovery().forGateway(new FakeGateway(true));

        EndorseException failure = selectFailure(selector, request(List.of(own)).build());

        assertMessageContains(failure, "peer0.org1", "refused", "access denied");
    }

    @Test
    void evaluateAndNamedPeers_needNoDiscovery() throws Exception {
        FakeDiscovery discovery = new FakeDiscovery();
        discovery.answer = DiscoverySelectorTest::twoLayouts;
        Peer own = ownPeer("peer0.org1", discovery);
        EndorserSelector selector = EndorserSelectors.discovery().forGateway(new FakeGateway(true));

        assertEquals(List.of(own), selected(selector, request(List.of(own)).evaluate().build()));
        assertEquals(List.of(own), selected(selector, request(List.of(own)).peers("peer0.org1").build()));
        assertEquals(0, discovery.requests.size());
    }

    @Test
    void withoutASigner_selectsByPolicy() throws Exception {
        FakeDiscovery discovery = new FakeDiscovery();
        discovery.answer = DiscoverySelectorTest::twoLayouts;
        Peer own = ownPeer("peer0.org1", discovery);
        Peer org2 = SelectionTesting.peer("peer0.org2", "Org2MSP");
        EndorserSelector selector = EndorserSelectors.discovery().forGateway(new FakeGateway(false));

        List<Peer> chosen = selected(selector, request(List.of(own, org2)).policy("AND('Org1MSP.peer','Org2MSP.peer')")
                .build());

        assertEquals(Set.of("peer0.org1", "peer0.org2"), Set.copyOf(names(chosen)));
        assertEquals(0, discovery.requests.size(), "an unsigned discovery request would be refused");
    }

    @Test
    void unbound_saysToGiveItToTheGatewayBuilder() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> EndorserSelectors.discovery()
                .select(request(List.of(SelectionTesting.peer("peer0.org1", "Org1MSP"))).build()).get(5,
                        TimeUnit.SECONDS));
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(cause.getMessage().contains("Gateway.Builder.endorserSelector"), cause.getMessage());
    }

    @Test
    void options_mustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> DiscoveryOptions.builder().refreshInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> DiscoveryOptions.builder().timeout(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> EndorserSelectors.discovery(null));
        assertEquals(Duration.ofSeconds(60), DiscoveryOptions.defaults().refreshInterval());
    }

    /** The real channel's config with the application capability set to {@code level}. */
    private static ChannelConfig withApplicationCapability(String level) {
        ChannelConfig real = ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);
        Config.Builder config = real.config().toBuilder();
        ConfigGroup.Builder application = config.getChannelGroupBuilder().getGroupsOrThrow("Application").toBuilder();
        application.putValues("Capabilities", application.getValuesOrThrow("Capabilities").toBuilder()
                .setValue(Capabilities.newBuilder().putCapabilities(level, Capability.getDefaultInstance()).build()
                        .toByteString()).build());
        config.getChannelGroupBuilder().putGroups("Application", application.build());
        return ChannelConfig.fromConfig(CHANNEL, config.build(), Fixtures.VALID_CLOCK);
    }

    @Test
    void auto_byApplicationCapability_discoveryFromV1_2_policyBelow() throws Exception {
        FakeDiscovery discovery = new FakeDiscovery();
        discovery.answer = DiscoverySelectorTest::twoLayouts;
        Peer own = ownPeer("peer0.org1", discovery);
        Peer org2 = SelectionTesting.peer("peer0.org2", "Org2MSP");
        EndorserSelector selector = EndorserSelectors.auto().forGateway(new FakeGateway(true));
        String and = "AND('Org1MSP.peer','Org2MSP.peer')";

        List<Peer> old = selected(selector, request(List.of(own, org2)).policy(and)
                .config(withApplicationCapability("V1_1")).build());
        assertEquals(Set.of("peer0.org1", "peer0.org2"), Set.copyOf(names(old)));
        assertEquals(0, discovery.requests.size(), "a V1_1 channel has no discovery: the policy decides");

        for (String level : List.of("V1_2", "V1_4_2", "V2_0", "V2_5")) {
            List<Peer> chosen = selected(selector, request(List.of(own, org2)).policy(and)
                    .config(withApplicationCapability(level)).build());
            assertTrue(names(chosen).contains("peer1.org2"), level + ": discovery's plan, " + names(chosen));
        }
        assertTrue(AutoSelector.level("V1_4_2").isPresent());
        assertTrue(AutoSelector.level("Vx").isEmpty());
        assertTrue(AutoSelector.level("V1__2").isEmpty());
    }

    @Test
    void auto_peersWithoutDiscovery_policyForARefreshInterval_thenAskedAgain() throws Exception {
        FakeDiscovery missing = new FakeDiscovery();
        missing.failure = Status.UNIMPLEMENTED.withDescription("unknown service discovery.Discovery");
        Peer own = ownPeer("peer0.org1", missing);
        Peer org2 = servingPeer("peer0.org2", "Org2MSP", missing);
        EndorserSelector selector = EndorserSelectors.auto(DiscoveryOptions.builder()
                .refreshInterval(Duration.ofSeconds(30)).build()).forGateway(new FakeGateway(true));
        ChannelConfig v2 = withApplicationCapability("V2_0");

        for (int i = 0; i < 3; i++) {
            List<Peer> chosen = selected(selector, request(List.of(own, org2)).config(v2).build());
            assertEquals(Set.of("peer0.org1", "peer0.org2"), Set.copyOf(names(chosen)));
        }
        assertEquals(2, missing.requests.size(), "each peer asked once, then not again within the interval");

        time.advance(Duration.ofSeconds(31));
        selected(selector, request(List.of(own, org2)).config(v2).build());
        assertEquals(4, missing.requests.size());

        // Any other discovery failure is the selection's failure: the policy would hide it.
        missing.failure = Status.PERMISSION_DENIED.withDescription("access denied");
        time.advance(Duration.ofSeconds(31));
        EndorseException failure = selectFailure(selector, request(List.of(own, org2)).config(v2).build());
        assertMessageContains(failure, "access denied");
    }
}
