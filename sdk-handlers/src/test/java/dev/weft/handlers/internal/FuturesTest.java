package dev.weft.handlers.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.CommitException;
import dev.weft.core.TransactionStatus;
import dev.weft.core.WeftException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FuturesTest {
    @Test
    void unwrap_nestedWrappers_returnsInnermostCause() {
        IllegalStateException cause = new IllegalStateException("real");

        Throwable unwrapped = Futures.unwrap(new CompletionException(new ExecutionException(new CompletionException(cause))));

        assertSame(cause, unwrapped);
    }

    @Test
    void unwrap_wrapperWithoutCause_returnsWrapper() {
        CompletionException bare = new CompletionException("no cause", null);

        assertSame(bare, Futures.unwrap(bare));
    }

    @Test
    void await_failedWithTransactionException_rethrowsItUnwrapped() {
        CommitException conflict = new CommitException(new TransactionStatus("tx1", 3, 0, 11));
        CompletableFuture<String> future = CompletableFuture.<String>completedFuture("x").thenApply(x -> {
            throw conflict;
        });

        CommitException thrown = assertThrows(CommitException.class, () -> Futures.await(future));

        assertSame(conflict, thrown);
    }

    @Test
    void await_failedWithCheckedException_wrapsItInWeftException() {
        IOException io = new IOException("disk gone");

        WeftException thrown = assertThrows(WeftException.class,
                () -> Futures.await(CompletableFuture.failedFuture(io)));

        assertSame(io, thrown.getCause());
        assertEquals("disk gone", thrown.getMessage());
    }

    @Test
    void await_interrupted_cancelsFutureAndKeepsInterruptFlag() {
        CompletableFuture<String> never = new CompletableFuture<>();
        Thread.currentThread().interrupt();
        try {
            WeftException thrown = assertThrows(WeftException.class, () -> Futures.await(never));

            assertTrue(thrown.getMessage().contains("interrupted"), thrown.getMessage());
            assertTrue(never.isCancelled());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
