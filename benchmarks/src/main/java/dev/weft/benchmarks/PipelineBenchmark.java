package dev.weft.benchmarks;

import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxResult;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole submit and a whole evaluate through the public API and the full pipeline, against
 * in-process peers and orderer that answer at once ({@link InMemoryFabric}); one thread, direct
 * executors, so time per operation is CPU per operation. It includes the two fake endorsers'
 * responses ({@link ClientPathBenchmark#fakeEndorserResponse} each), which are not the client's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class PipelineBenchmark {
    private InMemoryFabric fabric;
    private Gateway gateway;
    private Contract contract;
    private final AtomicLong keys = new AtomicLong();

    @Setup
    public void setUp() {
        Material material = Material.get();
        fabric = new InMemoryFabric(material);
        Gateway.Builder builder = Gateway.builder().identity(material.user).signer(material.userSigner)
                .executor(Runnable::run)
                .addOrderer(fabric.orderer);
        fabric.peers.forEach(builder::addPeer);
        gateway = builder.build();
        contract = gateway.network("mychannel").contract("basic");
        submit(); // reads the channel config and opens the event stream before measuring
    }

    @TearDown
    public void tearDown() {
        gateway.close();
        fabric.close();
    }

    /** Select, sign, endorse on two peers, validate, verify, check policy, sign, broadcast, commit event. */
    @Benchmark
    public TxResult submit() {
        return contract.newTransaction("CreateAsset")
                .arguments("asset-" + keys.incrementAndGet(), "blue", "5", "Tom", "100").submit();
    }

    /** Select, sign, endorse on one peer, validate. */
    @Benchmark
    public byte[] evaluate() {
        return contract.evaluate("ReadAsset", "asset-1");
    }
}
