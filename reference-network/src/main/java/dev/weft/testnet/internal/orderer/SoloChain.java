package dev.weft.testnet.internal.orderer;

import dev.weft.core.InternalApi;
import dev.weft.core.Scheduler;
import dev.weft.core.WeftException;
import dev.weft.testnet.BlockCutter;
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
    private volatile boolean halted;
    // Written only on the ordering thread; read by halt().
    private volatile Scheduler.Cancellable timer;
    private long timerGeneration;

    public SoloChain(ConsenterSupport support) {
        this.support = support;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "weft-solo-" + support.channelId());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start() {
        log.debug("solo chain for channel {} started", support.channelId());
    }

    @Override
    public void order(Envelope envelope, long configSequence) {
        submit(() -> processNormal(envelope, configSequence));
    }

    @Override
    public void configure(Envelope config, long configSequence) {
        submit(() -> processConfig(config, configSequence));
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
                cancelTimer();
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
        cancelTimer();
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

    private void processNormal(Envelope envelope, long configSequence) {
        if (configSequence < support.sequence()) {
            try {
                support.revalidate(envelope);
            } catch (WeftException e) {
                log.warn("discarding normal message on channel {} that the new config rejects: {}",
                        support.channelId(), e.getMessage());
                return;
            }
        }
        BlockCutter.Result result = support.blockCutter().ordered(envelope);
        for (List<Envelope> batch : result.batches()) {
            support.writeBlock(support.createNextBlock(batch), new byte[0]);
        }
        if (timer != null && !result.pending()) {
            stopTimer();
        } else if (timer == null && result.pending()) {
            long generation = ++timerGeneration;
            timer = support.scheduler().schedule(support.sharedConfig().batchTimeout().orElseThrow(),
                    () -> submitQuietly(() -> timeout(generation)));
        }
    }

    private void processConfig(Envelope config, long configSequence) {
        if (configSequence < support.sequence()) {
            try {
                support.revalidate(config);
            } catch (WeftException e) {
                log.warn("discarding config message on channel {}: {}", support.channelId(), e.getMessage());
                return;
            }
        }
        List<Envelope> pending = support.blockCutter().cut();
        if (!pending.isEmpty()) {
            support.writeBlock(support.createNextBlock(pending), new byte[0]);
        }
        support.writeConfigBlock(support.createNextBlock(List.of(config)), new byte[0]);
        stopTimer();
    }

    private void timeout(long generation) {
        if (timer == null || generation != timerGeneration) {
            return; // a stale timer: its batch was cut by size in the meantime
        }
        timer = null;
        List<Envelope> batch = support.blockCutter().cut();
        if (batch.isEmpty()) {
            log.warn("batch timer expired on channel {} with no pending messages", support.channelId());
            return;
        }
        support.writeBlock(support.createNextBlock(batch), new byte[0]);
    }

    private void stopTimer() {
        cancelTimer();
        timerGeneration++;
    }

    private void cancelTimer() {
        Scheduler.Cancellable current = timer;
        if (current != null) {
            current.cancel();
            timer = null;
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
