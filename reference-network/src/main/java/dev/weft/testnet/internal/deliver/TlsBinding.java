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
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Makes the SHA-256 of the client's TLS certificate (if it presented one) available to services,
 * for Fabric's binding of requests to the TLS session ({@code ChannelHeader.tls_cert_hash}).
 */
@InternalApi
public final class TlsBinding implements ServerInterceptor {
    public static final Context.Key<byte[]> CLIENT_CERT_HASH = Context.key("weft-client-cert-hash");

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
        return Contexts.interceptCall(Context.current().withValue(CLIENT_CERT_HASH, hash), call, headers, next);
    }
}
