package dev.weft.core;

import dev.weft.core.internal.Blocks;
import static dev.weft.core.Fixtures.BLOCKS;
import static dev.weft.core.Fixtures.facts;
import static dev.weft.core.Fixtures.list;
import static dev.weft.core.Fixtures.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.EcCurves;
import dev.weft.core.internal.Ecdsa;
import dev.weft.core.internal.Hashing;
import dev.weft.core.internal.Hex;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known answers from a real Fabric 2.5.12 network: every rule Weft implements about blocks,
 * transaction ids and signatures, checked on bytes that real orderers, peers and clients wrote.
 */
class RealFabricBlocksTest {

    static List<String> blockFiles() {
        List<String> names = new ArrayList<>();
        for (int n : BLOCKS) {
            names.add("orderer-block-" + n);
            names.add("peer-block-" + n);
        }
        return names;
    }

    @ParameterizedTest
    @MethodSource("blockFiles")
    void headerAndDataHashes_matchFabric(String name) {
        Block block = Fixtures.block("blocks/" + name + ".pb");
        Map<String, Object> facts = facts(name);

        assertEquals(facts.get("header_der"), Hex.encode(Blocks.headerBytes(block.getHeader())));
        assertEquals(facts.get("header_hash_sha256_der"), Hex.encode(Blocks.headerHash(block.getHeader())));
        assertEquals(facts.get("data_hash"), Hex.encode(Blocks.dataHash(block.getData())));
        assertArrayEquals(block.getHeader().getDataHash().toByteArray(), Blocks.dataHash(block.getData()));
    }

    @Test
    void headerHash_ofBlockN_isPreviousHashOfBlockNPlusOne() {
        int checked = 0;
        for (int i = 0; i + 1 < BLOCKS.size(); i++) {
            int n = BLOCKS.get(i);
            if (BLOCKS.get(i + 1) != n + 1) {
                continue;
            }
            Block block = Fixtures.peerBlock(n);
            Block next = Fixtures.peerBlock(n + 1);
            assertTrue(Blocks.follows(block.getHeader(), next.getHeader()), "block " + (n + 1) + " follows " + n);
            checked++;
        }
        assertEquals(10, checked, "pairs 0-1, 1-2, 2-3, 3-4, 4-5, 14-15, 15-16, 7589-7590, 7590-7591, 7591-7592");
        // The facts also record the hash of the block after each fixture (fetched but not stored).
        for (int n : BLOCKS) {
            Block block = Fixtures.peerBlock(n);
            assertEquals(facts("peer-block-" + n).get("header_hash_sha256_der"), Hex.encode(Blocks.headerHash(block.getHeader())));
        }
        assertFalse(Blocks.follows(Fixtures.peerBlock(5).getHeader(), Fixtures.peerBlock(14).getHeader()));
    }

    @ParameterizedTest
    @MethodSource("blockFiles")
    void transactionIds_recomputeFromNonceAndCreator(String name) {
        BlockView block = BlockView.of(Fixtures.block("blocks/" + name + ".pb"));
        List<Object> txFacts = list(facts(name).get("transactions"));
        assertEquals(txFacts.size(), block.transactionCount());
        for (TransactionView tx : block.transactions()) {
            Map<String, Object> f = map(txFacts.get(tx.index()));
            assertEquals(f.get("tx_id"), tx.transactionId());
            assertEquals(f.get("nonce"), Hex.encode(tx.nonce().toByteArray()));
            if (!tx.transactionId().isEmpty()) {
                assertEquals(tx.transactionId(), TransactionId.compute(tx.nonce(), tx.creator()));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("blockFiles")
    void everyCreatorEndorsementAndOrdererSignature_verifiesAndIsLowS(String name) throws Exception {
        Block raw = Fixtures.block("blocks/" + name + ".pb");
        BlockView block = BlockView.of(raw);
        int signatures = 0;
        for (TransactionView tx : block.transactions()) {
            if (tx.creator().isEmpty()) {
                continue; // the configtxgen genesis block is unsigned
            }
            X509Identity creator = X509Identity.fromSerialized(tx.creator());
            byte[] signature = tx.envelope().getSignature().toByteArray();
            assertTrue(Signatures.verify(creator.certificate(), tx.envelope().getPayload().toByteArray(), signature),
                    name + " tx " + tx.index() + " creator signature");
            assertTrue(Ecdsa.isLowS(signature, EcCurves.P256));
            signatures++;
            if (tx.isEndorserTransaction()) {
                for (Endorsement e : tx.endorsements()) {
                    assertTrue(Signatures.verifyEndorsement(tx.proposalResponsePayloadBytes(), e),
                            name + " tx " + tx.index() + " endorsement");
                    assertTrue(Ecdsa.isLowS(e.getSignature().toByteArray(), EcCurves.P256));
                    signatures++;
                }
            }
        }
        for (Blocks.BlockSignature s : Blocks.signatures(raw)) {
            SignatureHeader header = SignatureHeader.parseFrom(s.signature().getSignatureHeader());
            X509Certificate orderer = X509Identity.fromSerialized(header.getCreator()).certificate();
            assertEquals(Fixtures.certificate("orderer-cert.pem"), orderer);
            assertTrue(Signatures.verify(orderer, s.signedBytes().toByteArray(), s.signature().getSignature().toByteArray()),
                    name + " orderer signature");
            signatures++;
        }
        assertTrue(signatures > 0 || block.number() == 0);
        assertEquals(block.number() == 0 ? 0 : 1, Blocks.signatures(raw).size());
    }

    @ParameterizedTest
    @MethodSource("blockFiles")
    void proposalHash_recomputesFromHeadersAndTransientFreePayload(String name) {
        BlockView block = BlockView.of(Fixtures.block("blocks/" + name + ".pb"));
        for (TransactionView tx : block.transactions()) {
            if (!tx.isEndorserTransaction()) {
                continue;
            }
            byte[] hash = Hashing.sha256(tx.payload().getHeader().getChannelHeader(),
                    tx.payload().getHeader().getSignatureHeader(), tx.chaincodeProposalPayload());
            assertEquals(tx.proposalResponsePayload().getProposalHash(), ByteString.copyFrom(hash));
            assertEquals(tx.actionHeader(), tx.payload().getHeader().getSignatureHeader());
        }
    }

    @Test
    void validationCodes_comeFromThePeerCopyOnly() {
        assertEquals(List.of(0, 11), codes(Blocks.transactionStatuses(Fixtures.peerBlock(7591))));
        assertEquals(List.of(10), codes(Blocks.transactionStatuses(Fixtures.peerBlock(7592))));
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), codes(Blocks.transactionStatuses(Fixtures.peerBlock(7589))));
        assertEquals(0, Blocks.validationCodes(Fixtures.ordererBlock(7591)).length);
        TransactionView conflicted = BlockView.of(Fixtures.peerBlock(7591)).transaction(1);
        assertEquals("MVCC_READ_CONFLICT", conflicted.validationCode().orElseThrow().name());
        assertTrue(BlockView.of(Fixtures.ordererBlock(7591)).transaction(1).validationCode().isEmpty());
    }

    @Test
    void lastConfigIndex_readFromOrdererMetadata() {
        assertEquals(0, Blocks.lastConfigIndex(Fixtures.peerBlock(14)));
        assertEquals(15, Blocks.lastConfigIndex(Fixtures.peerBlock(15)));
        assertEquals(15, Blocks.lastConfigIndex(Fixtures.peerBlock(7592)));
        assertEquals(0, Blocks.lastConfigIndex(Fixtures.peerBlock(0)));
    }

    @Test
    void endorserTransaction_decodesInvocationAndReadWriteSet() {
        TransactionView tx = BlockView.of(Fixtures.peerBlock(7591)).transaction(1);
        Map<String, Object> action = map(list(map(list(facts("peer-block-7591").get("transactions")).get(1)).get("actions")).get(0));
        var input = tx.invocation().getChaincodeSpec().getInput();
        assertEquals(action.get("function"), input.getArgs(0).toStringUtf8());
        assertEquals(action.get("args"), input.getArgsList().subList(1, input.getArgsCount()).stream()
                .map(ByteString::toStringUtf8).toList());
        assertEquals(action.get("proposal_hash"), Hex.encode(tx.proposalResponsePayload().getProposalHash().toByteArray()));
        assertEquals("basic", tx.chaincodeAction().getChaincodeId().getName());
        assertEquals("1.0", tx.chaincodeAction().getChaincodeId().getVersion());
        assertEquals(200, tx.chaincodeAction().getResponse().getStatus());
        var basic = tx.readWriteSet().getNsRwsetList().stream().filter(ns -> ns.getNamespace().equals("basic")).findFirst()
                .orElseThrow();
        assertFalse(basic.getRwset().isEmpty());
        assertTrue(tx.chaincodeEvent().isEmpty());
    }

    @ParameterizedTest
    @MethodSource("filteredNumbers")
    void filteredBlocks_agreeWithFullPeerBlocks(int number) throws Exception {
        FilteredBlock filtered = FilteredBlock.parseFrom(Fixtures.bytes("filtered/peer-filteredblock-" + number + ".pb"));
        DeliverResponse response = DeliverResponse.parseFrom(
                Fixtures.bytes("filtered/peer-deliverresponse-filteredblock-" + number + ".pb"));
        assertEquals(filtered, response.getFilteredBlock());
        assertEquals(Blocks.transactionStatuses(Fixtures.peerBlock(number)), Blocks.transactionStatuses(filtered));
        assertEquals("mychannel", filtered.getChannelId());
    }

    static List<Integer> filteredNumbers() {
        return BLOCKS;
    }

    @Test
    void deliverResponses_wrapTheSameBlockBytes() throws Exception {
        DeliverResponse peer = DeliverResponse.parseFrom(Fixtures.bytes("blocks/peer-deliverresponse-block-6574.pb"));
        assertEquals(Fixtures.peerBlock(6574), peer.getBlock());
        var orderer = org.hyperledger.fabric.protos.orderer.DeliverResponse.parseFrom(
                Fixtures.bytes("blocks/orderer-deliverresponse-block-6574.pb"));
        assertEquals(Fixtures.ordererBlock(6574), orderer.getBlock());
        DeliverResponse status = DeliverResponse.parseFrom(Fixtures.bytes("filtered/peer-deliverresponse-status-200.pb"));
        assertEquals(200, status.getStatusValue());
    }

    private static List<Integer> codes(List<TransactionStatus> statuses) {
        return statuses.stream().map(TransactionStatus::validationCode).toList();
    }
}
