package dev.weft.core;

import com.google.protobuf.MessageLite;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NegotiationType;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates gRPC channels to Fabric nodes from {@link EndpointConfig}s: grpc-netty, with TLS by
 * netty-tcnative's BoringSSL when it is available on the platform (JDK TLS otherwise), mutual TLS,
 * authority override, keep-alive, message size limit, connect timeout, and a default deadline
 * for unary calls.
 *
 * <p>Ownership: the caller owns every channel this class returns and must shut it down. Channels
 * are meant to be shared: one per node, used by every call to it.
 */
public final class GrpcChannels {
    private static final Logger log = LoggerFactory.getLogger(GrpcChannels.class);

    private GrpcChannels() {
    }

    /**
     * Creates a channel. No connection is made until the first call.
     *
     * @throws CredentialException if the TLS material cannot be used
     */
    public static ManagedChannel create(EndpointConfig endpoint) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.host(), endpoint.port())
                .maxInboundMessageSize(endpoint.maxInboundMessageSize())
                .keepAliveTime(endpoint.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(endpoint.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveWithoutCalls(endpoint.keepAliveWithoutCalls())
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        endpoint.connectTimeout().toMillis()))
                .intercept(new DefaultDeadline(endpoint.defaultDeadline().toNanos()));
        endpoint.authorityOverride().ifPresent(builder::overrideAuthority);
        endpoint.executor().ifPresent(builder::executor);
        if (endpoint.tls()) {
            builder.negotiationType(NegotiationType.TLS).sslContext(sslContext(endpoint));
        } else {
            builder.usePlaintext();
        }
        log.debug("created channel to {}", endpoint);
        return builder.build();
    }

    /** The TLS implementation channels use: {@code OPENSSL} (BoringSSL) when available, else {@code JDK}. */
    public static SslProvider tlsProvider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private static SslContext sslContext(EndpointConfig endpoint) {
        try {
            SslContextBuilder ssl = GrpcSslContexts.configure(SslContextBuilder.forClient(), tlsProvider())
                    .trustManager(endpoint.trustedCertificates().toArray(new X509Certificate[0]));
            if (!endpoint.clientCertificateChain().isEmpty()) {
                ssl.keyManager(endpoint.clientKey().orElseThrow(),
                        endpoint.clientCertificateChain().toArray(new X509Certificate[0]));
            }
            return ssl.build();
        } catch (SSLException | RuntimeException e) {
            throw new CredentialException("TLS settings for " + endpoint.target() + " cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * Turns a failed call into a {@link ConnectionException} with a message a person can act on,
     * when the failure is about the connection (UNAVAILABLE, a TLS handshake failure). Returns
     * null for other failures, which the caller reports in its own terms.
     */
    public static ConnectionException describeConnectionFailure(String target, Throwable failure) {
        return describe(target, null, failure);
    }

    /**
     * Like {@link #describeConnectionFailure(String, Throwable)}, knowing how the client tried to
     * connect: the message can then say that the server wants TLS when the client spoke plaintext,
     * or a client certificate when it gave none.
     */
    public static ConnectionException describeConnectionFailure(EndpointConfig endpoint, Throwable failure) {
        return describe(endpoint.target(), endpoint, failure);
    }

    private static ConnectionException describe(String target, EndpointConfig endpoint, Throwable failure) {
        Status status = Status.fromThrowable(failure);
        // An alert the server sent says what it refused; check it before the client's own trust failures.
        String handshake = handshakeFailure(failure);
        if (handshake != null) {
            boolean presented = endpoint != null && !endpoint.clientCertificateChain().isEmpty();
            String reason;
            if (presented && handshake.contains("certificate_required")) {
                // The server named the CAs it trusts and the client's certificate is not from one of
                // them, so the TLS stack had nothing to send.
                X509Certificate client = endpoint.clientCertificateChain().get(0);
                reason = "the server requires a client TLS certificate issued by a CA it trusts, and the one given ("
                        + client.getSubjectX500Principal().getName() + ", issued by "
                        + client.getIssuerX500Principal().getName() + ") is not: use a certificate from the tlsca of "
                        + "the client's organisation";
            } else if (handshake.contains("certificate_required")
                    || (handshake.contains("handshake_failure") && !presented)) {
                reason = "the server requires a client TLS certificate (mutual TLS) and none was given: give the client's "
                        + "TLS certificate and key (Gateway.Builder.clientTls; weft: --tls-cert and --tls-key)";
            } else if (presented && (handshake.contains("bad_certificate") || handshake.contains("unknown_ca")
                    || handshake.contains("certificate_unknown") || handshake.contains("internal_error")
                    || handshake.contains("access_denied"))) {
                X509Certificate client = endpoint.clientCertificateChain().get(0);
                reason = "the server did not accept the client TLS certificate (" + client.getSubjectX500Principal().getName()
                        + ", issued by " + client.getIssuerX500Principal().getName() + "): it must be issued by a TLS CA "
                        + "the server trusts, usually the tlsca of the client's organisation";
            } else if (handshake.contains("not_ssl_record") || handshake.contains("not an ssl/tls record")
                    || handshake.contains("wrong_version_number")) {
                reason = "the server does not speak TLS: connect without it (grpc:// instead of grpcs:// in the url)";
            } else {
                reason = "the TLS handshake failed (" + handshake + ")";
            }
            return new ConnectionException(target, "cannot connect to " + target + ": " + reason, failure, false);
        }
        Throwable tlsCause = findTlsFailure(failure);
        if (tlsCause != null) {
            String reason = tlsCause instanceof CertPathValidatorException || mentionsTrust(tlsCause)
                    ? "the server's certificate is not signed by a trusted CA (check the tlsCACerts configured for "
                            + target + ")"
                    : "the TLS handshake failed (" + tlsCause.getMessage() + ")";
            return new ConnectionException(target, "cannot connect to " + target + ": " + reason, failure, false);
        }
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            String detail = status.getDescription() != null ? status.getDescription()
                    : status.getCause() != null ? status.getCause().getMessage() : "unavailable";
            if ("io exception".equals(detail) && status.getCause() != null) {
                // gRPC's generic words; the transport's own say what happened (Connection refused, reset).
                Throwable root = status.getCause();
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                detail = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
            }
            if (endpoint != null && !endpoint.tls() && closedDuringHandshake(detail)) {
                return new ConnectionException(target, "cannot connect to " + target + ": the server closed the "
                        + "connection before answering, as a TLS server does to a client speaking plaintext: use TLS "
                        + "(grpcs:// in the url, with the server's tlsCACerts)", failure, false);
            }
            return new ConnectionException(target, "cannot connect to " + target + ": " + detail, failure, true);
        }
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED && failure instanceof StatusRuntimeException) {
            return new ConnectionException(target, "call to " + target + " timed out: " + status.getDescription(),
                    failure, true);
        }
        return null;
    }

    private static Throwable findTlsFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException || t instanceof CertificateException) {
                return t;
            }
            if (t instanceof SSLHandshakeException) {
                Throwable deeper = t.getCause();
                while (deeper != null) {
                    if (deeper instanceof CertPathValidatorException || deeper instanceof CertificateException) {
                        return deeper;
                    }
                    deeper = deeper.getCause();
                }
                return t;
            }
        }
        return null;
    }

    private static boolean mentionsTrust(Throwable t) {
        String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("path") || m.contains("trust") || m.contains("unknown ca") || m.contains("certificate_unknown");
    }

    private static boolean closedDuringHandshake(String detail) {
        String d = detail.toLowerCase(Locale.ROOT);
        return d.contains("network closed for unknown reason") || d.contains("first received frame was not settings")
                || d.contains("connection reset");
    }

    /**
     * The TLS alert or record error of a failed handshake, lower-cased (BoringSSL and the JDK word
     * them differently: {@code TLSV1_ALERT_CERTIFICATE_REQUIRED}, {@code Received fatal alert:
     * certificate_required}); null if the failure is not one.
     */
    private static String handshakeFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            int alert = m.indexOf("alert_");
            if (alert >= 0) {
                return m.substring(alert + "alert_".length()).trim();
            }
            int fatal = m.indexOf("received fatal alert: ");
            if (fatal >= 0) {
                return m.substring(fatal + "received fatal alert: ".length()).trim();
            }
            if (m.contains("not_ssl_record") || m.contains("not an ssl/tls record") || m.contains("wrong_version_number")) {
                return m;
            }
        }
        return null;
    }

    /** Applies a deadline to unary calls that have none, so that no request can hang forever. */
    private static final class DefaultDeadline implements ClientInterceptor {
        private final long nanos;

        DefaultDeadline(long nanos) {
            this.nanos = nanos;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
                options = options.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS);
            }
            return next.newCall(method, options);
        }
    }

    /**
     * Refuses, before anything is sent, a message larger than the node accepts (the endpoint's
     * message size limit, 100 MiB by default as on Fabric nodes): RESOURCE_EXHAUSTED. Sent, it
     * would be streamed to a server that drops it, and gRPC's own outbound limit does not fail a
     * call made before the connection is up.
     *
     * @return the failure, or null if the message fits
     */
    public static StatusRuntimeException checkSize(EndpointConfig endpoint, MessageLite message) {
        int size = message.getSerializedSize();
        if (size <= endpoint.maxInboundMessageSize()) {
            return null;
        }
        return Status.RESOURCE_EXHAUSTED.withDescription("a message of " + size + " bytes is larger than the "
                + endpoint.maxInboundMessageSize() + " bytes " + endpoint.target() + " accepts").asRuntimeException();
    }
}
