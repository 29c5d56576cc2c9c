package dev.weft.testnet.internal.ledger;

import dev.weft.core.InternalApi;
import dev.weft.testnet.BlockStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.hyperledger.fabric.protos.common.Block;

/** Blocks in memory, with an index from transaction id to block number. */
@InternalApi
public final class InMemoryBlockStore implements BlockStore {
    private final List<Block> blocks = new ArrayList<>();
    private final Map<String, Long> transactions = new ConcurrentHashMap<>();

    @Override
    public synchronized long height() {
        return blocks.size();
    }

    @Override
    public synchronized Block block(long number) {
        if (number < 0 || number >= blocks.size()) {
            throw new IllegalArgumentException("no block " + number + " (height " + blocks.size() + ")");
        }
        return blocks.get((int) number);
    }

    @Override
    public synchronized void append(Block block) {
        if (block.getHeader().getNumber() != blocks.size()) {
            throw new IllegalArgumentException("block " + block.getHeader().getNumber() + " appended at height "
                    + blocks.size());
        }
        for (String txId : TransactionIds.of(block)) {
            // The first occurrence wins: a later duplicate is recorded invalid, not indexed.
            transactions.putIfAbsent(txId, block.getHeader().getNumber());
        }
        blocks.add(block);
    }

    @Override
    public OptionalLong blockOf(String transactionId) {
        Long number = transactions.get(transactionId);
        return number == null ? OptionalLong.empty() : OptionalLong.of(number);
    }
}
