package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.internal.X509Issuer;
import dev.weft.core.internal.X509Issuer.Issued;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.Response;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Weft channels against an in-test grpc-netty server with TLS and mutual TLS. */
class GrpcChannelsTest {
    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    private static Issued serverCa;
    private static Issued server;
    private static Issued otherCa;
    private static Issued clientCa;
    private static Issued client;
    private static Issued namedOnlyServer;

    @BeforeAll
    static void pki() {
        serverCa = X509Issuer.certificate("C=US,O=org1.example.com,CN=tlsca.org1.example.com").ca(true).selfSigned();
        server = X509Issuer.certificate("C=US,O=org1.example.com,CN=peer0.org1.example.com")
                .dnsNames("peer0.org1.example.com", "localhost").ipAddresses("127.0.0.1")
                .serverAndClientAuth().issuedBy(serverCa);
        namedOnlyServer = X509Issuer.certificate("C=US,O=org1.example.com,CN=peer0.org1.example.com")
                .dnsNames("peer0.org1.example.com").serverAndClientAuth().issuedBy(serverCa);
        otherCa = X509Issuer.certificate("C=US,O=evil.example.com,CN=tlsca.evil.example.com").ca(true).selfSigned();
        clientCa = X509Issuer.certificate("C=US,O=org2.example.com,CN=tlsca.org2.example.com").ca(true).selfSigned();
        client = X509Issuer.certificate("C=US,O=org2.example.com,CN=User1@org2.example.com")
                .serverAndClientAuth().issuedBy(clientCa);
    }

    @Test
    void tlsProvider_isBoringSsl() {
        assertEquals(SslProvider.OPENSSL, GrpcChannels.tlsProvider());
    }

    @Test
    void tls_serverSignedByTrustedCa_callSucceeds() throws Exception {
        Server s = start(server, false);
        ManagedChannel channel = grpc.register(GrpcChannels.create(EndpointConfig.builder("127.0.0.1:" + s.getPort())
                .tls(List.of(serverCa.certificate())).build()));
        ProposalResponse response = EndorserGrpc.newBlockingStub(channel).processProposal(SignedProposal.getDefaultInstance());
        assertEquals(200, response.getResponse().getStatus());
        assertEquals("anonymous", response.getResponse().getMessage());
    }

    @Test
    void mutualTls_clientCertificatePresented_serverSeesClient() throws Exception {
        Server s = start(server, true);
        EndpointConfig endpoint = EndpointConfig.builder("localhost:" + s.getPort())
                .tls(List.of(serverCa.certificate()))
                .clientCertificate(List.of(client.certificate()), client.key())
                .build();
        ManagedChannel channel = grpc.register(GrpcChannels.create(endpoint));
        ProposalResponse response = EndorserGrpc.newBlockingStub(channel).processProposal(SignedProposal.getDefaultInstance());
        assertEquals("CN=User1@org2.example.com,O=org2.example.com,C=US", response.getResponse().getMessage());
        assertEquals(32, endpoint.clientCertificateHash().length);
    }

    @Test
    void mutualTls_withoutClientCertificate_fails() throws Exception {
        Server s = start(server, true);
        ManagedChannel channel = grpc.register(GrpcChannels.create(EndpointConfig.builder("localhost:" + s.getPort())
                .tls(List.of(serverCa.certificate())).build()));
        var e = assertThrows(StatusRuntimeException.class,
                () -> EndorserGrpc.newBlockingStub(channel).processProposal(SignedProposal.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertNotNull(GrpcChannels.describeConnectionFailure("localhost:" + s.getPort(), e));
    }

    @Test
    void tls_serverSignedByAnotherCa_failsWithClearMessage() throws Exception {
        Server s = start(server, false);
        String target = "127.0.0.1:" + s.getPort();
        ManagedChannel channel = grpc.register(GrpcChannels.create(EndpointConfig.builder(target)
                .tls(List.of(otherCa.certificate())).build()));
        var e = assertThrows(StatusRuntimeException.class,
                () -> EndorserGrpc.newBlockingStub(channel).processProposal(SignedProposal.getDefaultInstance()));
        ConnectionException described = GrpcChannels.describeConnectionFailure(target, e);
        assertNotNull(described);
        assertTrue(described.getMessage().contains("not signed by a trusted CA"), described.getMessage());
        assertTrue(described.getMessage().contains(target), described.getMessage());
        assertFalse(described.retryable(), "a trust failure repeats until the configuration changes");
        assertEquals(target, described.endpoint());
    }

    @Test
    void authorityOverride_serverCertNamesOnlyTheHostname_connectsByIp() throws Exception {
        Server s = start(namedOnlyServer, false);
        String target = "127.0.0.1:" + s.getPort();
        ManagedChannel withoutOverride = grpc.register(GrpcChannels.create(EndpointConfig.builder(target)
                .tls(List.of(serverCa.certificate())).build()));
        var e = assertThrows(StatusRuntimeException.class,
                () -> EndorserGrpc.newBlockingStub(withoutOverride).processProposal(SignedProposal.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());

        ManagedChannel withOverride = grpc.register(GrpcChannels.create(EndpointConfig.builder(target)
                .tls(List.of(serverCa.certificate())).authorityOverride("peer0.org1.example.com").build()));
        assertEquals(200, EndorserGrpc.newBlockingStub(withOverride)
                .processProposal(SignedProposal.getDefaultInstance()).getResponse().getStatus());
    }

    @Test
    void defaultDeadline_serverNeverAnswers_unaryCallTimesOut() throws Exception {
        Server s = grpc.register(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new EndorserGrpc.EndorserImplBase() {
                    @Override
                    public void processProposal(SignedProposal request, StreamObserver<ProposalResponse> observer) {
                        // never answers
                    }
                }).build().start());
        String target = "127.0.0.1:" + s.getPort();
        ManagedChannel channel = grpc.register(GrpcChannels.create(EndpointConfig.builder(target).plaintext()
                .defaultDeadline(Duration.ofMillis(200)).build()));
        var e = assertThrows(StatusRuntimeException.class,
                () -> EndorserGrpc.newBlockingStub(channel).processProposal(SignedProposal.getDefaultInstance()));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        ConnectionException described = GrpcChannels.describeConnectionFailure(target, e);
        assertTrue(described.retryable());
    }

    @Test
    void unreachableEndpoint_describedAsRetryableConnectionFailure() throws Exception {
        // Bind and close a server to get a port nobody listens on.
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).build().start();
        int port = s.getPort();
        s.shutdownNow().awaitTermination();
        String target = "127.0.0.1:" + port;
        ManagedChannel channel = grpc.register(GrpcChannels.create(EndpointConfig.builder(target).plaintext().build()));
        var e = assertThrows(StatusRuntimeException.class,
                () -> EndorserGrpc.newBlockingStub(channel).processProposal(SignedProposal.getDefaultInstance()));
        ConnectionException described = GrpcChannels.describeConnectionFailure(target, e);
        assertTrue(described.retryable());
        assertTrue(described.getMessage().startsWith("cannot connect to " + target), described.getMessage());
        assertNull(GrpcChannels.describeConnectionFailure(target, Status.PERMISSION_DENIED.asRuntimeException()));
    }

    @Test
    void endpointBuilder_rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> EndpointConfig.builder("no-port"));
        assertThrows(IllegalArgumentException.class, () -> EndpointConfig.builder("host:0"));
        assertThrows(IllegalArgumentException.class, () -> EndpointConfig.builder("host:x"));
        assertThrows(IllegalArgumentException.class, () -> EndpointConfig.builder("h:1").tls(List.of()));
        assertThrows(IllegalStateException.class, () -> EndpointConfig.builder("h:1")
                .clientCertificate(List.of(client.certificate()), client.key()).build());
        assertThrows(CredentialException.class, () -> EndpointConfig.builder("h:1").tls(List.of(serverCa.certificate()))
                .clientCertificate(List.of(client.certificate()), server.key()).build());
        assertEquals("::1", EndpointConfig.builder("[::1]:7051").build().host());
    }

    /** An Endorser that answers 200 with the TLS client's subject (or "anonymous"). */
    private Server start(Issued serverCert, boolean requireClientCert) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.configure(
                SslContextBuilder.forServer(serverCert.key(), serverCert.certificate()), SslProvider.OPENSSL);
        if (requireClientCert) {
            ssl.trustManager(clientCa.certificate()).clientAuth(ClientAuth.REQUIRE);
        }
        Context.Key<String> clientKey = Context.key("client");
        ServerInterceptor captureClient = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                String subject = "anonymous";
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                try {
                    if (session != null) {
                        subject = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
                    }
                } catch (SSLPeerUnverifiedException e) {
                    subject = "anonymous";
                }
                return Contexts.interceptCall(Context.current().withValue(clientKey, subject), call, headers, next);
            }
        };
        EndorserGrpc.EndorserImplBase endorser = new EndorserGrpc.EndorserImplBase() {
            @Override
            public void processProposal(SignedProposal request, StreamObserver<ProposalResponse> observer) {
                observer.onNext(ProposalResponse.newBuilder()
                        .setResponse(Response.newBuilder().setStatus(200).setMessage(clientKey.get())).build());
                observer.onCompleted();
            }
        };
        return grpc.register(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(ssl.build())
                .addService(ServerInterceptors.intercept(endorser, captureClient))
                .build().start());
    }
}
