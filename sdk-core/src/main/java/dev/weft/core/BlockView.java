package dev.weft.core;

import dev.weft.core.internal.Blocks;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.hyperledger.fabric.protos.common.Block;

/**
 * A read-only view of a {@code common.Block} that decodes its transactions on first access.
 *
 * <p>Thread-safe: decoded transactions are cached, and two threads racing to decode the same one
 * both get an equal result.
 *
 * <pre>{@code
 * BlockView block = BlockView.of(Block.parseFrom(bytes));
 * for (TransactionView tx : block.transactions()) {
 *     System.out.println(tx.transactionId() + " " + tx.validationCode());
 * }
 * }</pre>
 */
public final class BlockView {
    private final Block block;
    private final AtomicReferenceArray<TransactionView> transactions;

    private BlockView(Block block) {
        this.block = block;
        this.transactions = new AtomicReferenceArray<>(block.getData().getDataCount());
    }

    public static BlockView of(Block block) {
        return new BlockView(Objects.requireNonNull(block, "block"));
    }

    public Block block() {
        return block;
    }

    public long number() {
        return block.getHeader().getNumber();
    }

    public int transactionCount() {
        return transactions.length();
    }

    /**
     * The transaction at a position.
     *
     * @throws ProtocolException if its envelope cannot be decoded
     * @throws IndexOutOfBoundsException if there is no such position
     */
    public TransactionView transaction(int index) {
        Objects.checkIndex(index, transactions.length());
        TransactionView view = transactions.get(index);
        if (view == null) {
            byte[] codes = Blocks.validationCodes(block);
            Integer code = codes.length > index ? codes[index] & 0xFF : null;
            view = TransactionView.parse(number(), index, block.getData().getData(index), code);
            transactions.compareAndSet(index, null, view);
        }
        return view;
    }

    /** All transactions, decoded as they are accessed. */
    public List<TransactionView> transactions() {
        return new AbstractList<>() {
            @Override
            public TransactionView get(int index) {
                return transaction(index);
            }

            @Override
            public int size() {
                return transactions.length();
            }
        };
    }
}
