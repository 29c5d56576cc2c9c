package dev.weft.handlers;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The chain's rules, with handlers built by hand and run through {@link RealHandlerChain#run}. */
class RealHandlerChainTest {
    private static final ContextKey<String> MARK = ContextKey.named("mark");

    private final TxContext context = TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "CreateAsset").build();

    /** A handler with a name, so the chain's messages can name it. */
    private static Handler named(String name, Handler body) {
        return new Handler() {
            @Override
            public CompletableFuture<TxResult> handle(TxContext ctx, Chain chain) {
                return body.handle(ctx, chain);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static TxResult result(String value) {
        return TxResult.of("tx1", ByteString.copyFromUtf8(value));
    }

    /** The failure of a future exactly as its dependents see it (no unwrapping here). */
    private static Throwable failure(CompletableFuture<?> future) throws Exception {
        Throwable error = future.handle((r, e) -> e).get(20, SECONDS);
        assertNotNull(error, "expected the future to fail");
        return error;
    }

    @Test
    void run_handlers_runInOrderAddedFirstOutermost() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Handler first = named("first", (ctx, chain) -> {
            events.add("first in");
            return chain.proceed(ctx.toBuilder().put(MARK, "from first").build()).thenApply(r -> {
                events.add("first out");
                return r;
            });
        });
        Handler second = named("second", (ctx, chain) -> {
            events.add("second in " + ctx.get(MARK).orElse("-"));
            return chain.proceed(ctx).thenApply(r -> {
                events.add("second out");
                return r;
            });
        });
        Handler last = named("last", (ctx, chain) -> {
            events.add("last");
            return CompletableFuture.completedFuture(result("done"));
        });

        TxResult result = RealHandlerChain.run(List.of(first, second, last), context).get(20, SECONDS);

        assertEquals("done", result.resultAsString());
        assertEquals(List.of("first in", "second in from first", "last", "second out", "first out"), events);
    }

    @Test
    void run_handlerShortCircuits_laterHandlersNotCalled() throws Exception {
        AtomicInteger laterCalls = new AtomicInteger();
        Handler cache = named("cache", (ctx, chain) -> CompletableFuture.completedFuture(result("cached")));
        Handler later = named("later", (ctx, chain) -> {
            laterCalls.incrementAndGet();
            return CompletableFuture.completedFuture(result("computed"));
        });

        TxResult result = RealHandlerChain.run(List.of(cache, later), context).get(20, SECONDS);

        assertEquals("cached", result.resultAsString());
        assertEquals(0, laterCalls.get());
    }

    @Test
    void proceed_lastHandlerCallsProceed_failsNamingThatHandler() throws Exception {
        Handler passing = named("PassThrough", (ctx, chain) -> chain.proceed(ctx));
        Handler tail = named("GreedyTail", (ctx, chain) -> chain.proceed(ctx));

        Throwable error = failure(RealHandlerChain.run(List.of(passing, tail), context));

        assertInstanceOf(IllegalStateException.class, error);
        assertTrue(error.getMessage().contains("handler GreedyTail"), error.getMessage());
        assertTrue(error.getMessage().contains("no handler follows"), error.getMessage());
    }

    @Test
    void run_noHandlers_failsNamingThePipeline() throws Exception {
        Throwable error = failure(RealHandlerChain.run(List.of(), context));

        assertInstanceOf(IllegalStateException.class, error);
        assertTrue(error.getMessage().contains("the pipeline"), error.getMessage());
    }

    @Test
    void proceed_handlerReturnsNull_failsWithNpeNamingIt() throws Exception {
        Handler outer = named("Outer", (ctx, chain) -> chain.proceed(ctx));
        Handler broken = named("ForgetfulHandler", (ctx, chain) -> null);

        Throwable error = failure(RealHandlerChain.run(List.of(outer, broken), context));

        assertInstanceOf(NullPointerException.class, error);
        assertTrue(error.getMessage().contains("ForgetfulHandler"), error.getMessage());
    }

    @Test
    void proceed_handlerThrowsSynchronously_failedFutureWithThatException() throws Exception {
        IllegalArgumentException thrown = new IllegalArgumentException("bad argument");
        Handler outer = named("Outer", (ctx, chain) -> chain.proceed(ctx));
        Handler throwing = named("Thrower", (ctx, chain) -> {
            throw thrown;
        });

        CompletableFuture<TxResult> future = RealHandlerChain.run(List.of(outer, throwing), context);

        assertSame(thrown, failure(future));
    }

    @Test
    void proceed_handlerThrowsError_failedFutureWithThatError() throws Exception {
        AssertionError thrown = new AssertionError("handler bug");
        Handler throwing = named("Thrower", (ctx, chain) -> {
            throw thrown;
        });

        assertSame(thrown, failure(RealHandlerChain.run(List.of(throwing), context)));
    }

    @Test
    void proceed_twiceBeforeFirstCompletes_secondFailsNamingHandler() throws Exception {
        CompletableFuture<TxResult> pending = new CompletableFuture<>();
        AtomicInteger nextCalls = new AtomicInteger();
        AtomicReference<CompletableFuture<TxResult>> second = new AtomicReference<>();
        Handler impatient = named("ImpatientHandler", (ctx, chain) -> {
            CompletableFuture<TxResult> first = chain.proceed(ctx);
            second.set(chain.proceed(ctx));
            return first;
        });
        Handler slow = named("Slow", (ctx, chain) -> {
            nextCalls.incrementAndGet();
            return pending;
        });

        CompletableFuture<TxResult> outcome = RealHandlerChain.run(List.of(impatient, slow), context);

        Throwable error = failure(second.get());
        assertInstanceOf(IllegalStateException.class, error);
        assertTrue(error.getMessage().contains("handler ImpatientHandler"), error.getMessage());
        assertTrue(error.getMessage().contains("again"), error.getMessage());
        assertEquals(1, nextCalls.get(), "the second call must not reach the next handler");
        assertFalse(outcome.isDone());

        pending.complete(result("first"));
        assertEquals("first", outcome.get(20, SECONDS).resultAsString());
    }

    @Test
    void proceed_afterConcurrentRejectionAndCompletion_worksAgain() throws Exception {
        CompletableFuture<TxResult> pending = new CompletableFuture<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicReference<Handler.Chain> saved = new AtomicReference<>();
        AtomicReference<CompletableFuture<TxResult>> rejected = new AtomicReference<>();
        Handler outer = named("Outer", (ctx, chain) -> {
            saved.set(chain);
            CompletableFuture<TxResult> first = chain.proceed(ctx);
            rejected.set(chain.proceed(ctx));
            return first;
        });
        Handler next = named("Next", (ctx, chain) -> {
            seen.add(ctx.get(MARK).orElse("first"));
            return seen.size() == 1 ? pending : CompletableFuture.completedFuture(result("third"));
        });
        CompletableFuture<TxResult> outcome = RealHandlerChain.run(List.of(outer, next), context);
        assertInstanceOf(IllegalStateException.class, failure(rejected.get()));
        pending.complete(result("first"));
        outcome.get(20, SECONDS);

        TxResult third = saved.get().proceed(context.toBuilder().put(MARK, "third").build()).get(20, SECONDS);

        assertEquals("third", third.resultAsString());
        assertEquals(List.of("first", "third"), seen);
    }

    @Test
    void proceed_againAfterFirstCompleted_retryRuns() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Handler retry = named("Retry", (ctx, chain) -> {
            CompletableFuture<TxResult> first = chain.proceed(ctx);
            assertTrue(first.isDone(), "the next handler completed synchronously");
            return chain.proceed(ctx.toBuilder().put(MARK, "attempt 2").build());
        });
        Handler next = named("Next", (ctx, chain) -> {
            seen.add(ctx.get(MARK).orElse("attempt 1"));
            return CompletableFuture.completedFuture(result(ctx.get(MARK).orElse("attempt 1")));
        });

        TxResult result = RealHandlerChain.run(List.of(retry, next), context).get(20, SECONDS);

        assertEquals("attempt 2", result.resultAsString());
        assertEquals(List.of("attempt 1", "attempt 2"), seen);
    }

    @Test
    void proceed_againFromCallbackOfFailedFirstAttempt_retryRuns() throws Exception {
        CompletableFuture<TxResult> firstAttempt = new CompletableFuture<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> retriedAfter = new AtomicReference<>();
        Handler retry = named("Retry", (ctx, chain) -> chain.proceed(ctx).exceptionallyCompose(e -> {
            retriedAfter.set(e);
            return chain.proceed(ctx.toBuilder().put(MARK, "attempt 2").build());
        }));
        Handler next = named("Next", (ctx, chain) -> {
            seen.add(ctx.get(MARK).orElse("attempt 1"));
            return ctx.get(MARK).isPresent() ? CompletableFuture.completedFuture(result("second")) : firstAttempt;
        });
        CompletableFuture<TxResult> outcome = RealHandlerChain.run(List.of(retry, next), context);
        IllegalStateException conflict = new IllegalStateException("MVCC conflict");

        Thread completer = new Thread(() -> firstAttempt.completeExceptionally(conflict), "completer");
        completer.start();
        completer.join(20_000);

        assertEquals("second", outcome.get(20, SECONDS).resultAsString());
        assertEquals(List.of("attempt 1", "attempt 2"), seen);
        assertSame(conflict, retriedAfter.get());
    }

    @Test
    void proceed_downstreamFailsInThenApply_upstreamSeesRawException() throws Exception {
        IllegalArgumentException raw = new IllegalArgumentException("rejected by downstream");
        AtomicReference<Throwable> seenUpstream = new AtomicReference<>();
        Handler upstream = named("Upstream", (ctx, chain) -> chain.proceed(ctx).exceptionally(e -> {
            seenUpstream.set(e);
            throw e instanceof RuntimeException r ? r : new CompletionException(e);
        }));
        Handler downstream = named("Downstream", (ctx, chain) -> chain.proceed(ctx).thenApply(r -> {
            throw raw;
        }));
        Handler last = named("Last", (ctx, chain) -> CompletableFuture.completedFuture(result("ok")));

        CompletableFuture<TxResult> outcome = RealHandlerChain.run(List.of(upstream, downstream, last), context);

        assertSame(raw, failure(outcome), "the pipeline's caller gets the raw exception");
        assertSame(raw, seenUpstream.get(), "the upstream handler gets the raw exception, not a CompletionException");
    }

    @Test
    void proceed_nullContext_failsWithNpeNamingCaller() throws Exception {
        Handler careless = named("CarelessHandler", (ctx, chain) -> chain.proceed(null));
        Handler last = named("Last", (ctx, chain) -> CompletableFuture.completedFuture(result("ok")));

        Throwable error = failure(RealHandlerChain.run(List.of(careless, last), context));

        assertInstanceOf(NullPointerException.class, error);
        assertTrue(error.getMessage().contains("handler CarelessHandler"), error.getMessage());
    }

    @Test
    void run_nullContext_failsWithNpeNamingThePipeline() throws Exception {
        Handler last = named("Last", (ctx, chain) -> CompletableFuture.completedFuture(result("ok")));

        Throwable error = failure(RealHandlerChain.run(List.of(last), null));

        assertInstanceOf(NullPointerException.class, error);
        assertTrue(error.getMessage().contains("the pipeline"), error.getMessage());
    }

    @Test
    void run_concurrentTransactions_doNotShareChainState() throws Exception {
        CountDownLatch bothInside = new CountDownLatch(2);
        CompletableFuture<Void> release = new CompletableFuture<>();
        Handler outer = named("Outer", (ctx, chain) -> chain.proceed(ctx));
        Handler waiting = named("Waiting", (ctx, chain) -> {
            bothInside.countDown();
            return release.thenApply(v -> result(ctx.function()));
        });
        List<Handler> pipeline = List.of(outer, waiting);
        TxContext other = TxContext.builder(TxContext.Kind.EVALUATE, "mychannel", "basic", "ReadAsset").build();

        CompletableFuture<TxResult> a = RealHandlerChain.run(pipeline, context);
        CompletableFuture<TxResult> b = RealHandlerChain.run(pipeline, other);

        assertTrue(bothInside.await(20, SECONDS), "the second transaction was held up by the first");
        release.complete(null);
        assertEquals("CreateAsset", a.get(20, SECONDS).resultAsString());
        assertEquals("ReadAsset", b.get(20, SECONDS).resultAsString());
    }
}
