package dev.weft.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Envelope;

/**
 * Sends signed transactions to the ordering service (SPI; implementation in sdk-orderer).
 *
 * <p>Thread-safe. Owns its streams, not the gRPC channels it was given.
 */
public interface OrdererClient extends AutoCloseable {
    /**
     * Broadcasts an envelope. Completes with the orderer that accepted it (SUCCESS: queued for
     * ordering, not yet committed); completes exceptionally with {@link SubmitException} when it was
     * rejected or no orderer was reachable, or {@link TransactionTimeoutException} (stage SUBMIT)
     * when no answer came within {@code timeout}.
     */
    CompletableFuture<Orderer> broadcast(Envelope envelope, String transactionId, Duration timeout);

    /** Closes the client's streams. */
    @Override
    void close();
}
