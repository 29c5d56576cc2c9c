package dev.weft.testnet.internal.peer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.Blocks;
import dev.weft.core.internal.Hashing;
import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.ledger.InMemoryBlockStore;
import dev.weft.testnet.internal.ledger.InMemoryStateStore;
import dev.weft.testnet.internal.peer.validation.UpdateBatch;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.junit.jupiter.api.Test;

/** Applying a block's updates, Fabric's commit hash over them, and the metadata of the stored block. */
class StateCommitterTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void commitHash_inputOfBlockCommitterTest_sameHashesAsBeforeTheSplit() {
        UpdateBatch first = new UpdateBatch();
        first.put("basic", "k2", new byte[0], 0);
        first.put("basic", "k1", "v1".getBytes(UTF_8), 0);
        first.put("open", "a", "1".getBytes(UTF_8), 0);
        first.put("basic", "k3", null, 2);
        first.put("basic", "k1", "v1b".getBytes(UTF_8), 2);
        first.put("guarded", "g", "1".getBytes(UTF_8), 3);
        byte[] firstHash = StateCommitter.commitHash(new byte[] {0, 4, 0, 0}, first, 1, new byte[0]);
        UpdateBatch second = new UpdateBatch();
        second.put("basic", "k1", "v2".getBytes(UTF_8), 0);

        byte[] secondHash = StateCommitter.commitHash(new byte[] {0}, second, 2, firstHash);

        assertEquals(BlockCommitterTest.BLOCK_1_COMMIT_HASH, HEX.formatHex(firstHash));
        assertEquals(BlockCommitterTest.BLOCK_2_COMMIT_HASH, HEX.formatHex(secondHash));
    }

    @Test
    void commitHash_noUpdates_hashesLengthCodesAndPrevious() {
        byte[] previous = {7, 7};

        byte[] hash = StateCommitter.commitHash(new byte[] {(byte) 255, 11}, new UpdateBatch(), 5, previous);

        assertArrayEquals(Hashing.sha256(new byte[] {2, (byte) 255, 11, 7, 7}), hash);
    }

    @Test
    void updateBytes_keysOutsideTheBmp_inUtf8OrderNotUtf16Order() {
        String bmpMax = "\uFFFF";
        String emoji = "\uD83D\uDE00"; // U+1F600: after U+FFFF in UTF-8, before it in UTF-16
        UpdateBatch updates = new UpdateBatch();
        updates.put("ns", emoji, new byte[] {1}, 0);
        updates.put("ns", bmpMax, new byte[] {2}, 1);

        String bytes = HEX.formatHex(StateCommitter.updateBytes(updates, 1));

        int bmpAt = bytes.indexOf(HEX.formatHex(bmpMax.getBytes(UTF_8)));
        int emojiAt = bytes.indexOf(HEX.formatHex(emoji.getBytes(UTF_8)));
        assertTrue(bmpAt >= 0 && emojiAt >= 0, bytes);
        assertTrue(bmpAt < emojiAt, "U+FFFF must come first: " + bytes);
    }

    @Test
    void orderPreserving_asFabricEncodesVersions() {
        assertArrayEquals(new byte[] {0}, StateCommitter.orderPreserving(0));
        assertArrayEquals(new byte[] {1, 1}, StateCommitter.orderPreserving(1));
        assertArrayEquals(new byte[] {1, (byte) 0xFF}, StateCommitter.orderPreserving(255));
        assertArrayEquals(new byte[] {2, 1, 0}, StateCommitter.orderPreserving(256));
        assertArrayEquals(new byte[] {8, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0}, StateCommitter.orderPreserving(Long.MIN_VALUE));
    }

    @Test
    void apply_writesEachKeyWithTheVersionOfItsLastWriterInKeyOrderThenCommitsTheBlock() {
        RecordingStateStore state = new RecordingStateStore();
        state.apply(List.of(new StateStore.Write("cc", "gone", "old".getBytes(UTF_8))), 1, 0);
        state.calls.clear();
        UpdateBatch updates = new UpdateBatch();
        updates.put("cc", "b", "1".getBytes(UTF_8), 0);
        updates.put("cc", "a", "2".getBytes(UTF_8), 1);
        updates.put("cc", "b", "3".getBytes(UTF_8), 2);
        updates.put("cc", "gone", null, 3);
        updates.put("aa", "z", "4".getBytes(UTF_8), 4);

        new StateCommitter(state, new ChannelLedger(new InMemoryBlockStore())).apply(updates, 9);

        assertEquals(List.of("aa/z@9.4", "cc/a@9.1", "cc/b@9.2", "cc/gone@9.3", "commit 9"), state.calls);
        assertEquals(9, state.savepoint());
        assertEquals("3", new String(state.get("cc", "b").orElseThrow().value(), UTF_8));
        assertEquals(2, state.get("cc", "b").orElseThrow().transactionNumber());
        assertEquals(9, state.get("cc", "b").orElseThrow().blockNumber());
        assertFalse(state.get("cc", "gone").isPresent());
    }

    @Test
    void commit_setsFilterAndCommitHashKeepsTheOrdererMetadataAndStoresTheBlock() throws Exception {
        PeerChannel channel = CommitFixture.channel();
        try {
            Block block = CommitFixture.cut(channel.ledger(), new CommitFixture.Tx()
                    .writes(CommitFixture.write(CommitFixture.BASIC, "k", "v")).build());
            byte[] codes = {0};
            byte[] hash = Hashing.sha256(new byte[] {1, 2, 3});

            Block stored = new StateCommitter(channel.state(), channel.ledger()).commit(block, codes, hash,
                    new UpdateBatch());

            assertEquals(2, channel.ledger().height());
            assertEquals(stored, channel.ledger().block(1));
            assertArrayEquals(codes, Blocks.validationCodes(stored));
            assertEquals(HEX.formatHex(hash), BlockCommitterTest.commitHash(stored));
            assertEquals(block.getMetadata().getMetadata(BlockMetadataIndex.SIGNATURES_VALUE),
                    stored.getMetadata().getMetadata(BlockMetadataIndex.SIGNATURES_VALUE));
            assertEquals(block.getHeader(), stored.getHeader());
            assertEquals(block.getData(), stored.getData());
            assertEquals(ByteString.copyFrom(codes),
                    stored.getMetadata().getMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE));
            assertArrayEquals(hash, StateCommitter.commitHashOf(stored));
            assertEquals(1, channel.state().savepoint());
        } finally {
            CommitFixture.close(channel);
        }
    }

    /** An in-memory state that records each {@code apply} call as {@code ns/key@block.tx}. */
    private static final class RecordingStateStore implements StateStore {
        final List<String> calls = new ArrayList<>();
        private final InMemoryStateStore delegate = new InMemoryStateStore();

        @Override
        public Optional<VersionedValue> get(String namespace, String key) {
            return delegate.get(namespace, key);
        }

        @Override
        public Iterator<Entry> range(String namespace, String startKey, String endKey) {
            return delegate.range(namespace, startKey, endKey);
        }

        @Override
        public void apply(List<Write> writes, long blockNumber, long transactionNumber) {
            for (Write w : writes) {
                calls.add(w.namespace() + "/" + w.key() + "@" + blockNumber + "." + transactionNumber);
            }
            delegate.apply(writes, blockNumber, transactionNumber);
        }

        @Override
        public void commit(long blockNumber) {
            calls.add("commit " + blockNumber);
            delegate.commit(blockNumber);
        }

        @Override
        public long savepoint() {
            return delegate.savepoint();
        }
    }
}
