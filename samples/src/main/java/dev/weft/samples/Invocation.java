package dev.weft.samples;

import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Transaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What submit and evaluate share: where to connect, which chaincode function, with what. */
final class Invocation {
    @Mixin
    ClientOptions client;

    @Option(names = "--chaincode", required = true, paramLabel = "NAME", description = "The chaincode to call.")
    String chaincode;

    @Option(names = "--transient", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Transient data (sent to endorsers only, never stored). Repeatable.")
    Map<String, String> transientData = Map.of();

    @Option(names = "--endorsing-orgs", split = ",", paramLabel = "MSPID",
            description = "Endorse on one peer of each of these organisations (comma-separated MSP ids).")
    List<String> endorsingOrganizations = List.of();

    @Option(names = "--timeout", converter = Durations.class, paramLabel = "DURATION",
            description = "Time allowed for each stage (endorse, submit, commit), e.g. 10s.")
    Duration timeout;

    @Option(names = "--json", description = "Print a JSON object (transaction id, block, status, result) for scripts.")
    boolean json;

    @Parameters(index = "0", paramLabel = "FUNCTION", description = "The chaincode function.")
    String function;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The function's arguments.")
    List<String> arguments = new ArrayList<>();

    Gateway gateway() {
        Gateway.Builder builder = client.gateway();
        if (timeout != null) {
            if (timeout.isZero()) {
                throw new Weft.UsageException("--timeout must be positive");
            }
            builder.endorseTimeout(timeout).evaluateTimeout(timeout).submitTimeout(timeout).commitTimeout(timeout);
        }
        return builder.build();
    }

    Transaction transaction(Gateway gateway) {
        Contract contract = gateway.network(client.channel).contract(chaincode);
        Transaction transaction = contract.newTransaction(function).arguments(arguments.toArray(String[]::new));
        transientData.forEach((k, v) -> transaction.putTransientData(k, v.getBytes(StandardCharsets.UTF_8)));
        if (!endorsingOrganizations.isEmpty()) {
            transaction.endorsingOrganizations(endorsingOrganizations.toArray(String[]::new));
        }
        return transaction;
    }
}
