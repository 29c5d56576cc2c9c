package dev.weft.handlers;

import dev.weft.handlers.internal.AwaitCommit;
import dev.weft.handlers.internal.Broadcast;
import dev.weft.handlers.internal.CheckPolicy;
import dev.weft.handlers.internal.Endorse;
import dev.weft.handlers.internal.SelectEndorsers;
import dev.weft.handlers.internal.Services;
import dev.weft.handlers.internal.SignEnvelope;
import dev.weft.handlers.internal.SignProposal;
import dev.weft.handlers.internal.CheckResponses;
import dev.weft.handlers.internal.VerifySignatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** The one place the pipeline is put together. */
final class Pipeline {
    private Pipeline() {
    }

    /**
     * The built-in steps of a network, in {@link PipelineStep} order, each passed through its
     * customizer if the application gave one.
     */
    static List<Handler> steps(Services services, Map<PipelineStep, UnaryOperator<Handler>> customizers) {
        List<Handler> steps = new ArrayList<>();
        for (PipelineStep step : PipelineStep.values()) {
            Handler builtIn = switch (step) {
                case SELECT_ENDORSERS -> new SelectEndorsers(services);
                case SIGN_PROPOSAL -> new SignProposal(services);
                case ENDORSE -> new Endorse(services);
                case CHECK_RESPONSES -> new CheckResponses();
                case VERIFY_SIGNATURES -> new VerifySignatures(services);
                case CHECK_POLICY -> new CheckPolicy(services);
                case SIGN_ENVELOPE -> new SignEnvelope(services);
                case AWAIT_COMMIT -> new AwaitCommit(services);
                case BROADCAST -> new Broadcast(services);
            };
            Handler handler = customizers.getOrDefault(step, UnaryOperator.identity()).apply(builtIn);
            steps.add(Objects.requireNonNull(handler, () -> "the customizer of step " + step + " returned null"));
        }
        return List.copyOf(steps);
    }

    /** The whole pipeline: the application's handlers, outermost first, then the built-in steps. */
    static List<Handler> handlers(List<Handler> added, List<Handler> steps) {
        List<Handler> all = new ArrayList<>(added);
        all.addAll(steps);
        return List.copyOf(all);
    }
}
