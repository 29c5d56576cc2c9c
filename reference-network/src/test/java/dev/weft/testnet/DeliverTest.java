package dev.weft.testnet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.BlockView;
import dev.weft.core.internal.Blocks;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.MspIdentity;
import dev.weft.core.SeekRequest;
import dev.weft.core.Signatures;
import dev.weft.core.Signer;
import dev.weft.core.TransactionEnvelope;
import dev.weft.core.TransactionStatus;
import dev.weft.core.TransactionView;
import dev.weft.core.X509Identity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SeekInfo.SeekBehavior;
import org.hyperledger.fabric.protos.orderer.SeekPosition;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredChaincodeAction;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deliver on the orderer ({@code AtomicBroadcast/Deliver}) and on a peer ({@code Deliver},
 * {@code DeliverFiltered}, {@code DeliverWithPrivateData}) as Fabric's {@code common/deliver}
 * serves it: seek positions and behaviours, the request checks and their statuses, streams that
 * stay open after SUCCESS and end after anything else, and the blocks themselves (hash chain,
 * orderer signature, peer-written metadata, filtered views).
 */
class DeliverTest {
    private static final String EVENT_PAYLOAD = "event-payload-kept-in-full-blocks";

    /** Emits event {@code evt} with the first parameter as payload and writes nothing. */
    private static final Chaincode EVENTS = stub -> {
        stub.setEvent("evt", stub.parameters().get(0).getBytes(UTF_8));
        return ChaincodeResponse.success();
    };

    private static ReferenceNetwork network;
    private static RawClient client;
    private static NetworkCrypto crypto;
    private static String channel;
    private static TransactionStatus validTx;
    private static TransactionStatus invalidTx;
    private static TransactionStatus eventTx;

    @TempDir
    static Path files;

    /** The node a test reads from: the orderer or Org1's peer (the one RawClient waits on). */
    enum Target {
        ORDERER, PEER
    }

    @BeforeAll
    static void start() throws Exception {
        network = ReferenceNetwork.builder()
                .chaincode("basic", new AssetTransferChaincode())
                .chaincode("events", EVENTS, "OR('Org1MSP.peer','Org2MSP.peer')")
                .start();
        client = new RawClient(network, network.user("Org1MSP"));
        crypto = new NetworkCrypto(network, files);
        channel = network.channel();

        validTx = client.submit("basic", "CreateAsset", "d1", "blue", "5", "Tom", "100");
        // basic needs both organisations (MAJORITY Endorsement): one endorsement commits as invalid.
        ChaincodeProposal proposal = client.proposal("basic", "CreateAsset", "d2", "red", "1", "Ann", "10");
        ProposalResponse one = client.endorse(proposal, network.peer("Org1MSP"));
        invalidTx = client.submitAndWait(TransactionEnvelope.create(proposal, List.of(one)).sign(client.user.signer()),
                proposal.transactionId());
        eventTx = client.submit("events", "emit", EVENT_PAYLOAD);
        assertTrue(validTx.isValid(), "setup: " + validTx);
        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, invalidTx.code(), "setup: " + invalidTx);
        assertTrue(eventTx.isValid(), "setup: " + eventTx);
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

    // ---- seek positions

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_oldestToNewest_returnsEveryBlockInOrderThenSuccess(Target target) throws Exception {
        long height = height(target);

        List<DeliverResponse> responses = request(target, seek(SeekRequest.oldest(), SeekRequest.newest()));

        assertEquals(range(0, height - 1), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_newestToNewest_returnsOnlyTheLastBlock(Target target) throws Exception {
        long height = height(target);

        List<DeliverResponse> responses = request(target, seek(SeekRequest.newest(), SeekRequest.newest()));

        assertEquals(List.of(height - 1), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_specifiedOneToTwo_returnsExactlyBlocksOneAndTwo(Target target) throws Exception {
        List<DeliverResponse> responses = request(target, seek(SeekRequest.specified(1), SeekRequest.specified(2)));

        assertEquals(List.of(1L, 2L), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_oldestToSpecifiedZero_returnsOnlyGenesis(Target target) throws Exception {
        List<DeliverResponse> responses = request(target, seek(SeekRequest.oldest(), SeekRequest.specified(0)));

        assertEquals(List.of(0L), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_startAtHeightBlockUntilReady_completesWhenNextBlockIsCommitted(Target target) throws Exception {
        long height = height(target);
        try (DeliverStream stream = open(target)) {
            stream.send(seek(SeekRequest.specified(height), SeekRequest.specified(height)));
            assertNull(stream.poll(Duration.ofMillis(300)), "block " + height + " does not exist yet");

            TransactionStatus committed = client.submit("events", "emit", "wake-up-" + target);

            List<DeliverResponse> responses = stream.untilStatus();
            assertEquals(List.of(height), DeliverStream.numbers(responses));
            assertEquals(Status.SUCCESS, DeliverStream.status(responses));
            assertEquals(height, committed.blockNumber());
            assertEquals(committed.transactionId(),
                    BlockView.of(DeliverStream.blocks(responses).get(0)).transaction(0).transactionId());
            assertFalse(stream.ended().isDone(), "the stream stays open after SUCCESS");
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_failIfNotReadyAtHeight_notFoundWithoutBlocks(Target target) throws Exception {
        long height = height(target);

        List<DeliverResponse> responses = request(target,
                seek(SeekRequest.specified(height), SeekRequest.specified(height + 5), SeekBehavior.FAIL_IF_NOT_READY));

        assertEquals(List.of(), DeliverStream.numbers(responses));
        assertEquals(Status.NOT_FOUND, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_failIfNotReadyPastHeight_sendsExistingBlocksThenNotFound(Target target) throws Exception {
        long height = height(target);

        List<DeliverResponse> responses = request(target, seek(SeekRequest.specified(height - 2),
                SeekRequest.specified(height + 5), SeekBehavior.FAIL_IF_NOT_READY));

        assertEquals(List.of(height - 2, height - 1), DeliverStream.numbers(responses));
        assertEquals(Status.NOT_FOUND, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_failIfNotReadyWithinHeight_success(Target target) throws Exception {
        List<DeliverResponse> responses = request(target,
                seek(SeekRequest.oldest(), SeekRequest.specified(1), SeekBehavior.FAIL_IF_NOT_READY));

        assertEquals(List.of(0L, 1L), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    // ---- request checks

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_startBeyondHeight_notFound(Target target) throws Exception {
        long height = height(target);

        List<DeliverResponse> responses = request(target,
                seek(SeekRequest.specified(height + 1), SeekRequest.specified(height + 2)));

        assertEquals(List.of(), DeliverStream.numbers(responses));
        assertEquals(Status.NOT_FOUND, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_stopBeforeStart_badRequest(Target target) throws Exception {
        List<DeliverResponse> responses = request(target, seek(SeekRequest.specified(2), SeekRequest.specified(1)));

        assertEquals(List.of(), DeliverStream.numbers(responses));
        assertEquals(Status.BAD_REQUEST, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_timestampTwentyMinutesOld_badRequest(Target target) throws Exception {
        Envelope stale = SeekRequest.builder().channel(channel).identity(client.user.identity())
                .startAt(0).stopAt(0).timestamp(Instant.now().minus(Duration.ofMinutes(20)))
                .build().sign(client.user.signer());

        List<DeliverResponse> responses = request(target, stale);

        assertEquals(List.of(Status.BAD_REQUEST), statuses(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_timestampTwentyMinutesAhead_badRequest(Target target) throws Exception {
        Envelope ahead = SeekRequest.builder().channel(channel).identity(client.user.identity())
                .startAt(0).stopAt(0).timestamp(Instant.now().plus(Duration.ofMinutes(20)))
                .build().sign(client.user.signer());

        assertEquals(List.of(Status.BAD_REQUEST), statuses(request(target, ahead)));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_timestampTenMinutesOld_success(Target target) throws Exception {
        // The control for the stale case: inside Fabric's 15-minute window.
        Envelope recent = SeekRequest.builder().channel(channel).identity(client.user.identity())
                .startAt(0).stopAt(0).timestamp(Instant.now().minus(Duration.ofMinutes(10)))
                .build().sign(client.user.signer());

        List<DeliverResponse> responses = request(target, recent);

        assertEquals(List.of(0L), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_identityFromUnknownCa_forbidden(Target target) throws Exception {
        NetworkCrypto.Client evil = NetworkCrypto.foreign("Org1MSP");

        List<DeliverResponse> responses = request(target, seekAs(evil.identity(), evil.signer(), 0, 0));

        assertEquals(List.of(Status.FORBIDDEN), statuses(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_signatureByAnotherKey_forbidden(Target target) throws Exception {
        Envelope seek = seekAs(client.user.identity(), network.user("Org2MSP").signer(), 0, 0);

        assertEquals(List.of(Status.FORBIDDEN), statuses(request(target, seek)));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_expiredCertificateFromOrganizationCa_forbidden(Target target) throws Exception {
        Instant now = Instant.now();
        NetworkCrypto.Client expired = crypto.client(network.peer("Org1MSP"), "Expired",
                now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));

        assertEquals(List.of(Status.FORBIDDEN), statuses(request(target, seekAs(expired.identity(), expired.signer(), 0, 0))));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_currentCertificateFromOrganizationCa_success(Target target) throws Exception {
        // The control for the expired case.
        Instant now = Instant.now();
        NetworkCrypto.Client current = crypto.client(network.peer("Org1MSP"), "Reader",
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)));

        List<DeliverResponse> responses = request(target, seekAs(current.identity(), current.signer(), 0, 0));

        assertEquals(List.of(0L), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_unknownChannel_notFound(Target target) throws Exception {
        Envelope seek = SeekRequest.builder().channel("nosuchchannel").identity(client.user.identity())
                .startAt(0).stopAt(0).build().sign(client.user.signer());

        assertEquals(List.of(Status.NOT_FOUND), statuses(request(target, seek)));
    }

    @Test
    void deliver_peerIdentityOnOrderer_success() throws Exception {
        // /Channel/Readers admits peers (the reference peers pull blocks this way).
        ReferenceNetwork.Peer peer = network.peer("Org2MSP");

        List<DeliverResponse> responses = request(Target.ORDERER, seekAs(peer.identity(), crypto.peerSigner(peer), 0, 1));

        assertEquals(List.of(0L, 1L), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    // ---- stream lifecycle

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_twoSeeksOneAfterTheOther_bothAnsweredOnOneStream(Target target) throws Exception {
        try (DeliverStream stream = open(target)) {
            stream.send(seek(SeekRequest.specified(0), SeekRequest.specified(0)));
            List<DeliverResponse> first = stream.untilStatus();
            stream.send(seek(SeekRequest.specified(1), SeekRequest.specified(2)));
            List<DeliverResponse> second = stream.untilStatus();

            assertEquals(List.of(0L), DeliverStream.numbers(first));
            assertEquals(Status.SUCCESS, DeliverStream.status(first));
            assertEquals(List.of(1L, 2L), DeliverStream.numbers(second));
            assertEquals(Status.SUCCESS, DeliverStream.status(second));
            assertFalse(stream.ended().isDone(), "the stream stays open after SUCCESS");
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_twoSeeksPipelined_answeredInOrder(Target target) throws Exception {
        try (DeliverStream stream = open(target)) {
            stream.send(seek(SeekRequest.specified(2), SeekRequest.specified(2)));
            stream.send(seek(SeekRequest.oldest(), SeekRequest.specified(1)));

            List<DeliverResponse> first = stream.untilStatus();
            List<DeliverResponse> second = stream.untilStatus();

            assertEquals(List.of(2L), DeliverStream.numbers(first));
            assertEquals(List.of(0L, 1L), DeliverStream.numbers(second));
            assertEquals(Status.SUCCESS, DeliverStream.status(second));
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_afterNonSuccessStatus_streamEndsAndLaterSeeksAreNotAnswered(Target target) throws Exception {
        Envelope unknownChannel = SeekRequest.builder().channel("nosuchchannel").identity(client.user.identity())
                .startAt(0).stopAt(0).build().sign(client.user.signer());
        try (DeliverStream stream = open(target)) {
            stream.send(unknownChannel);
            stream.send(seek(SeekRequest.specified(0), SeekRequest.specified(0)));

            assertEquals(Status.NOT_FOUND, stream.next().getStatus());
            stream.ended().get(DeliverStream.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // onCompleted, not an error
            assertNull(stream.poll(Duration.ZERO), "nothing may follow the final status");
        }
    }

    // ---- the blocks

    @Test
    void deliver_peerBlocks_carryOneValidationFlagPerTransactionAndCommitHash() throws Exception {
        List<Block> blocks = blocks(Target.PEER);

        for (Block block : blocks) {
            long number = block.getHeader().getNumber();
            assertEquals(block.getData().getDataCount(), Blocks.validationCodes(block).length, "block " + number);
            ByteString commitHash = Blocks.metadata(block, BlockMetadataIndex.COMMIT_HASH);
            if (number > 0) { // Fabric commits the genesis block without a commit hash
                assertEquals(32, Metadata.parseFrom(commitHash).getValue().size(), "COMMIT_HASH of block " + number);
            }
        }
        assertEquals(TxValidationCode.VALID, status(blocks, validTx.transactionId()).code());
        assertEquals(TxValidationCode.ENDORSEMENT_POLICY_FAILURE, status(blocks, invalidTx.transactionId()).code());
    }

    @Test
    void deliver_ordererBlocks_haveEmptyTransactionsFilterAndCommitHashSlots() throws Exception {
        for (Block block : blocks(Target.ORDERER)) {
            long number = block.getHeader().getNumber();
            assertTrue(Blocks.metadata(block, BlockMetadataIndex.TRANSACTIONS_FILTER).isEmpty(), "slot 2 of block " + number);
            assertTrue(Blocks.metadata(block, BlockMetadataIndex.COMMIT_HASH).isEmpty(), "slot 4 of block " + number);
        }
    }

    @Test
    void deliver_peerAndOrdererCopies_differOnlyInPeerWrittenMetadata() throws Exception {
        List<Block> fromPeer = blocks(Target.PEER);
        List<Block> fromOrderer = blocks(Target.ORDERER).subList(0, fromPeer.size());

        for (int i = 0; i < fromPeer.size(); i++) {
            Block peer = fromPeer.get(i);
            Block orderer = fromOrderer.get(i);
            assertEquals(orderer.getHeader(), peer.getHeader(), "header of block " + i);
            assertEquals(orderer.getData(), peer.getData(), "data of block " + i);
            assertEquals(Blocks.metadata(orderer, BlockMetadataIndex.SIGNATURES),
                    Blocks.metadata(peer, BlockMetadataIndex.SIGNATURES), "SIGNATURES of block " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_everyBlock_matchesItsDataHashAndChainsToThePreviousBlock(Target target) throws Exception {
        List<Block> blocks = blocks(target);

        assertTrue(blocks.size() >= 4, "blocks " + blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            assertEquals(i, block.getHeader().getNumber());
            assertArrayEquals(Blocks.dataHash(block.getData()), block.getHeader().getDataHash().toByteArray(),
                    "data hash of block " + i);
            if (i > 0) {
                assertTrue(Blocks.follows(blocks.get(i - 1).getHeader(), block.getHeader()),
                        "block " + i + " does not chain to block " + (i - 1));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void deliver_everyBlockAfterGenesis_carriesAVerifiableOrdererSignature(Target target) throws Exception {
        List<Block> blocks = blocks(target);

        assertEquals(List.of(), Blocks.signatures(blocks.get(0)), "a configtxgen genesis block is unsigned");
        for (Block block : blocks.subList(1, blocks.size())) {
            long number = block.getHeader().getNumber();
            List<Blocks.BlockSignature> signatures = Blocks.signatures(block);
            assertEquals(1, signatures.size(), "signatures of block " + number);
            Blocks.BlockSignature signature = signatures.get(0);
            ByteString creator = SignatureHeader.parseFrom(signature.signature().getSignatureHeader()).getCreator();
            MspIdentity orderer = network.channelConfig(channel).msps().validate(creator);
            assertEquals("OrdererMSP", orderer.mspId(), "signer of block " + number);
            assertTrue(Signatures.verify(orderer.certificate(), signature.signedBytes().toByteArray(),
                    signature.signature().getSignature().toByteArray()), "orderer signature of block " + number);
            assertEquals(0, Blocks.lastConfigIndex(block), "last config of block " + number);
        }
    }

    // ---- DeliverFiltered and DeliverWithPrivateData

    @Test
    void deliverFiltered_range_matchesFullBlocksTxIdsTypesAndValidationCodes() throws Exception {
        long height = height(Target.PEER);
        List<Block> full = blocks(Target.PEER, height);
        List<DeliverResponse> responses;
        try (DeliverStream stream = DeliverStream.open(client.channelTo(peer()), DeliverStream.Kind.FILTERED)) {
            responses = stream.send(seek(SeekRequest.oldest(), SeekRequest.specified(height - 1))).untilStatus();
        }

        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
        assertEquals(range(0, height - 1), DeliverStream.numbers(responses));
        boolean sawInvalid = false;
        for (int b = 0; b < full.size(); b++) {
            FilteredBlock filtered = responses.get(b).getFilteredBlock();
            BlockView view = BlockView.of(full.get(b));
            byte[] codes = Blocks.validationCodes(full.get(b));
            assertEquals(channel, filtered.getChannelId());
            assertEquals(view.transactionCount(), filtered.getFilteredTransactionsCount(), "transactions of block " + b);
            for (int t = 0; t < view.transactionCount(); t++) {
                FilteredTransaction tx = filtered.getFilteredTransactions(t);
                assertEquals(view.transaction(t).transactionId(), tx.getTxid(), "tx id " + b + "/" + t);
                assertEquals(view.transaction(t).type(), tx.getTypeValue(), "type " + b + "/" + t);
                assertEquals(codes[t] & 0xFF, tx.getTxValidationCodeValue(), "code " + b + "/" + t);
                sawInvalid |= tx.getTxValidationCode() != TxValidationCode.VALID;
            }
        }
        assertTrue(sawInvalid, "the compared range should include the invalid transaction");
        assertEquals(HeaderType.CONFIG, responses.get(0).getFilteredBlock().getFilteredTransactions(0).getType());
    }

    @Test
    void deliverFiltered_chaincodeEvent_carriesNameAndChaincodeIdButNoPayload() throws Exception {
        long number = eventTx.blockNumber();
        List<DeliverResponse> responses;
        try (DeliverStream stream = DeliverStream.open(client.channelTo(peer()), DeliverStream.Kind.FILTERED)) {
            responses = stream.send(seek(SeekRequest.specified(number), SeekRequest.specified(number))).untilStatus();
        }

        FilteredTransaction tx = responses.get(0).getFilteredBlock().getFilteredTransactions(eventTx.index());
        assertEquals(eventTx.transactionId(), tx.getTxid());
        assertEquals(HeaderType.ENDORSER_TRANSACTION, tx.getType());
        assertEquals(1, tx.getTransactionActions().getChaincodeActionsCount());
        FilteredChaincodeAction action = tx.getTransactionActions().getChaincodeActions(0);
        assertEquals("evt", action.getChaincodeEvent().getEventName());
        assertEquals("events", action.getChaincodeEvent().getChaincodeId());
        assertEquals(eventTx.transactionId(), action.getChaincodeEvent().getTxId());
        assertTrue(action.getChaincodeEvent().getPayload().isEmpty(), "a filtered event carries no payload");
    }

    @Test
    void deliver_chaincodeEventInFullBlock_keepsPayload() throws Exception {
        Block block = blocks(Target.PEER).get((int) eventTx.blockNumber());

        TransactionView tx = BlockView.of(block).transaction(eventTx.index());
        ChaincodeEvent event = ChaincodeEvent.parseFrom(tx.chaincodeAction().getEvents());
        Optional<ChaincodeEvent> viewed = tx.chaincodeEvent();

        assertEquals(eventTx.transactionId(), tx.transactionId());
        assertEquals("evt", event.getEventName());
        assertEquals("events", event.getChaincodeId());
        assertEquals(EVENT_PAYLOAD, event.getPayload().toStringUtf8());
        assertEquals(Optional.of(event), viewed);
    }

    @Test
    void deliverFiltered_transactionWithoutEvent_hasNoChaincodeActions() throws Exception {
        long number = validTx.blockNumber();
        List<DeliverResponse> responses;
        try (DeliverStream stream = DeliverStream.open(client.channelTo(peer()), DeliverStream.Kind.FILTERED)) {
            responses = stream.send(seek(SeekRequest.specified(number), SeekRequest.specified(number))).untilStatus();
        }

        FilteredTransaction tx = responses.get(0).getFilteredBlock().getFilteredTransactions(validTx.index());
        assertEquals(validTx.transactionId(), tx.getTxid());
        assertTrue(tx.hasTransactionActions(), "endorser transactions carry (possibly empty) actions");
        assertEquals(0, tx.getTransactionActions().getChaincodeActionsCount());
    }

    @Test
    void deliverFiltered_identityFromUnknownCa_forbidden() throws Exception {
        NetworkCrypto.Client evil = NetworkCrypto.foreign("Org1MSP");
        List<DeliverResponse> responses;
        try (DeliverStream stream = DeliverStream.open(client.channelTo(peer()), DeliverStream.Kind.FILTERED)) {
            responses = stream.send(seekAs(evil.identity(), evil.signer(), 0, 0)).untilStatus();
        }

        assertEquals(List.of(Status.FORBIDDEN), statuses(responses));
    }

    @Test
    void deliverWithPrivateData_range_returnsTheSameBlocksAsDeliver() throws Exception {
        long height = height(Target.PEER);
        List<Block> full = blocks(Target.PEER, height);
        List<DeliverResponse> responses;
        try (DeliverStream stream = DeliverStream.open(client.channelTo(peer()), DeliverStream.Kind.PRIVATE_DATA)) {
            responses = stream.send(seek(SeekRequest.oldest(), SeekRequest.specified(height - 1))).untilStatus();
        }

        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
        assertEquals(range(0, height - 1), DeliverStream.numbers(responses));
        for (DeliverResponse r : responses.subList(0, responses.size() - 1)) {
            assertEquals(DeliverResponse.TypeCase.BLOCK_AND_PRIVATE_DATA, r.getTypeCase());
            assertEquals(0, r.getBlockAndPrivateData().getPrivateDataMapCount(), "no private data collections");
        }
        assertEquals(full, DeliverStream.blocks(responses));
    }

    // ---- helpers

    private static ReferenceNetwork.Peer peer() {
        return network.peers().get(0);
    }

    private static ReferenceNetwork.Node node(Target target) {
        return target == Target.ORDERER ? network.orderer() : peer();
    }

    private static long height(Target target) {
        return target == Target.ORDERER ? network.orderer().height(channel) : peer().height(channel);
    }

    private static DeliverStream open(Target target) {
        return DeliverStream.open(client.channelTo(node(target)),
                target == Target.ORDERER ? DeliverStream.Kind.ORDERER : DeliverStream.Kind.PEER);
    }

    /** Sends one seek on a new stream and returns the responses up to the status. */
    private static List<DeliverResponse> request(Target target, Envelope seek) throws Exception {
        try (DeliverStream stream = open(target)) {
            return stream.send(seek).untilStatus();
        }
    }

    /** Every block the node has now. */
    private static List<Block> blocks(Target target) throws Exception {
        return blocks(target, height(target));
    }

    private static List<Block> blocks(Target target, long height) throws Exception {
        List<DeliverResponse> responses = request(target, seek(SeekRequest.oldest(), SeekRequest.specified(height - 1)));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
        return DeliverStream.blocks(responses);
    }

    private static Envelope seek(SeekPosition start, SeekPosition stop) {
        return seek(start, stop, SeekBehavior.BLOCK_UNTIL_READY);
    }

    private static Envelope seek(SeekPosition start, SeekPosition stop, SeekBehavior behavior) {
        return SeekRequest.builder().channel(channel).identity(client.user.identity())
                .start(start).stop(stop).behavior(behavior)
                .build().sign(client.user.signer());
    }

    private static Envelope seekAs(X509Identity identity, Signer signer, long start, long stop) {
        return SeekRequest.builder().channel(channel).identity(identity).startAt(start).stopAt(stop)
                .build().sign(signer);
    }

    private static List<Status> statuses(List<DeliverResponse> responses) {
        List<Status> statuses = new ArrayList<>();
        for (DeliverResponse r : responses) {
            statuses.add(r.getTypeCase() == DeliverResponse.TypeCase.STATUS ? r.getStatus() : null);
        }
        return statuses;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static TransactionStatus status(List<Block> blocks, String txId) {
        for (Block block : blocks) {
            for (TransactionStatus s : Blocks.transactionStatuses(block)) {
                if (s.transactionId().equals(txId)) {
                    return s;
                }
            }
        }
        throw new AssertionError("transaction " + txId + " is in no block");
    }
}
