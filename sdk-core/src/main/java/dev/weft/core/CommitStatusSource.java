package dev.weft.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * Tells waiting submitters how their transactions were committed (SPI; implementation in
 * sdk-events). Registration comes before broadcasting, so that no commit can be missed.
 *
 * <p>Thread-safe. Owns its event streams, not the gRPC channels it was given.
 */
public interface CommitStatusSource extends AutoCloseable {

    /**
     * Starts listening for a transaction on a channel.
     *
     * @throws IllegalStateException if the source is closed
     * @throws IllegalArgumentException if the channel has no event peers
     */
    Registration register(String channelId, String transactionId);

    /**
     * Calls {@code listener} with the number of every config block the source sees committed on
     * the channel from now on (while its stream for the channel is open), so that a cached
     * channel config can be refreshed. The listener must be quick and must not block. By default
     * a source reports none.
     */
    default void addConfigBlockListener(String channelId, LongConsumer listener) {
    }

    @Override
    void close();

    /** Interest in one transaction's commit. */
    interface Registration extends AutoCloseable {
        /**
         * Completes when the transaction's commit can no longer be missed (the event stream is
         * positioned); broadcast only after this.
         */
        CompletableFuture<Void> ready();

        /**
         * Why the event stream is not delivering yet: its most recent connection failures since it
         * last received a block (empty when it is working), for error details.
         */
        default List<NodeError> recentFailures() {
            return List.of();
        }

        /**
         * The transaction's status once a peer has committed it; completes exceptionally with
         * {@link CommitStatusException} if the events cannot be received any more.
         */
        CompletableFuture<TransactionStatus> status();

        /** Stops listening (the status future is left incomplete). */
        @Override
        void close();
    }
}
