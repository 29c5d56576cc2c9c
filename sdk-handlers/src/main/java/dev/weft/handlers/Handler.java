package dev.weft.handlers;

import java.util.concurrent.CompletableFuture;

/**
 * One step of the transaction pipeline. A handler receives the transaction's {@link TxContext} and
 * the rest of the pipeline as a {@link Chain}, and either
 * <ul>
 *   <li>adds to the context and proceeds ({@code return chain.proceed(ctx.toBuilder()...build())}),
 *   <li>stops early and produces the result itself (evaluate ends after validating endorsements),
 *   <li>or transforms, or retries, the future that {@code proceed} returns (a metrics handler times
 *       it; a retry handler proceeds again with a new transaction id after an MVCC conflict).
 * </ul>
 *
 * <p>Handlers run in the order they were added, the first one outermost: the first handler added
 * to a gateway sees the transaction before, and its result after, every other handler. The
 * built-in steps ({@link PipelineStep}) come after all added handlers.
 *
 * <p>Handlers are stateless and thread-safe: per-transaction state travels in the immutable
 * context, under the built-in fields or {@link ContextKey}s. A handler must not block (no
 * {@code join()} or {@code get()}): it returns a future and makes no assumption about the thread
 * that completes it. It fails by returning a failed future (throwing works too; the chain turns it
 * into a failed future).
 *
 * <pre>{@code
 * Handler timing = (ctx, chain) -> {
 *     long start = System.nanoTime();
 *     return chain.proceed(ctx).whenComplete((result, error) ->
 *             histogram.record(ctx.function(), System.nanoTime() - start));
 * };
 * Gateway gateway = Gateway.builder()....addHandler(timing).build();
 * }</pre>
 */
@FunctionalInterface
public interface Handler {

    CompletableFuture<TxResult> handle(TxContext context, Chain chain);

    /**
     * The handlers after the current one. {@link #proceed} may be called again (to retry) once
     * the future of the previous call has completed, never twice at once.
     */
    interface Chain {
        /** Runs the rest of the pipeline with this context. */
        CompletableFuture<TxResult> proceed(TxContext context);
    }
}
