package dev.weft.samples;

import dev.weft.core.BlockView;
import dev.weft.core.TransactionView;
import dev.weft.events.ChaincodeEvent;
import dev.weft.events.CloseableIterator;
import dev.weft.events.EventStreams;
import dev.weft.handlers.Gateway;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code weft listen}: committed blocks or chaincode events, as they arrive. */
@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints committed blocks (with each transaction's validation code), or the chaincode events"
                + " of one chaincode, as they are committed, until Ctrl-C.",
        footer = {"", "Example:", "  weft listen --profile weft-network/connection-org1.yaml --msp-dir <user msp dir> \\",
            "      --chaincode events --from 0"})
final class ListenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--chaincode", paramLabel = "NAME",
            description = "Print this chaincode's events (from VALID transactions) instead of blocks.")
    String chaincode;

    @Option(names = "--from", paramLabel = "BLOCK",
            description = "Start at this block (0 is the genesis block). Default: the next block to be committed.")
    Long from;

    @Option(names = "--filtered", description = "Read filtered blocks (ids and validation codes only; needs less access).")
    boolean filtered;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N blocks or events.")
    Long count;

    @Override
    public Integer call() {
        if (from != null && from < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from must not be negative, got " + from);
        }
        if (count != null && count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
        }
        if (filtered && chaincode != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--filtered and --chaincode do not go together: filtered blocks carry no event payloads");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Gateway gateway = client.gateway().build()) {
            EventStreams.Builder request = gateway.network(client.channel).events();
            if (from != null) {
                request.startBlock(from);
            }
            if (chaincode != null) {
                print(out, request.chaincodeEvents(chaincode), ListenCommand::event);
            } else if (filtered) {
                print(out, request.filteredBlocks(), ListenCommand::filteredBlock);
            } else {
                print(out, request.blocks(), ListenCommand::block);
            }
        }
        return 0;
    }

    private <T> void print(PrintWriter out, CloseableIterator<T> events, Function<T, String> format) {
        Thread stopper = new Thread(events::close, "weft-listen-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try (events) {
            long printed = 0;
            while ((count == null || printed < count) && events.hasNext()) {
                out.println(format.apply(events.next()));
                if (out.checkError()) {
                    return; // the reader went away (weft listen | head): stop like other Unix tools
                }
                printed++;
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is what stopped us
            }
        }
    }

    private static String event(ChaincodeEvent e) {
        byte[] payload = e.payload().toByteArray();
        // JSON as it came (one line); anything else as Text shows results.
        String shown = Text.prettyJson(payload) != null ? e.payloadAsString() : Text.result(payload);
        return String.format("block %-6d tx %s  %-14s %s", e.blockNumber(), Text.shortId(e.transactionId()),
                e.eventName(), shown);
    }

    private static String filteredBlock(FilteredBlock b) {
        String txs = b.getFilteredTransactionsList().stream()
                .map(t -> Text.shortId(t.getTxid()) + " " + t.getTxValidationCode())
                .collect(Collectors.joining(", "));
        return String.format("block %-6d %3d tx  %s", b.getNumber(), b.getFilteredTransactionsCount(), txs);
    }

    private static String block(Block block) {
        BlockView view = BlockView.of(block);
        List<String> txs = view.transactions().stream().map(ListenCommand::transaction).toList();
        return String.format("block %-6d %3d tx  %s", view.number(), view.transactionCount(), String.join(", ", txs));
    }

    private static String transaction(TransactionView tx) {
        if (tx.isConfig()) {
            return "config";
        }
        String code = tx.validationCode().map(Enum::name).orElse("?");
        if (!tx.isEndorserTransaction()) {
            return Text.shortId(tx.transactionId()) + " " + code;
        }
        ChaincodeInvocationSpec invocation = tx.invocation();
        String function = invocation.getChaincodeSpec().getInput().getArgsCount() > 0
                ? invocation.getChaincodeSpec().getInput().getArgs(0).toStringUtf8() : "";
        return Text.shortId(tx.transactionId()) + " " + code + " " + invocation.getChaincodeSpec().getChaincodeId().getName()
                + "." + function;
    }
}
