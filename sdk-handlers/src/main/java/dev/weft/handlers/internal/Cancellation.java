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
 */
@InternalApi
public final class Cancellation {
    /** Completes when the application has cancelled the transaction. */
    public static final ContextKey<CompletableFuture<Void>> KEY = ContextKey.named("weft-cancellation");

    private static final CompletableFuture<Void> NEVER = new CompletableFuture<>();

    private Cancellation() {
    }

    /** The transaction's cancellation signal (one that never fires if the context has none). */
    public static CompletableFuture<Void> of(TxContext context) {
        return context.get(KEY).orElse(NEVER);
    }
}
