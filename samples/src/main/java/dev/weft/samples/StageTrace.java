package dev.weft.samples;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.CommitException;
import dev.weft.core.MspIdentity;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import dev.weft.core.TransactionException;
import dev.weft.core.WeftException;
import dev.weft.handlers.ContextKey;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PipelineStep;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Shows a transaction's journey through the pipeline as it happens: one line per built-in step,
 * with its duration and what it produced (endorsers chosen, who endorsed, the orderer that
 * accepted it, the block and validation code).
 *
 * <p>It is an ordinary use of the public pipeline API: {@link #install} wraps every built-in step
 * with {@link Gateway.Builder#handler}; a transaction is traced when its context carries a trace
 * under {@link #KEY}. A step's line is printed when the next step starts, because the next step's
 * context holds what the step produced; the last step's line, the broadcast and the commit wait
 * are printed when their futures complete.
 */
final class StageTrace {
    static final ContextKey<StageTrace> KEY = ContextKey.named("demo-stage-trace");

    private static final Map<PipelineStep, String> NAMES = new EnumMap<>(Map.of(
            PipelineStep.SELECT_ENDORSERS, "select",
            PipelineStep.SIGN_PROPOSAL, "sign",
            PipelineStep.ENDORSE, "endorse",
            PipelineStep.CHECK_RESPONSES, "validate",
            PipelineStep.VERIFY_SIGNATURES, "verify",
            PipelineStep.CHECK_POLICY, "policy",
            PipelineStep.SIGN_ENVELOPE, "envelope",
            PipelineStep.AWAIT_COMMIT, "listen",
            PipelineStep.BROADCAST, "broadcast"));

    private final PrintWriter out;
    private final String label;
    private PipelineStep running;
    private long runningSince;
    private long broadcastDone;

    StageTrace(PrintWriter out, String label) {
        this.out = out;
        this.label = label;
    }

    /** Wraps every built-in step of the gateway being built so that traced transactions report. */
    static Gateway.Builder install(Gateway.Builder builder) {
        for (PipelineStep step : PipelineStep.values()) {
            builder.handler(step, builtIn -> traced(step, builtIn));
        }
        return builder;
    }

    private static Handler traced(PipelineStep step, Handler builtIn) {
        return (context, chain) -> {
            StageTrace trace = context.get(KEY).orElse(null);
            if (trace == null) {
                return builtIn.handle(context, chain);
            }
            trace.entered(step, context);
            return builtIn.handle(context, chain).whenComplete((result, error) -> trace.completed(step, result, error));
        };
    }

    private synchronized void entered(PipelineStep step, TxContext context) {
        long now = System.nanoTime();
        if (running != null) {
            line(NAMES.get(running), now - runningSince, produced(running, context));
        }
        running = step;
        runningSince = now;
    }

    private synchronized void completed(PipelineStep step, TxResult result, Throwable error) {
        long now = System.nanoTime();
        if (step == running) {
            // The innermost step that ran: nothing after it printed its line.
            String detail = error != null ? failed(error)
                    : step == PipelineStep.BROADCAST ? "accepted by " + result.orderer().map(StageTrace::orderer).orElse("?")
                    : step == PipelineStep.CHECK_RESPONSES ? "result of " + result.resultBytes().size() + " bytes"
                    : "done";
            line(NAMES.get(step), now - runningSince, detail);
            running = null;
            if (step == PipelineStep.BROADCAST) {
                broadcastDone = now;
            }
        } else if (step == PipelineStep.AWAIT_COMMIT && broadcastDone != 0) {
            String detail = error != null ? failed(error)
                    : "block " + result.blockNumber() + ", " + result.validationCode();
            line("commit", now - broadcastDone, detail);
        }
    }

    private static String produced(PipelineStep step, TxContext c) {
        return switch (step) {
            case SELECT_ENDORSERS -> (c.isEvaluate() ? "candidates " : "endorsers ")
                    + c.endorsers().stream().map(StageTrace::peer).collect(Collectors.joining(", "));
            case SIGN_PROPOSAL -> "tx " + Text.shortId(c.transactionId());
            case ENDORSE -> c.responses().stream().map(r -> r.peer().name() + " " + r.status())
                    .collect(Collectors.joining(", "));
            case CHECK_RESPONSES -> "statuses below 400, " + c.responses().size() + " identical results";
            case VERIFY_SIGNATURES -> "signed by " + c.verifiedEndorsers().stream().map(StageTrace::signer)
                    .collect(Collectors.joining(", "));
            case CHECK_POLICY -> c.policy().orElse(ChaincodePolicy.channelDefault()) + " satisfied";
            case SIGN_ENVELOPE -> "transaction of " + c.envelope().getSerializedSize() + " bytes signed";
            case AWAIT_COMMIT -> "registered for the commit event";
            case BROADCAST -> "";
        };
    }

    private void line(String stage, long nanos, String detail) {
        out.printf("   %s%-9s %s  %s%n", label, stage, Text.millis(nanos), detail);
    }

    private static String failed(Throwable error) {
        Throwable t = WeftException.unwrap(error);
        if (t instanceof CommitException commit) {
            return "block " + commit.blockNumber() + ", " + commit.validationCode();
        }
        return t instanceof TransactionException e ? e.getClass().getSimpleName() : t.toString();
    }

    private static String peer(Peer p) {
        return p.name() + " (" + p.mspId() + ")";
    }

    private static String orderer(Orderer o) {
        return o.name() + " (" + o.target() + ")";
    }

    /** The common name of an endorser's certificate and its MSP. */
    private static String signer(MspIdentity identity) {
        String subject = identity.certificate().getSubjectX500Principal().getName();
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue() + " (" + identity.mspId() + ")";
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            // fall through to the full subject
        }
        return subject + " (" + identity.mspId() + ")";
    }
}
