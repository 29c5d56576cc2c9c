package dev.weft.samples;

import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxResult;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code weft submit}: one transaction, endorsed, ordered and committed. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Submits a transaction and waits until it is committed; prints the chaincode's result "
                + "(pretty-printed when it is JSON), then the transaction id, block and validation code.",
        footer = {"", "Example:", "  weft submit --profile weft-network/connection-org1.yaml --msp-dir <user msp dir> \\",
            "      --chaincode basic CreateAsset asset1 blue 5 Tom 100"})
final class SubmitCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    Invocation invocation;

    @Override
    public Integer call() {
        try (Gateway gateway = invocation.gateway()) {
            TxResult result = invocation.transaction(gateway).submit();
            Output.transaction(spec.commandLine().getOut(), result, invocation.json);
        }
        return 0;
    }
}
