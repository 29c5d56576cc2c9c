package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.Blocks;
import dev.weft.core.ChannelConfig;
import dev.weft.core.Fixtures;
import dev.weft.core.SeekRequest;
import dev.weft.core.Signatures;
import dev.weft.core.TransactionId;
import dev.weft.core.TransactionStatus;
import dev.weft.core.TransactionView;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Hashing;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.LastConfig;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.orderer.ConsensusType;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reference network's blocks compared field by field with blocks from a real Fabric 2.5.12
 * network (the fixtures in sdk-core's test jar): the genesis config block, a block holding one
 * CreateAsset (orderer copy, peer copy) and its filtered block must populate the same fields the
 * same way, differing only in keys, names, times, hashes and the consensus type.
 *
 * <p>The network is configured with the fixture's genesis BatchSize (10 / 103809024 / 524288) and
 * BatchTimeout (1s), and the CreateAsset uses the fixture's arguments (block 14:
 * {@code CreateAsset(jg1795263204703, magenta, 4, Dave, 777)} from Java fabric-gateway, whose
 * proposal conventions — channel header version 0, chaincode spec type UNDEFINED — are those of
 * Weft's {@code ChaincodeProposal}), so that config values, read-write sets and chaincode
 * responses can be compared byte for byte.
 */
class SameShapeAsFabricTest {
    private static final String ASSET = "jg1795263204703";
    private static final String CG = "data.data[].payload.data.config.channel_group";
    private static final String CONSENSUS_METADATA = CG + ".groups{Orderer}.values{ConsensusType}.value.metadata";
    private static final String RWSET = "data.data[].payload.data.actions[].payload.action.proposal_response_payload"
            + ".extension.results.ns_rwset[].rwset";
    private static final String CONSENTER_METADATA = "metadata.metadata[0].value.consenter_metadata";
    /** Fabric's test network names the orderer organisation's config group after configtx.yaml's Name, OrdererOrg. */
    private static final String FABRIC_ORDERER_GROUP = "OrdererOrg";

    /** Paths whose values are keys, names, times, hashes, nonces or signatures: they may differ. */
    private static final Predicate<String> STABLE_VALUES = ProtoShape.except(
            "\\.id_bytes$", "\\.nonce$", "signature$", "\\.tx_id$", "\\.timestamp\\.", "\\.proposal_hash$",
            "^header\\.(number|data_hash|previous_hash)$", "^metadata\\.metadata\\[4\\]\\.value$",
            "certificate$", "root_certs\\[\\]$");

    private static ReferenceNetwork network;
    private static RawClient client;
    private static TransactionStatus created;
    private static Block ordererGenesis;
    private static Block peerGenesis;
    private static Block ordererCreate;
    private static Block peerCreate;
    private static List<DeliverResponse> filtered;

    @BeforeAll
    static void start() throws Exception {
        network = ReferenceNetwork.builder()
                .batchSize(10, 103809024, 524288)
                .batchTimeout(Duration.ofSeconds(1))
                .start();
        client = new RawClient(network, network.user("Org1MSP"));
        created = client.submit("basic", "CreateAsset", ASSET, "magenta", "4", "Dave", "777");
        assertTrue(created.isValid(), "CreateAsset " + created);
        long n = created.blockNumber();
        List<Block> fromOrderer = client.blocks(network.orderer(), 0, n);
        List<Block> fromPeer = client.blocks(network.peer("Org1MSP"), 0, n);
        ordererGenesis = fromOrderer.get(0);
        peerGenesis = fromPeer.get(0);
        ordererCreate = fromOrderer.get((int) n);
        peerCreate = fromPeer.get((int) n);
        filtered = deliverFiltered(network.peer("Org1MSP"), 0, n);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (network != null) {
            network.close();
        }
    }

    // ---------------------------------------------------------------- genesis block

    @Test
    void genesisBlock_ordererCopy_populatesSameFieldsAsConfigtxgen() {
        ProtoShape fabric = fabricShape(Fixtures.ordererBlock(0));
        ProtoShape ours = ProtoShape.of(ordererGenesis);

        // etcdraft's ConsensusType carries metadata (consenters, options); solo's is empty.
        assertEquals(Set.of(CONSENSUS_METADATA), fabric.pathsNotIn(ours));
        assertEquals(Set.of(), ours.pathsNotIn(fabric));
        assertEquals(Map.of(), ours.countDifferences(fabric, p -> true));
    }

    @Test
    void genesisBlock_peerCopy_populatesSameFieldsAsFabricPeer() {
        ProtoShape fabric = fabricShape(Fixtures.peerBlock(0));
        ProtoShape ours = ProtoShape.of(peerGenesis);

        assertEquals(Set.of(CONSENSUS_METADATA), fabric.pathsNotIn(ours));
        assertEquals(Set.of(), ours.pathsNotIn(fabric));
        assertEquals(Map.of(), ours.countDifferences(fabric, p -> true));
    }

    @Test
    void genesisBlock_configValues_equalFabricExceptKeysEndpointsTimesAndConsensusType() {
        ProtoShape fabric = fabricShape(Fixtures.ordererBlock(0));
        ProtoShape ours = ProtoShape.of(ordererGenesis);

        // Everything else is compared: mod_policy and version of every group, value and policy,
        // policy rules and principals, capabilities, BatchSize, BatchTimeout, hashing, MSP
        // definitions (names, node OUs, crypto config), channel header fields.
        Map<String, String> differences = ours.valueDifferences(fabric, STABLE_VALUES.and(ProtoShape.except(
                "\\{AnchorPeers\\}\\.value\\.anchor_peers\\[\\]\\.port$",
                "\\{(OrdererAddresses|Endpoints)\\}\\.value\\.addresses\\[\\]$",
                "\\{ConsensusType\\}\\.value\\.type$")));
        assertEquals(Map.of(), differences);
        // The comparison covered the config tree: group, value and policy mod policies were among the values compared.
        assertEquals(fabric.values(CG + ".groups{Orderer}.values{BatchSize}.mod_policy"),
                ours.values(CG + ".groups{Orderer}.values{BatchSize}.mod_policy"));
        assertEquals(List.of("/Channel/Orderer/Admins"), ours.values(CG + ".values{OrdererAddresses}.mod_policy"));
    }

    @Test
    void genesisBlock_knownDifferences_soloConsensusEndpointsAndOrdererGroupName() throws Exception {
        ChannelConfig fabric = ChannelConfig.fromBlock(Fixtures.ordererBlock(0), Fixtures.VALID_CLOCK);
        ChannelConfig ours = ChannelConfig.fromBlock(ordererGenesis);

        // Consensus: the fixture network ran etcdraft with consenters and options in the metadata;
        // the reference network orders with solo and empty metadata.
        ConsensusType fabricConsensus = fabric.consensusType().orElseThrow();
        ConsensusType ourConsensus = ours.consensusType().orElseThrow();
        assertEquals("etcdraft", fabricConsensus.getType());
        assertFalse(fabricConsensus.getMetadata().isEmpty());
        assertEquals("solo", ourConsensus.getType());
        assertTrue(ourConsensus.getMetadata().isEmpty());
        assertEquals(fabricConsensus.getState(), ourConsensus.getState());
        assertEquals(ConsensusType.State.STATE_NORMAL, ourConsensus.getState());

        // Endpoints: fixed ports in the fixture, the nodes' ephemeral ports here.
        assertEquals(Map.of("Org1MSP", List.of("127.0.0.1:7051"), "Org2MSP", List.of("127.0.0.1:9051")),
                fabric.anchorPeers());
        assertEquals(Map.of("Org1MSP", List.of(network.peer("Org1MSP").endpoint()),
                "Org2MSP", List.of(network.peer("Org2MSP").endpoint())), ours.anchorPeers());
        assertEquals(List.of("127.0.0.1:7050"), fabric.globalOrdererAddresses());
        assertEquals(List.of(network.orderer().endpoint()), ours.globalOrdererAddresses());
        assertEquals(List.of("127.0.0.1:7050"), fabric.ordererEndpoints());
        assertEquals(List.of(network.orderer().endpoint()), ours.ordererEndpoints());

        // The orderer organisation's group is keyed "OrdererOrg" as configtx.yaml names it; the MSP inside
        // is OrdererMSP in both.
        assertEquals(Set.of(FABRIC_ORDERER_GROUP), groupsOf(Fixtures.ordererBlock(0), "Orderer"));
        assertEquals(Set.of(FABRIC_ORDERER_GROUP), groupsOf(ordererGenesis, "Orderer"));
        assertEquals(fabric.ordererMspIds(), ours.ordererMspIds());
        assertEquals(Set.of("Org1MSP", "Org2MSP"), groupsOf(ordererGenesis, "Application"));
        assertEquals(groupsOf(Fixtures.ordererBlock(0), "Application"), groupsOf(ordererGenesis, "Application"));
    }

    @Test
    void genesisBlock_policiesCapabilitiesAndBatching_sameAsFabric() {
        ChannelConfig fabric = ChannelConfig.fromBlock(Fixtures.ordererBlock(0), Fixtures.VALID_CLOCK);
        ChannelConfig ours = ChannelConfig.fromBlock(ordererGenesis);

        Map<String, String> fabricPolicies = policyTexts(fabric, "", "");
        Map<String, String> ourPolicies = policyTexts(ours, "", "");
        assertEquals(23, fabricPolicies.size());
        assertEquals(fabricPolicies, ourPolicies);
        assertEquals("Signature OR('Org1MSP.admin', 'Org1MSP.client')".replace(" ", ""),
                ourPolicies.get("/Channel/Application/Org1MSP/Writers").replace(" ", ""));
        assertEquals("ImplicitMeta MAJORITY Endorsement", ourPolicies.get("/Channel/Application/Endorsement"));

        assertEquals(fabric.channelCapabilities(), ours.channelCapabilities());
        assertEquals(fabric.ordererCapabilities(), ours.ordererCapabilities());
        assertEquals(fabric.applicationCapabilities(), ours.applicationCapabilities());
        assertEquals(Set.of("V2_5"), ours.applicationCapabilities());
        assertEquals(fabric.batchSize(), ours.batchSize());
        assertEquals(fabric.batchTimeout(), ours.batchTimeout());
        assertEquals(fabric.hashingAlgorithm(), ours.hashingAlgorithm());
        assertEquals(fabric.acls(), ours.acls());
        assertEquals(fabric.sequence(), ours.sequence());
    }

    @Test
    void genesisBlock_headerAndMetadata_encodedAsConfigtxgen() throws Exception {
        // configtxgen sets SIGNATURES to Metadata{value: OrdererBlockMetadata{last_config: {}}} and
        // LAST_CONFIG to an all-default Metadata; the peer adds a one-byte TRANSACTIONS_FILTER only.
        assertEquals(Fixtures.ordererBlock(0).getMetadata().getMetadataList(), ordererGenesis.getMetadata().getMetadataList());
        assertEquals(Fixtures.peerBlock(0).getMetadata().getMetadataList(), peerGenesis.getMetadata().getMetadataList());
        assertEquals(ordererGenesis.getHeader(), peerGenesis.getHeader());
        assertEquals(ordererGenesis.getData(), peerGenesis.getData());

        for (Block block : List.of(Fixtures.ordererBlock(0), ordererGenesis)) {
            TransactionView tx = TransactionView.parse(0, 0, block.getData().getData(0), null);
            ChannelHeader header = tx.channelHeader();
            assertEquals(HeaderType.CONFIG_VALUE, header.getType());
            assertEquals(1, header.getVersion());
            assertEquals(0, header.getEpoch());
            assertEquals(0, header.getTimestamp().getNanos(), "configtxgen writes whole seconds");
            assertEquals("mychannel", header.getChannelId());
            assertTrue(tx.creator().isEmpty(), "the genesis envelope has no creator");
            assertEquals(TransactionId.NONCE_LENGTH, tx.nonce().size());
            assertEquals(HexFormat.of().formatHex(Hashing.sha256(tx.nonce())), header.getTxId(),
                    "tx id = SHA-256(nonce || empty creator)");
            assertTrue(tx.envelope().getSignature().isEmpty(), "the genesis envelope is unsigned");
            assertTrue(block.getHeader().getPreviousHash().isEmpty());
            assertArrayEquals(Blocks.dataHash(block.getData()), block.getHeader().getDataHash().toByteArray());
            assertEquals(List.of(), Blocks.signatures(block), "the genesis block is unsigned");
        }
    }

    // ---------------------------------------------------------------- CreateAsset block

    @Test
    void createAssetBlock_ordererCopy_populatesSameFieldsAsFabricBlock14() {
        ProtoShape fabric = ProtoShape.of(Fixtures.ordererBlock(14));
        ProtoShape ours = ProtoShape.of(ordererCreate);

        assertEquals(Set.of(CONSENTER_METADATA, CONSENTER_METADATA + ".value",
                RWSET + ".reads[].version.block_num"), fabric.pathsNotIn(ours),
                "known differences: solo writes no consenter metadata; _lifecycle's Sequence is read at version 0:0");
        assertEquals(Set.of(), ours.pathsNotIn(fabric));
        assertEquals(Map.of(), ours.countDifferences(fabric, p -> true));
    }

    @Test
    void createAssetBlock_peerCopy_populatesSameFieldsAsFabricBlock14() {
        ProtoShape fabric = ProtoShape.of(Fixtures.peerBlock(14));
        ProtoShape ours = ProtoShape.of(peerCreate);

        assertEquals(Set.of(CONSENTER_METADATA, CONSENTER_METADATA + ".value",
                RWSET + ".reads[].version.block_num"), fabric.pathsNotIn(ours));
        assertEquals(Set.of(), ours.pathsNotIn(fabric));
        assertEquals(Map.of(), ours.countDifferences(fabric, p -> true));
        assertTrue(ours.paths().contains("metadata.metadata[2]"));
        assertTrue(ours.paths().contains("metadata.metadata[4].value"));
    }

    @Test
    void createAssetBlock_values_equalFabricExceptKeysTimesAndHashes() {
        ProtoShape fabric = ProtoShape.of(Fixtures.peerBlock(14));
        ProtoShape ours = ProtoShape.of(peerCreate);

        // Compared: header types and versions, channel id, chaincode ids, arguments, endorser MSP ids,
        // the whole read-write set (keys, written value), the chaincode response, the validation code.
        assertEquals(Map.of(), ours.valueDifferences(fabric, STABLE_VALUES));
        assertEquals(List.of("Org1MSP", "Org2MSP"),
                ours.values("data.data[].payload.data.actions[].payload.action.endorsements[].endorser.mspid"));
        assertEquals(List.of("bytes:00"), ours.values("metadata.metadata[2]"));
    }

    @Test
    @SuppressWarnings("deprecation") // LAST_CONFIG is deprecated but Fabric 2.5 still writes it
    void createAssetBlock_metadata_slotsFilledAsFabricOrdererAndPeer() throws Exception {
        Block fabricOrderer = Fixtures.ordererBlock(14);
        Block fabricPeer = Fixtures.peerBlock(14);
        assertEquals(5, ordererCreate.getMetadata().getMetadataCount());
        assertEquals(5, peerCreate.getMetadata().getMetadataCount());
        for (int slot = 0; slot < 5; slot++) {
            assertEquals(fabricOrderer.getMetadata().getMetadata(slot).isEmpty(),
                    ordererCreate.getMetadata().getMetadata(slot).isEmpty(), "orderer copy, slot " + slot);
            assertEquals(fabricPeer.getMetadata().getMetadata(slot).isEmpty(),
                    peerCreate.getMetadata().getMetadata(slot).isEmpty(), "peer copy, slot " + slot);
        }
        // The copies differ only in the peer's TRANSACTIONS_FILTER and COMMIT_HASH.
        assertEquals(ordererCreate.getHeader(), peerCreate.getHeader());
        assertEquals(ordererCreate.getData(), peerCreate.getData());
        for (int slot : new int[] {0, 1, 3}) {
            assertEquals(ordererCreate.getMetadata().getMetadata(slot), peerCreate.getMetadata().getMetadata(slot));
        }
        // LAST_CONFIG: Metadata{value: LastConfig{index 0}}, i.e. all defaults, encoded as in the fixture.
        assertEquals(fabricOrderer.getMetadata().getMetadata(BlockMetadataIndex.LAST_CONFIG_VALUE),
                ordererCreate.getMetadata().getMetadata(BlockMetadataIndex.LAST_CONFIG_VALUE));
        assertEquals(0, LastConfig.parseFrom(Metadata.parseFrom(
                ordererCreate.getMetadata().getMetadata(BlockMetadataIndex.LAST_CONFIG_VALUE)).getValue()).getIndex());
        // TRANSACTIONS_FILTER: one validation code per transaction.
        ByteString filter = peerCreate.getMetadata().getMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE);
        assertEquals(peerCreate.getData().getDataCount(), filter.size());
        assertEquals(fabricPeer.getMetadata().getMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE), filter);
        // COMMIT_HASH: Metadata{value: 32 bytes}, no signatures.
        for (Block block : List.of(fabricPeer, peerCreate)) {
            Metadata commitHash = Metadata.parseFrom(block.getMetadata().getMetadata(BlockMetadataIndex.COMMIT_HASH_VALUE));
            assertEquals(32, commitHash.getValue().size());
            assertEquals(0, commitHash.getSignaturesCount());
        }
    }

    @Test
    void createAssetBlock_ordererSignature_laidOutAsFabric() throws Exception {
        for (Block block : List.of(Fixtures.ordererBlock(14), ordererCreate)) {
            Metadata signatures = Metadata.parseFrom(block.getMetadata().getMetadata(BlockMetadataIndex.SIGNATURES_VALUE));
            assertEquals(1, signatures.getSignaturesCount());
            OrdererBlockMetadata value = OrdererBlockMetadata.parseFrom(signatures.getValue());
            assertTrue(value.hasLastConfig(), "last_config is set even for index 0");
            assertEquals(0, value.getLastConfig().getIndex());
            SignatureHeader header = SignatureHeader.parseFrom(signatures.getSignatures(0).getSignatureHeader());
            assertEquals(TransactionId.NONCE_LENGTH, header.getNonce().size());
            assertTrue(signatures.getSignatures(0).getIdentifierHeader().isEmpty());
            X509Identity signer = X509Identity.fromSerialized(header.getCreator());
            assertEquals("OrdererMSP", signer.mspId());
            assertEquals(SerializedIdentity.parseFrom(header.getCreator()).getIdBytes().toString(StandardCharsets.US_ASCII),
                    dev.weft.core.Credentials.toPem(signer.certificate()), "the creator holds the PEM certificate");
            String subject = signer.certificate().getSubjectX500Principal().getName();
            assertTrue(subject.contains("CN=orderer.example.com") && subject.contains("OU=orderer"), subject);
            Blocks.BlockSignature signature = Blocks.signatures(block).get(0);
            byte[] der = signature.signature().getSignature().toByteArray();
            assertTrue(Signatures.verify(signer.certificate(), signature.signedBytes().toByteArray(), der),
                    "signature over value || signature_header || header DER");
            assertTrue(Signatures.isLowS(signer.certificate().getPublicKey(), der));
        }
        // Solo has no consenter metadata to record (the fixture's is etcdraft BlockMetadata).
        assertTrue(OrdererBlockMetadata.parseFrom(Metadata.parseFrom(ordererCreate.getMetadata()
                .getMetadata(BlockMetadataIndex.SIGNATURES_VALUE)).getValue()).getConsenterMetadata().isEmpty());
        assertFalse(OrdererBlockMetadata.parseFrom(Metadata.parseFrom(Fixtures.ordererBlock(14).getMetadata()
                .getMetadata(BlockMetadataIndex.SIGNATURES_VALUE)).getValue()).getConsenterMetadata().isEmpty());
    }

    @Test
    void createAssetTransaction_contents_likeFabricCreateAsset() throws Exception {
        TransactionView fabric = firstTransaction(Fixtures.peerBlock(14));
        TransactionView ours = firstTransaction(peerCreate);

        for (TransactionView tx : List.of(fabric, ours)) {
            assertEquals(HeaderType.ENDORSER_TRANSACTION_VALUE, tx.type());
            assertEquals(0, tx.channelHeader().getVersion());
            assertEquals(TxValidationCode.VALID, tx.validationCode().orElseThrow());
            ChaincodeAction action = tx.chaincodeAction();
            assertEquals("basic", action.getChaincodeId().getName());
            assertEquals("1.0", action.getChaincodeId().getVersion());
            assertEquals(200, action.getResponse().getStatus());
            assertEquals("", action.getResponse().getMessage());
            assertFalse(tx.chaincodeEvent().isPresent(), "asset-transfer-basic emits no event");
            assertEquals(2, tx.endorsements().size());
            for (Endorsement endorsement : tx.endorsements()) {
                assertTrue(Signatures.verifyEndorsement(tx.proposalResponsePayloadBytes(), endorsement));
            }
            assertEquals(Set.of("Org1MSP", "Org2MSP"), tx.endorsements().stream()
                    .map(e -> X509Identity.fromSerialized(e.getEndorser()).mspId()).collect(Collectors.toSet()));
            assertEquals(List.of("_lifecycle", "basic"),
                    tx.readWriteSet().getNsRwsetList().stream().map(NsReadWriteSet::getNamespace).toList());
        }
        // The response is the asset in the chaincode's field order; the stored value has sorted keys.
        String response = "{\"ID\":\"jg1795263204703\",\"Color\":\"magenta\",\"Size\":4,\"Owner\":\"Dave\",\"AppraisedValue\":777}";
        String stored = "{\"AppraisedValue\":777,\"Color\":\"magenta\",\"ID\":\"jg1795263204703\",\"Owner\":\"Dave\",\"Size\":4}";
        assertEquals(response, fabric.chaincodeAction().getResponse().getPayload().toStringUtf8());
        assertEquals(response, ours.chaincodeAction().getResponse().getPayload().toStringUtf8());

        KVRWSet fabricLifecycle = kv(fabric, 0);
        KVRWSet ourLifecycle = kv(ours, 0);
        assertEquals("namespaces/fields/basic/Sequence", ourLifecycle.getReads(0).getKey());
        assertEquals(fabricLifecycle.getReadsCount(), ourLifecycle.getReadsCount());
        assertEquals(0, ourLifecycle.getWritesCount());
        assertTrue(ourLifecycle.getReads(0).hasVersion());
        // Known difference: Fabric read the definition committed by the lifecycle transaction in
        // block 3 (version 3:0); the reference network defines chaincodes at genesis (version 0:0).
        assertEquals(3, fabricLifecycle.getReads(0).getVersion().getBlockNum());
        assertEquals(0, ourLifecycle.getReads(0).getVersion().getBlockNum());

        KVRWSet fabricBasic = kv(fabric, 1);
        KVRWSet ourBasic = kv(ours, 1);
        assertEquals(fabricBasic, ourBasic, "read of the absent key (no version) and the write, byte for byte");
        assertEquals(ASSET, ourBasic.getReads(0).getKey());
        assertFalse(ourBasic.getReads(0).hasVersion());
        assertFalse(ourBasic.getWrites(0).getIsDelete());
        assertEquals(stored, ourBasic.getWrites(0).getValue().toStringUtf8());
        assertEquals(created.transactionId(), ours.transactionId());
    }

    // ---------------------------------------------------------------- filtered blocks

    @Test
    void filteredBlock_createAsset_sameAsFabricFilteredBlock14() throws Exception {
        FilteredBlock fabric = FilteredBlock.parseFrom(Fixtures.bytes("filtered/peer-filteredblock-14.pb"));
        FilteredBlock ours = filteredBlock(created.blockNumber());

        ProtoShape fabricShape = ProtoShape.of(fabric);
        ProtoShape ourShape = ProtoShape.of(ours);
        assertEquals(fabricShape.paths(), ourShape.paths());
        assertEquals(Map.of(), ourShape.valueDifferences(fabricShape, ProtoShape.except("\\.txid$", "^number$")));
        FilteredTransaction tx = ours.getFilteredTransactions(0);
        assertEquals(created.transactionId(), tx.getTxid());
        assertEquals(HeaderType.ENDORSER_TRANSACTION, tx.getType());
        assertEquals(TxValidationCode.VALID, tx.getTxValidationCode());
        assertTrue(tx.hasTransactionActions(), "endorser transactions carry (empty) transaction_actions");
        assertEquals(0, tx.getTransactionActions().getChaincodeActionsCount());
        assertEquals("mychannel", ours.getChannelId());
        assertEquals(created.blockNumber(), ours.getNumber());
    }

    @Test
    void filteredBlock_genesis_sameAsFabricFilteredBlock0() throws Exception {
        FilteredBlock fabric = FilteredBlock.parseFrom(Fixtures.bytes("filtered/peer-filteredblock-0.pb"));
        FilteredBlock ours = filteredBlock(0);

        assertEquals(ProtoShape.of(fabric).paths(), ProtoShape.of(ours).paths());
        FilteredTransaction tx = ours.getFilteredTransactions(0);
        assertEquals(HeaderType.CONFIG, tx.getType());
        assertEquals(TxValidationCode.VALID, tx.getTxValidationCode());
        assertFalse(tx.hasTransactionActions(), "config transactions carry no transaction_actions");
        assertEquals(TransactionView.parse(0, 0, ordererGenesis.getData().getData(0), null).transactionId(), tx.getTxid());
    }

    @Test
    void deliverFiltered_lastResponse_isFabricsStatusSuccessBytes() {
        DeliverResponse last = filtered.get(filtered.size() - 1);
        assertArrayEquals(Fixtures.bytes("filtered/peer-deliverresponse-status-200.pb"), last.toByteArray());
        assertEquals(created.blockNumber() + 2, filtered.size(), "one filtered block per block, then the status");
        assertNotEquals(DeliverResponse.TypeCase.STATUS, filtered.get(0).getTypeCase());
    }

    // ---------------------------------------------------------------- helpers

    private static ProtoShape fabricShape(Block block) {
        return ProtoShape.of(block);
    }

    private static TransactionView firstTransaction(Block block) {
        return dev.weft.core.BlockView.of(block).transaction(0);
    }

    private static KVRWSet kv(TransactionView tx, int namespace) throws Exception {
        return KVRWSet.parseFrom(tx.readWriteSet().getNsRwset(namespace).getRwset());
    }

    private static Set<String> groupsOf(Block block, String group) {
        return TransactionView.parse(0, 0, block.getData().getData(0), null).configEnvelope().getConfig()
                .getChannelGroup().getGroupsOrThrow(group).getGroupsMap().keySet();
    }

    /** Policy path → rule text, with an optional path rename. */
    private static Map<String, String> policyTexts(ChannelConfig config, String from, String to) {
        Map<String, String> texts = new TreeMap<>();
        config.policies().forEach((path, policy) ->
                texts.put(from.isEmpty() ? path : path.replace(from, to), policy.toString()));
        return texts;
    }

    private static FilteredBlock filteredBlock(long number) {
        for (DeliverResponse r : filtered) {
            if (r.hasFilteredBlock() && r.getFilteredBlock().getNumber() == number) {
                return r.getFilteredBlock();
            }
        }
        throw new AssertionError("no filtered block " + number + " in " + filtered);
    }

    /** DeliverFiltered for blocks [from, to] on a peer: every response up to and including the status. */
    private static List<DeliverResponse> deliverFiltered(ReferenceNetwork.Peer peer, long from, long to)
            throws Exception {
        BlockingQueue<DeliverResponse> received = new LinkedBlockingQueue<>();
        StreamObserver<Envelope> stream = DeliverGrpc.newStub(client.channelTo(peer)).deliverFiltered(
                new StreamObserver<>() {
                    @Override
                    public void onNext(DeliverResponse value) {
                        received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        received.add(DeliverResponse.newBuilder()
                                .setStatus(org.hyperledger.fabric.protos.common.Status.INTERNAL_SERVER_ERROR).build());
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        stream.onNext(SeekRequest.builder().channel(network.channel()).identity(client.user.identity())
                .startAt(from).stopAt(to).behavior(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY)
                .build().sign(client.user.signer()));
        List<DeliverResponse> responses = new ArrayList<>();
        try {
            while (true) {
                DeliverResponse r = received.poll(RawClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (r == null) {
                    throw new AssertionError("DeliverFiltered timed out after " + responses.size() + " responses");
                }
                responses.add(r);
                if (!r.hasFilteredBlock()) {
                    return responses;
                }
            }
        } finally {
            stream.onCompleted();
        }
    }
}
