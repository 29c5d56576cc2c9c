package dev.weft.handlers.internal;

import static dev.weft.handlers.internal.StepFixtures.failure;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.CapabilityException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigException;
import dev.weft.core.ConfigChanges;
import dev.weft.core.Fixtures;
import dev.weft.core.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.junit.jupiter.api.Test;

/** The config cache, fed with Fabric 2.5.12's real config blocks of mychannel (block 0, and the update in block 15). */
class ChannelConfigsTest {
    private static final ByteString GENESIS = Fixtures.ordererBlock(0).toByteString();
    private static final ByteString UPDATE = Fixtures.ordererBlock(15).toByteString();

    /** Answers each read with the next of the given futures, and records the channel asked for. */
    private static final class ScriptedReader implements Function<String, CompletableFuture<ByteString>> {
        final List<String> reads = new CopyOnWriteArrayList<>();
        private final List<CompletableFuture<ByteString>> answers;

        ScriptedReader(List<CompletableFuture<ByteString>> answers) {
            this.answers = new ArrayList<>(answers);
        }

        @Override
        public CompletableFuture<ByteString> apply(String channelId) {
            reads.add(channelId);
            if (reads.size() > answers.size()) {
                return CompletableFuture.failedFuture(new AssertionError("unexpected read #" + reads.size()));
            }
            return answers.get(reads.size() - 1);
        }
    }

    private static ChannelConfigs configs(ScriptedReader reader) {
        return new ChannelConfigs("mychannel", reader, new ManualScheduler(Fixtures.VALID_CLOCK.instant()));
    }

    @Test
    void get_calledTwice_readsOnce() throws Exception {
        ScriptedReader reader = new ScriptedReader(List.of(CompletableFuture.completedFuture(GENESIS)));
        ChannelConfigs configs = configs(reader);

        ChannelConfig first = configs.get().get(20, SECONDS);
        ChannelConfig second = configs.get().get(20, SECONDS);

        assertSame(first, second);
        assertEquals("mychannel", first.channelId());
        assertEquals(0, first.sequence());
        assertEquals(List.of("mychannel"), reader.reads);
    }

    @Test
    void get_afterFailedRead_readsAgain() throws Exception {
        IllegalStateException down = new IllegalStateException("peer unavailable");
        ScriptedReader reader = new ScriptedReader(List.of(CompletableFuture.failedFuture(down),
                CompletableFuture.completedFuture(GENESIS)));
        ChannelConfigs configs = configs(reader);

        assertSame(down, failure(configs.get()));
        ChannelConfig config = configs.get().get(20, SECONDS);

        assertEquals(0, config.sequence());
        assertEquals(2, reader.reads.size());
    }

    @Test
    void forTransaction_readFails_validateStageErrorNamingTheTransactionNotTheInternalRead() throws Exception {
        dev.weft.core.NodeError refused = new dev.weft.core.NodeError("peer0:7051", "Org1MSP", "UNAVAILABLE", "down");
        dev.weft.core.EndorseException readFailed = new dev.weft.core.EndorseException("no peer could evaluate "
                + "transaction cscc-read-id", "cscc-read-id", List.of(refused), null, true);
        ChannelConfigs configs = configs(new ScriptedReader(List.of(CompletableFuture.failedFuture(readFailed))));

        dev.weft.handlers.TxContext userTx = StepFixtures.submitWithProposal();
        dev.weft.core.TransactionException error = assertInstanceOf(dev.weft.core.TransactionException.class,
                failure(configs.forTransaction(userTx, false)));

        assertEquals(userTx.transactionId(), error.transactionId());
        assertEquals(dev.weft.core.TransactionStage.VALIDATE, error.stage());
        assertEquals(List.of(refused), error.details());
        assertTrue(error.retryable());
        assertTrue(error.getMessage().contains("the config of channel mychannel could not be read to check "
                + "transaction " + userTx.transactionId() + ": no peer could evaluate transaction cscc-read-id ["),
                error.getMessage());
        assertEquals(1, error.getMessage().split("down", -1).length - 1, "the read's details appear once: " + error.getMessage());
        assertSame(readFailed, error.getCause());
    }

    @Test
    void get_readerReturnsNotABlock_failsWithChannelConfigExceptionAndIsNotKept() throws Exception {
        ByteString garbage = ByteString.copyFrom(new byte[] {0x0a, (byte) 0xff});
        ScriptedReader reader = new ScriptedReader(List.of(CompletableFuture.completedFuture(garbage),
                CompletableFuture.completedFuture(GENESIS)));
        ChannelConfigs configs = configs(reader);

        ChannelConfigException error = assertInstanceOf(ChannelConfigException.class, failure(configs.get()));

        assertTrue(error.getMessage().contains("mychannel"), error.getMessage());
        assertEquals(0, configs.get().get(20, SECONDS).sequence());
    }

    @Test
    void refresh_afterCompletedRead_readsNewerConfigAndKeepsIt() throws Exception {
        ScriptedReader reader = new ScriptedReader(List.of(CompletableFuture.completedFuture(GENESIS),
                CompletableFuture.completedFuture(UPDATE)));
        ChannelConfigs configs = configs(reader);
        assertEquals(0, configs.get().get(20, SECONDS).sequence());

        ChannelConfig refreshed = configs.refresh().get(20, SECONDS);

        assertEquals(1, refreshed.sequence());
        assertSame(refreshed, configs.get().get(20, SECONDS));
        assertEquals(2, reader.reads.size());
    }

    @Test
    void refresh_whileReadUnderWay_doesNotReadAgain() throws Exception {
        CompletableFuture<ByteString> pending = new CompletableFuture<>();
        ScriptedReader reader = new ScriptedReader(List.of(pending));
        ChannelConfigs configs = configs(reader);

        CompletableFuture<ChannelConfig> viaGet = configs.get();
        CompletableFuture<ChannelConfig> viaRefresh = configs.refresh();
        pending.complete(GENESIS);

        assertSame(viaGet.get(20, SECONDS), viaRefresh.get(20, SECONDS));
        assertEquals(1, reader.reads.size());
    }

    @Test
    void get_callerCancelsItsFuture_sharedReadUnaffected() throws Exception {
        CompletableFuture<ByteString> pending = new CompletableFuture<>();
        ScriptedReader reader = new ScriptedReader(List.of(pending));
        ChannelConfigs configs = configs(reader);

        configs.get().cancel(true);
        pending.complete(GENESIS);

        CompletableFuture<ChannelConfig> next = configs.get();
        assertEquals(0, next.get(20, SECONDS).sequence());
        assertFalse(next.isCancelled());
        assertEquals(1, reader.reads.size());
    }

    @Test
    void configBlockCommitted_newerThanTheConfigHeld_readsAgainAndUsesTheNewConfig() throws Exception {
        ScriptedReader reader = new ScriptedReader(List.of(CompletableFuture.completedFuture(GENESIS),
                CompletableFuture.completedFuture(UPDATE)));
        ChannelConfigs configs = configs(reader);
        assertEquals(0, configs.get().get(20, SECONDS).sequence());

        configs.configBlockCommitted(0); // the block the config came from: nothing to do
        assertEquals(1, reader.reads.size());
        configs.configBlockCommitted(15);

        ChannelConfig updated = configs.get().get(20, SECONDS);
        assertEquals(2, reader.reads.size());
        assertTrue(updated.sequence() > 0, "the config of block 15 has a higher sequence");
        configs.configBlockCommitted(15);
        assertEquals(2, reader.reads.size(), "a config block already read is not read again");
    }

    /** Block 0 of the real channel with its config changed to require a channel capability no Fabric has. */
    private static ByteString genesisRequiring(String channelCapability) throws Exception {
        Block block = Fixtures.ordererBlock(0);
        Envelope envelope = Envelope.parseFrom(block.getData().getData(0));
        Payload payload = Payload.parseFrom(envelope.getPayload());
        ConfigEnvelope config = ConfigEnvelope.parseFrom(payload.getData());
        ConfigEnvelope changed = config.toBuilder().setConfig(ConfigChanges.withCapabilities(config.getConfig(),
                ChannelConfig.ROOT, Set.of(channelCapability))).build();
        Envelope changedEnvelope = envelope.toBuilder().setPayload(payload.toBuilder().setData(changed.toByteString())
                .build().toByteString()).build();
        return block.toBuilder().setData(block.getData().toBuilder().setData(0, changedEnvelope.toByteString()))
                .build().toByteString();
    }

    @Test
    void get_channelRequiringALevelWeftLacks_refusedNamingItAndNotRetryable() throws Exception {
        ChannelConfigs configs = configs(new ScriptedReader(List.of(
                CompletableFuture.completedFuture(genesisRequiring("V9_9")))));

        CapabilityException error = assertInstanceOf(CapabilityException.class, failure(configs.get()));
        assertTrue(error.getMessage().contains("channel mychannel requires Channel capability V9_9, which this version "
                + "of Weft does not support"), error.getMessage());

        ChannelConfigs again = configs(new ScriptedReader(List.of(
                CompletableFuture.completedFuture(genesisRequiring("V9_9")))));
        dev.weft.core.TransactionException tx = assertInstanceOf(dev.weft.core.TransactionException.class,
                failure(again.forTransaction(StepFixtures.submitWithProposal(), false)));
        assertFalse(tx.retryable(), "a level Weft lacks does not go away by retrying");
    }

    @Test
    void get_fabric3ChannelLevel_isSupported() throws Exception {
        ChannelConfigs configs = configs(new ScriptedReader(List.of(
                CompletableFuture.completedFuture(genesisRequiring("V3_0")))));

        assertEquals(Set.of("V3_0"), configs.get().get(20, SECONDS).channelCapabilities());
    }
}
