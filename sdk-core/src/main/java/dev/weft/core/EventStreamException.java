package dev.weft.core;

/**
 * An event stream (blocks, filtered blocks, chaincode events) ended with an error: the peer
 * refused the request (FORBIDDEN, NOT_FOUND, BAD_REQUEST), the connection failed, or a response
 * could not be read. A stream that reconnects passes each break to its {@code onReconnect}
 * listener and resumes; it ends with this exception when the peer refused the request, when
 * reconnecting was turned off, or for a request the application signed (it cannot be re-signed).
 * {@link #detail()} says what the peer answered. Retryable when the failure was the connection or
 * the peer's availability.
 */
public class EventStreamException extends WeftException {
    private static final long serialVersionUID = 1L;

    private final NodeError detail;

    public EventStreamException(String message, NodeError detail, Throwable cause, boolean retryable) {
        super(message + " [" + detail + "]", cause, retryable);
        this.detail = detail;
    }

    /** The peer and what it answered. */
    public NodeError detail() {
        return detail;
    }
}
