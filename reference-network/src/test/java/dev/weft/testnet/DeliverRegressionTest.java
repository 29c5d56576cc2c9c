package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.TransactionStatus;
import dev.weft.testnet.internal.peer.FilteredBlocks;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deliver behaviours that were wrong once: each test names the rule it pins. */
class DeliverRegressionTest {

    @Test
    void filteredBlock_undecodableTransactionBody_stillReportsIdAndCode() {
        Payload payload = Payload.newBuilder()
                .setHeader(Header.newBuilder().setChannelHeader(ChannelHeader.newBuilder()
                        .setType(HeaderType.ENDORSER_TRANSACTION_VALUE).setTxId("tx-broken").build().toByteString()))
                .setData(ByteString.copyFrom(new byte[] {0x0A, 0x05, 0x01}))
                .build();
        Block block = Block.newBuilder()
                .setData(BlockData.newBuilder().addData(Envelope.newBuilder().setPayload(payload.toByteString())
                        .build().toByteString()))
                .setMetadata(BlockMetadata.newBuilder().addMetadata(ByteString.EMPTY).addMetadata(ByteString.EMPTY)
                        .addMetadata(ByteString.copyFrom(new byte[] {5})))
                .build();

        FilteredBlock filtered = FilteredBlocks.of(block, "ch");

        assertEquals(1, filtered.getFilteredTransactionsCount());
        assertEquals("tx-broken", filtered.getFilteredTransactions(0).getTxid());
        assertEquals(5, filtered.getFilteredTransactions(0).getTxValidationCodeValue());
    }

    @Test
    void seek_stopAtMaxUint64_meansForeverOnOrdererAndPeer() throws Exception {
        try (ReferenceNetwork network = ReferenceNetwork.builder().start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            for (ReferenceNetwork.Node node : List.of(network.orderer(), network.peer("Org1MSP"))) {
                DeliverStream.Kind kind = node instanceof ReferenceNetwork.Orderer ? DeliverStream.Kind.ORDERER
                        : DeliverStream.Kind.PEER;
                try (DeliverStream stream = DeliverStream.open(client.channelTo(node), kind)) {
                    stream.send(client.seek(0, -1L, SeekInfo.SeekBehavior.BLOCK_UNTIL_READY));
                    DeliverResponse first = stream.next();
                    assertTrue(first.hasBlock(), node + " answered " + first);
                    assertEquals(0, first.getBlock().getHeader().getNumber());
                    assertEquals(null, stream.poll(Duration.ofMillis(300)), "no end of stream: it waits for blocks");
                }
            }
        }
    }

    @Test
    void deliver_creatorCertificateExpiresMidStream_isCutOffWithForbidden(@TempDir Path files) throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (ReferenceNetwork network = ReferenceNetwork.builder().clock(clock).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            NetworkCrypto crypto = new NetworkCrypto(network, files);
            ReferenceNetwork.Peer peer = network.peer("Org1MSP");
            NetworkCrypto.Client shortLived = crypto.client(peer, "ShortLived", clock.instant().minusSeconds(60),
                    clock.instant().plusSeconds(60));
            long height = peer.height(network.channel());
            ManagedChannel channel = client.channelTo(peer);
            try (DeliverStream stream = DeliverStream.open(channel, DeliverStream.Kind.PEER)) {
                stream.send(dev.weft.core.SeekRequest.builder().channel(network.channel()).identity(shortLived.identity())
                        .startAt(height).stopNever().clock(clock).build().sign(shortLived.signer()));
                clock.advance(Duration.ofSeconds(120));
                client.submit("basic", "CreateAsset", "expiry-1", "red", "1", "Ann", "1");
                DeliverResponse response = stream.next();
                assertEquals(Status.FORBIDDEN, response.getStatus(), "got " + response.getTypeCase());
            }
        }
    }

    @Test
    void peer_onNetworkClockBehindRealTime_stillPullsAndCommitsBlocks() throws Exception {
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        try (ReferenceNetwork network = ReferenceNetwork.builder().clock(behind).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"), behind)) {
            TransactionStatus status = client.submit("basic", "CreateAsset", "clock-1", "red", "1", "Ann", "1");
            assertTrue(status.isValid(), "status " + status);
        }
    }

    /** A clock tests can move forward. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
