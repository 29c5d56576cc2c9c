package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UnknownFieldSet;
import dev.weft.core.BlockView;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.Signer;
import dev.weft.core.TransactionEnvelope;
import dev.weft.core.TransactionId;
import dev.weft.core.TransactionStatus;
import dev.weft.core.X509Identity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference orderer's Broadcast answers, status by status, as Fabric's
 * {@code orderer/common/broadcast} and {@code msgprocessor} produce them: one response per envelope
 * in order, and the end of the stream after the first non-SUCCESS response.
 */
class BroadcastStatusTest {
    private static ReferenceNetwork network;
    private static RawClient client;
    private static NetworkCrypto crypto;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        client = new RawClient(network, network.user("Org1MSP"));
        crypto = new NetworkCrypto(network, files);
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

    // ---- SUCCESS

    @Test
    void broadcast_endorsedTransaction_successWithEmptyInfoAndCommitsValid() throws Exception {
        ChaincodeProposal proposal = client.proposal("basic", "CreateAsset", "bs-ok", "red", "1", "Ann", "10");
        Envelope envelope = TransactionEnvelope.create(proposal, client.endorseAll(proposal)).sign(client.user.signer());
        long from = network.peers().get(0).height(network.channel());

        List<BroadcastResponse> responses = client.broadcast(envelope);

        assertEquals(1, responses.size(), responses.toString());
        assertEquals(Status.SUCCESS, responses.get(0).getStatus());
        assertEquals("", responses.get(0).getInfo());
        TransactionStatus status = client.waitForStatus(network.peers().get(0), proposal.transactionId(), from);
        assertTrue(status.isValid(), "status " + status);
    }

    @Test
    void broadcast_severalEnvelopesPipelinedOnOneStream_oneSuccessEachAndOrderedAsSent() throws Exception {
        List<Envelope> envelopes = new ArrayList<>();
        List<String> txIds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ChaincodeProposal proposal = client.proposal("basic", "CreateAsset", "bs-pipe-" + i, "blue", "2", "Bob", "20");
            envelopes.add(TransactionEnvelope.create(proposal, client.endorseAll(proposal)).sign(client.user.signer()));
            txIds.add(proposal.transactionId());
        }
        long from = network.orderer().height(network.channel());

        List<BroadcastResponse> responses = client.broadcast(envelopes.toArray(Envelope[]::new));

        assertEquals(5, responses.size(), responses.toString());
        for (BroadcastResponse response : responses) {
            assertEquals(Status.SUCCESS, response.getStatus(), response.toString());
        }
        TransactionStatus last = client.waitForStatus(network.peers().get(0), txIds.get(4), from);
        assertTrue(last.isValid(), "status " + last);
        List<String> ordered = new ArrayList<>();
        for (Block block : client.blocks(network.orderer(), from, last.blockNumber())) {
            BlockView.of(block).transactions().forEach(t -> ordered.add(t.transactionId()));
        }
        ordered.retainAll(txIds); // earlier tests may have left unrelated envelopes being ordered
        assertEquals(txIds, ordered);
    }

    @Test
    void broadcast_creatorIsOrganizationAdmin_success() throws Exception {
        ReferenceNetwork.User admin = network.admin("Org2MSP");

        List<BroadcastResponse> responses = client.broadcast(
                envelope(admin.identity(), admin.signer(), network.channel(), HeaderType.ENDORSER_TRANSACTION));

        assertEquals(1, responses.size(), responses.toString());
        assertEquals(Status.SUCCESS, responses.get(0).getStatus(), responses.get(0).getInfo());
    }

    // ---- BAD_REQUEST

    @Test
    void broadcast_unparsablePayload_badRequestBadHeader() throws Exception {
        Envelope garbage = Envelope.newBuilder()
                .setPayload(ByteString.copyFrom(new byte[] {0x0A, 0x05, 0x01})) // field 1, length 5, 1 byte left
                .setSignature(ByteString.copyFromUtf8("sig"))
                .build();

        List<BroadcastResponse> responses = client.broadcast(garbage);

        assertRejected(responses, Status.BAD_REQUEST, "bad header");
    }

    @Test
    void broadcast_payloadWithoutHeader_badRequestMissingHeader() throws Exception {
        Envelope headerless = Envelope.newBuilder()
                .setPayload(Payload.newBuilder().setData(ByteString.copyFromUtf8("data")).build().toByteString())
                .setSignature(ByteString.copyFromUtf8("sig"))
                .build();

        assertRejected(client.broadcast(headerless), Status.BAD_REQUEST, "missing header");
    }

    @Test
    void broadcast_unparsableChannelHeader_badRequestBadHeader() throws Exception {
        Payload payload = Payload.newBuilder()
                .setHeader(Header.newBuilder().setChannelHeader(ByteString.copyFrom(new byte[] {0x0A, 0x05, 0x01})))
                .build();
        Envelope envelope = Envelope.newBuilder().setPayload(payload.toByteString()).build();

        assertRejected(client.broadcast(envelope), Status.BAD_REQUEST, "bad header");
    }

    @Test
    void broadcast_emptyPayload_badRequest() throws Exception {
        Envelope empty = Envelope.newBuilder().setSignature(ByteString.copyFromUtf8("sig")).build();

        // Fabric (and the reference orderer) fail on the missing header before the empty-message rule.
        assertRejected(client.broadcast(empty), Status.BAD_REQUEST, "header");
    }

    @Test
    void broadcast_unknownChannel_badRequestNamingChannel() throws Exception {
        Envelope envelope = envelope(client.user.identity(), client.user.signer(), "nosuchchannel",
                HeaderType.ENDORSER_TRANSACTION);

        assertRejected(client.broadcast(envelope), Status.BAD_REQUEST, "'nosuchchannel' does not exist");
    }

    @Test
    void broadcast_configUpdateOfNoChannel_badRequestAsFabricSays() throws Exception {
        // A CONFIG_UPDATE whose ConfigUpdate is empty: it names no channel.
        Envelope envelope = envelope(client.user.identity(), client.user.signer(), network.channel(),
                HeaderType.CONFIG_UPDATE);

        assertRejected(client.broadcast(envelope), Status.BAD_REQUEST, "error applying config update to existing "
                + "channel '" + network.channel() + "': error authorizing update: ConfigUpdate for channel '' but "
                + "envelope for channel '" + network.channel() + "'");
    }

    @Test
    void broadcast_configHeaderType_badRequestExpectedEndorserTransaction() throws Exception {
        Envelope envelope = envelope(client.user.identity(), client.user.signer(), network.channel(), HeaderType.CONFIG);

        assertRejected(client.broadcast(envelope), Status.BAD_REQUEST, "expected ENDORSER_TRANSACTION");
    }

    @Test
    void broadcast_deliverSeekHeaderType_badRequestExpectedEndorserTransaction() throws Exception {
        Envelope envelope = envelope(client.user.identity(), client.user.signer(), network.channel(),
                HeaderType.DELIVER_SEEK_INFO);

        assertRejected(client.broadcast(envelope), Status.BAD_REQUEST, "header type 5");
    }

    @Test
    void broadcast_expiredCreatorFromOrganizationCa_badRequestIdentityExpired() throws Exception {
        Instant now = Instant.now();
        NetworkCrypto.Client expired = crypto.client(network.peer("Org1MSP"), "Expired",
                now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        Envelope envelope = envelope(expired.identity(), expired.signer(), network.channel(),
                HeaderType.ENDORSER_TRANSACTION);

        assertRejected(client.broadcast(envelope), Status.BAD_REQUEST, "identity expired");
    }

    @Test
    void broadcast_currentCreatorFromOrganizationCa_success() throws Exception {
        // The control for the expired case: the same kind of certificate, still valid, is accepted.
        Instant now = Instant.now();
        NetworkCrypto.Client current = crypto.client(network.peer("Org1MSP"), "Current",
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)));
        Envelope envelope = envelope(current.identity(), current.signer(), network.channel(),
                HeaderType.ENDORSER_TRANSACTION);

        List<BroadcastResponse> responses = client.broadcast(envelope);

        assertEquals(1, responses.size(), responses.toString());
        assertEquals(Status.SUCCESS, responses.get(0).getStatus(), responses.get(0).getInfo());
    }

    // ---- FORBIDDEN

    @Test
    void broadcast_signatureByAnotherKey_forbiddenSignatureNotValid() throws Exception {
        ChaincodeProposal proposal = client.proposal("basic", "CreateAsset", "bs-badsig", "red", "1", "Ann", "10");
        List<ProposalResponse> endorsements = client.endorseAll(proposal);
        Envelope envelope = TransactionEnvelope.create(proposal, endorsements).sign(network.user("Org2MSP").signer());

        assertRejected(client.broadcast(envelope), Status.FORBIDDEN, "is not valid");
    }

    @Test
    void broadcast_tamperedPayloadAfterSigning_forbidden() throws Exception {
        Envelope signed = envelope(client.user.identity(), client.user.signer(), network.channel(),
                HeaderType.ENDORSER_TRANSACTION);
        Payload payload = Payload.parseFrom(signed.getPayload()).toBuilder()
                .setData(ByteString.copyFromUtf8("changed after signing")).build();
        Envelope tampered = signed.toBuilder().setPayload(payload.toByteString()).build();

        assertRejected(client.broadcast(tampered), Status.FORBIDDEN, "SigFilter evaluation failed");
    }

    @Test
    void broadcast_peerIdentityAsCreator_forbiddenWritersPolicy() throws Exception {
        ReferenceNetwork.Peer peer = network.peer("Org1MSP");
        Envelope envelope = envelope(peer.identity(), crypto.peerSigner(peer), network.channel(),
                HeaderType.ENDORSER_TRANSACTION);

        assertRejected(client.broadcast(envelope), Status.FORBIDDEN, "does not satisfy policy /Channel/Writers");
    }

    @Test
    void broadcast_identityFromUnknownCa_forbiddenNotValidIdentity() throws Exception {
        NetworkCrypto.Client evil = NetworkCrypto.foreign("Org1MSP");
        Envelope envelope = envelope(evil.identity(), evil.signer(), network.channel(), HeaderType.ENDORSER_TRANSACTION);

        assertRejected(client.broadcast(envelope), Status.FORBIDDEN, "not a valid identity");
    }

    @Test
    void broadcast_identityOfUnknownMsp_forbiddenNotMemberOfChannel() throws Exception {
        NetworkCrypto.Client evil = NetworkCrypto.foreign("EvilMSP");
        Envelope envelope = envelope(evil.identity(), evil.signer(), network.channel(), HeaderType.ENDORSER_TRANSACTION);

        assertRejected(client.broadcast(envelope), Status.FORBIDDEN, "EvilMSP");
    }

    // ---- stream ends after the first error

    @Test
    void broadcast_invalidEnvelopeMidStream_endsStreamAndDropsLaterEnvelopes() throws Exception {
        ChaincodeProposal first = client.proposal("basic", "CreateAsset", "bs-mid-1", "green", "3", "Cy", "30");
        ChaincodeProposal dropped = client.proposal("basic", "CreateAsset", "bs-mid-2", "green", "3", "Cy", "30");
        ChaincodeProposal alsoDropped = client.proposal("basic", "CreateAsset", "bs-mid-3", "green", "3", "Cy", "30");
        Envelope e1 = TransactionEnvelope.create(first, client.endorseAll(first)).sign(client.user.signer());
        Envelope e3 = TransactionEnvelope.create(dropped, client.endorseAll(dropped)).sign(client.user.signer());
        Envelope e4 = TransactionEnvelope.create(alsoDropped, client.endorseAll(alsoDropped)).sign(client.user.signer());
        Envelope bad = envelope(client.user.identity(), client.user.signer(), "nosuchchannel",
                HeaderType.ENDORSER_TRANSACTION);
        long from = network.orderer().height(network.channel());

        List<BroadcastResponse> responses = client.broadcast(e1, bad, e3, e4);

        assertEquals(2, responses.size(), "responses " + responses);
        assertEquals(Status.SUCCESS, responses.get(0).getStatus());
        assertEquals(Status.BAD_REQUEST, responses.get(1).getStatus());
        assertTrue(responses.get(1).getInfo().contains("nosuchchannel"), responses.get(1).getInfo());

        // The first is committed; a later sentinel shows the dropped ones were never ordered.
        assertTrue(client.waitForStatus(network.peers().get(0), first.transactionId(), from).isValid());
        TransactionStatus sentinel = client.submit("basic", "CreateAsset", "bs-mid-sentinel", "g", "1", "D", "1");
        List<String> ordered = new ArrayList<>();
        for (Block block : client.blocks(network.orderer(), from, sentinel.blockNumber())) {
            BlockView.of(block).transactions().forEach(t -> ordered.add(t.transactionId()));
        }
        assertTrue(ordered.contains(first.transactionId()), "ordered " + ordered);
        assertFalse(ordered.contains(dropped.transactionId()), "a dropped envelope was ordered");
        assertFalse(ordered.contains(alsoDropped.transactionId()), "a dropped envelope was ordered");
    }

    @Test
    void broadcast_forbiddenEnvelopeFirst_noResponseForValidEnvelopesAfterIt() throws Exception {
        NetworkCrypto.Client evil = NetworkCrypto.foreign("Org1MSP");
        Envelope forbidden = envelope(evil.identity(), evil.signer(), network.channel(), HeaderType.ENDORSER_TRANSACTION);
        Envelope valid = envelope(client.user.identity(), client.user.signer(), network.channel(),
                HeaderType.ENDORSER_TRANSACTION);

        List<BroadcastResponse> responses = client.broadcast(forbidden, valid, valid);

        assertEquals(1, responses.size(), "responses " + responses);
        assertEquals(Status.FORBIDDEN, responses.get(0).getStatus());
    }

    // ---- helpers

    static void assertRejected(List<BroadcastResponse> responses, Status status, String infoPart) {
        assertEquals(1, responses.size(), "responses " + responses);
        assertEquals(status, responses.get(0).getStatus(), responses.get(0).getInfo());
        assertTrue(responses.get(0).getInfo().contains(infoPart),
                "info '" + responses.get(0).getInfo() + "' should contain '" + infoPart + "'");
    }

    /**
     * A well-formed, signed envelope of a header type, without endorsements (its data is an empty
     * {@code Transaction}): what the orderer's checks look at (header, size, creator, signature),
     * not what a committing peer validates.
     */
    static Envelope envelope(X509Identity creator, Signer signer, String channel, HeaderType type) {
        return envelope(creator, signer, channel, type, Transaction.getDefaultInstance().toByteString());
    }

    static Envelope envelope(X509Identity creator, Signer signer, String channel, HeaderType type, ByteString data) {
        TransactionId id = TransactionId.create(creator);
        Instant now = Instant.now();
        ChannelHeader channelHeader = ChannelHeader.newBuilder()
                .setType(type.getNumber())
                .setChannelId(channel)
                .setTxId(id.value())
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build();
        ByteString payload = Payload.newBuilder()
                .setHeader(Header.newBuilder()
                        .setChannelHeader(channelHeader.toByteString())
                        .setSignatureHeader(id.signatureHeader()))
                .setData(data)
                .build().toByteString();
        return Envelope.newBuilder()
                .setPayload(payload)
                .setSignature(ByteString.copyFrom(signer.sign(payload.toByteArray())))
                .build();
    }

    static String txId(Envelope envelope) throws Exception {
        return ChannelHeader.parseFrom(Payload.parseFrom(envelope.getPayload()).getHeader().getChannelHeader()).getTxId();
    }

    /** An endorser-transaction envelope whose payload plus signature is exactly {@code size} bytes. */
    static Envelope envelopeOfSize(X509Identity creator, Signer signer, String channel, int size) {
        int padding = 0;
        for (int attempt = 0; attempt < 50; attempt++) {
            // A Transaction without actions, padded with an unknown length-delimited field 15.
            ByteString data = Transaction.newBuilder()
                    .setUnknownFields(UnknownFieldSet.newBuilder()
                            .addField(15, UnknownFieldSet.Field.newBuilder()
                                    .addLengthDelimited(ByteString.copyFromUtf8("x".repeat(padding))).build())
                            .build())
                    .build().toByteString();
            Envelope envelope = envelope(creator, signer, channel, HeaderType.ENDORSER_TRANSACTION, data);
            int actual = envelope.getPayload().size() + envelope.getSignature().size();
            if (actual == size) {
                return envelope;
            }
            padding = Math.max(0, padding + size - actual);
        }
        throw new AssertionError("could not build an envelope of exactly " + size + " bytes");
    }

    /**
     * The orderer's size limits, on a network of its own: BatchSize{max 10 messages,
     * absolute_max_bytes 2000, preferred_max_bytes 1000}.
     */
    @Nested
    class SmallBatches {
        private static ReferenceNetwork small;
        private static RawClient smallClient;

        @BeforeAll
        static void startSmall() {
            small = ReferenceNetwork.builder().batchSize(10, 2000, 1000).start();
            smallClient = new RawClient(small, small.user("Org1MSP"));
        }

        @AfterAll
        static void stopSmall() {
            if (smallClient != null) {
                smallClient.close();
            }
            if (small != null) {
                small.close();
            }
        }

        @Test
        void broadcast_endorsedTransactionWithLongArgument_badRequestExceedsAbsoluteMax() throws Exception {
            ChaincodeProposal proposal = smallClient.proposal("basic", "CreateAsset", "big", "x".repeat(3000),
                    "1", "Ann", "10");
            Envelope envelope = TransactionEnvelope.create(proposal, smallClient.endorseAll(proposal))
                    .sign(smallClient.user.signer());
            long size = envelope.getPayload().size() + envelope.getSignature().size();

            List<BroadcastResponse> responses = smallClient.broadcast(envelope);

            assertRejected(responses, Status.BAD_REQUEST,
                    "message payload is " + size + " bytes and exceeds maximum allowed 2000 bytes");
        }

        @Test
        void broadcast_envelopeOneByteOverAbsoluteMax_badRequest() throws Exception {
            Envelope envelope = envelopeOfSize(smallClient.user.identity(), smallClient.user.signer(),
                    small.channel(), 2001);

            assertRejected(smallClient.broadcast(envelope), Status.BAD_REQUEST,
                    "message payload is 2001 bytes and exceeds maximum allowed 2000 bytes");
        }

        @Test
        void broadcast_envelopesAtAbsoluteMaxAbovePreferredMax_acceptedAndEachCommittedAloneInOwnBlock() throws Exception {
            List<Envelope> envelopes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                envelopes.add(envelopeOfSize(smallClient.user.identity(), smallClient.user.signer(), small.channel(),
                        2000 - i)); // 2000, 1999, 1998: at or just under absolute max, all above preferred max
            }
            long from = small.orderer().height(small.channel());

            List<BroadcastResponse> responses = smallClient.broadcast(envelopes.toArray(Envelope[]::new));

            assertEquals(3, responses.size(), responses.toString());
            responses.forEach(r -> assertEquals(Status.SUCCESS, r.getStatus(), r.getInfo()));
            List<Block> blocks = smallClient.blocks(small.orderer(), from, from + 2);
            assertEquals(3, blocks.size());
            for (int i = 0; i < 3; i++) {
                Block block = blocks.get(i);
                assertEquals(1, block.getData().getDataCount(), "block " + block.getHeader().getNumber()
                        + " should hold only one oversize message");
                assertEquals(envelopes.get(i).toByteString(), block.getData().getData(0),
                        "block " + block.getHeader().getNumber() + " holds the wrong envelope");
            }
        }

        @Test
        void broadcast_envelopeAtAbsoluteMax_committedByPeerAsInvalidEndorserTransaction() throws Exception {
            // The orderer only checks size, header and signature; the committing peer then rejects a
            // transaction without exactly one action, as Fabric's validateEndorserTransaction does.
            Envelope envelope = envelopeOfSize(smallClient.user.identity(), smallClient.user.signer(), small.channel(),
                    2000);

            TransactionStatus status = smallClient.submitAndWait(envelope, txId(envelope));

            assertEquals(TxValidationCode.INVALID_ENDORSER_TRANSACTION, status.code(), "status " + status);
        }
    }
}
