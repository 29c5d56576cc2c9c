package dev.weft.core;

/**
 * The root of every exception Weft throws on purpose.
 *
 * <p>Weft's exceptions are unchecked: a failed Fabric call is rarely something the caller can
 * handle at the point of the call, and checked exceptions would leak into every lambda of an
 * asynchronous pipeline. Each stage adds a subclass that carries what went wrong in a form a
 * program can act on (the transaction id, the node that failed, the Fabric status).
 *
 * <p>{@link #retryable()} says whether trying the same operation again, unchanged or with a new
 * transaction id, can reasonably succeed (an unavailable node, a read conflict), as opposed to a
 * failure that will repeat until the input changes (a bad key, a malformed policy).
 *
 * <p>Messages never contain private keys, signatures or transient data.
 */
public class WeftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public WeftException(String message) {
        this(message, null, false);
    }

    public WeftException(String message, Throwable cause) {
        this(message, cause, false);
    }

    protected WeftException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether the failed operation may succeed if it is tried again. */
    public boolean retryable() {
        return retryable;
    }
}
