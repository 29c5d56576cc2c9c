package dev.weft.core;

/**
 * An event stream (blocks, filtered blocks, chaincode events) ended with an error: the peer
 * refused the request (FORBIDDEN, NOT_FOUND, BAD_REQUEST), the connection failed, or a response
 * could not be read. Event streams report such errors rather than reconnect silently, so that the
 * application decides where to resume; {@link #detail()} says what the peer answered. Retryable
 * when the failure was the connection or the peer's availability.
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
