package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.EndpointConfig;
import dev.weft.core.GrpcChannels;
import dev.weft.core.Signers;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Hashing;
import dev.weft.core.internal.X509Issuer;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.hyperledger.fabric.protos.discovery.AuthInfo;
import org.hyperledger.fabric.protos.discovery.ChaincodeQuery;
import org.hyperledger.fabric.protos.discovery.ConfigQuery;
import org.hyperledger.fabric.protos.discovery.ConfigResult;
import org.hyperledger.fabric.protos.discovery.DiscoveryGrpc;
import org.hyperledger.fabric.protos.discovery.EndorsementDescriptor;
import org.hyperledger.fabric.protos.discovery.Layout;
import org.hyperledger.fabric.protos.discovery.LocalPeerQuery;
import org.hyperledger.fabric.protos.discovery.Peer;
import org.hyperledger.fabric.protos.discovery.PeerMembershipQuery;
import org.hyperledger.fabric.protos.discovery.Peers;
import org.hyperledger.fabric.protos.discovery.Query;
import org.hyperledger.fabric.protos.discovery.QueryResult;
import org.hyperledger.fabric.protos.discovery.Request;
import org.hyperledger.fabric.protos.discovery.Response;
import org.hyperledger.fabric.protos.discovery.SignedRequest;
import org.hyperledger.fabric.protos.gossip.GossipMessage;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.ChaincodeCall;
import org.hyperledger.fabric.protos.peer.ChaincodeInterest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reference peers' {@code discovery.Discovery} through plain gRPC, as Fabric SDKs call it:
 * config, peer membership, and endorsement layouts computed from the chaincodes' policies, checked
 * against answers worked out by hand; peers that are down are left out; requests that are not
 * the channel's writers', not signed by their identity or not bound to their TLS certificate are
 * refused.
 */
class DiscoveryServiceTest {
    private static final String CHANNEL = "mychannel";
    private static ReferenceNetwork network;
    private static ReferenceNetwork.User user;
    private static ManagedChannel connection;

    @BeforeAll
    static void start() {
        AssetTransferChaincode cc = new AssetTransferChaincode();
        network = ReferenceNetwork.builder()
                .organizations("Org1MSP", "Org2MSP", "Org3MSP")
                .peersPerOrganization(2)
                .chaincode("basic", cc)
                .chaincode("both", cc, "AND('Org1MSP.peer', 'Org2MSP.peer')")
                .chaincode("any", cc, "OR('Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')")
                .chaincode("pair", cc, "AND('Org1MSP.peer', 'Org1MSP.peer')")
                .chaincode("org3only", cc, "OR('Org3MSP.peer')")
                .start();
        user = network.user("Org1MSP");
        connection = GrpcChannels.create(network.peer("Org1MSP").endpointConfig(user));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (connection != null) {
            connection.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void endorsers_defaultPolicyOfThreeOrganisations_anyTwoOfThem() {
        EndorsementDescriptor d = descriptor(interest("basic"));
        assertEquals("basic", d.getChaincode());
        assertEquals(List.of("Org1MSP+Org2MSP", "Org1MSP+Org3MSP", "Org2MSP+Org3MSP"), layouts(d));
        for (Peers group : d.getEndorsersByGroupsMap().values()) {
            assertEquals(2, group.getPeersCount(), "both peers of the organisation are in its group");
        }
    }

    @Test
    void endorsers_signaturePolicies_asWorkedOutByHand() {
        assertEquals(List.of("Org1MSP+Org2MSP"), layouts(descriptor(interest("both"))));
        assertEquals(List.of("Org1MSP", "Org2MSP", "Org3MSP"), layouts(descriptor(interest("any"))));
        // The same principal twice: two distinct peers of Org1.
        assertEquals(List.of("Org1MSP+Org1MSP"), layouts(descriptor(interest("pair"))));
    }

    @Test
    void endorsers_chaincodeCallingChaincode_satisfiesBothPolicies() {
        assertEquals(List.of("Org1MSP+Org2MSP"), layouts(descriptor(interest("both", "any"))));
        assertEquals(List.of("Org3MSP"), layouts(descriptor(interest("any", "org3only"))));
        assertEquals(List.of("Org1MSP+Org2MSP+Org3MSP"), layouts(descriptor(interest("both", "org3only"))));
    }

    @Test
    void endorsers_implicitCollection_onlyThatOrganisationsMembers() {
        ChaincodeInterest interest = ChaincodeInterest.newBuilder().addChaincodes(ChaincodeCall.newBuilder()
                .setName("basic").addCollectionNames("_implicit_org_Org2MSP")).build();
        EndorsementDescriptor d = descriptor(interest);
        assertEquals(List.of("Org2MSP"), layouts(d));
    }

    @Test
    void endorsers_unknownChaincodeOrCollection_isAnErrorResult() {
        QueryResult unknown = ask(query(ccQuery(interest("nope")))).getResults(0);
        assertTrue(unknown.hasError());
        assertTrue(unknown.getError().getContent().contains("nope is not defined on channel mychannel"),
                unknown.getError().getContent());
        QueryResult collection = ask(query(ccQuery(ChaincodeInterest.newBuilder().addChaincodes(
                ChaincodeCall.newBuilder().setName("basic").addCollectionNames("secrets")).build()))).getResults(0);
        assertTrue(collection.getError().getContent().contains("collection secrets does not exist"),
                collection.getError().getContent());
    }

    @Test
    void endorsersAndPeers_peerDown_leftOut() {
        List<ReferenceNetwork.Peer> org3 = network.peers().stream().filter(p -> p.mspId().equals("Org3MSP")).toList();
        try {
            org3.get(0).stop();
            EndorsementDescriptor oneLeft = descriptor(interest("basic"));
            assertEquals(List.of("Org1MSP+Org2MSP", "Org1MSP+Org3MSP", "Org2MSP+Org3MSP"), layouts(oneLeft));
            assertEquals(List.of(org3.get(1).endpoint()), endpointsOfOrg(oneLeft, "Org3MSP"));

            org3.get(1).stop();
            assertEquals(List.of("Org1MSP+Org2MSP"), layouts(descriptor(interest("basic"))));
            Map<String, Peers> members = ask(query(Query.newBuilder().setChannel(CHANNEL)
                    .setPeerQuery(PeerMembershipQuery.getDefaultInstance()))).getResults(0).getMembers().getPeersByOrgMap();
            assertEquals(0, members.get("Org3MSP").getPeersCount(), "an organisation whose peers are all down has none");
            assertEquals(2, members.get("Org1MSP").getPeersCount());
            QueryResult none = ask(query(ccQuery(interest("org3only")))).getResults(0);
            assertTrue(none.getError().getContent().contains("no peer combination can satisfy"),
                    none.getError().getContent());
        } finally {
            org3.forEach(ReferenceNetwork.Peer::start);
        }
        assertEquals(3, layouts(descriptor(interest("basic"))).size());
    }

    @Test
    void peers_everyLivePeerWithItsHeightAndChaincodes() throws Exception {
        Map<String, Peers> byOrg = ask(query(Query.newBuilder().setChannel(CHANNEL)
                .setPeerQuery(PeerMembershipQuery.getDefaultInstance()))).getResults(0).getMembers().getPeersByOrgMap();
        assertEquals(List.of("Org1MSP", "Org2MSP", "Org3MSP"), new ArrayList<>(new TreeMap<>(byOrg).keySet()));
        List<String> seen = new ArrayList<>();
        for (ReferenceNetwork.Peer expected : network.peers()) {
            Peer found = byOrg.get(expected.mspId()).getPeersList().stream()
                    .filter(p -> endpoint(p).equals(expected.endpoint())).findFirst().orElseThrow();
            assertEquals(expected.identity().serialized(), found.getIdentity());
            GossipMessage state = GossipMessage.parseFrom(found.getStateInfo().getPayload());
            assertEquals(expected.height(CHANNEL), state.getStateInfo().getProperties().getLedgerHeight());
            assertEquals(List.of("any", "basic", "both", "org3only", "pair"), state.getStateInfo().getProperties()
                    .getChaincodesList().stream().map(c -> c.getName() + "").sorted().toList());
            assertEquals("1", state.getStateInfo().getProperties().getChaincodes(0).getVersion(), "the sequence");
            // Signed by the peer over the message, as gossip signs it.
            assertTrue(verify(found.getIdentity(), found.getMembershipInfo().getPayload(),
                    found.getMembershipInfo().getSignature()), "alive message signed by " + expected);
            seen.add(expected.name());
        }
        assertEquals(6, seen.size());
    }

    @Test
    void peers_withChaincodeFilter_onlyThoseAllowedToEndorse() {
        Map<String, Peers> byOrg = ask(query(Query.newBuilder().setChannel(CHANNEL).setPeerQuery(
                PeerMembershipQuery.newBuilder().setFilter(ChaincodeInterest.newBuilder().addChaincodes(
                        ChaincodeCall.newBuilder().setName("basic").addCollectionNames("_implicit_org_Org1MSP"))))))
                .getResults(0).getMembers().getPeersByOrgMap();
        assertEquals(2, byOrg.get("Org1MSP").getPeersCount());
        assertEquals(0, byOrg.get("Org2MSP").getPeersCount());
    }

    @Test
    void config_mspsAndOrdererEndpoints() {
        ConfigResult config = ask(query(Query.newBuilder().setChannel(CHANNEL)
                .setConfigQuery(ConfigQuery.getDefaultInstance()))).getResults(0).getConfigResult();
        assertEquals(List.of("OrdererMSP", "Org1MSP", "Org2MSP", "Org3MSP"),
                new ArrayList<>(new TreeMap<>(config.getMspsMap()).keySet()));
        ReferenceNetwork.Peer org2 = network.peer("Org2MSP");
        assertEquals(ByteString.copyFromUtf8(dev.weft.core.Credentials.toPem(org2.tlsRootCertificate())),
                config.getMspsMap().get("Org2MSP").getTlsRootCerts(0));
        List<String> orderers = config.getOrderersMap().get("OrdererMSP").getEndpointList().stream()
                .map(e -> e.getHost() + ":" + e.getPort()).toList();
        assertEquals(network.orderers().stream().map(ReferenceNetwork.Orderer::endpoint).toList(), orderers);
    }

    @Test
    void localPeers_forTheOrganisationsAdminOnly() {
        ReferenceNetwork.User admin = network.admin("Org1MSP");
        ManagedChannel asAdmin = GrpcChannels.create(network.peer("Org1MSP").endpointConfig(admin));
        try {
            Query local = Query.newBuilder().setLocalPeers(LocalPeerQuery.getDefaultInstance()).build();
            QueryResult result = ask(asAdmin, admin.identity().serialized(), admin.signer()::sign,
                    hash(admin.tlsCertificate()), local).getResults(0);
            int peers = result.getMembers().getPeersByOrgMap().values().stream().mapToInt(Peers::getPeersCount).sum();
            assertEquals(6, peers);
            assertFalse(result.getMembers().getPeersByOrgMap().get("Org2MSP").getPeers(0).hasStateInfo());

            assertEquals("access denied", ask(query(local)).getResults(0).getError().getContent(), "a client user");
        } finally {
            asAdmin.shutdownNow();
        }
    }

    @Test
    void refused_outsiderBadSignatureUnknownChannel() throws Exception {
        Query config = Query.newBuilder().setChannel(CHANNEL).setConfigQuery(ConfigQuery.getDefaultInstance()).build();
        // An identity no CA of the channel issued.
        X509Issuer.Issued stranger = X509Issuer.certificate("CN=stranger,OU=client").selfSigned();
        ByteString strangerId = X509Identity.of("Org1MSP", stranger.certificate()).serialized();
        assertEquals("access denied", ask(connection, strangerId, Signers.newPrivateKeySigner(stranger.key())::sign,
                hash(user.tlsCertificate()), config).getResults(0).getError().getContent());
        // The user's identity with a signature over something else.
        assertEquals("access denied", ask(connection, user.identity().serialized(),
                m -> user.signer().sign("other".getBytes(StandardCharsets.UTF_8)), hash(user.tlsCertificate()), config)
                .getResults(0).getError().getContent());
        assertEquals("access denied", ask(query(Query.newBuilder().setChannel("nochannel")
                .setConfigQuery(ConfigQuery.getDefaultInstance()).build())).getResults(0).getError().getContent());
    }

    @Test
    void refused_notBoundToTheTlsCertificate() {
        Query config = Query.newBuilder().setChannel(CHANNEL).setConfigQuery(ConfigQuery.getDefaultInstance()).build();
        StatusRuntimeException mismatch = assertThrows(StatusRuntimeException.class, () -> ask(connection,
                user.identity().serialized(), user.signer()::sign, ByteString.copyFrom(new byte[32]), config));
        assertTrue(mismatch.getMessage().contains("doesn't match computed TLS hash"), mismatch.getMessage());

        ManagedChannel noClientCert = GrpcChannels.create(network.peer("Org1MSP").endpointConfig());
        try {
            StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> ask(noClientCert,
                    user.identity().serialized(), user.signer()::sign, hash(user.tlsCertificate()), config));
            assertTrue(none.getMessage().contains("didn't send a TLS certificate"), none.getMessage());
        } finally {
            noClientCert.shutdownNow();
        }
    }

    @Test
    void anyClientCertificate_isAcceptedForBinding() {
        // Fabric SDKs without a client certificate make a throwaway one: the server takes it unverified.
        X509Issuer.Issued throwaway = X509Issuer.certificate("CN=throwaway").selfSigned();
        EndpointConfig config = network.peer("Org1MSP").endpointConfig().toBuilder()
                .clientCertificate(List.of(throwaway.certificate()), throwaway.key()).build();
        ManagedChannel channel = GrpcChannels.create(config);
        try {
            Response response = ask(channel, user.identity().serialized(), user.signer()::sign,
                    hash(throwaway.certificate()), query(ccQuery(interest("both"))));
            assertEquals(List.of("Org1MSP+Org2MSP"), layouts(response.getResults(0).getCcQueryRes().getContent(0)));
        } finally {
            channel.shutdownNow();
        }
    }

    // ---- helpers ----

    private static ChaincodeInterest interest(String... chaincodes) {
        ChaincodeInterest.Builder interest = ChaincodeInterest.newBuilder();
        for (String cc : chaincodes) {
            interest.addChaincodes(ChaincodeCall.newBuilder().setName(cc));
        }
        return interest.build();
    }

    private static Query ccQuery(ChaincodeInterest interest) {
        return Query.newBuilder().setChannel(CHANNEL).setCcQuery(ChaincodeQuery.newBuilder().addInterests(interest))
                .build();
    }

    private static Query query(Query query) {
        return query;
    }

    private static Query query(Query.Builder query) {
        return query.build();
    }

    private static EndorsementDescriptor descriptor(ChaincodeInterest interest) {
        QueryResult result = ask(ccQuery(interest)).getResults(0);
        assertTrue(result.hasCcQueryRes(), () -> "expected a descriptor, got " + result);
        return result.getCcQueryRes().getContent(0);
    }

    private static Response ask(Query query) {
        return ask(connection, user.identity().serialized(), user.signer()::sign, hash(user.tlsCertificate()), query);
    }

    private static Response ask(ManagedChannel channel, ByteString identity, java.util.function.Function<byte[], byte[]> sign,
            ByteString tlsHash, Query query) {
        byte[] payload = Request.newBuilder()
                .setAuthentication(AuthInfo.newBuilder().setClientIdentity(identity).setClientTlsCertHash(tlsHash))
                .addQueries(query).build().toByteArray();
        SignedRequest signed = SignedRequest.newBuilder().setPayload(ByteString.copyFrom(payload))
                .setSignature(ByteString.copyFrom(sign.apply(payload))).build();
        return DiscoveryGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).discover(signed);
    }

    private static ByteString hash(X509Certificate certificate) {
        try {
            return ByteString.copyFrom(Hashing.sha256(certificate.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new AssertionError(e);
        }
    }

    /** Each layout as its organisations joined with '+', one entry per peer needed, sorted. */
    private static List<String> layouts(EndorsementDescriptor d) {
        List<String> out = new ArrayList<>();
        for (Layout layout : d.getLayoutsList()) {
            List<String> orgs = new ArrayList<>();
            layout.getQuantitiesByGroupMap().forEach((group, quantity) -> {
                String org = orgOf(d.getEndorsersByGroupsMap().get(group));
                for (int i = 0; i < quantity; i++) {
                    orgs.add(org);
                }
            });
            orgs.sort(null);
            out.add(String.join("+", orgs));
        }
        out.sort(null);
        return out;
    }

    private static String orgOf(Peers group) {
        List<String> orgs = group.getPeersList().stream().map(p -> mspOf(p.getIdentity())).distinct()
                .collect(Collectors.toList());
        assertEquals(1, orgs.size(), "a group of role principals holds one organisation's peers: " + orgs);
        return orgs.get(0);
    }

    private static List<String> endpointsOfOrg(EndorsementDescriptor d, String mspId) {
        return d.getEndorsersByGroupsMap().values().stream().flatMap(g -> g.getPeersList().stream())
                .filter(p -> mspOf(p.getIdentity()).equals(mspId)).map(DiscoveryServiceTest::endpoint).distinct()
                .toList();
    }

    private static String mspOf(ByteString identity) {
        try {
            return SerializedIdentity.parseFrom(identity).getMspid();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static String endpoint(Peer peer) {
        try {
            return GossipMessage.parseFrom(peer.getMembershipInfo().getPayload()).getAliveMsg().getMembership()
                    .getEndpoint();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean verify(ByteString identity, ByteString payload, ByteString signature) throws Exception {
        java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(X509Identity.fromSerialized(identity).certificate().getPublicKey());
        verifier.update(payload.toByteArray());
        return verifier.verify(signature.toByteArray());
    }
}
