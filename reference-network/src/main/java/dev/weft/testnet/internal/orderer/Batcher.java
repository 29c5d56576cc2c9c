package dev.weft.testnet.internal.orderer;

import dev.weft.core.InternalApi;
import dev.weft.core.Scheduler;
import dev.weft.core.WeftException;
import dev.weft.testnet.BlockCutter;
import dev.weft.testnet.ConsenterSupport;
import java.util.List;
import java.util.concurrent.Executor;
import org.hyperledger.fabric.protos.common.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a chain turns messages into batches, as Fabric's solo and etcdraft chains both do it: a
 * normal message is re-validated if the config has moved on since it was checked (a config
 * message made again from its update), then given to
 * the block cutter, and each batch the cutter completes is handed on; a batch timer starts when a
 * message is left pending and stops when none is, and when it fires whatever is pending is a
 * batch. A config message cuts what is pending and then goes into a block of its own.
 *
 * <p>Not thread-safe: the chain calls it on its ordering thread, and the timer fires onto that
 * thread through the executor the chain gives; only {@link #cancelTimer} may be called from
 * another thread.
 */
@InternalApi
public final class Batcher {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);

    /** Where the batches go: the chain writes or replicates them. */
    public interface Blocks {
        void normal(List<Envelope> batch);

        void config(Envelope config);
    }

    private final ConsenterSupport support;
    private final Executor orderingThread;
    private final Blocks blocks;
    private volatile Scheduler.Cancellable timer;
    private long timerGeneration;

    /** @param orderingThread runs the timer's work on the chain's ordering thread (dropping it once halted) */
    public Batcher(ConsenterSupport support, Executor orderingThread, Blocks blocks) {
        this.support = support;
        this.orderingThread = orderingThread;
        this.blocks = blocks;
    }

    public void normal(Envelope envelope, long configSequence) {
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
            blocks.normal(batch);
        }
        if (timer != null && !result.pending()) {
            stopTimer();
        } else if (timer == null && result.pending()) {
            long generation = ++timerGeneration;
            timer = support.scheduler().schedule(support.sharedConfig().batchTimeout().orElseThrow(),
                    () -> orderingThread.execute(() -> timeout(generation)));
        }
    }

    public void config(Envelope config, long configSequence) {
        if (configSequence < support.sequence()) {
            try {
                config = support.reprocessConfig(config);
            } catch (WeftException e) {
                log.warn("discarding config message on channel {} that the new config rejects: {}",
                        support.channelId(), e.getMessage());
                return;
            }
        }
        List<Envelope> pending = support.blockCutter().cut();
        if (!pending.isEmpty()) {
            blocks.normal(pending);
        }
        blocks.config(config);
        stopTimer();
    }

    /** Takes what is pending out of the cutter, unbatched, and stops the timer (a leader that is deposed). */
    public List<Envelope> takePending() {
        List<Envelope> pending = support.blockCutter().cut();
        stopTimer();
        return pending;
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
        blocks.normal(batch);
    }

    private void stopTimer() {
        cancelTimer();
        timerGeneration++;
    }

    /** Cancels the batch timer, if one is set; safe from any thread (a chain halting). */
    public void cancelTimer() {
        Scheduler.Cancellable current = timer;
        if (current != null) {
            current.cancel();
            timer = null;
        }
    }
}
