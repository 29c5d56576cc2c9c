package dev.weft.handlers.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.CapabilityException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigException;
import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.Scheduler;
import dev.weft.core.SupportedCapabilities;
import dev.weft.core.TransactionException;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.TxContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Block;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel's current config, read from a peer with {@code cscc GetConfigBlock} on first use and
 * kept until a config block commits ({@link #configBlockCommitted}) or a check asks for it again
 * ({@link #refresh()}: an endorser's MSP or certificate was not found, so the config may have
 * changed). A failed read is not kept: the next call reads again. A config that requires a
 * capability level Weft does not support is refused ({@link dev.weft.core.CapabilityException}).
 *
 * <p>Thread-safe.
 */
@InternalApi
public final class ChannelConfigs {
    private static final Logger log = LoggerFactory.getLogger(ChannelConfigs.class);

    private final String channelId;
    private final Function<String, CompletableFuture<ByteString>> configBlockReader;
    private final Scheduler scheduler;
    private CompletableFuture<ChannelConfig> current;
    /** The number of the config block the newest config read came from; -1 before any. */
    private long configBlockNumber = -1;

    /**
     * @param configBlockReader reads the serialized config block of a channel (an evaluate of
     *     {@code cscc GetConfigBlock})
     */
    public ChannelConfigs(String channelId, Function<String, CompletableFuture<ByteString>> configBlockReader,
            Scheduler scheduler) {
        this.channelId = channelId;
        this.configBlockReader = configBlockReader;
        this.scheduler = scheduler;
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
     * A config block has committed on the channel: the cached config is out of date. It is read
     * again at once (not waiting for a read already under way, which may return the old one).
     */
    public synchronized void configBlockCommitted(long blockNumber) {
        if (blockNumber <= configBlockNumber) {
            return; // the config we hold came from this block or a later one
        }
        log.debug("config block {} committed on channel {}; reading the config again", blockNumber, channelId);
        current = read();
    }

    /** Uses a config block read elsewhere (a read the application signed) from now on. */
    public synchronized CompletableFuture<ChannelConfig> load(CompletableFuture<ByteString> configBlock) {
        current = configBlock.thenApply(this::parse);
        return current.copy();
    }

    /**
     * The config for checking a transaction: a failure to read it becomes a retryable
     * {@link TransactionException} at stage VALIDATE that names the transaction (not the internal
     * {@code cscc} read, whose transaction id means nothing to the application).
     */
    public CompletableFuture<ChannelConfig> forTransaction(TxContext context, boolean refresh) {
        String transactionId = context.transactionId();
        CompletableFuture<ChannelConfig> config = StageTime.unbounded(context, TransactionStage.VALIDATE)
                .bound(refresh ? refresh() : get(), scheduler, transactionId);
        return config.exceptionallyCompose(error -> {
            Throwable cause = Futures.unwrap(error);
            if (cause instanceof TransactionTimeoutException) {
                return CompletableFuture.failedFuture(cause);
            }
            // The read's own details, once; its message without them says what went wrong.
            List<NodeError> details = cause instanceof TransactionException t ? t.details() : List.of();
            String why = cause instanceof TransactionException t ? t.summary() : cause.getMessage();
            // A level Weft does not support stays so however often the config is read.
            boolean retryable = !(cause instanceof CapabilityException);
            return CompletableFuture.failedFuture(new TransactionException("the config of channel " + channelId
                    + " could not be read to check transaction " + transactionId + ": " + why,
                    transactionId, TransactionStage.VALIDATE, details, cause, retryable));
        });
    }

    private CompletableFuture<ChannelConfig> read() {
        log.debug("reading the config of channel {}", channelId);
        return configBlockReader.apply(channelId).thenApply(this::parse);
    }

    private ChannelConfig parse(ByteString bytes) {
        try {
            Block block = Block.parseFrom(bytes);
            ChannelConfig config = ChannelConfig.fromBlock(block, scheduler.clock());
            SupportedCapabilities.require(config);
            synchronized (this) {
                configBlockNumber = Math.max(configBlockNumber, block.getHeader().getNumber());
            }
            return config;
        } catch (InvalidProtocolBufferException e) {
            throw new ChannelConfigException("cscc GetConfigBlock of channel " + channelId
                    + " did not return a block: " + e.getMessage(), e);
        }
    }
}
