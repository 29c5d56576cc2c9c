package dev.weft.events;

import static dev.weft.events.FakeDeliverPeer.block;
import static dev.weft.events.FakeDeliverPeer.refuse;
import static dev.weft.events.FakeDeliverPeer.tx;
import static dev.weft.events.FakeDeliverPeer.unavailable;
import static dev.weft.events.Fabric.TIMEOUT_SECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.CommitStatusException;
import dev.weft.core.CommitStatusSource;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Fixtures;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.ManualScheduler;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.Signatures;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionStatus;
import dev.weft.core.X509Identity;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.orderer.SeekPosition;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The commit status source against in-process fake peers, for what the reference network cannot
 * produce: refusals (FORBIDDEN, BAD_REQUEST, NOT_FOUND), exact block numbers, out-of-order blocks,
 * and the content of the seek envelopes.
 */
class CommitStatusFakePeerTest {
    private static final String CHANNEL = "mychannel";
    private static final X509Certificate CERT = Fixtures.certificate("org1-user1-cert.pem");
    private static final PrivateKey KEY = Fixtures.key("org1-user1-key.pem");
    private static final X509Identity IDENTITY = X509Identity.of("Org1MSP", CERT);
    private static final Signer SIGNER = Signers.newPrivateKeySigner(KEY);

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    private static CommitStatusSources.Builder builder() {
        return CommitStatusSources.builder().identity(IDENTITY).signer(SIGNER)
                .reconnectDelay(Duration.ofMillis(5), Duration.ofMillis(50));
    }

    private static CommitStatusSource source(Peer... peers) {
        List<Peer> list = List.of(peers);
        return builder().eventPeers(channel -> list).build();
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, SECONDS);
    }

    /** The CommitStatusException a future failed with. */
    private static CommitStatusException failure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(future));
        return assertInstanceOf(CommitStatusException.class, e.getCause());
    }

    private static Payload payload(Envelope seek) throws InvalidProtocolBufferException {
        return Payload.parseFrom(seek.getPayload());
    }

    private static SeekInfo seekInfo(Envelope seek) throws InvalidProtocolBufferException {
        return SeekInfo.parseFrom(payload(seek).getData());
    }

    private static ChannelHeader channelHeader(Envelope seek) throws InvalidProtocolBufferException {
        return ChannelHeader.parseFrom(payload(seek).getHeader().getChannelHeader());
    }

    private static void assertSignedByIdentity(Envelope seek) throws InvalidProtocolBufferException {
        SignatureHeader header = SignatureHeader.parseFrom(payload(seek).getHeader().getSignatureHeader());
        assertEquals(IDENTITY.serialized(), header.getCreator());
        assertFalse(header.getNonce().isEmpty(), "a seek carries a nonce");
        assertTrue(Signatures.verify(CERT, seek.getPayload().toByteArray(), seek.getSignature().toByteArray()),
                "the seek must be signed by the identity's key");
    }

    private static void assertForever(SeekInfo seek) {
        assertEquals(SeekPosition.TypeCase.SPECIFIED, seek.getStop().getTypeCase());
        assertEquals(Long.MAX_VALUE, seek.getStop().getSpecified().getNumber());
        assertEquals(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY, seek.getBehavior());
    }

    // ---- 7. seek envelopes

    @Test
    void register_firstStream_seeksNewestForeverUntilReadySignedByIdentityAtClockTime() throws Exception {
        Instant now = Instant.parse("2027-06-01T10:15:30.123456789Z");
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc,
                (stream, seek, out) -> out.onNext(block(5)));
        try (CommitStatusSource source = builder().scheduler(new ManualScheduler(now))
                .eventPeers(id -> List.of(fake.peer())).build()) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");
            get(registration.ready());

            Envelope seek = fake.awaitSeeks(1).get(0);
            SeekInfo info = seekInfo(seek);
            assertEquals(SeekPosition.TypeCase.NEWEST, info.getStart().getTypeCase());
            assertForever(info);
            ChannelHeader header = channelHeader(seek);
            assertEquals(HeaderType.DELIVER_SEEK_INFO_VALUE, header.getType());
            assertEquals(CHANNEL, header.getChannelId());
            assertEquals(now.getEpochSecond(), header.getTimestamp().getSeconds());
            assertEquals(now.getNano(), header.getTimestamp().getNanos());
            assertTrue(header.getTlsCertHash().isEmpty(), "no client certificate, no TLS binding");
            assertSignedByIdentity(seek);
            assertFalse(registration.status().isDone());
            assertTrue(source.register(CHANNEL, "tx2").ready().isDone(), "the stream is already positioned");
            assertEquals(1, fake.streams());
        }
    }

    @Test
    void register_streamFailsAfterBlocks5And6_sameRegistrationResolvedFromSecondSeekAtBlock7OnSamePeer()
            throws Exception {
        FakeDeliverPeer first = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            if (stream == 0) {
                out.onNext(block(5, tx("a", TxValidationCode.VALID)));
                out.onNext(block(6, tx("b", TxValidationCode.VALID)));
                unavailable(out);
            } else {
                out.onNext(block(7, tx("c", TxValidationCode.VALID), tx("tx1", TxValidationCode.MVCC_READ_CONFLICT)));
            }
        });
        FakeDeliverPeer second = FakeDeliverPeer.start("peer0.org2.example.com", grpc,
                (stream, seek, out) -> unavailable(out));
        try (CommitStatusSource source = source(first.peer(), second.peer())) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");

            TransactionStatus status = get(registration.status());

            assertEquals(new TransactionStatus("tx1", 7, 1, TxValidationCode.MVCC_READ_CONFLICT_VALUE), status);
            Envelope resumed = first.awaitSeeks(2).get(1);
            SeekInfo info = seekInfo(resumed);
            assertEquals(SeekPosition.TypeCase.SPECIFIED, info.getStart().getTypeCase());
            assertEquals(7, info.getStart().getSpecified().getNumber());
            assertForever(info);
            assertSignedByIdentity(resumed);
            assertEquals(0, second.streams(), "a stream that had delivered blocks is retried on the same peer");
        }
    }

    @Test
    void register_firstPeerFailsBeforeAnyBlock_nextPeerAskedForNewest() throws Exception {
        FakeDeliverPeer down = FakeDeliverPeer.start("peer0.org1.example.com", grpc,
                (stream, seek, out) -> unavailable(out));
        FakeDeliverPeer up = FakeDeliverPeer.start("peer0.org2.example.com", grpc, (stream, seek, out) -> {
            out.onNext(block(3));
            out.onNext(block(4, tx("tx1", TxValidationCode.VALID)));
        });
        try (CommitStatusSource source = source(down.peer(), up.peer())) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");

            assertEquals(new TransactionStatus("tx1", 4, 0, 0), get(registration.status()));
            assertEquals(SeekPosition.TypeCase.NEWEST, seekInfo(up.awaitSeeks(1).get(0)).getStart().getTypeCase());
            assertEquals(1, down.streams());
        }
    }

    @Test
    void register_peerSendsBlockOutOfOrder_blockIgnoredAndStreamRestartedAtExpectedBlock() throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            if (stream == 0) {
                out.onNext(block(5));
                out.onNext(block(7, tx("tx1", TxValidationCode.MVCC_READ_CONFLICT))); // 6 skipped: untrustworthy
            } else {
                out.onNext(block(6));
                out.onNext(block(7, tx("other", TxValidationCode.VALID), tx("tx1", TxValidationCode.VALID)));
            }
        });
        try (CommitStatusSource source = source(fake.peer())) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");

            assertEquals(new TransactionStatus("tx1", 7, 1, 0), get(registration.status()));
            fake.awaitCancelled(0);
            SeekInfo resumed = seekInfo(fake.awaitSeeks(2).get(1));
            assertEquals(6, resumed.getStart().getSpecified().getNumber());
        }
    }

    @Test
    void register_endpointWithClientCertificate_seekBoundToTlsCertificateHash() throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc,
                (stream, seek, out) -> out.onNext(block(1)));
        EndpointConfig mutualTls = EndpointConfig.builder(fake.target())
                .tls(List.of(Fixtures.certificate("org1-tlsca.pem")))
                .clientCertificate(List.of(CERT), KEY)
                .build();
        try (CommitStatusSource source = source(fake.peer(mutualTls))) {
            get(source.register(CHANNEL, "tx1").ready());

            byte[] expected = MessageDigest.getInstance("SHA-256").digest(CERT.getEncoded());
            assertArrayEquals(expected, channelHeader(fake.awaitSeeks(1).get(0)).getTlsCertHash().toByteArray());
        }
    }

    // ---- 6. refusals

    @ParameterizedTest
    @EnumSource(value = Status.class, names = {"FORBIDDEN", "BAD_REQUEST", "NOT_FOUND"})
    void register_onlyPeerRefuses_readyAndStatusFailNamingPeerStatusAndLaterRegistrationTriesAgain(Status refusal)
            throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            if (stream == 0) {
                refuse(out, refusal);
            } else {
                out.onNext(block(8));
                out.onNext(block(9, tx("tx2", TxValidationCode.VALID)));
            }
        });
        try (CommitStatusSource source = source(fake.peer())) {
            CommitStatusSource.Registration refused = source.register(CHANNEL, "tx1");

            CommitStatusException notReady = failure(refused.ready());
            CommitStatusException noStatus = failure(refused.status());

            NodeError expected = new NodeError(fake.target(), "Org1MSP", refusal.name(), "");
            assertEquals(List.of(expected), notReady.details());
            assertEquals(List.of(expected), noStatus.details());
            assertEquals("tx1", noStatus.transactionId());
            assertEquals(TransactionStage.COMMIT, noStatus.stage());
            assertTrue(noStatus.getMessage().contains("no peer would deliver commit events for channel mychannel"),
                    noStatus.getMessage());
            assertTrue(noStatus.getMessage().contains(refusal.name()), noStatus.getMessage());

            CommitStatusSource.Registration again = source.register(CHANNEL, "tx2");
            assertEquals(new TransactionStatus("tx2", 9, 0, 0), get(again.status()));
            assertTrue(again.ready().isDone() && !again.ready().isCompletedExceptionally());
            assertEquals(2, fake.streams(), "the later registration opened a new stream");
            assertEquals(SeekPosition.TypeCase.NEWEST, seekInfo(fake.awaitSeeks(2).get(1)).getStart().getTypeCase());
        }
    }

    @Test
    void register_everyPeerRefuses_detailsNameEachPeerInOrder() throws Exception {
        FakeDeliverPeer forbidden = FakeDeliverPeer.start("peer0.org1.example.com", grpc,
                (stream, seek, out) -> refuse(out, Status.FORBIDDEN));
        FakeDeliverPeer badRequest = FakeDeliverPeer.start("peer0.org2.example.com", grpc,
                (stream, seek, out) -> refuse(out, Status.BAD_REQUEST));
        try (CommitStatusSource source = source(forbidden.peer(), badRequest.peer())) {
            CommitStatusException e = failure(source.register(CHANNEL, "tx1").status());

            assertEquals(List.of(new NodeError(forbidden.target(), "Org1MSP", "FORBIDDEN", ""),
                    new NodeError(badRequest.target(), "Org1MSP", "BAD_REQUEST", "")), e.details());
            assertEquals(1, forbidden.streams());
            assertEquals(1, badRequest.streams());
        }
    }

    @Test
    void register_onePeerRefusesOtherTemporarilyUnavailable_statusArrivesFromOtherPeer() throws Exception {
        FakeDeliverPeer forbidden = FakeDeliverPeer.start("peer0.org1.example.com", grpc,
                (stream, seek, out) -> refuse(out, Status.FORBIDDEN));
        FakeDeliverPeer restarting = FakeDeliverPeer.start("peer0.org2.example.com", grpc, (stream, seek, out) -> {
            if (stream == 0) {
                unavailable(out);
            } else {
                out.onNext(block(10));
                out.onNext(block(11, tx("tx1", TxValidationCode.VALID)));
            }
        });
        try (CommitStatusSource source = source(forbidden.peer(), restarting.peer())) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");

            assertEquals(new TransactionStatus("tx1", 11, 0, 0), get(registration.status()));
        }
    }

    @Test
    void register_peerRefusesAfterDeliveringBlocks_otherPeerAskedBeforeGivingUp() throws Exception {
        FakeDeliverPeer revoked = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            if (stream == 0) {
                out.onNext(block(5));
                refuse(out, Status.FORBIDDEN);
            } else {
                refuse(out, Status.FORBIDDEN);
            }
        });
        FakeDeliverPeer other = FakeDeliverPeer.start("peer0.org2.example.com", grpc,
                (stream, seek, out) -> out.onNext(block(6, tx("tx1", TxValidationCode.VALID))));
        try (CommitStatusSource source = source(revoked.peer(), other.peer())) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");

            assertEquals(new TransactionStatus("tx1", 6, 0, 0), get(registration.status()));
            assertEquals(6, seekInfo(other.awaitSeeks(1).get(0)).getStart().getSpecified().getNumber());
        }
    }

    @Test
    void register_notFoundAfterBlocksWereSeen_notARefusalAndStreamResumes() throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            if (stream == 0) {
                out.onNext(block(5));
                refuse(out, Status.NOT_FOUND);
            } else {
                out.onNext(block(6, tx("tx1", TxValidationCode.VALID)));
            }
        });
        try (CommitStatusSource source = source(fake.peer())) {
            assertEquals(new TransactionStatus("tx1", 6, 0, 0), get(source.register(CHANNEL, "tx1").status()));
            assertEquals(6, seekInfo(fake.awaitSeeks(2).get(1)).getStart().getSpecified().getNumber());
        }
    }

    @Test
    void register_peerAnswersServiceUnavailable_notARefusalAndRetried() throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            if (stream < 2) {
                refuse(out, Status.SERVICE_UNAVAILABLE);
            } else {
                out.onNext(block(2));
                out.onNext(block(3, tx("tx1", TxValidationCode.VALID)));
            }
        });
        try (CommitStatusSource source = source(fake.peer())) {
            assertEquals(new TransactionStatus("tx1", 3, 0, 0), get(source.register(CHANNEL, "tx1").status()));
            assertEquals(3, fake.streams());
        }
    }

    // ---- channels

    @Test
    void register_twoChannels_oneStreamPerChannelAndEventPeersAskedOncePerChannel() throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc,
                (stream, seek, out) -> out.onNext(block(1)));
        List<String> asked = new CopyOnWriteArrayList<>();
        Function<String, List<Peer>> eventPeers = channel -> {
            asked.add(channel);
            return List.of(fake.peer());
        };
        try (CommitStatusSource source = builder().eventPeers(eventPeers).build()) {
            CommitStatusSource.Registration a1 = source.register("alpha", "alpha-tx");
            CommitStatusSource.Registration a2 = source.register("alpha", "alpha-tx");
            CommitStatusSource.Registration b = source.register("beta", "beta-tx");
            get(a1.ready());
            get(a2.ready());
            get(b.ready());

            assertEquals(List.of("alpha", "beta"), asked);
            List<Envelope> seeks = fake.awaitSeeks(2);
            for (int i = 0; i < seeks.size(); i++) {
                String channel = channelHeader(seeks.get(i)).getChannelId();
                fake.out(i).onNext(block(2, tx(channel + "-tx", TxValidationCode.VALID)));
            }
            assertEquals(new TransactionStatus("alpha-tx", 2, 0, 0), get(a1.status()));
            assertEquals(new TransactionStatus("alpha-tx", 2, 0, 0), get(a2.status()));
            assertEquals(new TransactionStatus("beta-tx", 2, 0, 0), get(b.status()));
            assertEquals(2, fake.streams());
            List<String> seekChannels = new ArrayList<>();
            for (Envelope seek : seeks) {
                seekChannels.add(channelHeader(seek).getChannelId());
            }
            assertEquals(List.of("alpha", "beta"), seekChannels.stream().sorted().toList());
        }
    }

    // ---- 10. closing before the stream is positioned

    @Test
    void close_beforeAnyBlock_readyAndStatusFailStreamCancelledAndRegisterThrows() throws Exception {
        FakeDeliverPeer silent = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
        });
        CommitStatusSource source = source(silent.peer());
        CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");
        silent.awaitSeeks(1);
        assertFalse(registration.ready().isDone());

        source.close();

        assertTrue(failure(registration.ready()).getMessage().contains("closed"));
        CommitStatusException e = failure(registration.status());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals("tx1", e.transactionId());
        silent.awaitCancelled(0);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> source.register(CHANNEL, "tx2"));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
        assertFalse(silent.channel().isShutdown(), "the caller's channel belongs to the caller");
        source.close(); // idempotent
    }

    @Test
    void register_peerFailingAtOnceOnDirectExecutor_returnsAndReportsTheFailuresUntilClosed() throws Exception {
        // A call that fails as it starts runs its callbacks inside the call that starts it.
        io.grpc.ManagedChannel dead = io.grpc.inprocess.InProcessChannelBuilder.forName("gone-" + System.nanoTime())
                .directExecutor().build();
        dead.shutdownNow();
        Peer peer = Peer.of("peer0.org1.example.com", "Org1MSP", EndpointConfig.builder("peer0:7051").build(), dead);
        ManualScheduler time = new ManualScheduler();
        try (CommitStatusSource source = builder().scheduler(time).eventPeers(channel -> List.of(peer)).build()) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");

            // The failure happened inside register(); the retry waits on the scheduler.
            assertEquals(1, registration.recentFailures().size());
            assertEquals("peer0:7051", registration.recentFailures().get(0).address());
            assertEquals(List.of(Duration.ofMillis(5)), time.pendingDelays(), "retried after the initial delay");
            time.advance(Duration.ofMillis(5));
            assertEquals(2, registration.recentFailures().size(), "the retry failed the same way");
            assertEquals(List.of(Duration.ofMillis(10)), time.pendingDelays(), "then after twice the delay");
            assertFalse(registration.ready().isDone(), "a transport failure is retried, not a refusal");
            source.close();
            assertInstanceOf(CommitStatusException.class, failure(registration.status()));
        }
    }

    @Test
    void register_emptyEventPeerList_illegalArgumentNamingChannel() {
        try (CommitStatusSource source = builder().eventPeers(channel -> List.of()).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> source.register(CHANNEL, "tx1"));
            assertTrue(e.getMessage().contains("no event peers for channel mychannel"), e.getMessage());
        }
    }

    @Test
    void register_nullChannelOrTransaction_nullPointerNamingArgument() {
        try (CommitStatusSource source = builder().eventPeers(channel -> List.of()).build()) {
            assertEquals("channelId", assertThrows(NullPointerException.class,
                    () -> source.register(null, "tx1")).getMessage());
            assertEquals("transactionId", assertThrows(NullPointerException.class,
                    () -> source.register(CHANNEL, null)).getMessage());
        }
    }

    // ---- config blocks and requests signed elsewhere

    @Test
    void addConfigBlockListener_configTransactionDelivered_listenerGetsItsBlockNumber() throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            out.onNext(block(3, tx("a", TxValidationCode.VALID)));
            out.onNext(block(4, FilteredTransaction.newBuilder().setTxid("cfg").setType(HeaderType.CONFIG)
                    .setTxValidationCode(TxValidationCode.VALID).build()));
            out.onNext(block(5, tx("tx1", TxValidationCode.VALID)));
        });
        List<Long> configBlocks = new CopyOnWriteArrayList<>();
        try (CommitStatusSource source = source(fake.peer())) {
            source.addConfigBlockListener(CHANNEL, configBlocks::add);
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");

            assertEquals(5, get(registration.status()).blockNumber());
            assertEquals(List.of(4L), configBlocks);
        }
    }

    @Test
    void forRequest_signedElsewhere_positionsOnFirstBlockAndResolvesTheTransaction() throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            out.onNext(block(8));
            out.onNext(block(9, tx("tx1", TxValidationCode.VALID)));
        });
        DeliverRequest unsigned = EventStreams.builder().channel(CHANNEL).identity(IDENTITY).peer(fake.peer())
                .startAtNewest().newRequest();
        DeliverRequest signed = unsigned.withSignature(SIGNER.sign(unsigned.bytes().toByteArray()));

        try (CommitStatusSource source = CommitStatusSources.forRequest(signed, new ManualScheduler())) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");

            assertEquals(9, get(registration.status()).blockNumber());
            Envelope sent = fake.awaitSeeks(1).get(0);
            assertEquals(signed.envelope(), sent, "the application's request is sent as signed");
            assertEquals(SeekPosition.TypeCase.NEWEST, seekInfo(sent).getStart().getTypeCase());
        }
    }

    @Test
    void forRequest_streamBreaks_waitingTransactionFailsSayingTheRequestIsSpent() throws Exception {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> {
            out.onNext(block(8));
            unavailable(out);
        });
        DeliverRequest unsigned = EventStreams.builder().channel(CHANNEL).identity(IDENTITY).peer(fake.peer())
                .startAtNewest().newRequest();
        DeliverRequest signed = unsigned.withSignature(SIGNER.sign(unsigned.bytes().toByteArray()));
        ManualScheduler time = new ManualScheduler();

        try (CommitStatusSource source = CommitStatusSources.forRequest(signed, time)) {
            CommitStatusSource.Registration registration = source.register(CHANNEL, "tx1");
            get(registration.ready());
            assertTrue(time.awaitPendingTasks(1, Duration.ofSeconds(TIMEOUT_SECONDS)), "no reconnect after the break");
            time.advance(Duration.ofSeconds(1));

            CommitStatusException error = failure(registration.status());
            assertTrue(error.getMessage().contains("tx1"), error.getMessage());
            assertTrue(error.details().get(error.details().size() - 1).message().contains("used only once"),
                    error.getMessage());
            assertEquals(1, fake.streams(), "a spent request is not sent again");
        }
    }

    @Test
    void forRequest_unsignedRequest_refusedAtOnce() {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> { });
        DeliverRequest unsigned = EventStreams.builder().channel(CHANNEL).identity(IDENTITY).peer(fake.peer())
                .newRequest();

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> CommitStatusSources.forRequest(unsigned, new ManualScheduler()));
        assertTrue(error.getMessage().contains("not signed"), error.getMessage());
    }

    @Test
    void deliverRequest_signatureByAnotherKey_refusedNamingTheIdentity() {
        FakeDeliverPeer fake = FakeDeliverPeer.start("peer0.org1.example.com", grpc, (stream, seek, out) -> { });
        DeliverRequest unsigned = EventStreams.builder().channel(CHANNEL).identity(IDENTITY).peer(fake.peer())
                .newRequest();
        Signer other = Signers.newPrivateKeySigner(Fixtures.key("org2-user1-key.pem"));

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> unsigned.withSignature(other.sign(unsigned.bytes().toByteArray())));
        assertTrue(error.getMessage().contains("does not verify"), error.getMessage());
        assertTrue(error.getMessage().contains("Org1MSP"), error.getMessage());
    }
}
