package dev.weft.testnet.internal.peer.validation;

import static dev.weft.testnet.internal.peer.CommitFixture.BASIC;
import static dev.weft.testnet.internal.peer.CommitFixture.ORDERER;
import static dev.weft.testnet.internal.peer.CommitFixture.PEER1;
import static dev.weft.testnet.internal.peer.CommitFixture.write;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.weft.core.ChannelConfig;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.ledger.InMemoryBlockStore;
import dev.weft.testnet.internal.peer.CommitFixture;
import java.time.Clock;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The block-level checks, on a ledger holding only the genesis block and blocks cut by hand. */
class BlockVerifierTest {
    private final BlockVerifier verifier = new BlockVerifier(Clock.systemUTC(), new VerifiedSignatures());
    private final ChannelConfig config = CommitFixture.config();
    private ChannelLedger ledger;
    private List<ByteString> data;

    @BeforeEach
    void genesisOnly() {
        ledger = new ChannelLedger(new InMemoryBlockStore());
        ledger.append(CommitFixture.genesis());
        data = List.of(new CommitFixture.Tx().writes(write(BASIC, "k", "v")).build().toByteString());
    }

    @Test
    void verify_nextBlockSignedByOrderer_accepted() {
        Block block = CommitFixture.cut(ledger, data, ORDERER);

        assertDoesNotThrow(() -> verifier.verify(block, ledger, config));
    }

    @Test
    void verify_blockNumberPastTheHeight_rejected() {
        Block next = CommitFixture.cut(ledger, data, ORDERER);
        Block skipping = CommitFixture.signed(next.getHeader().toBuilder().setNumber(2).build(), next.getData(), ORDERER);

        BlockVerificationException e = assertThrows(BlockVerificationException.class,
                () -> verifier.verify(skipping, ledger, config));
        assertEquals("expected block 1 but received block 2", e.getMessage());
    }

    @Test
    void verify_blockAlreadyCommitted_rejected() {
        Block first = CommitFixture.cut(ledger, data, ORDERER);
        ledger.append(first);

        BlockVerificationException e = assertThrows(BlockVerificationException.class,
                () -> verifier.verify(first, ledger, config));
        assertEquals("expected block 2 but received block 1", e.getMessage());
    }

    @Test
    void verify_previousHashNotTheLastBlocks_rejected() {
        Block next = CommitFixture.cut(ledger, data, ORDERER);
        ByteString otherHash = ByteString.copyFrom(Blocks.headerHash(next.getHeader()));
        Block unlinked = CommitFixture.signed(next.getHeader().toBuilder().setPreviousHash(otherHash).build(),
                next.getData(), ORDERER);

        BlockVerificationException e = assertThrows(BlockVerificationException.class,
                () -> verifier.verify(unlinked, ledger, config));
        assertEquals("block 1 does not carry the hash of block 0", e.getMessage());
    }

    @Test
    void verify_dataHashOfOtherData_rejected() {
        Block next = CommitFixture.cut(ledger, data, ORDERER);
        BlockData otherData = BlockData.newBuilder()
                .addData(new CommitFixture.Tx().writes(write(BASIC, "k", "other")).build().toByteString()).build();
        Block swapped = CommitFixture.signed(next.getHeader(), otherData, ORDERER);

        BlockVerificationException e = assertThrows(BlockVerificationException.class,
                () -> verifier.verify(swapped, ledger, config));
        assertEquals("block 1 has a data hash that does not match its data", e.getMessage());
    }

    @Test
    void verify_signedByAPeerInsteadOfTheOrderer_rejected() {
        Block block = CommitFixture.cut(ledger, data, PEER1);

        BlockVerificationException e = assertThrows(BlockVerificationException.class,
                () -> verifier.verify(block, ledger, config));
        assertEquals("block 1 is not signed as /Channel/Orderer/BlockValidation requires", e.getMessage());
    }

    @Test
    void verify_signedByAnIdentityNoChannelMspKnows_rejected() {
        Block block = CommitFixture.cut(ledger, data, CommitFixture.foreign("OrdererMSP"));

        assertThrows(BlockVerificationException.class, () -> verifier.verify(block, ledger, config));
    }

    @Test
    void verify_ordererSignatureOverAnotherHeader_rejected() {
        Block next = CommitFixture.cut(ledger, data, ORDERER);
        BlockHeader otherHeader = next.getHeader().toBuilder().setNumber(7).build();
        Block signedOther = CommitFixture.signed(otherHeader, next.getData(), ORDERER);
        Block forged = next.toBuilder().setMetadata(next.getMetadata().toBuilder()
                .setMetadata(BlockMetadataIndex.SIGNATURES_VALUE,
                        signedOther.getMetadata().getMetadata(BlockMetadataIndex.SIGNATURES_VALUE))).build();

        assertThrows(BlockVerificationException.class, () -> verifier.verify(forged, ledger, config));
    }

    @Test
    void verify_noSignatures_rejected() {
        Block next = CommitFixture.cut(ledger, data, ORDERER);
        Block unsigned = next.toBuilder().setMetadata(next.getMetadata().toBuilder()
                .setMetadata(BlockMetadataIndex.SIGNATURES_VALUE, ByteString.EMPTY)).build();

        assertThrows(BlockVerificationException.class, () -> verifier.verify(unsigned, ledger, config));
    }
}
