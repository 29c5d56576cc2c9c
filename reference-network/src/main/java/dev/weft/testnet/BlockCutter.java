package dev.weft.testnet;

import java.util.List;
import org.hyperledger.fabric.protos.common.Envelope;

/**
 * Cuts a stream of ordered envelopes into batches, one batch per block, by the channel's
 * {@code BatchSize}: a batch is cut when it reaches {@code MaxMessageCount} messages, or when the
 * next message would take it over {@code PreferredMaxBytes}; a message larger than
 * {@code PreferredMaxBytes} is cut into a batch of its own. Messages over {@code AbsoluteMaxBytes}
 * never get here: Broadcast rejects them. {@code BatchTimeout} is the chain's business: when it
 * expires the chain calls {@link #cut()}.
 *
 * <p>Not thread-safe: a chain calls it from its one ordering thread.
 */
public interface BlockCutter {
    /**
     * The outcome of ordering one message.
     *
     * @param batches batches that are complete and should become blocks now, in order
     * @param pending whether messages are left waiting for a later batch
     */
    record Result(List<List<Envelope>> batches, boolean pending) {
        public Result {
            batches = List.copyOf(batches);
        }
    }

    /** Adds a message, returning any batches it completes. */
    Result ordered(Envelope message);

    /** Returns the pending batch (possibly empty) and starts a new one. */
    List<Envelope> cut();
}
