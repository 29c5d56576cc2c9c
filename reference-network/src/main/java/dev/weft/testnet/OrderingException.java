package dev.weft.testnet;

import dev.weft.core.WeftException;

/**
 * A chain could not accept a message right now: it is halted, or not ready. Broadcast answers
 * the client {@code SERVICE_UNAVAILABLE}, which a client may retry elsewhere.
 */
public class OrderingException extends WeftException {
    private static final long serialVersionUID = 1L;

    public OrderingException(String message) {
        super(message, null, true);
    }
}
