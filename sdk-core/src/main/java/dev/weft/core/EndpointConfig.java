package dev.weft.core;

import dev.weft.core.internal.Hashing;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * How to reach one Fabric node over gRPC: address, TLS trust and client certificate, authority
 * override, keep-alive, message size limit and default deadline. Turn it into a channel with
 * {@link GrpcChannels#create}.
 *
 * <p>Defaults follow what Fabric nodes accept: keep-alive pings every 2 minutes (peers and
 * orderers disconnect clients that ping more often than once a minute), a 100 MiB inbound limit
 * (Fabric's own default), a 10 s connect timeout, and a 30 s deadline for unary calls that set none.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * EndpointConfig peer = EndpointConfig.builder("peer0.org1.example.com:7051")
 *         .tls(Credentials.readCertificates(Path.of("tlsca.pem")))
 *         .build();
 * }</pre>
 */
public final class EndpointConfig {
    public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 100 * 1024 * 1024;
    public static final Duration DEFAULT_KEEP_ALIVE_TIME = Duration.ofMinutes(2);
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    private final String target;
    private final String host;
    private final int port;
    private final boolean tls;
    private final List<X509Certificate> trustedCertificates;
    private final List<X509Certificate> clientCertificateChain;
    private final PrivateKey clientKey;
    private final String authorityOverride;
    private final Duration keepAliveTime;
    private final Duration keepAliveTimeout;
    private final boolean keepAliveWithoutCalls;
    private final int maxInboundMessageSize;
    private final Duration connectTimeout;
    private final Duration defaultDeadline;
    private final Executor executor;

    private EndpointConfig(Builder b) {
        this.target = (b.host.indexOf(':') >= 0 ? "[" + b.host + "]" : b.host) + ":" + b.port;
        this.host = b.host;
        this.port = b.port;
        this.tls = b.tls;
        this.trustedCertificates = List.copyOf(b.trustedCertificates);
        this.clientCertificateChain = List.copyOf(b.clientCertificateChain);
        this.clientKey = b.clientKey;
        this.authorityOverride = b.authorityOverride;
        this.keepAliveTime = b.keepAliveTime;
        this.keepAliveTimeout = b.keepAliveTimeout;
        this.keepAliveWithoutCalls = b.keepAliveWithoutCalls;
        this.maxInboundMessageSize = b.maxInboundMessageSize;
        this.connectTimeout = b.connectTimeout;
        this.defaultDeadline = b.defaultDeadline;
        this.executor = b.executor;
    }

    /**
     * A builder for a {@code host:port} target (an IPv6 address in brackets, {@code [::1]:7051}).
     *
     * @throws IllegalArgumentException if the target is not {@code host:port} with a port in 1..65535
     */
    public static Builder builder(String target) {
        return new Builder(target);
    }

    public Builder toBuilder() {
        Builder b = new Builder(target);
        b.tls = tls;
        b.trustedCertificates = trustedCertificates;
        b.clientCertificateChain = clientCertificateChain;
        b.clientKey = clientKey;
        b.authorityOverride = authorityOverride;
        b.keepAliveTime = keepAliveTime;
        b.keepAliveTimeout = keepAliveTimeout;
        b.keepAliveWithoutCalls = keepAliveWithoutCalls;
        b.maxInboundMessageSize = maxInboundMessageSize;
        b.connectTimeout = connectTimeout;
        b.defaultDeadline = defaultDeadline;
        b.executor = executor;
        return b;
    }

    /** {@code host:port}. */
    public String target() {
        return target;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public boolean tls() {
        return tls;
    }

    /** CA certificates that may sign the server's TLS certificate (empty for plaintext). */
    public List<X509Certificate> trustedCertificates() {
        return trustedCertificates;
    }

    /** The client TLS certificate and its issuers, for mutual TLS (empty if none). */
    public List<X509Certificate> clientCertificateChain() {
        return clientCertificateChain;
    }

    public Optional<PrivateKey> clientKey() {
        return Optional.ofNullable(clientKey);
    }

    /** The name expected in the server certificate, when it differs from the host (Fabric's {@code ssl-target-name-override}). */
    public Optional<String> authorityOverride() {
        return Optional.ofNullable(authorityOverride);
    }

    public Duration keepAliveTime() {
        return keepAliveTime;
    }

    public Duration keepAliveTimeout() {
        return keepAliveTimeout;
    }

    public boolean keepAliveWithoutCalls() {
        return keepAliveWithoutCalls;
    }

    /**
     * The largest message accepted from the node, and also the largest sent to it (Fabric nodes
     * accept 100 MiB by default in both directions): a larger request fails locally with
     * RESOURCE_EXHAUSTED before anything is sent ({@link GrpcChannels#checkSize}).
     */
    public int maxInboundMessageSize() {
        return maxInboundMessageSize;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Deadline applied to unary calls that set none; streams are never given one. */
    public Duration defaultDeadline() {
        return defaultDeadline;
    }

    /** The executor for gRPC callbacks, if the caller supplies one (it stays the caller's to shut down). */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    /**
     * SHA-256 of the client TLS certificate's DER, for the {@code tls_cert_hash} of requests to
     * servers that require client certificates; empty without mutual TLS.
     */
    public byte[] clientCertificateHash() {
        if (clientCertificateChain.isEmpty()) {
            return new byte[0];
        }
        try {
            return Hashing.sha256(clientCertificateChain.get(0).getEncoded());
        } catch (CertificateEncodingException e) {
            throw new CredentialException("client TLS certificate cannot be encoded", e);
        }
    }

    @Override
    public String toString() {
        return "EndpointConfig[" + target + (tls ? " tls" : " plaintext")
                + (clientCertificateChain.isEmpty() ? "" : " mutual")
                + (authorityOverride == null ? "" : " authority=" + authorityOverride) + "]";
    }

    /** Builds an {@link EndpointConfig}. Not thread-safe. */
    public static final class Builder {
        private final String host;
        private final int port;
        private boolean tls;
        private List<X509Certificate> trustedCertificates = List.of();
        private List<X509Certificate> clientCertificateChain = List.of();
        private PrivateKey clientKey;
        private String authorityOverride;
        private Duration keepAliveTime = DEFAULT_KEEP_ALIVE_TIME;
        private Duration keepAliveTimeout = DEFAULT_KEEP_ALIVE_TIMEOUT;
        private boolean keepAliveWithoutCalls;
        private int maxInboundMessageSize = DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration defaultDeadline = DEFAULT_DEADLINE;
        private Executor executor;

        private Builder(String target) {
            Objects.requireNonNull(target, "target");
            int colon = target.lastIndexOf(':');
            if (colon <= 0 || colon == target.length() - 1) {
                throw new IllegalArgumentException("target '" + target + "' must be host:port");
            }
            String h = target.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            int p;
            try {
                p = Integer.parseInt(target.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("target '" + target + "' has a non-numeric port", e);
            }
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("target '" + target + "' has port " + p + " outside 1..65535");
            }
            this.host = h;
            this.port = p;
        }

        /**
         * Use TLS, trusting servers whose certificate is signed by one of these CA certificates.
         *
         * @throws IllegalArgumentException if the list is empty
         */
        public Builder tls(List<X509Certificate> trustedCertificates) {
            if (trustedCertificates.isEmpty()) {
                throw new IllegalArgumentException("TLS needs at least one trusted CA certificate");
            }
            this.tls = true;
            this.trustedCertificates = List.copyOf(trustedCertificates);
            return this;
        }

        /** Connect without TLS (only for nodes that run without TLS, such as local test setups). */
        public Builder plaintext() {
            this.tls = false;
            this.trustedCertificates = List.of();
            this.clientCertificateChain = List.of();
            this.clientKey = null;
            return this;
        }

        /**
         * Present this client certificate (mutual TLS). Requires {@link #tls}.
         *
         * @param chain the client certificate first, then any intermediates
         */
        public Builder clientCertificate(List<X509Certificate> chain, PrivateKey key) {
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("client certificate chain must not be empty");
            }
            this.clientCertificateChain = List.copyOf(chain);
            this.clientKey = Objects.requireNonNull(key, "key");
            return this;
        }

        public Builder authorityOverride(String authority) {
            this.authorityOverride = ChaincodeProposal.requireNonEmpty(authority, "authority");
            return this;
        }

        public Builder keepAliveTime(Duration time) {
            this.keepAliveTime = positive(time, "keepAliveTime");
            return this;
        }

        public Builder keepAliveTimeout(Duration timeout) {
            this.keepAliveTimeout = positive(timeout, "keepAliveTimeout");
            return this;
        }

        public Builder keepAliveWithoutCalls(boolean enabled) {
            this.keepAliveWithoutCalls = enabled;
            return this;
        }

        public Builder maxInboundMessageSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxInboundMessageSize must be positive, got " + bytes);
            }
            this.maxInboundMessageSize = bytes;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        public Builder defaultDeadline(Duration deadline) {
            this.defaultDeadline = positive(deadline, "defaultDeadline");
            return this;
        }

        /** An executor for gRPC callbacks; the caller keeps ownership and shuts it down. */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @throws IllegalStateException if a client certificate is set without TLS
         */
        public EndpointConfig build() {
            if (!tls && !clientCertificateChain.isEmpty()) {
                throw new IllegalStateException("a client certificate needs TLS: call tls(...) with the server's CA");
            }
            if (tls && !clientCertificateChain.isEmpty()) {
                Credentials.checkKeyPair(clientCertificateChain.get(0), clientKey);
            }
            return new EndpointConfig(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
