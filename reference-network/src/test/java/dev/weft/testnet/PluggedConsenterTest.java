package dev.weft.testnet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.WeftException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consenter written against the public SPI alone, as a user would plug in a third one: it puts
 * every message in a block of its own, marks each block's consenter metadata with its number, and
 * on a restart is handed the metadata of the last block, so it resumes where it stopped.
 */
class PluggedConsenterTest {
    @TempDir
    Path dir;

    /** One message, one block; the consenter metadata says which block it was. */
    static final class OnePerBlock implements Consenter {
        final List<String> resumedFrom = new CopyOnWriteArrayList<>();
        volatile ConsenterSupport lastSupport;

        @Override
        public String type() {
            return "one-per-block";
        }

        @Override
        public Chain handleChain(ConsenterSupport support, byte[] lastConsenterMetadata) {
            resumedFrom.add(new String(lastConsenterMetadata, UTF_8));
            lastSupport = support;
            CompletableFuture<Void> errored = new CompletableFuture<>();
            return new Chain() {
                @Override
                public synchronized void order(Envelope envelope, long configSequence) {
                    Block block = support.createNextBlock(List.of(envelope));
                    support.writeBlock(block, ("block " + block.getHeader().getNumber()).getBytes(UTF_8));
                }

                @Override
                public synchronized void configure(Envelope config, long configSequence) {
                    Block block = support.createNextBlock(List.of(config));
                    support.writeConfigBlock(block, ("block " + block.getHeader().getNumber()).getBytes(UTF_8));
                }

                @Override
                public void waitReady() {
                }

                @Override
                public CompletableFuture<Void> errored() {
                    return errored;
                }

                @Override
                public void start() {
                }

                @Override
                public void halt() {
                    errored.completeExceptionally(new OrderingException("halted"));
                }
            };
        }
    }

    @Test
    void pluggedConsenter_ordersThroughTheSpiAndResumesFromTheLastBlocksMetadata() throws Exception {
        OnePerBlock first = new OnePerBlock();
        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).consenter(first).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            assertEquals(List.of(""), first.resumedFrom, "a new chain gets no metadata");
            for (int i = 1; i <= 3; i++) {
                assertTrue(client.submit("basic", "CreateAsset", "p" + i, "blue", "5", "Tom", "1").isValid());
                assertEquals(i + 1, network.orderer().height(network.channel()), "one block per message");
            }
            ConsenterSupport support = first.lastSupport;
            assertEquals("OrdererMSP", support.identity().mspId());
            assertTrue(support.block(3).isPresent() && support.block(4).isEmpty());
            support.verifyBlockSignature(support.block(3).orElseThrow());
            Block written = support.block(3).orElseThrow();
            Block unsigned = written.toBuilder().setMetadata(written.getMetadata().toBuilder()
                    .setMetadata(0, com.google.protobuf.ByteString.EMPTY)).build();
            WeftException refused = assertThrows(WeftException.class, () -> support.verifyBlockSignature(unsigned));
            assertTrue(refused.getMessage().contains("/Channel/Orderer/BlockValidation"), refused.getMessage());
            byte[] signature = support.sign("message".getBytes(UTF_8));
            assertTrue(signature.length > 0);
        }

        OnePerBlock second = new OnePerBlock();
        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).consenter(second).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            assertEquals(List.of("block 3"), second.resumedFrom, "the last block's consenter metadata");
            assertTrue(client.submit("basic", "CreateAsset", "p4", "blue", "5", "Tom", "1").isValid());
            assertEquals(5, network.orderer().height(network.channel()));
            assertArrayEquals("block 4".getBytes(UTF_8), consenterMetadata(second.lastSupport.block(4).orElseThrow()));
        }
    }

    private static byte[] consenterMetadata(Block block) throws Exception {
        var signatures = org.hyperledger.fabric.protos.common.Metadata.parseFrom(block.getMetadata().getMetadata(0));
        return org.hyperledger.fabric.protos.common.Metadata.parseFrom(
                org.hyperledger.fabric.protos.common.OrdererBlockMetadata.parseFrom(signatures.getValue())
                        .getConsenterMetadata()).getValue().toByteArray();
    }
}
