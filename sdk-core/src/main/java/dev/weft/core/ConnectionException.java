package dev.weft.core;

/**
 * A gRPC connection to a Fabric node could not be set up or was lost: the endpoint is
 * unreachable, the TLS handshake failed (for example the server's certificate is not signed by
 * the configured CA), or the channel was shut down. Retryable unless the cause is a TLS trust
 * failure, which repeats until the configuration changes.
 */
public class ConnectionException extends WeftException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;

    public ConnectionException(String endpoint, String message, Throwable cause, boolean retryable) {
        super(message, cause, retryable);
        this.endpoint = endpoint;
    }

    /** The {@code host:port} that could not be reached. */
    public String endpoint() {
        return endpoint;
    }
}
