package dev.weft.testnet;

import java.util.OptionalLong;
import org.hyperledger.fabric.protos.common.Block;

/**
 * Where a reference node keeps a channel's blocks. Blocks are appended in order and never
 * changed. The default is in memory ({@link ReferenceNetwork.Builder#blockStores}); a file-backed
 * implementation can be plugged in without touching the nodes.
 *
 * <p>Implementations must be thread-safe: one thread appends while others read.
 */
public interface BlockStore extends AutoCloseable {
    /** The number of blocks stored; the next block appended gets this number. */
    long height();

    /**
     * The block with a number.
     *
     * @throws IllegalArgumentException if {@code number >= height()}
     */
    Block block(long number);

    /**
     * Appends the next block.
     *
     * @throws IllegalArgumentException if the block's number is not {@link #height()}
     */
    void append(Block block);

    /** The number of the block holding a transaction id, if a stored block holds it. */
    OptionalLong blockOf(String transactionId);

    /** Releases what the store holds (files, memory). Default: nothing to release. */
    @Override
    default void close() {
    }
}
