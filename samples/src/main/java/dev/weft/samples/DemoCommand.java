package dev.weft.samples;

import dev.weft.core.CommitException;
import dev.weft.core.WeftException;
import dev.weft.handlers.ContextKey;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PipelineStep;
import dev.weft.handlers.Transaction;
import dev.weft.handlers.TxResult;
import dev.weft.testnet.ReferenceNetwork;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code weft demo}: an embedded reference network and a few transactions through the public API,
 * each stage of the pipeline shown as it happens; then a read conflict, reported as Fabric reports
 * it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Starts an embedded Fabric network (2 organisations, solo orderer, chaincode 'basic'), "
                + "submits and evaluates transactions showing each pipeline stage, then shows an MVCC "
                + "conflict.")
final class DemoCommand implements Callable<Integer> {
    private static final String CHANNEL = "mychannel";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Weft demo: transactions through the pipeline, on an embedded Fabric network");
        out.println();
        long started = System.nanoTime();
        Path files = Files.createTempDirectory("weft-demo");
        try (ReferenceNetwork network = ReferenceNetwork.builder().start()) {
            Path profile = network.writeTo(files).get("Org1MSP");
            ReferenceNetwork.User user = network.user("Org1MSP");
            out.printf("Network started in %.1f s%n", (System.nanoTime() - started) / 1e9);
            out.printf("  %-14s %s%n", "organisations", String.join(", ", network.organizations()) + " (one peer each)");
            out.printf("  %-14s %s at %s (solo)%n", "orderer", network.orderer().name(), network.orderer().endpoint());
            out.printf("  %-14s %s, chaincode basic, endorsement policy MAJORITY Endorsement%n", "channel", CHANNEL);
            out.printf("  %-14s %s (%s), connected through %s%n", "client", user.name(), user.mspId(),
                    profile.getFileName());
            try (Gateway gateway = StageTrace.install(Gateway.builder()
                    .identity(user.identity()).signer(user.signer())
                    .connectionProfile(profile))
                    .handler(PipelineStep.SIGN_ENVELOPE, holdUntilBothEndorsed())
                    .build()) {
                Contract contract = gateway.network(CHANNEL).contract("basic");
                String asset = "demo-asset-" + Long.toHexString(System.currentTimeMillis());
                int step = 0;
                submit(out, ++step, contract, "CreateAsset", asset, "blue", "5", "Tom", "100");
                submit(out, ++step, contract, "TransferAsset", asset, "Ann");
                evaluate(out, ++step, contract, "ReadAsset", asset);
                evaluate(out, ++step, contract, "GetAllAssets");
                conflict(out, ++step, contract, asset);
            }
        } finally {
            deleteRecursively(files);
        }
        out.println();
        out.println("Done: every stage behaved as Fabric specifies.");
        return 0;
    }

    private static void submit(PrintWriter out, int step, Contract contract, String function, String... args) {
        out.println();
        out.printf("%d. submit %s%n", step, String.join(" ", List.of(function, String.join(" ", args))).strip());
        TxResult result = traced(contract.newTransaction(function).arguments(args), out, "").submit();
        out.printf("   %-9s %s%n", "result", oneLine(result.result()));
    }

    private static void evaluate(PrintWriter out, int step, Contract contract, String function, String... args) {
        out.println();
        out.printf("%d. evaluate %s%n", step, String.join(" ", List.of(function, String.join(" ", args))).strip());
        byte[] result = traced(contract.newTransaction(function).arguments(args), out, "").evaluate();
        out.printf("   %-9s %s%n", "result", oneLine(result));
    }

    /**
     * Two transfers of one asset, both endorsed (reading the same version) before either is
     * ordered: the committing peers accept the first and mark the second MVCC_READ_CONFLICT.
     */
    private static void conflict(PrintWriter out, int step, Contract contract, String asset) throws Exception {
        out.println();
        out.printf("%d. two transfers of %s at once (A to Bob, B to Eve), both endorsed before either is ordered%n",
                step, asset);
        CompletableFuture<TxResult> a = traced(contract.newTransaction("TransferAsset").arguments(asset, "Bob"), out, "A ")
                .put(HOLD, Boolean.TRUE).submitAsync();
        CompletableFuture<TxResult> b = traced(contract.newTransaction("TransferAsset").arguments(asset, "Eve"), out, "B ")
                .put(HOLD, Boolean.TRUE).submitAsync();
        int valid = 0;
        int conflicts = 0;
        for (Map.Entry<String, CompletableFuture<TxResult>> entry : List.of(Map.entry("A", a), Map.entry("B", b))) {
            try {
                TxResult r = entry.getValue().get(60, TimeUnit.SECONDS);
                out.printf("   %s: committed %s in block %d%n", entry.getKey(), r.validationCode(), r.blockNumber());
                valid++;
            } catch (ExecutionException e) {
                Throwable cause = WeftException.unwrap(e);
                if (!(cause instanceof CommitException commit)) {
                    throw e;
                }
                out.printf("   %s: %s in block %d -> CommitException, retryable=%s (submit again with a new tx id)%n",
                        entry.getKey(), commit.validationCode(), commit.blockNumber(), commit.retryable());
                conflicts++;
            }
        }
        if (valid != 1 || conflicts != 1) {
            throw new IllegalStateException("expected one VALID transfer and one MVCC_READ_CONFLICT, got " + valid
                    + " valid and " + conflicts + " conflicts");
        }
    }

    private static final ContextKey<Boolean> HOLD = ContextKey.named("demo-hold");

    /**
     * Holds transactions marked {@link #HOLD} before their envelope is signed until two of them
     * have been endorsed, so that both read the same version of the asset.
     */
    private static UnaryOperator<Handler> holdUntilBothEndorsed() {
        CompletableFuture<Void> both = new CompletableFuture<>();
        AtomicInteger arrived = new AtomicInteger();
        return signEnvelope -> (context, chain) -> {
            if (context.get(HOLD).isEmpty()) {
                return signEnvelope.handle(context, chain);
            }
            if (arrived.incrementAndGet() == 2) {
                both.complete(null);
            }
            return both.thenCompose(ready -> signEnvelope.handle(context, chain));
        };
    }

    private static Transaction traced(Transaction transaction, PrintWriter out, String label) {
        return transaction.put(StageTrace.KEY, new StageTrace(out, label));
    }

    private static String oneLine(byte[] result) {
        String text = new String(result, StandardCharsets.UTF_8);
        return text.length() > 160 ? text.substring(0, 157) + "..." : text;
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the demo's temporary files in " + root, e);
        }
    }
}
