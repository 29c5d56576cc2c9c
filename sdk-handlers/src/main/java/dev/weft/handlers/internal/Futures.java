package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.core.WeftException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for the pipeline's futures. */
@InternalApi
public final class Futures {
    private Futures() {
    }

    /** The real failure inside CompletionException / ExecutionException wrappers. */
    public static Throwable unwrap(Throwable error) {
        Throwable t = Objects.requireNonNull(error, "error");
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A failure to throw from a future's stage: unchecked as it is, anything else wrapped for the future. */
    public static RuntimeException asCompletion(Throwable error) {
        return error instanceof RuntimeException unchecked ? unchecked : new CompletionException(error);
    }

    /**
     * Waits for a future on the caller's thread (the blocking API only) and rethrows its failure
     * unwrapped: our own exceptions and other unchecked ones as they are, anything else wrapped
     * in a {@link WeftException}.
     */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new WeftException("interrupted while waiting for the transaction", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new WeftException(String.valueOf(cause.getMessage()), cause);
        }
    }
}
