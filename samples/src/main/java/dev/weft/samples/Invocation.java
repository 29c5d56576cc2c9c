package dev.weft.samples;

import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Transaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What submit and evaluate share: where to connect, which chaincode function, with what. */
final class Invocation {
    /** The character a shell's invalid UTF-8 bytes become when the JVM decodes the command line. */
    private static final char REPLACEMENT = '\uFFFD';

    @Mixin
    ClientOptions client;

    @Option(names = "--chaincode", required = true, paramLabel = "NAME", description = "The chaincode to call.")
    String chaincode;

    @Option(names = "--transient", paramLabel = "KEY=VALUE",
            description = "Transient data as UTF-8 text (sent to endorsers only, never stored). Repeatable. "
                    + "KEY= gives an empty value.")
    List<String> transientData = new ArrayList<>();

    @Option(names = "--transient-file", paramLabel = "KEY=FILE",
            description = "Transient data read from a file, byte for byte (binary or large values). Repeatable.")
    List<String> transientFiles = new ArrayList<>();

    @Option(names = "--args-encoding", defaultValue = "utf8", paramLabel = "ENCODING",
            description = "How the ARGs are written: ${COMPLETION-CANDIDATES}. utf8 (the default) sends each as "
                    + "its UTF-8 bytes; hex and base64 are for binary arguments. FUNCTION is always text.")
    ArgsEncoding argsEncoding;

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

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The function's arguments (see --args-encoding).")
    List<String> arguments = new ArrayList<>();

    /** How positional arguments are written on the command line. */
    enum ArgsEncoding {
        utf8, hex, base64
    }

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

    /**
     * The transaction the command line describes. Reads and checks every argument first, so that
     * nothing is sent when one of them is wrong.
     */
    Transaction transaction(Gateway gateway) {
        List<byte[]> args = argumentBytes();
        Map<String, byte[]> transientBytes = transientBytes();
        Contract contract = gateway.network(client.channel).contract(chaincode);
        Transaction transaction = contract.newTransaction(text(function, "FUNCTION")).arguments(args);
        if (!transientBytes.isEmpty()) {
            transaction.transientData(transientBytes);
        }
        if (!endorsingOrganizations.isEmpty()) {
            transaction.endorsingOrganizations(endorsingOrganizations.toArray(String[]::new));
        }
        return transaction;
    }

    private List<byte[]> argumentBytes() {
        List<byte[]> bytes = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String what = "ARG " + (i + 1);
            String arg = arguments.get(i);
            bytes.add(switch (argsEncoding) {
                case utf8 -> text(arg, what).getBytes(StandardCharsets.UTF_8);
                case hex -> decode(arg, what, "hex", () -> HexFormat.of().parseHex(arg));
                case base64 -> decode(arg, what, "base64", () -> Base64.getDecoder().decode(arg));
            });
        }
        return bytes;
    }

    private Map<String, byte[]> transientBytes() {
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (String entry : transientData) {
            String[] kv = keyValue(entry, "--transient", "KEY=VALUE");
            put(data, kv[0], text(kv[1], "--transient " + kv[0]).getBytes(StandardCharsets.UTF_8));
        }
        for (String entry : transientFiles) {
            String[] kv = keyValue(entry, "--transient-file", "KEY=FILE");
            Path file = ClientOptions.existing(Path.of(kv[1]), "--transient-file " + kv[0]);
            try {
                put(data, kv[0], Files.readAllBytes(file));
            } catch (IOException e) {
                throw new Weft.UsageException("--transient-file " + kv[0] + ": cannot read " + file + ": " + e);
            }
        }
        return data;
    }

    private static String[] keyValue(String entry, String option, String form) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
            throw new Weft.UsageException(option + " " + entry + ": expected " + form
                    + (eq == 0 ? " with a non-empty KEY" : " (KEY= for an empty value)"));
        }
        return new String[] {entry.substring(0, eq), entry.substring(eq + 1)};
    }

    private static void put(Map<String, byte[]> data, String key, byte[] value) {
        if (data.putIfAbsent(key, value) != null) {
            throw new Weft.UsageException("transient key '" + key + "' is given twice; give each key once");
        }
    }

    /**
     * Text from the command line, refused when the shell gave bytes that are not UTF-8: the JVM
     * has already replaced them with U+FFFD, and sending that would commit something the user
     * never wrote.
     */
    private static String text(String value, String what) {
        if (value.indexOf(REPLACEMENT) >= 0) {
            throw new Weft.UsageException(what + " is not valid UTF-8 text (its bytes were replaced with U+FFFD); "
                    + "give binary arguments with --args-encoding hex or base64, binary transient data with "
                    + "--transient-file KEY=FILE");
        }
        return value;
    }

    private static byte[] decode(String value, String what, String encoding, java.util.function.Supplier<byte[]> decoder) {
        try {
            return decoder.get();
        } catch (IllegalArgumentException e) {
            throw new Weft.UsageException(what + " is not " + encoding + " (--args-encoding " + encoding + "): "
                    + e.getMessage());
        }
    }
}
