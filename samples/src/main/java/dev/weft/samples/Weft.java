package dev.weft.samples;

import dev.weft.core.TransactionException;
import dev.weft.core.WeftException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * The {@code weft} command line: the demo, a standalone reference network, and submit, evaluate,
 * listen and bench against any Fabric network.
 *
 * <p>Exit codes: 0 on success, 1 when the command failed (a transaction was rejected, a peer was
 * unreachable, a key could not be read), 2 for a usage error (an unknown or missing option, a bad
 * value, a file that does not exist). Errors are one line on stderr; {@code --verbose} adds the
 * stack trace and Weft's own log.
 */
@Command(name = "weft", mixinStandardHelpOptions = true, versionProvider = Weft.Version.class,
        description = "Weft, a Java client SDK for Hyperledger Fabric: a demo, a reference network, and a client.",
        subcommands = {DemoCommand.class, NetworkCommand.class, SubmitCommand.class, EvaluateCommand.class,
            ListenCommand.class, BenchCommand.class, ChannelCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 usage error."})
public final class Weft implements Runnable {
    /** Exit code of a command that ran and failed. */
    static final int FAILURE = 1;
    /** Exit code of a command line that could not be understood. */
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Global: shown on every command's help. */
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Show stack traces with errors, and Weft's log.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        configureLogging(args);
        System.exit(run(args, System.out, System.err));
    }

    /**
     * gRPC's and Netty's java.util.logging loggers, silenced unless --verbose; held here because
     * java.util.logging keeps loggers only weakly, and a collected logger forgets its level.
     */
    private static final List<java.util.logging.Logger> QUIETED = new ArrayList<>();

    /**
     * Sets the simple logger's level before any logger exists: quiet unless --verbose. gRPC logs
     * through java.util.logging, at WARNING with multi-line stack traces, what Weft already
     * reports in its one line (a host that does not resolve, a refused connection): those are
     * shown only with --verbose.
     */
    private static void configureLogging(String[] args) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        // Ratis (the Raft orderers) logs every follower it loses, as when a network stops, up to ERROR
        // for requests to a closing server: the reference network reports what matters itself.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis", verbose ? "info" : "off");
        if (!verbose) {
            for (String name : List.of("io.grpc", "io.netty")) {
                java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
                logger.setLevel(java.util.logging.Level.OFF);
                QUIETED.add(logger);
            }
        }
    }

    /** Runs a command line with the given output streams and returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(out, err);
        return cli.execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new Weft());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("weft: " + e.getMessage());
            w.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter w = commandLine.getErr();
            w.println("weft: " + Failures.describe(e));
            if (isVerbose(parseResult)) {
                e.printStackTrace(w);
            }
            w.flush();
            return e instanceof UsageException ? USAGE : FAILURE;
        });
        return cli;
    }

    private static boolean isVerbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** A usage problem found while running a command (a file that does not exist): exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Turns an exception into the one line a person needs. */
    static final class Failures {
        private Failures() {
        }

        static String describe(Throwable e) {
            Throwable t = WeftException.unwrap(e);
            if (t instanceof TransactionException tx) {
                return tx.getClass().getSimpleName() + " at " + tx.stage() + ": " + tx.getMessage();
            }
            if (t instanceof WeftException || t instanceof UsageException
                    || t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
                return t.getMessage();
            }
            return t.getClass().getSimpleName() + ": " + t.getMessage();
        }
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Weft.class.getPackage().getImplementationVersion();
            return new String[] {"weft " + (version == null ? "(development build)" : version)};
        }
    }
}
