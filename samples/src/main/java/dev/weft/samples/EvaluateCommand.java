package dev.weft.samples;

import com.google.protobuf.ByteString;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Proposal;
import dev.weft.handlers.TxResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

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
            Proposal proposal = invocation.transaction(gateway).newProposal();
            TxResult result = TxResult.of(proposal.transactionId(), ByteString.copyFrom(proposal.evaluate()));
            Output.transaction(spec.commandLine().getOut(), result, invocation.json);
        }
        return 0;
    }
}
