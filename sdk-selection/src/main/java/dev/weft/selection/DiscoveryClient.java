package dev.weft.selection;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.Credentials;
import dev.weft.core.EndorserSelector;
import dev.weft.core.InvokedChaincode;
import dev.weft.core.Peer;
import dev.weft.core.ProtocolException;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.hyperledger.fabric.protos.discovery.AuthInfo;
import org.hyperledger.fabric.protos.discovery.ChaincodeQuery;
import org.hyperledger.fabric.protos.discovery.ConfigQuery;
import org.hyperledger.fabric.protos.discovery.ConfigResult;
import org.hyperledger.fabric.protos.discovery.DiscoveryGrpc;
import org.hyperledger.fabric.protos.discovery.EndorsementDescriptor;
import org.hyperledger.fabric.protos.discovery.Layout;
import org.hyperledger.fabric.protos.discovery.Query;
import org.hyperledger.fabric.protos.discovery.QueryResult;
import org.hyperledger.fabric.protos.discovery.Request;
import org.hyperledger.fabric.protos.discovery.Response;
import org.hyperledger.fabric.protos.discovery.SignedRequest;
import org.hyperledger.fabric.protos.gossip.GossipMessage;
import org.hyperledger.fabric.protos.msp.FabricMSPConfig;
import org.hyperledger.fabric.protos.peer.ChaincodeInterest;

/**
 * One call to a peer's {@code discovery.Discovery/Discover}: a signed request, bound to the TLS
 * certificate the connection presents, asking for the channel's config (for the TLS roots of the
 * peers it names) and the endorsement descriptor of one chaincode interest; the answer decoded.
 *
 * <p>Stateless and thread-safe.
 */
final class DiscoveryClient {
    private DiscoveryClient() {
    }

    /** A peer that can endorse, as discovery described it. */
    record Endorser(String name, String mspId, String endpoint, long ledgerHeight) {
    }

    /**
     * The endorsement plan discovery gave for an interest.
     *
     * @param layouts each a way to satisfy the policy: how many endorsers of each group
     * @param groups the endorsers of each group
     * @param tlsRoots each organisation's TLS root (and intermediate) certificates, from the config
     */
    record Plan(List<Map<String, Integer>> layouts, Map<String, List<Endorser>> groups,
            Map<String, List<X509Certificate>> tlsRoots) {
    }

    /** A discovery answer that is an error, or a call that failed; the message says which peer and why. */
    static final class DiscoveryFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String status;

        DiscoveryFailure(String message, String status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }
    }

    /**
     * Asks {@code peer} for the plan of a chaincode interest (the invoked chaincode first) on a
     * channel, within {@code timeout}.
     */
    static CompletableFuture<Plan> plan(Peer peer, EndorserSelector.Context gateway, Signer signer, String channelId,
            List<InvokedChaincode> interest, Duration timeout) {
        String chaincode = interest.stream().map(InvokedChaincode::toString).collect(Collectors.joining(", "));
        SignedRequest request;
        try {
            ChaincodeInterest.Builder calls = ChaincodeInterest.newBuilder();
            interest.forEach(c -> calls.addChaincodes(c.toProto()));
            request = request(gateway.identity(), signer, peer.endpoint().clientCertificateHash(), channelId,
                    calls.build());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Response> answer = new CompletableFuture<>();
        DiscoveryGrpc.newStub(peer.channel()).withDeadline(gateway.scheduler().deadlineAfter(timeout))
                .discover(request, new StreamObserver<>() {
                    @Override
                    public void onNext(Response value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        String status = t instanceof StatusRuntimeException s ? s.getStatus().getCode().name() : "ERROR";
                        answer.completeExceptionally(new DiscoveryFailure("discovery on peer " + peer.name()
                                + " failed: " + t.getMessage(), status, t));
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(new DiscoveryFailure("discovery on peer " + peer.name()
                                + " answered nothing", "EMPTY", null));
                    }
                });
        return answer.thenApply(response -> decode(peer, channelId, chaincode, response));
    }

    static SignedRequest request(X509Identity identity, Signer signer, byte[] tlsCertHash, String channelId,
            ChaincodeInterest interest) {
        byte[] payload = Request.newBuilder()
                .setAuthentication(AuthInfo.newBuilder().setClientIdentity(identity.serialized())
                        .setClientTlsCertHash(ByteString.copyFrom(tlsCertHash)))
                .addQueries(Query.newBuilder().setChannel(channelId).setConfigQuery(ConfigQuery.getDefaultInstance()))
                .addQueries(Query.newBuilder().setChannel(channelId)
                        .setCcQuery(ChaincodeQuery.newBuilder().addInterests(interest)))
                .build().toByteArray();
        return SignedRequest.newBuilder().setPayload(ByteString.copyFrom(payload))
                .setSignature(ByteString.copyFrom(signer.sign(payload))).build();
    }

    static Plan decode(Peer peer, String channelId, String chaincode, Response response) {
        if (response.getResultsCount() != 2) {
            throw new ProtocolException("discovery on peer " + peer.name() + " answered " + response.getResultsCount()
                    + " results to 2 queries");
        }
        ConfigResult config = result(peer, channelId, "config", response.getResults(0)).getConfigResult();
        QueryResult endorsers = result(peer, channelId, "endorsers of " + chaincode, response.getResults(1));
        if (!endorsers.hasCcQueryRes() || endorsers.getCcQueryRes().getContentCount() != 1) {
            throw new ProtocolException("discovery on peer " + peer.name() + " did not answer the endorsers of "
                    + chaincode);
        }
        EndorsementDescriptor descriptor = endorsers.getCcQueryRes().getContent(0);
        Map<String, List<X509Certificate>> roots = new LinkedHashMap<>();
        config.getMspsMap().forEach((mspId, msp) -> roots.put(mspId, tlsRoots(msp)));
        Map<String, List<Endorser>> groups = new LinkedHashMap<>();
        descriptor.getEndorsersByGroupsMap().forEach((group, peers) -> {
            List<Endorser> list = new ArrayList<>();
            for (org.hyperledger.fabric.protos.discovery.Peer p : peers.getPeersList()) {
                list.add(endorser(peer, p));
            }
            groups.put(group, list);
        });
        List<Map<String, Integer>> layouts = new ArrayList<>();
        for (Layout layout : descriptor.getLayoutsList()) {
            layouts.add(Map.copyOf(layout.getQuantitiesByGroupMap()));
        }
        return new Plan(List.copyOf(layouts), Map.copyOf(groups), Map.copyOf(roots));
    }

    private static QueryResult result(Peer peer, String channelId, String what, QueryResult result) {
        if (result.hasError()) {
            throw new DiscoveryFailure("discovery on peer " + peer.name() + " refused the " + what + " on channel "
                    + channelId + ": " + result.getError().getContent(), "ERROR", null);
        }
        return result;
    }

    private static Endorser endorser(Peer asked, org.hyperledger.fabric.protos.discovery.Peer p) {
        try {
            X509Identity identity = X509Identity.fromSerialized(p.getIdentity());
            String endpoint = GossipMessage.parseFrom(p.getMembershipInfo().getPayload()).getAliveMsg().getMembership()
                    .getEndpoint();
            long height = p.hasStateInfo()
                    ? GossipMessage.parseFrom(p.getStateInfo().getPayload()).getStateInfo().getProperties().getLedgerHeight()
                    : 0;
            if (endpoint.isEmpty()) {
                throw new ProtocolException("discovery on peer " + asked.name() + " named an endorser without an endpoint");
            }
            return new Endorser(commonName(identity.certificate()).orElse(endpoint), identity.mspId(), endpoint, height);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("discovery on peer " + asked.name() + " sent an undecodable peer description", e);
        }
    }

    private static List<X509Certificate> tlsRoots(FabricMSPConfig msp) {
        List<X509Certificate> roots = new ArrayList<>();
        for (ByteString pem : msp.getTlsRootCertsList()) {
            roots.addAll(Credentials.readCertificates(pem.toString(StandardCharsets.UTF_8)));
        }
        for (ByteString pem : msp.getTlsIntermediateCertsList()) {
            roots.addAll(Credentials.readCertificates(pem.toString(StandardCharsets.UTF_8)));
        }
        return List.copyOf(roots);
    }

    /** The certificate's subject CN: a peer's host name in cryptogen and Fabric CA certificates. */
    static java.util.Optional<String> commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return java.util.Optional.of(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }
}
