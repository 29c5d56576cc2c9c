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
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.stream.LongStream;
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
        // Every endorser must hold the asset: Org2's peer may commit the block a moment after Org1's.
        fabric.awaitCommitted(fabric.org2(), created.id(), from);
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
    void next_streamBrokenWithNoReconnect_retryableEventStreamException() throws Exception {
        try (CloseableIterator<Block> blocks = request(org1()).startBlock(0).noReconnect().blocks()) {
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
    void blocks_streamBrokenTwice_resumesAfterTheLastBlockWithEveryBlockOnceInOrder() throws Exception {
        long last = committedBlocks(2);
        List<Long> numbers = new ArrayList<>();
        List<EventStreamException> breaks = new ArrayList<>();

        try (CloseableIterator<Block> blocks = request(org1()).startBlock(0)
                .reconnectDelay(Duration.ofMillis(5), Duration.ofMillis(50)).onReconnect(breaks::add).blocks()) {
            for (int round = 0; round < 2; round++) {
                readThrough(blocks, last, b -> numbers.add(BlockView.of(b).number()));
                fabric.org1().breakDeliverStreams();
                last = commitOne(fabric.org1());
            }
            readThrough(blocks, last, b -> numbers.add(BlockView.of(b).number()));
        }

        assertEquals(LongStream.rangeClosed(0, last).boxed().toList(), numbers, "each block once, none skipped");
        assertEquals(2, breaks.size(), "the application is told of each break: " + breaks);
        assertEquals("UNAVAILABLE", breaks.get(0).detail().status());
    }

    @Test
    void filteredBlocks_peerStopped_resumesOnTheNextPeerWithoutGaps() throws Exception {
        long last = committedBlocks(1);
        List<Long> numbers = new ArrayList<>();
        ReferenceNetwork.Peer org2 = fabric.network.peer("Org2MSP");

        try (CloseableIterator<FilteredBlock> blocks = request(org1()).peers(List.of(org1(),
                fabric.eventPeer(org2, grpc))).startBlock(0)
                .reconnectDelay(Duration.ofMillis(5), Duration.ofMillis(50)).filteredBlocks()) {
            readThrough(blocks, last, b -> numbers.add(b.getNumber()));
            Fabric.Tx tx = fabric.create();
            fabric.org1().stop();
            try {
                fabric.broadcast(tx);
                last = fabric.awaitCommitted(org2, tx.id(), last + 1);
                readThrough(blocks, last, b -> numbers.add(b.getNumber()));
            } finally {
                fabric.org1().start();
            }
        }

        assertEquals(LongStream.rangeClosed(0, last).boxed().toList(), numbers);
    }

    /** Reads from the stream until it has given block {@code last}, bounded in time. */
    private static <T> void readThrough(CloseableIterator<T> stream, long last, Consumer<T> each) {
        ToLongFunction<T> number = t -> t instanceof Block b ? BlockView.of(b).number()
                : ((FilteredBlock) t).getNumber();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            long seen = -1;
            while (seen < last) {
                T next = stream.next();
                each.accept(next);
                seen = number.applyAsLong(next);
            }
        });
    }

    private long commitOne(ReferenceNetwork.Peer peer) throws Exception {
        long from = peer.height(Fabric.CHANNEL);
        Fabric.Tx tx = fabric.create();
        fabric.broadcast(tx);
        return fabric.awaitCommitted(peer, tx.id(), from);
    }

    @Test
    void blocks_requestSignedByTheApplication_endsAtTheFirstBreakSayingToOpenANewOne() throws Exception {
        EventStreams.Builder builder = request(org1()).startBlock(0);
        DeliverRequest request = builder.newRequest();
        DeliverRequest signed = request.withSignature(fabric.user.signer().sign(request.bytes().toByteArray()));

        try (CloseableIterator<Block> blocks = EventStreams.Builder.blocks(signed)) {
            assertEquals(0, BlockView.of(blocks.next()).number());
            fabric.org1().breakDeliverStreams();

            EventStreamException e = assertThrows(EventStreamException.class, () -> {
                while (true) {
                    blocks.next();
                }
            });
            assertTrue(e.getMessage().contains("open a new one"), e.getMessage());
        }
    }

    /** Commits transactions until the channel has at least {@code minimum} blocks after genesis; the last block's number. */
    private long committedBlocks(int minimum) throws Exception {
        long last = fabric.org1().height(Fabric.CHANNEL) - 1;
        while (last < minimum) {
            last = commitOne(fabric.org1());
        }
        return last;
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
