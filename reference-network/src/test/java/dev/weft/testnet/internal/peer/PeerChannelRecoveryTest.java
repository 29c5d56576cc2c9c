package dev.weft.testnet.internal.peer;

import static dev.weft.testnet.internal.peer.CommitFixture.BASIC;
import static dev.weft.testnet.internal.peer.CommitFixture.OPEN;
import static dev.weft.testnet.internal.peer.CommitFixture.USER2;
import static dev.weft.testnet.internal.peer.CommitFixture.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.internal.Blocks;
import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.ledger.InMemoryBlockStore;
import dev.weft.testnet.internal.ledger.InMemoryStateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A peer channel resumed on stored blocks: state that is missing or behind the block store (a
 * crash between storing a block and committing its state) is rebuilt from the blocks' valid
 * writes, as Fabric's peer rebuilds its state database; the commit hash chain continues.
 */
class PeerChannelRecoveryTest {
    private static ForkJoinPool validators;
    private InMemoryBlockStore blocks;
    private PeerChannel original;

    @BeforeAll
    static void start() {
        validators = new ForkJoinPool(2);
    }

    @AfterAll
    static void stop() {
        validators.shutdownNow();
    }

    /** Three blocks on a fresh channel: writes, an overwrite and an invalid transaction whose write must not count. */
    @BeforeEach
    void commitThreeBlocks() {
        blocks = new InMemoryBlockStore();
        original = CommitFixture.channel(blocks, new InMemoryStateStore());
        BlockCommitter committer = new BlockCommitter(original, validators);
        committer.commit(CommitFixture.cut(original.ledger(),
                new CommitFixture.Tx().writes(write(BASIC, "k1", "v1")).build(),
                new CommitFixture.Tx().envelopeSigner(USER2.signer()).writes(write(BASIC, "forged", "x")).build()));
        committer.commit(CommitFixture.cut(original.ledger(),
                new CommitFixture.Tx().writes(write(BASIC, "k1", "v2")).build()));
        committer.commit(CommitFixture.cut(original.ledger(),
                new CommitFixture.Tx().writes(write(OPEN, "a", "1")).build()));
        assertEquals(TxValidationCode.BAD_CREATOR_SIGNATURE_VALUE, Blocks.validationCodes(blocks.block(1))[1]);
    }

    @Test
    void emptyStateOverStoredBlocks_isRebuiltWithTheSameValuesVersionsAndCommitHash() {
        PeerChannel resumed = CommitFixture.channel(blocks, new InMemoryStateStore());

        assertSameState(original.state(), resumed.state());
        assertEquals(3, resumed.state().savepoint());
        assertTrue(resumed.state().get(BASIC, "forged").isEmpty(), "an invalid transaction's write is not replayed");
        assertEquals(2, resumed.state().get(BASIC, "k1").orElseThrow().blockNumber());
        assertArrayEquals(original.commitHash(), resumed.commitHash());
        assertEquals(4, blocks.height(), "resuming stores nothing");
    }

    @Test
    void stateBehindTheBlocks_replaysOnlyTheBlocksAfterItsSavepoint() {
        InMemoryBlockStore firstTwo = new InMemoryBlockStore();
        firstTwo.append(blocks.block(0));
        firstTwo.append(blocks.block(1));
        RecordingState behind = new RecordingState();
        CommitFixture.channel(firstTwo, behind);
        assertEquals(1, behind.savepoint());
        behind.commits.clear();

        PeerChannel resumed = CommitFixture.channel(blocks, behind);

        assertEquals(List.of(2L, 3L), behind.commits, "blocks 2 and 3 are replayed, 0 and 1 are not");
        assertSameState(original.state(), resumed.state());
    }

    @Test
    void stateAheadOfTheBlocks_isRefused() {
        InMemoryStateStore ahead = new InMemoryStateStore();
        ahead.commit(9);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CommitFixture.channel(blocks, ahead));

        assertTrue(e.getMessage().contains("state is at block 9 but the block store holds only 4 blocks"),
                e.getMessage());
    }

    private static void assertSameState(StateStore expected, StateStore actual) {
        for (String ns : List.of(BASIC, OPEN, PeerChannel.LIFECYCLE)) {
            assertEquals(entries(expected, ns), entries(actual, ns), "namespace " + ns);
        }
    }

    private static List<String> entries(StateStore state, String namespace) {
        List<String> entries = new ArrayList<>();
        state.range(namespace, "", "").forEachRemaining(e -> entries.add(e.key() + "=" + java.util.HexFormat.of()
                .formatHex(e.value().value()) + "@" + e.value().blockNumber() + "." + e.value().transactionNumber()));
        return entries;
    }

    /** A state store that records the blocks committed to it. */
    private static final class RecordingState implements StateStore {
        final List<Long> commits = new ArrayList<>();
        private final InMemoryStateStore delegate = new InMemoryStateStore();

        @Override
        public java.util.Optional<VersionedValue> get(String namespace, String key) {
            return delegate.get(namespace, key);
        }

        @Override
        public java.util.Iterator<Entry> range(String namespace, String startKey, String endKey) {
            return delegate.range(namespace, startKey, endKey);
        }

        @Override
        public void apply(List<Write> writes, long blockNumber, long transactionNumber) {
            delegate.apply(writes, blockNumber, transactionNumber);
        }

        @Override
        public void commit(long blockNumber) {
            commits.add(blockNumber);
            delegate.commit(blockNumber);
        }

        @Override
        public long savepoint() {
            return delegate.savepoint();
        }
    }
}
