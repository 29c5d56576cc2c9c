package dev.weft.testnet.internal.ledger;

import dev.weft.core.InternalApi;
import dev.weft.testnet.BlockStore;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Block;

/**
 * A channel's block store plus the wake-ups that streaming readers (Deliver) need: listeners run
 * after each append, on the appending thread, and must only schedule work.
 */
@InternalApi
public final class ChannelLedger {
    private final BlockStore store;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ChannelLedger(BlockStore store) {
        this.store = store;
    }

    public BlockStore store() {
        return store;
    }

    public long height() {
        return store.height();
    }

    public Block block(long number) {
        return store.block(number);
    }

    public void append(Block block) {
        store.append(block);
        notifyAppended();
    }

    /**
     * Wakes the readers after blocks were appended to the {@linkplain #store() store} directly: a
     * peer stores a block, then commits its state, and only then lets readers see the block.
     */
    public void notifyAppended() {
        for (Runnable listener : listeners) {
            listener.run();
        }
    }

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /**
     * Waits until the ledger holds {@code height} blocks (woken by its appends, not polling).
     *
     * @return whether it got there within the timeout
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitHeight(long height, Duration timeout) throws InterruptedException {
        CountDownLatch reached = new CountDownLatch(1);
        Runnable check = () -> {
            if (height() >= height) {
                reached.countDown();
            }
        };
        addListener(check);
        try {
            check.run();
            return reached.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            removeListener(check);
        }
    }
}
