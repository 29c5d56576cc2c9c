package dev.weft.testnet.internal.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.SystemScheduler;
import dev.weft.testnet.internal.CapturedLog;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.DeliverResponse;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The block puller against a scripted orderer on loopback (plaintext: what is tested is the seek
 * the puller sends and what it does with the answers): the seek's TLS binding, and one WARN line
 * per refusal rather than per retry.
 */
class BlockPullerTest {
    private static final long TIMEOUT_SECONDS = 20;

    /** What the scripted orderer answers to the n-th seek (later seeks get the last answer). */
    private enum Answer { BAD_REQUEST, FORBIDDEN, BLOCK_THEN_END }

    private final BlockingQueue<Envelope> seeks = new LinkedBlockingQueue<>();
    private final AtomicInteger answered = new AtomicInteger();
    private volatile List<Answer> script = List.of(Answer.BAD_REQUEST);
    private Server server;
    private ManagedChannel channel;
    private SystemScheduler scheduler;
    private BlockPuller puller;

    @BeforeEach
    void startOrderer() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new AtomicBroadcastGrpc.AtomicBroadcastImplBase() {
                    @Override
                    public StreamObserver<Envelope> deliver(StreamObserver<DeliverResponse> out) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(Envelope seek) {
                                List<Answer> answers = script;
                                Answer answer = answers.get(Math.min(answered.getAndIncrement(), answers.size() - 1));
                                switch (answer) {
                                    case BAD_REQUEST -> out.onNext(status(Status.BAD_REQUEST));
                                    case FORBIDDEN -> out.onNext(status(Status.FORBIDDEN));
                                    case BLOCK_THEN_END -> out.onNext(DeliverResponse.newBuilder().setBlock(Block.newBuilder()
                                            .setHeader(BlockHeader.newBuilder().setNumber(1))).build());
                                    default -> throw new IllegalStateException(answer.toString());
                                }
                                out.onCompleted();
                                // Recorded after answering: when a test sees seek n, the puller has the answers to 1..n-1.
                                seeks.add(seek);
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                            }
                        };
                    }
                }).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        scheduler = SystemScheduler.start("test-timer");
    }

    @AfterEach
    void stopOrderer() throws Exception {
        if (puller != null) {
            puller.close();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        scheduler.close();
    }

    private static DeliverResponse status(Status status) {
        return DeliverResponse.newBuilder().setStatus(status).build();
    }

    private BlockPuller puller(String channelId, byte[] tlsCertHash) {
        puller = new BlockPuller("peer0.org1.example.com", channelId, List.of(channel), CommitFixture.PEER1.identity(),
                CommitFixture.PEER1.signer(), tlsCertHash, () -> 1, block -> { }, scheduler, Clock.systemUTC());
        return puller;
    }

    private Envelope nextSeek() throws InterruptedException {
        Envelope seek = seeks.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(seek, "no seek within " + TIMEOUT_SECONDS + " s");
        return seek;
    }

    private static ChannelHeader header(Envelope seek) throws Exception {
        return ChannelHeader.parseFrom(Payload.parseFrom(seek.getPayload()).getHeader().getChannelHeader());
    }

    @Test
    void seek_withTlsCertHash_boundInTheChannelHeaderFromTheLedgerHeight() throws Exception {
        byte[] hash = new byte[32];
        for (int i = 0; i < hash.length; i++) {
            hash[i] = (byte) i;
        }

        puller("bound", hash).start();

        Envelope seek = nextSeek();
        assertArrayEquals(hash, header(seek).getTlsCertHash().toByteArray());
        assertEquals("bound", header(seek).getChannelId());
        SeekInfo info = SeekInfo.parseFrom(Payload.parseFrom(seek.getPayload()).getData());
        assertEquals(1, info.getStart().getSpecified().getNumber());
    }

    @Test
    void seek_withoutTlsCertHash_unbound() throws Exception {
        puller("unbound", new byte[0]).start();

        assertEquals(ByteString.EMPTY, header(nextSeek()).getTlsCertHash());
    }

    @Test
    void refusals_loggedAtWarnOncePerDistinctStatusNotPerRetry() throws Exception {
        script = List.of(Answer.BAD_REQUEST, Answer.BAD_REQUEST, Answer.FORBIDDEN, Answer.BAD_REQUEST);
        try (CapturedLog log = CapturedLog.start()) {
            puller("refusals", new byte[0]).start();
            for (int i = 0; i < 5; i++) {
                nextSeek();
            }

            List<String> warnings = log.lines("WARN", "BlockPuller", "on channel refusals:");
            assertEquals(3, warnings.size(), "one line per change of status: " + warnings);
            assertTrue(warnings.get(0).contains("with BAD_REQUEST"), warnings.get(0));
            assertTrue(warnings.get(1).contains("with FORBIDDEN"), warnings.get(1));
            assertTrue(warnings.get(2).contains("with BAD_REQUEST"), warnings.get(2));
            assertTrue(warnings.get(0).contains("peer0.org1.example.com"), "names the peer: " + warnings.get(0));
        }
    }

    @Test
    void refusals_sameStatusAgainAfterABlock_loggedAgain() throws Exception {
        script = List.of(Answer.BAD_REQUEST, Answer.BAD_REQUEST, Answer.BLOCK_THEN_END, Answer.BAD_REQUEST,
                Answer.BAD_REQUEST);
        try (CapturedLog log = CapturedLog.start()) {
            puller("recovered", new byte[0]).start();
            for (int i = 0; i < 6; i++) {
                nextSeek();
            }

            List<String> warnings = log.lines("WARN", "BlockPuller", "on channel recovered:");
            assertEquals(2, warnings.size(), "once before the block, once after: " + warnings);
        }
    }
}
