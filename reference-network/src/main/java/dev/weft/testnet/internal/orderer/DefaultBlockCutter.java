package dev.weft.testnet.internal.orderer;

import dev.weft.core.InternalApi;
import dev.weft.testnet.BlockCutter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.orderer.BatchSize;

/**
 * Fabric's block cutter ({@code orderer/common/blockcutter}): size is payload plus signature
 * bytes; an oversize message cuts the pending batch and goes alone; a message that would overflow
 * {@code PreferredMaxBytes} cuts the pending batch first; {@code MaxMessageCount} cuts. The batch
 * size is read from the current config at every message, so config changes apply at once.
 */
@InternalApi
public final class DefaultBlockCutter implements BlockCutter {
    private final Supplier<BatchSize> batchSize;
    private List<Envelope> pending = new ArrayList<>();
    private long pendingBytes;

    public DefaultBlockCutter(Supplier<BatchSize> batchSize) {
        this.batchSize = batchSize;
    }

    public static long sizeOf(Envelope message) {
        return (long) message.getPayload().size() + message.getSignature().size();
    }

    @Override
    public Result ordered(Envelope message) {
        BatchSize limits = batchSize.get();
        long size = sizeOf(message);
        List<List<Envelope>> batches = new ArrayList<>(2);
        if (size > Integer.toUnsignedLong(limits.getPreferredMaxBytes())) {
            if (!pending.isEmpty()) {
                batches.add(cut());
            }
            batches.add(List.of(message));
            return new Result(batches, false);
        }
        if (pendingBytes + size > Integer.toUnsignedLong(limits.getPreferredMaxBytes())) {
            batches.add(cut());
        }
        pending.add(message);
        pendingBytes += size;
        boolean isPending = true;
        if (Integer.toUnsignedLong(pending.size()) >= Integer.toUnsignedLong(limits.getMaxMessageCount())) {
            batches.add(cut());
            isPending = false;
        }
        return new Result(batches, isPending);
    }

    @Override
    public List<Envelope> cut() {
        List<Envelope> batch = List.copyOf(pending);
        pending = new ArrayList<>();
        pendingBytes = 0;
        return batch;
    }
}
