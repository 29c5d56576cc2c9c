package dev.weft.handlers.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigException;
import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.TransactionException;
import dev.weft.core.TransactionStage;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Block;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel's current config, read from a peer with {@code cscc GetConfigBlock} on first use and
 * kept until {@link #refresh()} (when an endorser's MSP or certificate is not found, the config
 * may have changed). A failed read is not kept: the next call reads again.
 *
 * <p>Thread-safe.
 */
@InternalApi
public final class ChannelConfigs {
    private static final Logger log = LoggerFactory.getLogger(ChannelConfigs.class);

    private final String channelId;
    private final Function<String, CompletableFuture<ByteString>> configBlockReader;
    private final Clock clock;
    private CompletableFuture<ChannelConfig> current;

    /**
     * @param configBlockReader reads the serialized config block of a channel (an evaluate of
     *     {@code cscc GetConfigBlock})
     */
    public ChannelConfigs(String channelId, Function<String, CompletableFuture<ByteString>> configBlockReader, Clock clock) {
        this.channelId = channelId;
        this.configBlockReader = configBlockReader;
        this.clock = clock;
    }

    /** The config, read now if it has not been read yet or the last read failed. */
    public synchronized CompletableFuture<ChannelConfig> get() {
        if (current == null || current.isCompletedExceptionally()) {
            current = read();
        }
        return current.copy();
    }

    /** Reads the config again unless a read is already under way. */
    public synchronized CompletableFuture<ChannelConfig> refresh() {
        if (current == null || current.isDone()) {
            current = read();
        }
        return current.copy();
    }

    /**
     * The config for checking a transaction: a failure to read it becomes a retryable
     * {@link TransactionException} at stage VALIDATE that names the transaction (not the internal
     * {@code cscc} read, whose transaction id means nothing to the application).
     */
    public CompletableFuture<ChannelConfig> forTransaction(String transactionId, boolean refresh) {
        return (refresh ? refresh() : get()).exceptionallyCompose(error -> {
            Throwable cause = Futures.unwrap(error);
            List<NodeError> details = cause instanceof TransactionException t ? t.details() : List.of();
            return CompletableFuture.failedFuture(new TransactionException("the config of channel " + channelId
                    + " could not be read to check transaction " + transactionId + ": " + cause.getMessage(),
                    transactionId, TransactionStage.VALIDATE, details, cause, true));
        });
    }

    private CompletableFuture<ChannelConfig> read() {
        log.debug("reading the config of channel {}", channelId);
        return configBlockReader.apply(channelId).thenApply(bytes -> {
            try {
                return ChannelConfig.fromBlock(Block.parseFrom(bytes), clock);
            } catch (InvalidProtocolBufferException e) {
                throw new ChannelConfigException("cscc GetConfigBlock of channel " + channelId
                        + " did not return a block: " + e.getMessage(), e);
            }
        });
    }
}
