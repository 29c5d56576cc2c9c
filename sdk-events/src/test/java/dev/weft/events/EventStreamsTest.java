package dev.weft.events;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.BlockView;
import dev.weft.core.EventStreamException;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.Peer;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Block, filtered-block and chaincode-event streams read from a reference peer through EventStreams. */
class EventStreamsTest {
    private static Fabric fabric;

    @RegisterExtension
    final GrpcCleanup grpc = new GrpcCleanup();

    @BeforeAll
    static void start() {
        fabric = Fabric.start(ReferenceNetwork.builder().chaincode("basic", AssetTransferChaincode.withEvents()));
    }

    @AfterAll
    static void stop() {
        if (fabric != null) {
            fabric.close();
        }
    }

    private EventStreams.Builder request(Peer peer) {
        return EventStreams.builder().channel(Fabric.CHANNEL).identity(fabric.user.identity())
                .signer(fabric.user.signer()).peer(peer);
    }

    private Peer org1() {
        return fabric.eventPeer(fabric.org1(), grpc);
    }

    @Test
    void blocks_fromGenesisToStopBlock_everyBlockInOrderThenTheStreamEnds() throws Exception {
        Fabric.Tx tx = fabric.create();
        fabric.broadcast(tx);
        long last = fabric.awaitCommitted(fabric.org1(), tx.id(), 0);
        List<Long> numbers = new ArrayList<>();

        try (CloseableIterator<Block> blocks = request(org1()).startBlock(0).stopBlock(last).blocks()) {
            blocks.forEachRemaining(b -> numbers.add(b.getHeader().getNumber()));
            assertFalse(blocks.hasNext());
            assertThrows(NoSuchElementException.class, blocks::next);
        }

        assertEquals(last + 1, numbers.size());
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(i, numbers.get(i));
        }
    }

    @Test
    void filteredBlocks_withoutStartBlock_beginWithTheNextCommittedBlock() throws Exception {
        long height = fabric.org1().height(Fabric.CHANNEL);
        Fabric.Tx tx = fabric.create();

        try (CloseableIterator<FilteredBlock> blocks = request(org1()).filteredBlocks()) {
            fabric.broadcast(tx);
            FilteredBlock first = assertTimeoutPreemptively(Duration.ofSeconds(20), blocks::next);

            // Every earlier test waits for its commits, so the next block is the one holding this tx.
            assertEquals(height, first.getNumber(), "the stream starts at the next block to be committed");
            FilteredTransaction committed = first.getFilteredTransactions(0);
            assertEquals(tx.id(), committed.getTxid());
            assertEquals(TxValidationCode.VALID, committed.getTxValidationCode());
        }
        fabric.awaitCommitted(fabric.org1(), tx.id(), height);
    }

    @Test
    void chaincodeEvents_validAndInvalidTransactions_onlyTheValidOnesEventsInBlockOrder() throws Exception {
        long from = fabric.org1().height(Fabric.CHANNEL);
        String asset = Fabric.newAssetId();
        Fabric.Tx created = fabric.create(asset);
        // Endorsed by one organisation only: committed as ENDORSEMENT_POLICY_FAILURE, so its event is not delivered.
        Fabric.Tx invalid = fabric.endorse(List.of(fabric.org1()), "CreateAsset", Fabric.newAssetId(), "red", "1", "A", "1");
        fabric.broadcast(created, invalid);
        fabric.awaitCommitted(fabric.org1(), invalid.id(), from);
        fabric.awaitCommitted(fabric.org1(), created.id(), from);
        Fabric.Tx transferred = fabric.endorse(fabric.network.peers(), "TransferAsset", asset, "Ann");
        fabric.broadcast(transferred);
        fabric.awaitCommitted(fabric.org1(), transferred.id(), from);
        long last = fabric.org1().height(Fabric.CHANNEL) - 1;

        List<ChaincodeEvent> events = new ArrayList<>();
        try (CloseableIterator<ChaincodeEvent> stream = request(org1()).startBlock(from).stopBlock(last)
                .chaincodeEvents("basic")) {
            stream.forEachRemaining(events::add);
        }

        assertEquals(List.of("CreateAsset", "TransferAsset"), events.stream().map(ChaincodeEvent::eventName).toList());
        assertEquals(List.of(created.id(), transferred.id()),
                events.stream().map(ChaincodeEvent::transactionId).toList());
        assertTrue(events.get(1).payloadAsString().contains("\"Owner\":\"Ann\""), events.get(1).payloadAsString());
        assertTrue(events.get(0).blockNumber() <= events.get(1).blockNumber());
        assertEquals("basic", events.get(0).chaincodeName());
        assertEquals(0, events.get(1).transactionIndex(), "TransferAsset is alone in its block");
    }

    @Test
    void chaincodeEvents_ofAnotherChaincode_noneDelivered() throws Exception {
        long from = fabric.org1().height(Fabric.CHANNEL);
        Fabric.Tx tx = fabric.create();
        fabric.broadcast(tx);
        long last = fabric.awaitCommitted(fabric.org1(), tx.id(), from);

        try (CloseableIterator<ChaincodeEvent> stream = request(org1()).startBlock(from).stopBlock(last)
                .chaincodeEvents("other")) {
            assertFalse(stream.hasNext());
        }
    }

    @Test
    void next_startBeyondTheLedger_eventStreamExceptionNamingNotFound() {
        long beyond = fabric.org1().height(Fabric.CHANNEL) + 1000;

        try (CloseableIterator<Block> blocks = request(org1()).startBlock(beyond).blocks()) {
            EventStreamException e = assertThrows(EventStreamException.class, blocks::next);

            assertEquals("NOT_FOUND", e.detail().status());
            assertEquals(fabric.org1().endpoint(), e.detail().address());
            assertFalse(e.retryable());
            assertFalse(blocks.hasNext(), "a failure is reported once, then the stream is over");
        }
    }

    @Test
    void next_streamBrokenByThePeer_retryableEventStreamException() throws Exception {
        try (CloseableIterator<Block> blocks = request(org1()).startBlock(0).blocks()) {
            assertEquals(0, BlockView.of(blocks.next()).number());
            fabric.org1().breakDeliverStreams();

            EventStreamException e = assertThrows(EventStreamException.class, () -> {
                while (true) {
                    blocks.next(); // the blocks sent before the break, then the failure
                }
            });

            assertEquals("UNAVAILABLE", e.detail().status());
            assertTrue(e.retryable());
        }
    }

    @Test
    void close_fromAnotherThreadWhileWaiting_hasNextReturnsFalse() throws Exception {
        CloseableIterator<FilteredBlock> blocks = request(org1()).filteredBlocks();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(blocks::hasNext);

        blocks.close();

        assertFalse(waiting.get(20, SECONDS));
    }

    @Test
    void builder_missingOrInvalidSettings_failNamingThem() {
        IllegalStateException noPeer = assertThrows(IllegalStateException.class, () -> EventStreams.builder()
                .channel("mychannel").identity(fabric.user.identity()).signer(fabric.user.signer()).blocks());
        assertTrue(noPeer.getMessage().contains("peer"), noPeer.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EventStreams.builder().startBlock(-1));
        IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class,
                () -> request(org1()).startBlock(5).stopBlock(4).blocks());
        assertTrue(backwards.getMessage().contains("before"), backwards.getMessage());
    }
}
