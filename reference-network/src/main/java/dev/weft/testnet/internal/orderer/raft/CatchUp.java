package dev.weft.testnet.internal.orderer.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.EndpointConfig;
import dev.weft.core.GrpcChannels;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.ConsenterSupport;
import dev.weft.testnet.OrderingException;
import dev.weft.testnet.internal.orderer.BroadcastRejection;
import dev.weft.testnet.internal.orderer.OrdererChannel;
import dev.weft.testnet.internal.peer.BlockPuller;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocks a Raft follower lacks below a snapshot it got from the leader, pulled from the other
 * orderers' Deliver service, as Fabric's etcdraft follower does when its log lags the leader's
 * snapshot: each block must extend the ledger, match its data hash and carry orderer signatures
 * that satisfy the channel's BlockValidation policy; it is then written with the Raft metadata
 * it carries, as if this node had applied the entry that made it.
 */
final class CatchUp {
    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

    private CatchUp() {
    }

    /**
     * Pulls and writes blocks until the ledger has {@code height} blocks. Blocks the calling thread
     * (Ratis' state-machine thread, which applies nothing meanwhile); the puller moves to the next
     * orderer whenever a stream fails and retries with back-off until done or {@code halted}.
     *
     * @param from the other orderers (with this orderer's TLS client certificate where they require one)
     * @throws OrderingException if the chain halted first, no orderer is there to pull from, or a
     *     pulled block failed its checks
     */
    static void toHeight(ConsenterSupport support, String nodeId, List<EndpointConfig> from, long height,
            BooleanSupplier halted) {
        long start = support.height();
        if (start >= height) {
            return;
        }
        if (from.isEmpty()) {
            throw new OrderingException("channel " + support.channelId() + ": " + nodeId + " lacks blocks " + start
                    + " to " + (height - 1) + " and has no other orderer to pull them from");
        }
        log.info("channel {}: {} is at height {}, its Raft snapshot at height {}: pulling the blocks between from the "
                + "other orderers", support.channelId(), nodeId, start, height);
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<ManagedChannel> channels = from.stream().map(GrpcChannels::create).toList();
        BlockPuller puller = new BlockPuller(nodeId, support.channelId(), channels, support.identity(), support::sign,
                from.get(0).clientCertificateHash(), support::height, block -> {
                    if (done.isDone()) {
                        return;
                    }
                    try {
                        write(support, block);
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e);
                        throw e;
                    }
                    if (support.height() >= height) {
                        done.complete(null);
                    }
                }, support.scheduler(), Clock.systemUTC());
        try {
            puller.start();
            while (true) {
                try {
                    done.get(200, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    if (halted.getAsBoolean()) {
                        throw new OrderingException("channel " + support.channelId() + ": " + nodeId + " halted while "
                                + "pulling blocks " + support.height() + " to " + (height - 1));
                    }
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof OrderingException refused ? refused
                            : new OrderingException("channel " + support.channelId() + ": " + nodeId + " cannot "
                                    + "write a block pulled from another orderer: " + e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OrderingException("channel " + support.channelId() + ": " + nodeId + " was interrupted "
                            + "while pulling blocks");
                }
            }
        } finally {
            // Not on the puller's commit thread: close() waits for it.
            puller.close();
            channels.forEach(ManagedChannel::shutdownNow);
        }
        log.info("channel {}: {} pulled blocks {} to {} from the other orderers", support.channelId(), nodeId, start,
                height - 1);
    }

    private static void write(ConsenterSupport support, Block block) {
        long height = support.height();
        BlockHeader tip = support.block(height - 1).orElseThrow().getHeader();
        long number = block.getHeader().getNumber();
        if (number < height) {
            return; // already written (a stream resumed from an older height)
        }
        if (!Blocks.follows(tip, block.getHeader())) {
            throw new OrderingException("channel " + support.channelId() + ": block " + number + " pulled from another "
                    + "orderer does not extend the ledger at height " + height);
        }
        if (!block.getHeader().getDataHash().equals(ByteString.copyFrom(Blocks.dataHash(block.getData())))) {
            throw new OrderingException("channel " + support.channelId() + ": block " + number + " pulled from another "
                    + "orderer has a data hash that does not match its data");
        }
        support.verifyBlockSignature(block);
        byte[] raftMetadata = consenterMetadata(block);
        if (isConfig(block)) {
            support.writeConfigBlock(block, raftMetadata);
        } else {
            support.writeBlock(block, raftMetadata);
        }
    }

    /** The consenter's slot of a block's orderer metadata: its {@code etcdraft.BlockMetadata}. */
    private static byte[] consenterMetadata(Block block) {
        try {
            Metadata signatures = Metadata.parseFrom(Blocks.metadata(block, BlockMetadataIndex.SIGNATURES));
            return Metadata.parseFrom(OrdererBlockMetadata.parseFrom(signatures.getValue()).getConsenterMetadata())
                    .getValue().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new OrderingException("block " + block.getHeader().getNumber() + " pulled from another orderer has "
                    + "malformed orderer metadata");
        }
    }

    private static boolean isConfig(Block block) {
        if (block.getData().getDataCount() != 1) {
            return false;
        }
        try {
            return OrdererChannel.channelHeader(Envelope.parseFrom(block.getData().getData(0))).getType()
                    == HeaderType.CONFIG_VALUE;
        } catch (InvalidProtocolBufferException | BroadcastRejection e) {
            return false;
        }
    }
}
