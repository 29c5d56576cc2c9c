package dev.weft.events;

import static dev.weft.events.Fabric.TIMEOUT_SECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.CommitStatusException;
import dev.weft.core.CommitStatusSource;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.orderer.SeekPosition;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The commit status source against the reference network: statuses and their block positions are
 * what the peers committed, one stream serves every registration of a channel, and a broken
 * stream resumes without missing a block.
 */
class CommitStatusNetworkTest {
    private static Fabric fabric;

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @BeforeAll
    static void startNetwork() {
        fabric = Fabric.start();
    }

    @AfterAll
    static void stopNetwork() {
        if (fabric != null) {
            fabric.close();
        }
    }

    private CommitStatusSource source(Peer... peers) {
        List<Peer> list = List.of(peers);
        return fabric.sourceBuilder().eventPeers(channel -> list).build();
    }

    /** Checks a status against the block the Org2 peer committed (read independently of the source). */
    private static void assertCommitted(TransactionStatus status, String txId, TxValidationCode expected)
            throws Exception {
        assertEquals(txId, status.transactionId());
        assertEquals(expected, status.code(), () -> "status of " + txId + ": " + status);
        assertTrue(status.blockNumber() < fabric.org1().height(Fabric.CHANNEL), "block beyond the peer's height");
        FilteredTransaction committed = fabric.committed(fabric.org2(), status.blockNumber(), status.index());
        assertEquals(txId, committed.getTxid(), "the transaction at the reported block and index");
        assertEquals(expected.getNumber(), committed.getTxValidationCodeValue());
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, SECONDS);
    }

    // ---- 1. statuses

    @Test
    void register_validTransactionBroadcastAfterReady_statusIsValidAtCommittedBlockAndIndex() throws Exception {
        Fabric.Tx tx = fabric.create();
        try (CommitStatusSource source = source(fabric.eventPeer(fabric.org1(), grpc))) {
            CommitStatusSource.Registration registration = source.register(Fabric.CHANNEL, tx.id());
            get(registration.ready());
            long heightBefore = fabric.org1().height(Fabric.CHANNEL);
            assertFalse(registration.status().isDone(), "nothing was broadcast yet");

            fabric.broadcast(tx);
            TransactionStatus status = get(registration.status());

            assertTrue(status.isValid());
            assertTrue(status.blockNumber() >= heightBefore, "committed after the stream was positioned");
            assertCommitted(status, tx.id(), TxValidationCode.VALID);
        }
    }

    @Test
    void register_transactionEndorsedByOneOrganisation_statusIsEndorsementPolicyFailure() throws Exception {
        Fabric.Tx tx = fabric.endorse(List.of(fabric.org1()), "CreateAsset", Fabric.newAssetId(), "red", "1",
                "Ann", "10");
        try (CommitStatusSource source = source(fabric.eventPeer(fabric.org1(), grpc))) {
            CommitStatusSource.Registration registration = source.register(Fabric.CHANNEL, tx.id());
            get(registration.ready());
            fabric.broadcast(tx);

            TransactionStatus status = get(registration.status());

            assertEquals(10, status.validationCode());
            assertFalse(status.isValid());
            assertCommitted(status, tx.id(), TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
        }
    }

    @Test
    void register_twoTransfersOfOneAssetEndorsedBeforeEitherCommits_oneValidOneMvccReadConflict() throws Exception {
        String asset = Fabric.newAssetId();
        Fabric.Tx create = fabric.create(asset);
        try (CommitStatusSource source = source(fabric.eventPeer(fabric.org1(), grpc))) {
            CommitStatusSource.Registration created = source.register(Fabric.CHANNEL, create.id());
            get(created.ready());
            fabric.broadcast(create);
            TransactionStatus createdStatus = get(created.status());
            assertTrue(createdStatus.isValid());
            // Both peers must see the asset before they can endorse its transfer.
            fabric.awaitCommitted(fabric.org2(), create.id(), createdStatus.blockNumber());

            Fabric.Tx first = fabric.endorse(fabric.network.peers(), "TransferAsset", asset, "Alice");
            Fabric.Tx second = fabric.endorse(fabric.network.peers(), "TransferAsset", asset, "Bob");
            CommitStatusSource.Registration r1 = source.register(Fabric.CHANNEL, first.id());
            CommitStatusSource.Registration r2 = source.register(Fabric.CHANNEL, second.id());
            get(r1.ready());
            get(r2.ready());
            fabric.broadcast(first, second);

            TransactionStatus s1 = get(r1.status());
            TransactionStatus s2 = get(r2.status());

            assertEquals(Set.of(TxValidationCode.VALID, TxValidationCode.MVCC_READ_CONFLICT), Set.of(s1.code(), s2.code()),
                    () -> s1 + " / " + s2);
            assertCommitted(s1, first.id(), s1.code());
            assertCommitted(s2, second.id(), s2.code());
        }
    }

    // ---- 2. one shared stream

    @Test
    void register_hundredTransactionsBroadcastTogether_allCompleteOverOneDeliverFilteredStream() throws Exception {
        DeliverRecorder recorder = new DeliverRecorder();
        List<Fabric.Tx> txs = fabric.createMany(100);
        try (CommitStatusSource source = source(fabric.eventPeer(fabric.org1(), grpc, recorder))) {
            List<CommitStatusSource.Registration> registrations = new ArrayList<>();
            for (Fabric.Tx tx : txs) {
                registrations.add(source.register(Fabric.CHANNEL, tx.id()));
            }
            get(CompletableFuture.allOf(registrations.stream().map(CommitStatusSource.Registration::ready)
                    .toArray(CompletableFuture[]::new)));

            fabric.broadcast(txs);

            Map<Long, FilteredBlock> blocks = new HashMap<>();
            for (int i = 0; i < txs.size(); i++) {
                TransactionStatus status = get(registrations.get(i).status());
                assertEquals(txs.get(i).id(), status.transactionId());
                assertTrue(status.isValid(), status::toString);
                FilteredBlock block = blocks.computeIfAbsent(status.blockNumber(), n -> {
                    try {
                        return fabric.filteredBlock(fabric.org2(), n);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                assertEquals(txs.get(i).id(), block.getFilteredTransactions(status.index()).getTxid());
            }
            assertEquals(1, recorder.count(), () -> "DeliverFiltered calls: " + recorder.calls());
        }
    }

    // ---- 3. broken streams

    @Test
    void register_deliverStreamsBrokenBetweenAndDuringBroadcasts_everyStatusArrivesAndStreamsResumeAfterLastBlock()
            throws Exception {
        DeliverRecorder recorder = new DeliverRecorder();
        List<Fabric.Tx> txs = fabric.createMany(30);
        try (CommitStatusSource source = source(fabric.eventPeer(fabric.org1(), grpc, recorder))) {
            List<CommitStatusSource.Registration> registrations = new ArrayList<>();
            for (Fabric.Tx tx : txs) {
                registrations.add(source.register(Fabric.CHANNEL, tx.id()));
            }
            get(CompletableFuture.allOf(registrations.stream().map(CommitStatusSource.Registration::ready)
                    .toArray(CompletableFuture[]::new)));

            // First half on the first stream; then break it while nothing is in flight.
            fabric.broadcast(txs.subList(0, 10));
            for (int i = 0; i < 10; i++) {
                assertTrue(get(registrations.get(i).status()).isValid());
            }
            fabric.org1().breakDeliverStreams();
            recorder.awaitCalls(1).get(0).awaitClosed();

            // Then break again right after each broadcast, while blocks are being cut and delivered.
            fabric.broadcast(txs.subList(10, 20));
            fabric.org1().breakDeliverStreams();
            for (int i = 20; i < 30; i++) {
                fabric.broadcast(txs.get(i));
                fabric.org1().breakDeliverStreams();
            }

            for (int i = 0; i < txs.size(); i++) {
                TransactionStatus status = get(registrations.get(i).status());
                assertEquals(txs.get(i).id(), status.transactionId());
                assertCommitted(status, txs.get(i).id(), TxValidationCode.VALID);
            }

            List<DeliverRecorder.Call> calls = recorder.calls();
            assertTrue(calls.size() >= 2, () -> "a new stream after the break: " + calls);
            assertEquals(SeekPosition.TypeCase.NEWEST, calls.get(0).seekInfo().getStart().getTypeCase());
            long last = -1;
            for (int i = 0; i < calls.size(); i++) {
                DeliverRecorder.Call call = calls.get(i);
                if (i > 0 && !call.seeks.isEmpty()) {
                    SeekInfo seek = call.seekInfo();
                    assertEquals(SeekPosition.TypeCase.SPECIFIED, seek.getStart().getTypeCase(), call::toString);
                    assertEquals(last + 1, seek.getStart().getSpecified().getNumber(),
                            () -> "stream " + call + " must resume after block " + calls);
                }
                for (long block : call.blocks) {
                    if (last >= 0) {
                        assertEquals(last + 1, block, () -> "blocks must follow each other across streams: " + calls);
                    }
                    last = block;
                }
            }
        }
    }

    // ---- 8, 9. registrations of one transaction

    @Test
    void close_registrationClosedBeforeCommit_statusNeverCompletes() throws Exception {
        Fabric.Tx tx = fabric.create();
        Fabric.Tx later = fabric.create();
        try (CommitStatusSource source = source(fabric.eventPeer(fabric.org1(), grpc))) {
            CommitStatusSource.Registration closed = source.register(Fabric.CHANNEL, tx.id());
            CommitStatusSource.Registration open = source.register(Fabric.CHANNEL, tx.id());
            CommitStatusSource.Registration next = source.register(Fabric.CHANNEL, later.id());
            get(closed.ready());
            get(open.ready());
            get(next.ready());
            closed.close();

            fabric.broadcast(tx);
            TransactionStatus seen = get(open.status());
            fabric.broadcast(later);
            TransactionStatus after = get(next.status());

            assertTrue(seen.isValid());
            assertTrue(after.blockNumber() > seen.blockNumber());
            assertFalse(closed.status().isDone(), "a closed registration's status must stay incomplete");
        }
    }

    @Test
    void register_twoRegistrationsForOneTransaction_bothComplete() throws Exception {
        Fabric.Tx tx = fabric.create();
        try (CommitStatusSource source = source(fabric.eventPeer(fabric.org1(), grpc))) {
            CommitStatusSource.Registration first = source.register(Fabric.CHANNEL, tx.id());
            CommitStatusSource.Registration second = source.register(Fabric.CHANNEL, tx.id());
            get(first.ready());
            get(second.ready());

            fabric.broadcast(tx);

            TransactionStatus a = get(first.status());
            TransactionStatus b = get(second.status());
            assertEquals(a, b);
            assertCommitted(a, tx.id(), TxValidationCode.VALID);
        }
    }

    // ---- 10. closing the source

    @Test
    void close_sourceWithPendingRegistrations_statusesFailAndRegisterThrowsAndChannelStaysOpen() throws Exception {
        DeliverRecorder recorder = new DeliverRecorder();
        ManagedChannel channel = fabric.newChannel(fabric.org1(), grpc);
        CommitStatusSource source = fabric.sourceBuilder()
                .eventPeers(id -> List.of(Fabric.eventPeer(fabric.org1(), channel, recorder))).build();
        String txId = fabric.create().id(); // endorsed, never broadcast
        CommitStatusSource.Registration pending = source.register(Fabric.CHANNEL, txId);
        get(pending.ready());

        source.close();

        ExecutionException failed = assertThrows(ExecutionException.class, () -> get(pending.status()));
        CommitStatusException e = assertInstanceOf(CommitStatusException.class, failed.getCause());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(txId, e.transactionId());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> source.register(Fabric.CHANNEL, "another"));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());

        assertEquals(Status.Code.CANCELLED, recorder.awaitCalls(1).get(0).awaitClosed().getCode(),
                "the source's stream must be cancelled");
        assertFalse(channel.isShutdown(), "the caller's channel belongs to the caller");
        long newest = fabric.org1().height(Fabric.CHANNEL) - 1;
        assertEquals(newest, fabric.filteredBlocks(channel, newest, newest).get(0).getNumber(),
                "the caller's channel still works");
    }
}
