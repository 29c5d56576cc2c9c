package dev.weft.testnet.internal.deliver;

import dev.weft.core.InternalApi;
import dev.weft.core.internal.Hashing;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Makes the SHA-256 of the client's TLS certificate (if it presented one) available to services,
 * for Fabric's binding of requests to the TLS session ({@code ChannelHeader.tls_cert_hash}), and
 * the client's address, so that a refused request can be logged with where it came from.
 *
 * <p>Stateless and thread-safe.
 */
@InternalApi
public final class TlsBinding implements ServerInterceptor {
    public static final Context.Key<byte[]> CLIENT_CERT_HASH = Context.key("weft-client-cert-hash");
    /** The client's address ({@code host:port}), or null if the transport does not say. */
    public static final Context.Key<String> REMOTE_ADDRESS = Context.key("weft-remote-address");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        byte[] hash = null;
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session != null) {
            try {
                Certificate[] chain = session.getPeerCertificates();
                if (chain.length > 0) {
                    hash = Hashing.sha256(chain[0].getEncoded());
                }
            } catch (SSLPeerUnverifiedException | CertificateEncodingException e) {
                hash = null;
            }
        }
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        Context context = Context.current().withValues(CLIENT_CERT_HASH, hash, REMOTE_ADDRESS, address(remote));
        return Contexts.interceptCall(context, call, headers, next);
    }

    private static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        return remote == null ? null : remote.toString();
    }
}
