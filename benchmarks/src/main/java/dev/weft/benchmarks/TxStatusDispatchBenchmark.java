package dev.weft.benchmarks;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.CommitStatusSource;
import dev.weft.core.TransactionStatus;
import dev.weft.events.CommitStatusSources;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tx-status dispatch: what the client does per transaction to learn that it committed, through
 * the public {@link CommitStatusSources} API on one shared DeliverFiltered stream. Per operation
 * (one transaction): register interest, receive its status in a block of {@value #BLOCK}, and
 * close the registration. One thread, direct executors, so time is CPU.
 *
 * <p>The in-process transport hands the block over as an object, so the parse a real stream does
 * is measured apart, in {@link #filteredBlockParse}, per transaction too.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class TxStatusDispatchBenchmark {
    /** Transactions per block: the reference network's default batch size. */
    static final int BLOCK = 100;

    private InMemoryFabric fabric;
    private CommitStatusSource source;
    private List<String> txIds;
    private final CommitStatusSource.Registration[] registrations = new CommitStatusSource.Registration[BLOCK];
    private byte[] serializedBlock;

    @Setup
    public void setUp() throws Exception {
        Material material = Material.get();
        fabric = new InMemoryFabric(material);
        source = CommitStatusSources.builder().identity(material.user).signer(material.userSigner)
                .eventPeers(channel -> fabric.peers).build();
        // Transaction IDs as Fabric makes them: 64 hex digits.
        txIds = new ArrayList<>();
        byte[] random = new byte[32];
        for (int i = 0; i < BLOCK; i++) {
            ThreadLocalRandom.current().nextBytes(random);
            txIds.add(HexFormat.of().formatHex(random));
        }
        // Opens the stream and waits for its first block, as a submit does before broadcasting.
        try (CommitStatusSource.Registration first = source.register("mychannel", "warm-up")) {
            first.ready().get(10, TimeUnit.SECONDS);
        }
        FilteredBlock.Builder block = FilteredBlock.newBuilder().setChannelId("mychannel").setNumber(42);
        for (String txId : txIds) {
            block.addFilteredTransactions(FilteredTransaction.newBuilder().setTxid(txId)
                    .setTxValidationCode(TxValidationCode.VALID));
        }
        serializedBlock = DeliverResponse.newBuilder().setFilteredBlock(block).build().toByteArray();
    }

    @TearDown
    public void tearDown() {
        source.close();
        fabric.close();
    }

    /** Register, dispatch from a block of {@value #BLOCK}, complete the status future, close. */
    @Benchmark
    @OperationsPerInvocation(BLOCK)
    public int dispatch() {
        for (int i = 0; i < BLOCK; i++) {
            registrations[i] = source.register("mychannel", txIds.get(i));
        }
        fabric.commit(txIds);
        int valid = 0;
        for (CommitStatusSource.Registration registration : registrations) {
            TransactionStatus status = registration.status().getNow(null);
            if (status == null) {
                throw new IllegalStateException("a status was not dispatched with its block");
            }
            valid += status.validationCode();
            registration.close();
        }
        return valid;
    }

    /** Parsing a DeliverResponse carrying a filtered block of {@value #BLOCK}, per transaction. */
    @Benchmark
    @OperationsPerInvocation(BLOCK)
    public DeliverResponse filteredBlockParse() throws InvalidProtocolBufferException {
        return DeliverResponse.parseFrom(serializedBlock);
    }
}
