package dev.weft.testnet;

import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Envelope;

/**
 * One channel's ordering, as Fabric's {@code consensus.Chain}: it takes validated envelopes, puts
 * them in an order, cuts them into blocks with the {@link BlockCutter} and writes the blocks with
 * {@link ConsenterSupport#writeBlock}. Solo orders messages in arrival order on one thread; a
 * clustered consenter would first agree on the order with other nodes.
 *
 * <p>Implementations are thread-safe: Broadcast calls {@link #order} from many threads.
 */
public interface Chain {
    /**
     * Accepts a normal message validated at config sequence {@code configSequence}. If the
     * sequence has advanced by the time it is ordered, the chain must re-validate it.
     *
     * @throws OrderingException if the message cannot be accepted now (the client may retry)
     */
    void order(Envelope envelope, long configSequence);

    /**
     * Accepts a normal message as {@link #order} does, but answers through the future rather
     * than by returning: a chain that hands messages to another node (a Raft follower forwarding
     * to its leader) completes it once that node has taken the message, so that Broadcast reads
     * the next message of a stream meanwhile and answers each in order. The future fails with
     * {@link OrderingException} if the message cannot be accepted. The default calls
     * {@link #order} and completes at once.
     */
    default CompletableFuture<Void> orderAsync(Envelope envelope, long configSequence) {
        try {
            order(envelope, configSequence);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Accepts a config message; it will be cut into a block of its own.
     *
     * @throws OrderingException if the message cannot be accepted now
     */
    void configure(Envelope config, long configSequence);

    /**
     * Blocks until the chain can accept messages.
     *
     * @throws OrderingException if it cannot (for example it has halted)
     */
    void waitReady();

    /** Completes (exceptionally) when the chain errors; clients reading blocks must then stop. */
    CompletableFuture<Void> errored();

    /** Starts ordering. */
    void start();

    /** Stops ordering and frees the chain's threads; messages not yet written are dropped. */
    void halt();
}
