package dev.weft.core;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

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

    /**
     * The failure inside the {@link CompletionException} and {@link ExecutionException} wrappers
     * that {@code CompletableFuture} adds, so that a callback of an asynchronous call can test the
     * Weft exception itself:
     *
     * <pre>{@code
     * contract.newTransaction("CreateAsset").arguments(...).submitAsync().whenComplete((result, error) -> {
     *     if (error != null && WeftException.unwrap(error) instanceof CommitException commit && commit.retryable()) {
     *         ...
     *     }
     * });
     * }</pre>
     *
     * @return the innermost non-wrapper cause (the argument itself if it is no wrapper)
     */
    public static Throwable unwrap(Throwable error) {
        Throwable t = java.util.Objects.requireNonNull(error, "error");
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Whether the failed operation may succeed if it is tried again. */
    public boolean retryable() {
        return retryable;
    }
}
