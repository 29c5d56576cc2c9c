package dev.weft.samples;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.BlockView;
import dev.weft.core.EventStreamException;
import dev.weft.core.TransactionView;
import dev.weft.events.ChaincodeEvent;
import dev.weft.events.CloseableIterator;
import dev.weft.events.EventStreams;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Network;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockchainInfo;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code weft listen}: committed blocks or chaincode events, as they arrive. */
@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints committed blocks (with each transaction's validation code), or the chaincode events"
                + " of one chaincode, as they are committed, until Ctrl-C. When the stream breaks (a peer "
                + "restarts, the network goes away for a while) it reconnects to the same or another peer and "
                + "resumes after the last block printed, saying so on stderr; nothing is printed twice or skipped.",
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

    @Option(names = "--wait", description = "With --from past the chain's height: wait for that block instead "
            + "of failing.")
    boolean waitForBlock;

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
        if (waitForBlock && from == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--wait applies only with --from");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Gateway gateway = client.gateway().build()) {
            Network network = gateway.network(client.channel);
            EventStreams.Builder request = network.events();
            long first = 0;
            if (from != null) {
                // A peer, like Fabric's, refuses (NOT_FOUND) a seek that starts past the next block
                // to be committed: to wait for a later block, start at that next block and skip. A
                // channel always holds its genesis block, so --from 0 or 1 needs no height.
                long height = from <= 1 ? from : chainHeight(network);
                if (from > height && !waitForBlock) {
                    throw new IllegalStateException("block " + from + " is not committed yet: channel "
                            + client.channel + " has " + height + " blocks (0 to " + (height - 1) + "). Give --from "
                            + height + " or less, or add --wait to wait for block " + from);
                }
                request.startBlock(Math.min(from, height));
                first = from;
            }
            Progress progress = new Progress(spec.commandLine().getErr());
            request.onReconnect(progress::reconnecting);
            if (chaincode != null) {
                print(out, request.chaincodeEvents(chaincode), ListenCommand::event, ChaincodeEvent::blockNumber,
                        first, progress);
            } else if (filtered) {
                print(out, request.filteredBlocks(), ListenCommand::filteredBlock, FilteredBlock::getNumber, first,
                        progress);
            } else {
                print(out, request.blocks(), ListenCommand::block, b -> b.getHeader().getNumber(), first, progress);
            }
        }
        return 0;
    }

    /** The number of blocks committed on the channel, read with qscc GetChainInfo. */
    private long chainHeight(Network network) {
        try {
            return BlockchainInfo.parseFrom(network.contract("qscc").evaluate("GetChainInfo", client.channel))
                    .getHeight();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("qscc GetChainInfo answered something that is not a BlockchainInfo: "
                    + e.getMessage(), e);
        }
    }

    /** The last block printed, and a line on stderr for each break of the stream. */
    private static final class Progress {
        private final PrintWriter err;
        private long lastBlock = -1;

        Progress(PrintWriter err) {
            this.err = err;
        }

        void printed(long block) {
            lastBlock = block;
        }

        void reconnecting(EventStreamException e) {
            err.println("weft: the event stream broke" + (lastBlock < 0 ? "" : " after block " + lastBlock) + " ("
                    + e.getMessage() + "); reconnecting");
            err.flush();
        }
    }

    private <T> void print(PrintWriter out, CloseableIterator<T> events, Function<T, String> format,
            ToLongFunction<T> blockOf, long first, Progress progress) {
        Thread stopper = new Thread(events::close, "weft-listen-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try (events) {
            long printed = 0;
            while ((count == null || printed < count) && events.hasNext()) {
                T event = events.next();
                long block = blockOf.applyAsLong(event);
                if (block < first) {
                    continue; // --wait: blocks before the one asked for
                }
                out.println(format.apply(event));
                if (out.checkError()) {
                    return; // the reader went away (weft listen | head): stop like other Unix tools
                }
                progress.printed(block);
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
