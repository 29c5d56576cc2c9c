package dev.weft.testnet.internal;

import dev.weft.core.CredentialException;
import dev.weft.core.EndpointConfig;
import dev.weft.core.GrpcChannels;
import dev.weft.core.InternalApi;
import dev.weft.core.internal.X509Issuer.Issued;
import dev.weft.testnet.internal.deliver.TlsBinding;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** Starting and stopping the reference nodes' TLS gRPC servers the way Fabric nodes listen. */
@InternalApi
public final class GrpcServers {
    /** Fabric's {@code peer.keepalive.minInterval} / orderer {@code General.Keepalive.ServerMinInterval}. */
    private static final long MIN_KEEPALIVE_SECONDS = 60;

    private GrpcServers() {
    }

    /**
     * Starts a TLS server on {@code host:port} (port 0 picks a free one).
     *
     * @param clientRoots CAs that may sign client TLS certificates (used when client auth is required)
     */
    public static Server start(String host, int port, Issued tls, List<X509Certificate> clientRoots,
            boolean requireClientAuth, Executor executor, List<ServerServiceDefinition> services) {
        try {
            SslContextBuilder ssl = GrpcSslContexts.configure(
                    SslContextBuilder.forServer(tls.key(), tls.certificate()), GrpcChannels.tlsProvider());
            if (requireClientAuth) {
                ssl.trustManager(clientRoots.toArray(new X509Certificate[0])).clientAuth(ClientAuth.REQUIRE);
            } else {
                // As Fabric's servers (tls.RequestClientCert): a client may present any certificate, unverified,
                // so that requests can be bound to it (discovery requires the hash of the one presented).
                ssl.trustManager(InsecureTrustManagerFactory.INSTANCE).clientAuth(ClientAuth.OPTIONAL);
            }
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .sslContext(ssl.build())
                    .executor(executor)
                    .maxInboundMessageSize(EndpointConfig.DEFAULT_MAX_INBOUND_MESSAGE_SIZE)
                    .permitKeepAliveTime(MIN_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true);
            TlsBinding binding = new TlsBinding();
            for (ServerServiceDefinition service : services) {
                builder.addService(ServerInterceptors.intercept(service, binding));
            }
            return builder.build().start();
        } catch (SSLException e) {
            throw new CredentialException("cannot use the TLS certificate of " + host + ":" + port, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * A port that is free on {@code host} now, for a listener that must be named before it starts
     * (a Raft member is named in the genesis block). Another process may take it in between; the
     * listener's start then fails, saying so.
     */
    public static int freePort(String host) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }

    /** Ends every call at once (UNAVAILABLE to the clients), as a crashed server would, and waits for it. */
    public static void kill(Server server) {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** shutdown, await, shutdownNow: what grpc-java recommends for a clean stop. */
    public static void stop(Server server) {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }
}
