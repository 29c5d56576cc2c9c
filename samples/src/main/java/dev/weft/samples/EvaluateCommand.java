package dev.weft.samples;

import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxResult;
import dev.weft.handlers.internal.Futures;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code weft evaluate}: a query on one peer; nothing is ordered. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluates a transaction on one peer (own organisation first) and prints the chaincode's "
                + "result, pretty-printed when it is JSON. Nothing is ordered or committed.",
        footer = {"", "Example:", "  weft evaluate --profile weft-network/connection-org1.yaml --msp-dir <user msp dir> \\",
            "      --chaincode basic ReadAsset asset1"})
final class EvaluateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    Invocation invocation;

    @Override
    public Integer call() {
        try (Gateway gateway = invocation.gateway()) {
            TxResult result = Futures.await(invocation.transaction(gateway).evaluateAsync());
            Output.transaction(spec.commandLine().getOut(), result, invocation.json);
        }
        return 0;
    }
}
