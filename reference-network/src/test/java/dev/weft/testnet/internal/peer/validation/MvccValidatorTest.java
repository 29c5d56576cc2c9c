package dev.weft.testnet.internal.peer.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.ledger.InMemoryStateStore;
import dev.weft.testnet.internal.peer.CommitFixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRead;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.QueryReads;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.QueryReadsMerkleSummary;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.RangeQueryInfo;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.Version;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read-version and range (phantom) checks against an in-memory state and a hand-built batch of
 * the block's earlier writes. Committed state: {@code a1} at (1,0), {@code a2} at (1,1),
 * {@code a4} at (2,0), {@code b1} at (2,1), all in namespace {@code cc}.
 */
class MvccValidatorTest {
    private static final String NS = "cc";

    private StateStore state;
    private MvccValidator mvcc;
    private UpdateBatch earlier;

    @BeforeEach
    void committedState() {
        state = new InMemoryStateStore();
        put("a1", 1, 0);
        put("a2", 1, 1);
        put("a4", 2, 0);
        put("b1", 2, 1);
        mvcc = new MvccValidator(state);
        earlier = new UpdateBatch();
    }

    // ---------------------------------------------------------------- point reads

    @Test
    void validate_readsOfTheCommittedVersions_valid() {
        assertEquals(TxValidationCode.VALID, mvcc.validate(reads(read("a1", 1, 0), read("b1", 2, 1)), earlier));
    }

    @Test
    void validate_readOfAnOlderVersion_mvccReadConflict() {
        put("a1", 3, 0); // committed after the simulation read (1,0)

        assertEquals(TxValidationCode.MVCC_READ_CONFLICT, mvcc.validate(reads(read("a1", 1, 0)), earlier));
    }

    @Test
    void validate_readOfAKeyDeletedSince_mvccReadConflict() {
        state.apply(List.of(new StateStore.Write(NS, "a1", null)), 3, 0);

        assertEquals(TxValidationCode.MVCC_READ_CONFLICT, mvcc.validate(reads(read("a1", 1, 0)), earlier));
    }

    @Test
    void validate_readOfAnAbsentKeyThatWasCreatedSince_mvccReadConflict() {
        assertEquals(TxValidationCode.VALID, mvcc.validate(reads(absent("a3")), earlier));
        put("a3", 3, 0);

        assertEquals(TxValidationCode.MVCC_READ_CONFLICT, mvcc.validate(reads(absent("a3")), earlier));
    }

    @Test
    void validate_readOfAKeyWrittenEarlierInTheBlock_mvccReadConflictThoughTheCommittedVersionMatches() {
        earlier.put(NS, "a1", bytes("new"), 0);

        assertEquals(TxValidationCode.MVCC_READ_CONFLICT, mvcc.validate(reads(read("a1", 1, 0)), earlier));
    }

    @Test
    void validate_keyWrittenEarlierInTheBlockInAnotherNamespace_valid() {
        earlier.put("other", "a1", bytes("new"), 0);

        assertEquals(TxValidationCode.VALID, mvcc.validate(reads(read("a1", 1, 0)), earlier));
    }

    // ---------------------------------------------------------------- range queries

    @Test
    void validate_exhaustedRangeUnchanged_valid() {
        assertEquals(TxValidationCode.VALID, mvcc.validate(range(exhausted("a", "b", read("a1", 1, 0),
                read("a2", 1, 1), read("a4", 2, 0))), earlier));
    }

    @Test
    void validate_keyInsertedIntoAnExhaustedRange_phantomReadConflict() {
        put("a3", 3, 0);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, mvcc.validate(range(exhausted("a", "b", read("a1", 1, 0),
                read("a2", 1, 1), read("a4", 2, 0))), earlier));
    }

    @Test
    void validate_keyInTheRangeUpdated_phantomReadConflict() {
        put("a2", 3, 0);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, mvcc.validate(range(exhausted("a", "b", read("a1", 1, 0),
                read("a2", 1, 1), read("a4", 2, 0))), earlier));
    }

    @Test
    void validate_keyInTheRangeDeleted_phantomReadConflict() {
        state.apply(List.of(new StateStore.Write(NS, "a4", null)), 3, 0);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, mvcc.validate(range(exhausted("a", "b", read("a1", 1, 0),
                read("a2", 1, 1), read("a4", 2, 0))), earlier));
    }

    @Test
    void validate_keyChangedOutsideTheRange_valid() {
        put("b1", 3, 0);
        put("b2", 3, 1);

        assertEquals(TxValidationCode.VALID, mvcc.validate(range(exhausted("a", "b", read("a1", 1, 0),
                read("a2", 1, 1), read("a4", 2, 0))), earlier));
    }

    @Test
    void validate_keyInsertedIntoTheRangeEarlierInTheBlock_phantomReadConflict() {
        earlier.put(NS, "a3", bytes("new"), 0);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, mvcc.validate(range(exhausted("a", "b", read("a1", 1, 0),
                read("a2", 1, 1), read("a4", 2, 0))), earlier));
    }

    @Test
    void validate_keyOfTheRangeDeletedEarlierInTheBlock_phantomReadConflict() {
        earlier.put(NS, "a2", null, 0);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, mvcc.validate(range(exhausted("a", "b", read("a1", 1, 0),
                read("a2", 1, 1), read("a4", 2, 0))), earlier));
    }

    @Test
    void validate_unexhaustedRange_keyInsertedAfterItsLastReadKey_valid() {
        // The simulation stopped after a2, so the range is re-run from a to a2 inclusive.
        RangeQueryInfo firstTwo = unexhausted("a", "a2", read("a1", 1, 0), read("a2", 1, 1));
        put("a3", 3, 0);

        assertEquals(TxValidationCode.VALID, mvcc.validate(range(firstTwo), earlier));
    }

    @Test
    void validate_unexhaustedRange_keyInsertedBeforeItsLastReadKey_phantomReadConflict() {
        RangeQueryInfo firstTwo = unexhausted("a", "a2", read("a1", 1, 0), read("a2", 1, 1));
        put("a15", 3, 0);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, mvcc.validate(range(firstTwo), earlier));
    }

    @Test
    void validate_rangeWithMerkleSummary_phantomReadConflict() {
        RangeQueryInfo summarised = RangeQueryInfo.newBuilder().setStartKey("a").setEndKey("b").setItrExhausted(true)
                .setReadsMerkleHashes(QueryReadsMerkleSummary.newBuilder().setMaxDegree(2)).build();

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, mvcc.validate(range(summarised), earlier));
    }

    @Test
    void validate_unparsableNamespace_badRwset() {
        TxReadWriteSet broken = CommitFixture.rwset(org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet.newBuilder()
                .setNamespace(NS).setRwset(com.google.protobuf.ByteString.copyFrom(new byte[] {0x0A, (byte) 0xFF}))
                .build());

        assertEquals(TxValidationCode.BAD_RWSET, mvcc.validate(broken, earlier));
    }

    // ---------------------------------------------------------------- helpers

    private void put(String key, long block, long tx) {
        state.apply(List.of(new StateStore.Write(NS, key, bytes(key))), block, tx);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KVRead read(String key, long block, long tx) {
        return KVRead.newBuilder().setKey(key).setVersion(Version.newBuilder().setBlockNum(block).setTxNum(tx)).build();
    }

    private static KVRead absent(String key) {
        return KVRead.newBuilder().setKey(key).build();
    }

    private static TxReadWriteSet reads(KVRead... reads) {
        return CommitFixture.rwset(CommitFixture.namespace(NS, KVRWSet.newBuilder().addAllReads(List.of(reads)).build()));
    }

    private static RangeQueryInfo exhausted(String start, String end, KVRead... reads) {
        return RangeQueryInfo.newBuilder().setStartKey(start).setEndKey(end).setItrExhausted(true)
                .setRawReads(QueryReads.newBuilder().addAllKvReads(List.of(reads))).build();
    }

    /** A range the simulation did not read to its end: Fabric records the last key read as its end. */
    private static RangeQueryInfo unexhausted(String start, String lastRead, KVRead... reads) {
        return RangeQueryInfo.newBuilder().setStartKey(start).setEndKey(lastRead).setItrExhausted(false)
                .setRawReads(QueryReads.newBuilder().addAllKvReads(List.of(reads))).build();
    }

    private static TxReadWriteSet range(RangeQueryInfo range) {
        return CommitFixture.rwset(CommitFixture.namespace(NS, KVRWSet.newBuilder().addRangeQueriesInfo(range).build()));
    }
}
