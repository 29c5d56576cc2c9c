package dev.weft.handlers;

import dev.weft.handlers.internal.Futures;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The pipeline's {@link Handler.Chain}: an immutable list of handlers and the position of the
 * next one. Each call to a handler gets its own chain object, which enforces the rules and names
 * the handler that broke them: there must be a next handler, a handler returns a non-null future,
 * and it may call {@code proceed} again only after the previous call's future completed.
 *
 * <p>Futures are handed on with their failure unwrapped (never a {@link CompletionException}), so
 * a handler can test {@code error instanceof CommitException} directly.
 */
final class RealHandlerChain implements Handler.Chain {
    private final List<Handler> handlers;
    private final int index;
    private final Handler caller;
    private boolean busy;

    private RealHandlerChain(List<Handler> handlers, int index, Handler caller) {
        this.handlers = handlers;
        this.index = index;
        this.caller = caller;
    }

    /** Runs the whole pipeline on a context. */
    static CompletableFuture<TxResult> run(List<Handler> handlers, TxContext context) {
        return new RealHandlerChain(List.copyOf(handlers), 0, null).proceed(context);
    }

    @Override
    public CompletableFuture<TxResult> proceed(TxContext context) {
        String who = caller == null ? "the pipeline" : "handler " + caller;
        if (context == null) {
            return CompletableFuture.failedFuture(new NullPointerException(who + " called proceed() with a null context"));
        }
        if (index >= handlers.size()) {
            return CompletableFuture.failedFuture(new IllegalStateException(who + " called proceed() but no handler "
                    + "follows it: the last handler must produce the result itself"));
        }
        synchronized (this) {
            if (busy) {
                return CompletableFuture.failedFuture(new IllegalStateException(who + " called proceed() again before "
                        + "the future of its previous call completed; proceed one call at a time"));
            }
            busy = true;
        }
        Handler next = handlers.get(index);
        CompletableFuture<TxResult> future;
        try {
            future = next.handle(context, new RealHandlerChain(handlers, index + 1, next));
            if (future == null) {
                future = CompletableFuture.failedFuture(new NullPointerException("handler " + next
                        + " returned null instead of a future"));
            }
        } catch (RuntimeException | Error e) {
            future = CompletableFuture.failedFuture(e);
        }
        // A fresh future, completed after 'busy' is cleared: the caller's callbacks (a retry) may proceed again.
        CompletableFuture<TxResult> result = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            synchronized (this) {
                busy = false;
            }
            if (error != null) {
                result.completeExceptionally(Futures.unwrap(error));
            } else {
                result.complete(value);
            }
        });
        return result;
    }
}
