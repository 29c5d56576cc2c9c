package dev.weft.testnet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.internal.Blocks;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.TransactionId;
import dev.weft.core.TransactionEnvelope;
import dev.weft.core.TransactionStatus;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Hashing;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.config.GenesisBlocks;
import dev.weft.testnet.internal.crypto.CryptoGenerator;
import dev.weft.testnet.internal.crypto.OrganizationCrypto;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.ledger.InMemoryBlockStore;
import dev.weft.testnet.internal.ledger.InMemoryStateStore;
import dev.weft.testnet.internal.peer.BlockCommitter;
import dev.weft.testnet.internal.peer.ChaincodeDefinition;
import dev.weft.testnet.internal.peer.PeerChannel;
import dev.weft.testnet.internal.peer.validation.BlockVerificationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.LastConfig;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.MetadataSignature;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVWrite;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.ChaincodeID;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Response;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committer's validation codes, each produced by the simplest transaction that has exactly that
 * defect.
 *
 * <p>Most cases go through the network: transactions are endorsed by the real peers, crafted where
 * needed, signed by a channel member (so the orderer's {@code /Channel/Writers} check accepts them)
 * and broadcast; the code is read from the peers' DeliverFiltered stream, and every peer must agree.
 * The orderer cuts a block at two messages (after a short timeout otherwise), so two envelopes
 * broadcast back-to-back on one stream land in the same block.
 *
 * <p>Cases the orderer refuses or that need keys the network does not hand out (a peer's signing
 * key, to endorse a hand-made read-write set) go to a {@link BlockCommitter} directly: a
 * {@link PeerChannel} over a genesis block from the same generators the network uses, fed blocks
 * cut and signed with the orderer's key as {@code OrdererChannel} does it.
 */
class CommitterValidationTest {
    private static final String CHANNEL = "mychannel";
    private static final String BASIC = "basic";
    private static final String RANGES = "ranges";
    private static final String ANY_PEER = "OR('Org1MSP.peer','Org2MSP.peer')";

    private static final AtomicInteger sequence = new AtomicInteger();

    private static ReferenceNetwork network;
    private static RawClient client;
    private static ReferenceNetwork.User user;

    private static Block directGenesis;
    private static Party directOrderer;
    private static Party directUser1;
    private static Party directUser2;
    private static Party directPeer1;
    private static Party directPeer2;
    private static ForkJoinPool validators;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder()
                .chaincode(BASIC, new AssetTransferChaincode())
                .chaincode(RANGES, CommitterValidationTest::rangesChaincode, ANY_PEER)
                .batchSize(2, 10 * 1024 * 1024, 512 * 1024)
                .batchTimeout(Duration.ofMillis(150))
                .start();
        user = network.user("Org1MSP");
        client = new RawClient(network, user);

        CryptoGenerator crypto = new CryptoGenerator(Instant.now());
        OrganizationCrypto org1 = crypto.peerOrganization("Org1MSP", 1, List.of("User1"));
        OrganizationCrypto org2 = crypto.peerOrganization("Org2MSP", 1, List.of("User1"));
        OrganizationCrypto orderers = crypto.ordererOrganization("OrdererMSP");
        directOrderer = Party.of("OrdererMSP", orderers.nodes().values().iterator().next());
        directGenesis = GenesisBlocks.genesisBlock(new GenesisBlocks.ChannelDefinition(CHANNEL,
                List.of(new GenesisBlocks.PeerOrganization("Org1MSP", org1.mspConfig(), List.of("127.0.0.1:7051")),
                        new GenesisBlocks.PeerOrganization("Org2MSP", org2.mspConfig(), List.of("127.0.0.1:9051"))),
                List.of(new GenesisBlocks.OrdererOrganization("OrdererMSP", orderers.mspConfig(),
                        List.of("127.0.0.1:7050"))),
                BatchSize.newBuilder().setMaxMessageCount(100).setAbsoluteMaxBytes(10 * 1024 * 1024)
                        .setPreferredMaxBytes(512 * 1024).build(),
                Duration.ofMillis(100), Set.of("V2_0"), Set.of("V2_0"), Set.of("V2_5"), "solo", ByteString.EMPTY),
                Instant.now());
        directUser1 = Party.of("Org1MSP", org1.user("User1"));
        directUser2 = Party.of("Org2MSP", org2.user("User1"));
        directPeer1 = Party.of("Org1MSP", org1.nodes().values().iterator().next());
        directPeer2 = Party.of("Org2MSP", org2.nodes().values().iterator().next());
        validators = new ForkJoinPool(2);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (network != null) {
            network.close();
        }
        if (validators != null) {
            validators.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- VALID

    @Test
    void createAsset_endorsedByBothOrgs_valid() throws Exception {
        String id = unique("valid");
        TransactionStatus status = submit(envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100")));

        assertEquals(TxValidationCode.VALID, status.code());
        assertEquals("{\"AppraisedValue\":100,\"Color\":\"blue\",\"ID\":\"" + id + "\",\"Owner\":\"Tom\",\"Size\":5}",
                client.evaluate(BASIC, "ReadAsset", id));
    }

    // ---------------------------------------------------------------- MVCC_READ_CONFLICT

    @Test
    void transferAsset_twoEndorsedOnSameVersionInOneBlock_secondMvccReadConflict() throws Exception {
        String id = createAsset("mvcc-block", "Tom");
        Envelope toAlice = envelope(endorse(BASIC, "TransferAsset", id, "Alice"));
        Envelope toBob = envelope(endorse(BASIC, "TransferAsset", id, "Bob"));

        List<TransactionStatus> statuses = submitTogether(toAlice, toBob);

        assertEquals(TxValidationCode.VALID, statuses.get(0).code());
        assertEquals(TxValidationCode.MVCC_READ_CONFLICT, statuses.get(1).code());
        assertEquals("Alice", owner(id));
    }

    @Test
    void transferAsset_secondSubmittedAfterFirstCommitted_mvccReadConflict() throws Exception {
        String id = createAsset("mvcc-later", "Tom");
        Envelope toAlice = envelope(endorse(BASIC, "TransferAsset", id, "Alice"));
        Envelope toBob = envelope(endorse(BASIC, "TransferAsset", id, "Bob"));

        TransactionStatus first = submit(toAlice);
        TransactionStatus second = submit(toBob);

        assertEquals(TxValidationCode.VALID, first.code());
        assertEquals(TxValidationCode.MVCC_READ_CONFLICT, second.code());
        assertTrue(second.blockNumber() > first.blockNumber());
        assertEquals("Alice", owner(id));
    }

    @Test
    void createAsset_sameNewKeyTwiceInOneBlock_secondMvccReadConflict() throws Exception {
        String id = unique("mvcc-absent");
        Envelope tom = envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100"));
        Envelope ann = envelope(endorse(BASIC, "CreateAsset", id, "red", "7", "Ann", "200"));

        List<TransactionStatus> statuses = submitTogether(tom, ann);

        assertEquals(TxValidationCode.VALID, statuses.get(0).code());
        assertEquals(TxValidationCode.MVCC_READ_CONFLICT, statuses.get(1).code());
        assertEquals("Tom", owner(id));
    }

    // ---------------------------------------------------------------- PHANTOM_READ_CONFLICT

    @Test
    void summarizeRange_keyInsertedInRangeAfterEndorsement_phantomReadConflict() throws Exception {
        String prefix = unique("ph") + "/";
        put(prefix + "a", "1", prefix + "b", "2");
        Envelope summarize = envelope(endorse(RANGES, "Summarize", prefix, prefix + "~"));
        put(prefix + "c", "3");

        TransactionStatus status = submit(summarize);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, status.code());
        assertEquals("", client.evaluate(RANGES, "Get", "summary/" + prefix));
    }

    @Test
    void summarizeRange_keyInRangeUpdatedAfterEndorsement_phantomReadConflict() throws Exception {
        String prefix = unique("ph") + "/";
        put(prefix + "a", "1", prefix + "b", "2");
        Envelope summarize = envelope(endorse(RANGES, "Summarize", prefix, prefix + "~"));
        put(prefix + "a", "changed");

        TransactionStatus status = submit(summarize);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, status.code());
        assertEquals("", client.evaluate(RANGES, "Get", "summary/" + prefix));
    }

    @Test
    void summarizeRange_keyInsertedOutsideRangeAfterEndorsement_valid() throws Exception {
        String name = unique("ph");
        String prefix = name + "/";
        put(prefix + "a", "1", prefix + "b", "2");
        Envelope summarize = envelope(endorse(RANGES, "Summarize", prefix, prefix + "~"));
        put(name + "0", "after the range", "a" + prefix, "before the range");

        TransactionStatus status = submit(summarize);

        assertEquals(TxValidationCode.VALID, status.code());
        assertEquals("2", client.evaluate(RANGES, "Get", "summary/" + prefix));
    }

    @Test
    void summarizeRange_afterInsertIntoRangeInSameBlock_phantomReadConflict() throws Exception {
        String prefix = unique("ph") + "/";
        put(prefix + "a", "1");
        Envelope summarize = envelope(endorse(RANGES, "Summarize", prefix, prefix + "~"));
        Envelope insert = envelope(endorse(RANGES, "Put", prefix + "b", "2"));

        List<TransactionStatus> statuses = submitTogether(insert, summarize);

        assertEquals(TxValidationCode.VALID, statuses.get(0).code());
        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, statuses.get(1).code());
        assertEquals("", client.evaluate(RANGES, "Get", "summary/" + prefix));
    }

    @Test
    void summarizeRange_beforeInsertIntoRangeInSameBlock_bothValid() throws Exception {
        String prefix = unique("ph") + "/";
        put(prefix + "a", "1");
        Envelope summarize = envelope(endorse(RANGES, "Summarize", prefix, prefix + "~"));
        Envelope insert = envelope(endorse(RANGES, "Put", prefix + "b", "2"));

        List<TransactionStatus> statuses = submitTogether(summarize, insert);

        assertEquals(TxValidationCode.VALID, statuses.get(0).code());
        assertEquals(TxValidationCode.VALID, statuses.get(1).code());
        assertEquals("1", client.evaluate(RANGES, "Get", "summary/" + prefix));
        assertEquals("2", client.evaluate(RANGES, "Get", prefix + "b"));
    }

    @Test
    void firstInRange_unexhaustedRangeUnchangedSinceEndorsement_valid() throws Exception {
        String prefix = unique("ph") + "/";
        put(prefix + "b", "1", prefix + "d", "2");
        Envelope first = envelope(endorse(RANGES, "First", prefix, prefix + "~"));

        TransactionStatus status = submit(first);

        assertEquals(TxValidationCode.VALID, status.code());
        assertEquals(prefix + "b", client.evaluate(RANGES, "Get", "first/" + prefix));
    }

    @Test
    void firstInRange_keyInsertedBeforeFirstKeyReadOfUnexhaustedRange_phantomReadConflict() throws Exception {
        String prefix = unique("ph") + "/";
        put(prefix + "b", "1", prefix + "d", "2");
        Envelope first = envelope(endorse(RANGES, "First", prefix, prefix + "~"));
        put(prefix + "a", "3");

        TransactionStatus status = submit(first);

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, status.code());
        assertEquals("", client.evaluate(RANGES, "Get", "first/" + prefix));
    }

    // ---------------------------------------------------------------- DUPLICATE_TXID

    @Test
    void broadcast_sameEnvelopeAgainAfterCommit_duplicateTxid() throws Exception {
        String id = createAsset("dup-later", "Tom");
        Envelope transfer = envelope(endorse(BASIC, "TransferAsset", id, "Alice"));

        TransactionStatus first = submit(transfer);
        TransactionStatus second = submit(transfer);

        assertEquals(TxValidationCode.VALID, first.code());
        assertEquals(TxValidationCode.DUPLICATE_TXID, second.code());
        assertTrue(second.blockNumber() > first.blockNumber());
        assertEquals("Alice", owner(id));
    }

    @Test
    void broadcast_sameEnvelopeTwiceInOneBlock_secondDuplicateTxid() throws Exception {
        String id = unique("dup-block");
        Envelope create = envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100"));

        long from = height();
        broadcastAll(create, create);
        TransactionStatus status = awaitOnAllPeers(txId(create), from);
        List<TransactionStatus> inBlock = statusesOfBlock(status.blockNumber());

        assertEquals(2, inBlock.size());
        assertEquals(txId(create), inBlock.get(1).transactionId());
        assertEquals(TxValidationCode.VALID, inBlock.get(0).code());
        assertEquals(TxValidationCode.DUPLICATE_TXID, inBlock.get(1).code());
        assertEquals("Tom", owner(id));
    }

    // ---------------------------------------------------------------- ENDORSEMENT_POLICY_FAILURE

    @Test
    void createAsset_endorsedByOrg1Only_endorsementPolicyFailureAndStateUnchanged() throws Exception {
        String id = unique("epf-one-org");
        ChaincodeProposal proposal = client.proposal(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100");
        Envelope envelope = TransactionEnvelope.create(proposal,
                List.of(endorseOn(proposal, network.peer("Org1MSP")))).sign(user.signer());

        TransactionStatus status = submit(envelope);

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, status.code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", id));
    }

    @Test
    void createAsset_org2EndorsementSignatureTampered_endorsementPolicyFailure() throws Exception {
        String id = unique("epf-tampered");
        Envelope envelope = withEndorsements(envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100")),
                endorsements -> {
                    List<Endorsement> out = new ArrayList<>();
                    for (Endorsement e : endorsements) {
                        out.add(isOf(e, "Org2MSP") ? e.toBuilder().setSignature(flipByte(e.getSignature(), 10)).build() : e);
                    }
                    return out;
                });

        TransactionStatus status = submit(envelope);

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, status.code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", id));
    }

    @Test
    void createAsset_org2EndorsementSignedByOrg2Client_endorsementPolicyFailure() throws Exception {
        String id = unique("epf-client");
        ReferenceNetwork.User org2User = network.user("Org2MSP");
        Envelope envelope = withEndorsements(envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100")),
                endorsements -> {
                    List<Endorsement> out = new ArrayList<>();
                    for (Endorsement e : endorsements) {
                        if (!isOf(e, "Org2MSP")) {
                            out.add(e);
                        }
                    }
                    return out;
                }, (prp, endorsements) -> {
                    // A valid Org2 signature over the same response, but by a client: the policy wants a peer.
                    endorsements.add(endorsement(prp, org2User.identity(), org2User.signer()));
                });

        TransactionStatus status = submit(envelope);

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, status.code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", id));
    }

    @Test
    void createAsset_org1EndorsementTwice_endorsementPolicyFailure() throws Exception {
        String id = unique("epf-twice");
        Envelope envelope = withEndorsements(envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100")),
                endorsements -> {
                    Endorsement org1 = endorsements.stream().filter(e -> isOf(e, "Org1MSP")).findFirst().orElseThrow();
                    return List.of(org1, org1);
                });

        TransactionStatus status = submit(envelope);

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, status.code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", id));
    }

    // ---------------------------------------------------------------- header and envelope checks

    @Test
    void createAsset_epochNotZero_badCommonHeader() throws Exception {
        String id = unique("bad-header");
        Envelope envelope = withChannelHeader(envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100")),
                header -> header.setEpoch(1));

        TransactionStatus status = submit(envelope);

        assertEquals(TxValidationCode.BAD_COMMON_HEADER, status.code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", id));
    }

    /**
     * Fabric's committer ignores certificate validity periods (FAB-3678): a transaction timestamped
     * before its creator's certificate became valid (but inside the endorsers' 15-minute window)
     * commits VALID, however late it is validated.
     */
    @Test
    void createAsset_timestampBeforeCreatorCertificateValidity_validAsInFabric() throws Exception {
        String id = unique("early-creator");
        Instant timestamp = user.identity().certificate().getNotBefore().toInstant().minusSeconds(60);
        assertTrue(Duration.between(timestamp, Instant.now()).compareTo(Duration.ofMinutes(14)) < 0,
                "the timestamp must stay inside the endorsers' time window");
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(user.identity()).channel(CHANNEL)
                .chaincode(BASIC).function("CreateAsset").arguments(id, "blue", "5", "Tom", "100")
                .timestamp(timestamp).build();

        TransactionStatus status = submit(envelope(endorse(proposal)));

        assertEquals(TxValidationCode.VALID, status.code());
        assertEquals("true", client.evaluate(BASIC, "AssetExists", id));
    }

    /**
     * As Fabric's v20 validator: only a transaction that is still valid claims its id in the block,
     * so an invalid copy (here with one endorsement) does not make the valid copy after it a duplicate.
     */
    @Test
    void sameTxIdInBlock_invalidCopyFirst_laterValidCopyCommits() throws Exception {
        String id = unique("dup-invalid-first");
        Endorsed endorsed = endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100");
        Envelope org1Only = TransactionEnvelope.create(endorsed.proposal(), List.of(endorsed.responses().get(0)))
                .sign(user.signer());
        Envelope both = envelope(endorsed);

        long from = height();
        broadcastAll(org1Only, both);
        TransactionStatus first = awaitOnAllPeers(txId(both), from);
        List<TransactionStatus> block = statusesOfBlock(first.blockNumber());

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, block.get(first.index()).code());
        assertEquals(TxValidationCode.VALID, block.get(first.index() + 1).code());
        assertEquals("true", client.evaluate(BASIC, "AssetExists", id));
    }

    /**
     * A peer serves range queries to chaincode in pages of 100 and records every key of the page
     * as read, as Fabric does: a key inserted into the part of the page the chaincode never looked
     * at is still a phantom.
     */
    @Test
    void rangeReadPartly_keyInsertedLaterInTheFetchedPage_phantomReadConflict() throws Exception {
        String prefix = unique("page") + "/";
        put(prefix + "b", "1", prefix + "d", "1");
        Endorsed first = endorse(RANGES, "First", prefix, prefix + "~");
        put(prefix + "c", "1");

        TransactionStatus status = submit(envelope(first));

        assertEquals(TxValidationCode.PHANTOM_READ_CONFLICT, status.code());
    }

    @Test
    void createAsset_txIdNotDerivedFromNonceAndCreator_badProposalTxid() throws Exception {
        String id = unique("bad-txid");
        String otherTxId = TransactionId.compute(TransactionId.newNonce(),
                user.identity().serialized());
        Envelope envelope = withChannelHeader(envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100")),
                header -> header.setTxId(otherTxId));

        TransactionStatus status = submit(envelope);

        assertEquals(otherTxId, status.transactionId());
        assertEquals(TxValidationCode.BAD_PROPOSAL_TXID, status.code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", id));
    }

    @Test
    void createAsset_proposalPayloadReplacedAfterEndorsement_invalidEndorserTransaction() throws Exception {
        String id = unique("bad-hash");
        Endorsed endorsed = endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100");
        ChaincodeProposal other = ChaincodeProposal.builder().identity(user.identity()).channel(CHANNEL).chaincode(BASIC)
                .function("CreateAsset").arguments(id, "blue", "5", "Mallory", "100").build();
        Envelope envelope = withTransaction(envelope(endorsed), tx -> {
            ChaincodeActionPayload action = parseAction(tx.getActions(0));
            return tx.toBuilder().setActions(0, tx.getActions(0).toBuilder().setPayload(action.toBuilder()
                    .setChaincodeProposalPayload(other.transientFreePayload()).build().toByteString())).build();
        });

        TransactionStatus status = submit(envelope);

        assertEquals(TxValidationCode.INVALID_ENDORSER_TRANSACTION, status.code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", id));
    }

    @ParameterizedTest(name = "{0} actions")
    @ValueSource(ints = {0, 2})
    void createAsset_notExactlyOneAction_invalidEndorserTransaction(int actions) throws Exception {
        String id = unique("bad-actions");
        Envelope envelope = withTransaction(envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", "Tom", "100")),
                tx -> {
                    Transaction.Builder b = tx.toBuilder().clearActions();
                    for (int i = 0; i < actions; i++) {
                        b.addActions(tx.getActions(0));
                    }
                    return b.build();
                });

        TransactionStatus status = submit(envelope);

        assertEquals(TxValidationCode.INVALID_ENDORSER_TRANSACTION, status.code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", id));
    }

    @Test
    void invoke_chaincodeNotDefinedOnChannel_invalidChaincode() throws Exception {
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(user.identity()).channel(CHANNEL)
                .chaincode("nosuchcc").function("Put").arguments("k", "v").build();
        ByteString prp = responsePayload(proposal.proposalHash(), "nosuchcc",
                rwset(write("nosuchcc", "k", "v")));
        ProposalResponse response = ProposalResponse.newBuilder().setVersion(1)
                .setResponse(Response.newBuilder().setStatus(200)).setPayload(prp)
                .setEndorsement(endorsement(prp, user.identity(), user.signer())).build();

        TransactionStatus status = submit(TransactionEnvelope.create(proposal, List.of(response)).sign(user.signer()));

        assertEquals(TxValidationCode.INVALID_CHAINCODE, status.code());
    }

    // ---------------------------------------------------------------- mixed blocks

    @Test
    void block_invalidAndValidTransaction_onlyValidOneApplied() throws Exception {
        String rejected = unique("mixed-rejected");
        String accepted = unique("mixed-accepted");
        ChaincodeProposal proposal = client.proposal(BASIC, "CreateAsset", rejected, "blue", "5", "Tom", "100");
        Envelope underEndorsed = TransactionEnvelope.create(proposal,
                List.of(endorseOn(proposal, network.peer("Org1MSP")))).sign(user.signer());
        Envelope valid = envelope(endorse(BASIC, "CreateAsset", accepted, "red", "7", "Ann", "200"));

        List<TransactionStatus> statuses = submitTogether(underEndorsed, valid);

        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, statuses.get(0).code());
        assertEquals(TxValidationCode.VALID, statuses.get(1).code());
        assertEquals("false", client.evaluate(BASIC, "AssetExists", rejected));
        assertEquals("Ann", owner(accepted));
    }

    // ---------------------------------------------------------------- direct committer

    @Test
    void directCommit_transactionForAnotherChannel_targetChainNotFoundAndValidNeighbourApplied() throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            Envelope elsewhere = new DirectTx().channel("otherchannel").writes(write(BASIC, "x1", "v")).build();
            Envelope here = new DirectTx().writes(write(BASIC, "x2", "v")).build();

            byte[] codes = direct.commit(elsewhere, here);

            assertCodes(codes, TxValidationCode.TARGET_CHAIN_NOT_FOUND, TxValidationCode.VALID);
            assertFalse(direct.peer.state().get(BASIC, "x1").isPresent());
            assertEquals("v", new String(direct.peer.state().get(BASIC, "x2").orElseThrow().value(), UTF_8));
        }
    }

    @Test
    void directCommit_envelopeSignedByAnotherIdentity_badCreatorSignature() throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            Envelope envelope = new DirectTx().envelopeSigner(directUser2.signer()).writes(write(BASIC, "k", "v")).build();

            byte[] codes = direct.commit(envelope);

            assertCodes(codes, TxValidationCode.BAD_CREATOR_SIGNATURE);
            assertFalse(direct.peer.state().get(BASIC, "k").isPresent());
        }
    }

    @ParameterizedTest(name = "namespace {0}")
    @ValueSource(strings = {"nosuchcc", "_lifecycle"})
    void directCommit_writeToNamespaceThatIsNoChaincode_illegalWriteset(String namespace) throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            Envelope envelope = new DirectTx().chaincode("open")
                    .writes(write("open", "k", "v"), write(namespace, "k", "v")).build();

            byte[] codes = direct.commit(envelope);

            assertCodes(codes, TxValidationCode.ILLEGAL_WRITESET);
            assertFalse(direct.peer.state().get("open", "k").isPresent());
            assertFalse(direct.peer.state().get(namespace, "k").isPresent());
        }
    }

    @Test
    void directCommit_writeToOtherChaincodeNotSatisfyingItsPolicy_endorsementPolicyFailure() throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            Envelope envelope = new DirectTx().chaincode("open").endorsers(directPeer1)
                    .writes(write("open", "k", "v"), write("guarded", "k", "v")).build();

            byte[] codes = direct.commit(envelope);

            assertCodes(codes, TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
            assertFalse(direct.peer.state().get("guarded", "k").isPresent());
        }
    }

    @Test
    void directCommit_writeToOtherChaincodeSatisfyingItsPolicy_valid() throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            Envelope envelope = new DirectTx().chaincode("open").endorsers(directPeer1, directPeer2)
                    .writes(write("open", "k", "v"), write("guarded", "k", "w")).build();

            byte[] codes = direct.commit(envelope);

            assertCodes(codes, TxValidationCode.VALID);
            assertEquals("w", new String(direct.peer.state().get("guarded", "k").orElseThrow().value(), UTF_8));
        }
    }

    @Test
    void directCommit_malformedTransactionsBesideValidOne_codesInFabricOrder() throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            Envelope valid = new DirectTx().writes(write(BASIC, "ok", "v")).build();
            Payload otherPayload = Payload.parseFrom(new DirectTx().writes(write(BASIC, "seek", "v")).build().getPayload());
            ChannelHeader header = ChannelHeader.parseFrom(otherPayload.getHeader().getChannelHeader());
            Envelope seekInfo = signed(otherPayload.toBuilder().setHeader(otherPayload.getHeader().toBuilder()
                    .setChannelHeader(header.toBuilder().setType(HeaderType.DELIVER_SEEK_INFO_VALUE).build()
                            .toByteString())).build(), directUser1.signer());
            ByteString truncated = ByteString.copyFrom(new byte[] {0x0A, (byte) 0xFF});

            byte[] codes = direct.commit(List.of(
                    ByteString.EMPTY,
                    truncated,
                    Envelope.newBuilder().setPayload(truncated).build().toByteString(),
                    Envelope.newBuilder().setPayload(Payload.getDefaultInstance().toByteString()).build().toByteString(),
                    seekInfo.toByteString(),
                    valid.toByteString()));

            // Fabric: empty bytes (an empty envelope: no header), an unreadable envelope, an unreadable
            // payload, no header, a header type validateChannelHeader does not know; then the valid one.
            assertCodes(codes, TxValidationCode.BAD_COMMON_HEADER, TxValidationCode.INVALID_OTHER_REASON,
                    TxValidationCode.BAD_PAYLOAD, TxValidationCode.BAD_COMMON_HEADER, TxValidationCode.BAD_COMMON_HEADER,
                    TxValidationCode.VALID);
            assertTrue(direct.peer.state().get(BASIC, "ok").isPresent());
        }
    }

    @Test
    void directCommit_transactionsWithSeveralDefects_firstDefectInFabricOrderReported() throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            String badTxId = TransactionId.compute(TransactionId.newNonce(),
                    directUser1.identity().serialized());
            Envelope badSignatureAndTxId = new DirectTx().txId(badTxId).envelopeSigner(directUser2.signer())
                    .writes(write(BASIC, "k", "v")).build();
            Envelope badTxIdAndHash = new DirectTx().txId(unique("txid")).endorseOriginalHeader()
                    .writes(write(BASIC, "k", "v")).build();
            Envelope otherChannelAndUnknownChaincode = new DirectTx().channel("otherchannel").chaincode("nosuchcc")
                    .writes(write("nosuchcc", "k", "v")).build();
            Envelope unknownChaincodeAndNoEndorsement = new DirectTx().chaincode("nosuchcc").endorsers()
                    .writes(write("nosuchcc", "k", "v")).build();

            byte[] codes = direct.commit(badSignatureAndTxId, badTxIdAndHash, otherChannelAndUnknownChaincode,
                    unknownChaincodeAndNoEndorsement);

            assertCodes(codes, TxValidationCode.BAD_CREATOR_SIGNATURE, TxValidationCode.BAD_PROPOSAL_TXID,
                    TxValidationCode.TARGET_CHAIN_NOT_FOUND, TxValidationCode.INVALID_CHAINCODE);
        }
    }

    @Test
    void directCommit_committedTxIdAgainWithOtherDefect_duplicateTxidBeforeEndorsementChecks() throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            ByteString nonce = TransactionId.newNonce();
            Envelope original = new DirectTx().nonce(nonce).writes(write(BASIC, "k", "v1")).build();
            Envelope sameTxIdUnderEndorsed = new DirectTx().nonce(nonce).endorsers(directPeer1)
                    .writes(write(BASIC, "k", "v2")).build();

            assertCodes(direct.commit(original), TxValidationCode.VALID);
            assertCodes(direct.commit(sameTxIdUnderEndorsed), TxValidationCode.DUPLICATE_TXID);
            assertEquals("v1", new String(direct.peer.state().get(BASIC, "k").orElseThrow().value(), UTF_8));
        }
    }

    @Test
    void directCommit_blockSignedByPeerInsteadOfOrderer_rejectedAndLedgerUnchanged() throws Exception {
        try (DirectChannel direct = new DirectChannel()) {
            List<ByteString> data = List.of(new DirectTx().writes(write(BASIC, "k", "v")).build().toByteString());
            long height = direct.peer.ledger().height();

            assertThrows(BlockVerificationException.class,
                    () -> direct.committer.commit(direct.cut(data, directPeer1)));
            assertEquals(height, direct.peer.ledger().height());
            assertFalse(direct.peer.state().get(BASIC, "k").isPresent());

            direct.committer.commit(direct.cut(data));
            assertEquals(height + 1, direct.peer.ledger().height());
            assertTrue(direct.peer.state().get(BASIC, "k").isPresent());
        }
    }

    // ================================================================ network helpers

    /** What the peers answered to one proposal. */
    private record Endorsed(ChaincodeProposal proposal, List<ProposalResponse> responses) {
    }

    private static String unique(String prefix) {
        return prefix + "-" + sequence.incrementAndGet();
    }

    private static Endorsed endorse(String chaincode, String function, String... args) {
        return endorse(client.proposal(chaincode, function, args));
    }

    private static Endorsed endorse(ChaincodeProposal proposal) {
        List<ProposalResponse> responses = new ArrayList<>();
        for (ReferenceNetwork.Peer peer : network.peers()) {
            responses.add(endorseOn(proposal, peer));
        }
        return new Endorsed(proposal, responses);
    }

    private static ProposalResponse endorseOn(ChaincodeProposal proposal, ReferenceNetwork.Peer peer) {
        ProposalResponse response = client.endorse(proposal, peer);
        assertEquals(200, response.getResponse().getStatus(), () -> peer + ": " + response.getResponse().getMessage());
        assertTrue(response.hasEndorsement(), () -> peer + " did not endorse");
        return response;
    }

    private static Envelope envelope(Endorsed endorsed) {
        return TransactionEnvelope.create(endorsed.proposal(), endorsed.responses()).sign(user.signer());
    }

    private static String createAsset(String prefix, String owner) throws Exception {
        String id = unique(prefix);
        TransactionStatus status = submit(envelope(endorse(BASIC, "CreateAsset", id, "blue", "5", owner, "100")));
        assertEquals(TxValidationCode.VALID, status.code(), "setup: CreateAsset " + id);
        return id;
    }

    private static void put(String... keysAndValues) throws Exception {
        TransactionStatus status = submit(envelope(endorse(RANGES, "Put", keysAndValues)));
        assertEquals(TxValidationCode.VALID, status.code(), "setup: Put " + List.of(keysAndValues));
    }

    private static String owner(String id) {
        String asset = client.evaluate(BASIC, "ReadAsset", id);
        int start = asset.indexOf("\"Owner\":\"") + 9;
        return asset.substring(start, asset.indexOf('"', start));
    }

    private static long height() {
        return network.peers().get(0).height(CHANNEL);
    }

    private static void broadcastAll(Envelope... envelopes) throws Exception {
        List<BroadcastResponse> responses = client.broadcast(envelopes);
        assertEquals(envelopes.length, responses.size(), "broadcast responses: " + responses);
        for (BroadcastResponse r : responses) {
            assertEquals(Status.SUCCESS, r.getStatus(), "broadcast: " + r.getInfo());
        }
    }

    /** Broadcasts one envelope and returns its status once every peer has committed it. */
    private static TransactionStatus submit(Envelope envelope) throws Exception {
        long from = height();
        broadcastAll(envelope);
        return awaitOnAllPeers(txId(envelope), from);
    }

    /** Broadcasts two envelopes on one stream; they must land in the same block. */
    private static List<TransactionStatus> submitTogether(Envelope first, Envelope second) throws Exception {
        long from = height();
        broadcastAll(first, second);
        TransactionStatus a = awaitOnAllPeers(txId(first), from);
        TransactionStatus b = awaitOnAllPeers(txId(second), from);
        assertEquals(a.blockNumber(), b.blockNumber(), "both transactions must be in one block");
        assertEquals(a.index() + 1, b.index(), "the transactions must be in broadcast order");
        return List.of(a, b);
    }

    /**
     * Waits for the transaction on every peer's DeliverFiltered stream and checks that the peers
     * agree (so that later endorsements see the same state on every peer).
     */
    private static TransactionStatus awaitOnAllPeers(String txId, long from) throws Exception {
        TransactionStatus first = null;
        for (ReferenceNetwork.Peer peer : network.peers()) {
            TransactionStatus status = client.waitForStatus(peer, txId, from);
            if (first == null) {
                first = status;
            } else {
                assertEquals(first, status, "peers disagree on " + txId);
            }
        }
        return first;
    }

    private static List<TransactionStatus> statusesOfBlock(long number) throws Exception {
        List<Block> blocks = client.blocks(network.peers().get(0), number, number);
        assertEquals(1, blocks.size());
        return Blocks.transactionStatuses(blocks.get(0));
    }

    private static String txId(Envelope envelope) throws InvalidProtocolBufferException {
        return ChannelHeader.parseFrom(Payload.parseFrom(envelope.getPayload()).getHeader().getChannelHeader()).getTxId();
    }

    private static Envelope signed(Payload payload, Signer signer) {
        return Envelope.newBuilder().setPayload(payload.toByteString())
                .setSignature(ByteString.copyFrom(signer.sign(payload.toByteArray()))).build();
    }

    private static Envelope withChannelHeader(Envelope envelope, UnaryOperator<ChannelHeader.Builder> change)
            throws InvalidProtocolBufferException {
        Payload payload = Payload.parseFrom(envelope.getPayload());
        ChannelHeader header = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
        return signed(payload.toBuilder().setHeader(payload.getHeader().toBuilder()
                .setChannelHeader(change.apply(header.toBuilder()).build().toByteString())).build(), user.signer());
    }

    private interface TransactionChange {
        Transaction apply(Transaction transaction) throws InvalidProtocolBufferException;
    }

    private static Envelope withTransaction(Envelope envelope, TransactionChange change)
            throws InvalidProtocolBufferException {
        Payload payload = Payload.parseFrom(envelope.getPayload());
        Transaction transaction = change.apply(Transaction.parseFrom(payload.getData()));
        return signed(payload.toBuilder().setData(transaction.toByteString()).build(), user.signer());
    }

    private interface EndorsementAddition {
        void add(ByteString proposalResponsePayload, List<Endorsement> endorsements);
    }

    private static Envelope withEndorsements(Envelope envelope, UnaryOperator<List<Endorsement>> change)
            throws InvalidProtocolBufferException {
        return withEndorsements(envelope, change, (prp, endorsements) -> { });
    }

    private static Envelope withEndorsements(Envelope envelope, UnaryOperator<List<Endorsement>> change,
            EndorsementAddition addition) throws InvalidProtocolBufferException {
        return withTransaction(envelope, tx -> {
            ChaincodeActionPayload action = parseAction(tx.getActions(0));
            List<Endorsement> endorsements = new ArrayList<>(change.apply(action.getAction().getEndorsementsList()));
            addition.add(action.getAction().getProposalResponsePayload(), endorsements);
            ChaincodeActionPayload changed = action.toBuilder().setAction(action.getAction().toBuilder()
                    .clearEndorsements().addAllEndorsements(endorsements)).build();
            return tx.toBuilder().setActions(0, tx.getActions(0).toBuilder().setPayload(changed.toByteString())).build();
        });
    }

    private static ChaincodeActionPayload parseAction(TransactionAction action) throws InvalidProtocolBufferException {
        return ChaincodeActionPayload.parseFrom(action.getPayload());
    }

    private static boolean isOf(Endorsement endorsement, String mspId) {
        return X509Identity.fromSerialized(endorsement.getEndorser()).mspId().equals(mspId);
    }

    private static ByteString flipByte(ByteString bytes, int index) {
        byte[] copy = bytes.toByteArray();
        copy[index] ^= 0x01;
        return ByteString.copyFrom(copy);
    }

    private static Endorsement endorsement(ByteString prp, X509Identity endorser, Signer signer) {
        return Endorsement.newBuilder().setEndorser(endorser.serialized())
                .setSignature(ByteString.copyFrom(signer.sign(prp.concat(endorser.serialized()).toByteArray())))
                .build();
    }

    private static ByteString responsePayload(byte[] proposalHash, String chaincode, TxReadWriteSet rwset) {
        return ProposalResponsePayload.newBuilder()
                .setProposalHash(ByteString.copyFrom(proposalHash))
                .setExtension(ChaincodeAction.newBuilder()
                        .setResults(rwset.toByteString())
                        .setResponse(Response.newBuilder().setStatus(200))
                        .setChaincodeId(ChaincodeID.newBuilder().setName(chaincode).setVersion("1.0"))
                        .build().toByteString())
                .build().toByteString();
    }

    private static NsReadWriteSet write(String namespace, String key, String value) {
        return NsReadWriteSet.newBuilder().setNamespace(namespace)
                .setRwset(KVRWSet.newBuilder().addWrites(KVWrite.newBuilder().setKey(key)
                        .setValue(ByteString.copyFromUtf8(value))).build().toByteString())
                .build();
    }

    private static TxReadWriteSet rwset(NsReadWriteSet... namespaces) {
        return TxReadWriteSet.newBuilder().setDataModel(TxReadWriteSet.DataModel.KV)
                .addAllNsRwset(List.of(namespaces)).build();
    }

    private static void assertCodes(byte[] codes, TxValidationCode... expected) {
        List<TxValidationCode> actual = new ArrayList<>();
        for (byte code : codes) {
            actual.add(TxValidationCode.forNumber(code & 0xFF));
        }
        assertEquals(List.of(expected), actual);
    }

    /**
     * A test chaincode over ranges of keys: {@code Put(k1, v1, ...)}, {@code Get(k)} ("" if absent),
     * {@code Summarize(start, end)} (counts the keys in the range and writes the count to
     * {@code summary/<start>}), {@code First(start, end)} (reads only the first key of the range and
     * writes it to {@code first/<start>}).
     */
    private static ChaincodeResponse rangesChaincode(ChaincodeStub stub) {
        List<String> p = stub.parameters();
        switch (stub.function()) {
            case "Put" -> {
                for (int i = 0; i + 1 < p.size(); i += 2) {
                    stub.putState(p.get(i), p.get(i + 1).getBytes(UTF_8));
                }
                return ChaincodeResponse.success();
            }
            case "Get" -> {
                byte[] value = stub.getState(p.get(0));
                return ChaincodeResponse.success(value == null ? new byte[0] : value);
            }
            case "Summarize" -> {
                int count = 0;
                try (ChaincodeStub.StateIterator it = stub.getStateByRange(p.get(0), p.get(1))) {
                    while (it.hasNext()) {
                        it.next();
                        count++;
                    }
                }
                stub.putState("summary/" + p.get(0), Integer.toString(count).getBytes(UTF_8));
                return ChaincodeResponse.success(Integer.toString(count));
            }
            case "First" -> {
                String key;
                try (ChaincodeStub.StateIterator it = stub.getStateByRange(p.get(0), p.get(1))) {
                    if (!it.hasNext()) {
                        throw new ChaincodeException("empty range");
                    }
                    key = it.next().key();
                }
                stub.putState("first/" + p.get(0), key.getBytes(UTF_8));
                return ChaincodeResponse.success(key);
            }
            default -> throw new ChaincodeException("unknown function " + stub.function());
        }
    }

    // ================================================================ direct-committer helpers

    /** An identity and its signer. */
    private record Party(X509Identity identity, Signer signer) {
        static Party of(String mspId, OrganizationCrypto.Member member) {
            return new Party(X509Identity.of(mspId, member.signing().certificate()),
                    Signers.newPrivateKeySigner(member.signing().key()));
        }
    }

    /**
     * A fresh peer ledger for the direct channel, with chaincodes {@code basic} (the channel's
     * default MAJORITY policy), {@code open} (any peer) and {@code guarded} (a peer of each org).
     * Blocks are cut and signed as {@code OrdererChannel.createNextBlock} and {@code sign} do it
     * (data as given, so that malformed envelopes can be committed too).
     */
    private static final class DirectChannel implements AutoCloseable {
        final PeerChannel peer;
        final BlockCommitter committer;

        DirectChannel() {
            Chaincode none = stub -> ChaincodeResponse.error("not invoked in these tests");
            peer = new PeerChannel(directGenesis, new ChannelLedger(new InMemoryBlockStore()), new InMemoryStateStore(),
                    List.of(new ChaincodeDefinition(BASIC, "1.0", 1, none, ChaincodePolicy.channelDefault()),
                            new ChaincodeDefinition("open", "1.0", 1, none, ChaincodePolicy.signature(ANY_PEER)),
                            new ChaincodeDefinition("guarded", "1.0", 1, none,
                                    ChaincodePolicy.signature("AND('Org1MSP.peer','Org2MSP.peer')"))),
                    Clock.systemUTC(), new VerifiedSignatures());
            committer = new BlockCommitter(peer, validators);
        }

        /** The next block with these transactions, signed by the orderer. */
        Block cut(List<ByteString> data) {
            return cut(data, directOrderer);
        }

        /** The next block with these transactions, with its SIGNATURES and LAST_CONFIG metadata signed by a party. */
        Block cut(List<ByteString> data, Party signer) {
            BlockHeader previous = peer.ledger().block(peer.ledger().height() - 1).getHeader();
            BlockData blockData = BlockData.newBuilder().addAllData(data).build();
            BlockHeader header = BlockHeader.newBuilder()
                    .setNumber(previous.getNumber() + 1)
                    .setPreviousHash(ByteString.copyFrom(Blocks.headerHash(previous)))
                    .setDataHash(ByteString.copyFrom(Blocks.dataHash(blockData)))
                    .build();
            ByteString value = OrdererBlockMetadata.newBuilder()
                    .setLastConfig(LastConfig.newBuilder().setIndex(0))
                    .setConsenterMetadata(Metadata.newBuilder().build().toByteString())
                    .build().toByteString();
            ByteString signatureHeader = SignatureHeader.newBuilder()
                    .setCreator(signer.identity().serialized())
                    .setNonce(TransactionId.newNonce())
                    .build().toByteString();
            byte[] signature = signer.signer().sign(value.concat(signatureHeader)
                    .concat(ByteString.copyFrom(Blocks.headerBytes(header))).toByteArray());
            BlockMetadata.Builder metadata = BlockMetadata.newBuilder();
            for (int i = 0; i < 5; i++) {
                metadata.addMetadata(ByteString.EMPTY);
            }
            metadata.setMetadata(BlockMetadataIndex.SIGNATURES_VALUE, Metadata.newBuilder()
                            .setValue(value)
                            .addSignatures(MetadataSignature.newBuilder()
                                    .setSignatureHeader(signatureHeader)
                                    .setSignature(ByteString.copyFrom(signature)))
                            .build().toByteString())
                    .setMetadata(BlockMetadataIndex.LAST_CONFIG_VALUE, Metadata.newBuilder()
                            .setValue(LastConfig.newBuilder().setIndex(0).build().toByteString())
                            .build().toByteString());
            return Block.newBuilder().setHeader(header).setData(blockData).setMetadata(metadata).build();
        }

        /** Cuts, signs and commits a block; returns its TRANSACTIONS_FILTER. */
        byte[] commit(Envelope... envelopes) {
            List<ByteString> data = new ArrayList<>();
            for (Envelope e : envelopes) {
                data.add(e.toByteString());
            }
            return commit(data);
        }

        byte[] commit(List<ByteString> data) {
            Block block = cut(data);
            committer.commit(block);
            return Blocks.validationCodes(peer.ledger().block(block.getHeader().getNumber()));
        }

        @Override
        public void close() {
            peer.state().close();
            peer.ledger().store().close();
        }
    }

    /** A hand-made endorser transaction for the direct channel, consistent unless told otherwise. */
    private static final class DirectTx {
        private Party creator = directUser1;
        private Signer envelopeSigner;
        private String channel = CHANNEL;
        private String chaincode = BASIC;
        private List<Party> endorsers = List.of(directPeer1, directPeer2);
        private TxReadWriteSet rwset = rwset();
        private ByteString nonce;
        private String txId;
        private boolean endorseOriginalHeader;

        DirectTx channel(String channel) {
            this.channel = channel;
            return this;
        }

        DirectTx chaincode(String chaincode) {
            this.chaincode = chaincode;
            return this;
        }

        DirectTx endorsers(Party... endorsers) {
            this.endorsers = List.of(endorsers);
            return this;
        }

        DirectTx writes(NsReadWriteSet... namespaces) {
            this.rwset = rwset(namespaces);
            return this;
        }

        DirectTx envelopeSigner(Signer signer) {
            this.envelopeSigner = signer;
            return this;
        }

        DirectTx nonce(ByteString nonce) {
            this.nonce = nonce;
            return this;
        }

        /** A channel-header transaction id other than SHA-256(nonce ‖ creator). */
        DirectTx txId(String txId) {
            this.txId = txId;
            return this;
        }

        /** Endorse the proposal hash of the header before the transaction id was replaced. */
        DirectTx endorseOriginalHeader() {
            this.endorseOriginalHeader = true;
            return this;
        }

        Envelope build() throws InvalidProtocolBufferException {
            ChaincodeProposal.Builder builder = ChaincodeProposal.builder().identity(creator.identity())
                    .channel(channel).chaincode(chaincode).function("Direct");
            if (nonce != null) {
                builder.transactionId(TransactionId.of(creator.identity().serialized(), nonce));
            }
            ChaincodeProposal proposal = builder.build();
            ByteString channelHeader = proposal.channelHeader();
            if (txId != null) {
                channelHeader = ChannelHeader.parseFrom(channelHeader).toBuilder().setTxId(txId).build().toByteString();
            }
            byte[] proposalHash = endorseOriginalHeader ? proposal.proposalHash()
                    : Hashing.sha256(channelHeader, proposal.signatureHeader(), proposal.transientFreePayload());
            ByteString prp = responsePayload(proposalHash, chaincode, rwset);
            ChaincodeEndorsedAction.Builder endorsed = ChaincodeEndorsedAction.newBuilder().setProposalResponsePayload(prp);
            for (Party endorser : endorsers) {
                endorsed.addEndorsements(endorsement(prp, endorser.identity(), endorser.signer()));
            }
            Transaction transaction = Transaction.newBuilder()
                    .addActions(TransactionAction.newBuilder()
                            .setHeader(proposal.signatureHeader())
                            .setPayload(ChaincodeActionPayload.newBuilder()
                                    .setChaincodeProposalPayload(proposal.transientFreePayload())
                                    .setAction(endorsed)
                                    .build().toByteString()))
                    .build();
            Payload payload = Payload.newBuilder()
                    .setHeader(Header.newBuilder().setChannelHeader(channelHeader)
                            .setSignatureHeader(proposal.signatureHeader()))
                    .setData(transaction.toByteString())
                    .build();
            return signed(payload, envelopeSigner != null ? envelopeSigner : creator.signer());
        }
    }
}
