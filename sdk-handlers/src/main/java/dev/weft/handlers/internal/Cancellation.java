package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.handlers.ContextKey;
import dev.weft.handlers.TxContext;
import java.util.concurrent.CompletableFuture;

/**
 * How the application's cancellation reaches the steps that do network work: the transaction's
 * context carries a future that completes when the application cancels (or stops waiting because
 * its thread was interrupted). Endorsement calls in flight are cancelled, and nothing is broadcast
 * after it; once broadcast, a transaction cannot be taken back.
 *
 * <p>A context without such a future (one a handler or test built itself) is never cancelled.
 * Nothing is ever attached for it: a shared "never" future would collect one listener per call
 * for the life of the process.
 */
@InternalApi
public final class Cancellation {
    /** Completes when the application has cancelled the transaction. */
    public static final ContextKey<CompletableFuture<Void>> KEY = ContextKey.named("weft-cancellation");

    /** The signal of a context that has none: it never completes, and nothing may wait on it. */
    static final CompletableFuture<Void> NONE = new CompletableFuture<>();

    private Cancellation() {
    }

    /** Whether the application has cancelled the transaction. */
    public static boolean isCancelled(TxContext context) {
        return context.get(KEY).map(CompletableFuture::isDone).orElse(false);
    }

    /**
     * Runs {@code action} when the application cancels the transaction (at once if it already
     * has); nothing when the context carries no cancellation signal.
     */
    public static void onCancel(TxContext context, Runnable action) {
        CompletableFuture<Void> signal = context.get(KEY).orElse(NONE);
        if (signal != NONE) {
            signal.thenRun(action);
        }
    }
}
