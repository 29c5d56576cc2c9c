package dev.weft.testnet.internal.orderer;

import dev.weft.core.InternalApi;
import dev.weft.testnet.Chain;
import dev.weft.testnet.ConsenterSupport;
import dev.weft.testnet.OrderingException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Solo ordering, as Fabric's {@code orderer/consensus/solo}: messages are ordered in arrival order
 * on one thread, cut by the block cutter, and a batch timer (started when a message is left pending,
 * stopped when nothing is) cuts whatever is pending when it fires. A config message cuts the
 * pending batch and then goes into a block of its own.
 */
@InternalApi
public final class SoloChain implements Chain {
    private static final Logger log = LoggerFactory.getLogger(SoloChain.class);

    private final ConsenterSupport support;
    private final ExecutorService thread;
    private final CompletableFuture<Void> errored = new CompletableFuture<>();
    private final Batcher batcher;
    private volatile boolean halted;

    public SoloChain(ConsenterSupport support) {
        this.support = support;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "weft-solo-" + support.channelId());
            t.setDaemon(true);
            return t;
        });
        this.batcher = new Batcher(support, this::submitQuietly, new Batcher.Blocks() {
            @Override
            public void normal(List<Envelope> batch) {
                support.writeBlock(support.createNextBlock(batch), new byte[0]);
            }

            @Override
            public void config(Envelope config) {
                support.writeConfigBlock(support.createNextBlock(List.of(config)), new byte[0]);
            }
        });
    }

    @Override
    public void start() {
        log.debug("solo chain for channel {} started", support.channelId());
    }

    @Override
    public void order(Envelope envelope, long configSequence) {
        submit(() -> batcher.normal(envelope, configSequence));
    }

    @Override
    public void configure(Envelope config, long configSequence) {
        submit(() -> batcher.config(config, configSequence));
    }

    /**
     * Runs a task on the ordering thread. If it fails (a block cannot be written), the chain
     * cannot go on without losing or reordering messages, so it halts and reports the error, as
     * Fabric's orderer does; Broadcast then answers SERVICE_UNAVAILABLE.
     */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("solo chain of channel {} failed and halts", support.channelId(), e);
                halted = true;
                batcher.cancelTimer();
                errored.completeExceptionally(e);
                thread.shutdownNow();
            }
        };
    }

    @Override
    public void waitReady() {
        if (halted) {
            throw new OrderingException("the solo chain of channel " + support.channelId() + " has halted");
        }
    }

    @Override
    public CompletableFuture<Void> errored() {
        return errored;
    }

    @Override
    public void halt() {
        halted = true;
        batcher.cancelTimer();
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        errored.completeExceptionally(new OrderingException("the solo chain of channel " + support.channelId()
                + " has halted"));
    }

    private void submit(Runnable task) {
        waitReady();
        try {
            thread.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            throw new OrderingException("the solo chain of channel " + support.channelId() + " has halted");
        }
    }

    private void submitQuietly(Runnable task) {
        try {
            thread.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // halted: nothing left to cut
        }
    }
}
