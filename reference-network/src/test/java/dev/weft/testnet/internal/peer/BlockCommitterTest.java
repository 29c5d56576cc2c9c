package dev.weft.testnet.internal.peer;

import static dev.weft.testnet.internal.peer.CommitFixture.BASIC;
import static dev.weft.testnet.internal.peer.CommitFixture.GUARDED;
import static dev.weft.testnet.internal.peer.CommitFixture.OPEN;
import static dev.weft.testnet.internal.peer.CommitFixture.USER2;
import static dev.weft.testnet.internal.peer.CommitFixture.namespace;
import static dev.weft.testnet.internal.peer.CommitFixture.rwset;
import static dev.weft.testnet.internal.peer.CommitFixture.write;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.Blocks;
import java.util.HexFormat;
import java.util.concurrent.ForkJoinPool;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVWrite;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committer end to end on hand-built blocks: the metadata it writes. The commit hashes are
 * those the committer computed before it was split into its parts (a fixed input gives a fixed
 * hash: signatures and nonces do not enter it), so any change to how updates are ordered or
 * encoded shows here.
 */
class BlockCommitterTest {
    /** Block 1 of {@link #commit_fixedUpdates_commitHashesAsBeforeTheSplit}, chained to the genesis block's empty hash. */
    static final String BLOCK_1_COMMIT_HASH = "768aa4ba8b5366afb868513160bfc2a966ebde1b03349d6b3e383b108f8e9f62";
    /** Block 2, chained to block 1's. */
    static final String BLOCK_2_COMMIT_HASH = "14bd1ecdd043c17eff177f4e1b4a763af36d7ac66eeaa63074af9398624de205";

    private static ForkJoinPool validators;

    @BeforeAll
    static void start() {
        validators = new ForkJoinPool(2);
    }

    @AfterAll
    static void stop() {
        validators.shutdownNow();
    }

    @Test
    void commit_fixedUpdates_commitHashesAsBeforeTheSplit() {
        PeerChannel channel = CommitFixture.channel();
        try {
            BlockCommitter committer = new BlockCommitter(channel, validators);
            KVRWSet basicWrites = KVRWSet.newBuilder()
                    .addWrites(KVWrite.newBuilder().setKey("k2").setValue(ByteString.EMPTY))
                    .addWrites(KVWrite.newBuilder().setKey("k1").setValue(ByteString.copyFromUtf8("v1")))
                    .build();
            KVRWSet deleteAndOverwrite = KVRWSet.newBuilder()
                    .addWrites(KVWrite.newBuilder().setKey("k3").setIsDelete(true))
                    .addWrites(KVWrite.newBuilder().setKey("k1").setValue(ByteString.copyFromUtf8("v1b")))
                    .build();
            // Four transactions: validated in parallel.
            Block first = CommitFixture.cut(channel.ledger(),
                    new CommitFixture.Tx().rwset(rwset(namespace(BASIC, basicWrites), write(OPEN, "a", "1"))).build(),
                    new CommitFixture.Tx().envelopeSigner(USER2.signer()).writes(write(BASIC, "k9", "x")).build(),
                    new CommitFixture.Tx().rwset(rwset(namespace(BASIC, deleteAndOverwrite))).build(),
                    new CommitFixture.Tx().chaincode(GUARDED).writes(write(GUARDED, "g", "1")).build());

            committer.commit(first);

            Block committed = channel.ledger().block(1);
            assertArrayEquals(new byte[] {TxValidationCode.VALID_VALUE, TxValidationCode.BAD_CREATOR_SIGNATURE_VALUE,
                    TxValidationCode.VALID_VALUE, TxValidationCode.VALID_VALUE}, Blocks.validationCodes(committed));
            assertEquals(BLOCK_1_COMMIT_HASH, commitHash(committed));
            assertEquals("v1b", new String(channel.state().get(BASIC, "k1").orElseThrow().value(), UTF_8),
                    "the later write of the block wins");

            committer.commit(CommitFixture.cut(channel.ledger(),
                    new CommitFixture.Tx().writes(write(BASIC, "k1", "v2")).build()));

            assertEquals(BLOCK_2_COMMIT_HASH, commitHash(channel.ledger().block(2)));
        } finally {
            CommitFixture.close(channel);
        }
    }

    static String commitHash(Block block) {
        try {
            return HexFormat.of().formatHex(Metadata.parseFrom(Blocks.metadata(block, BlockMetadataIndex.COMMIT_HASH))
                    .getValue().toByteArray());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("COMMIT_HASH metadata does not parse", e);
        }
    }
}
