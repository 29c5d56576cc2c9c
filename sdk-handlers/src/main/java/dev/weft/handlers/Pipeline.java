package dev.weft.handlers;

import dev.weft.handlers.internal.AwaitCommit;
import dev.weft.handlers.internal.Broadcast;
import dev.weft.handlers.internal.CheckPolicy;
import dev.weft.handlers.internal.CheckResponses;
import dev.weft.handlers.internal.Endorse;
import dev.weft.handlers.internal.Evaluate;
import dev.weft.handlers.internal.EvaluationResult;
import dev.weft.handlers.internal.PeerGateway;
import dev.weft.handlers.internal.PeerGatewaySteps;
import dev.weft.handlers.internal.SelectEndorsers;
import dev.weft.handlers.internal.Services;
import dev.weft.handlers.internal.SignEnvelope;
import dev.weft.handlers.internal.SignProposal;
import dev.weft.handlers.internal.VerifySignatures;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The one place the pipelines of a network are put together, each step one hop from here:
 *
 * <ul>
 *   <li><b>submit</b>: the application's handlers, then SELECT_ENDORSERS → SIGN_PROPOSAL → ENDORSE
 *       (every endorser in parallel) → CHECK_RESPONSES → VERIFY_SIGNATURES → CHECK_POLICY →
 *       SIGN_ENVELOPE → AWAIT_COMMIT → BROADCAST;
 *   <li><b>evaluate</b>: the application's handlers, then SELECT_ENDORSERS (candidates in order) →
 *       SIGN_PROPOSAL → ENDORSE (one peer at a time) → CHECK_RESPONSES (which produces the result);
 *   <li>the stages of the staged API ({@link Transaction#newProposal()}), where the application
 *       signs: an evaluate's steps, and the two halves of a submit, <b>endorse</b>
 *       (SELECT_ENDORSERS to CHECK_POLICY) and <b>commit</b> (AWAIT_COMMIT, BROADCAST), each
 *       without its signing step. The application drives these itself, so its added handlers
 *       (which wrap whole transactions) do not run; its step customizations do.
 * </ul>
 *
 * A step customization applies to the step of that name in every list it appears in. Under the
 * transports PEER_GATEWAY and HYBRID, SELECT_ENDORSERS, ENDORSE, CHECK_POLICY, AWAIT_COMMIT and
 * BROADCAST are their {@link PeerGatewaySteps} forms, each holding the direct step for
 * transactions that go directly (a HYBRID fallback runs the built-in direct selection, not a customized one).
 */
final class Pipeline {
    private final List<Handler> submit;
    private final List<Handler> evaluate;
    private final List<Handler> evaluateSteps;
    private final List<Handler> endorseSteps;
    private final List<Handler> commitSteps;

    private Pipeline(List<Handler> submit, List<Handler> evaluate, List<Handler> evaluateSteps,
            List<Handler> endorseSteps, List<Handler> commitSteps) {
        this.submit = submit;
        this.evaluate = evaluate;
        this.evaluateSteps = evaluateSteps;
        this.endorseSteps = endorseSteps;
        this.commitSteps = commitSteps;
    }

    static Pipeline build(Services services, Transport transport, Map<PipelineStep, UnaryOperator<Handler>> customizers,
            List<Handler> added) {
        Handler select = SelectEndorsers.forSubmit(services);
        Handler endorse = new Endorse(services);
        Handler awaitCommit = new AwaitCommit(services);
        Handler broadcast = new Broadcast(services);
        Handler checkPolicy = new CheckPolicy(services);
        Handler selectCandidates = SelectEndorsers.forEvaluate(services);
        Handler evaluate = new Evaluate(services);
        if (transport != Transport.DIRECT) {
            PeerGateway gateway = new PeerGateway(services, transport);
            endorse = PeerGatewaySteps.Endorse.forSubmit(gateway, select, endorse);
            select = new PeerGatewaySteps.Select(gateway, select);
            awaitCommit = new PeerGatewaySteps.AwaitCommit(gateway, awaitCommit);
            broadcast = new PeerGatewaySteps.Broadcast(gateway, broadcast);
            checkPolicy = new PeerGatewaySteps.CheckPolicy(checkPolicy);
            evaluate = PeerGatewaySteps.Endorse.forEvaluate(gateway, selectCandidates, evaluate);
            selectCandidates = new PeerGatewaySteps.Select(gateway, selectCandidates);
        }
        Map<PipelineStep, Handler> submitSteps = new EnumMap<>(PipelineStep.class);
        submitSteps.put(PipelineStep.SELECT_ENDORSERS, select);
        submitSteps.put(PipelineStep.SIGN_PROPOSAL, new SignProposal(services));
        submitSteps.put(PipelineStep.ENDORSE, endorse);
        submitSteps.put(PipelineStep.CHECK_RESPONSES, new CheckResponses());
        submitSteps.put(PipelineStep.VERIFY_SIGNATURES, new VerifySignatures(services));
        submitSteps.put(PipelineStep.CHECK_POLICY, checkPolicy);
        submitSteps.put(PipelineStep.SIGN_ENVELOPE, new SignEnvelope(services));
        submitSteps.put(PipelineStep.AWAIT_COMMIT, awaitCommit);
        submitSteps.put(PipelineStep.BROADCAST, broadcast);

        Map<PipelineStep, Handler> evaluateSteps = new EnumMap<>(PipelineStep.class);
        evaluateSteps.put(PipelineStep.SELECT_ENDORSERS, selectCandidates);
        evaluateSteps.put(PipelineStep.SIGN_PROPOSAL, new SignProposal(services));
        evaluateSteps.put(PipelineStep.ENDORSE, evaluate);
        evaluateSteps.put(PipelineStep.CHECK_RESPONSES, new EvaluationResult());

        Map<PipelineStep, Handler> submitList = customize(submitSteps, customizers);
        Map<PipelineStep, Handler> evaluateList = customize(evaluateSteps, customizers);
        Set<PipelineStep> signing = EnumSet.of(PipelineStep.SIGN_PROPOSAL, PipelineStep.SIGN_ENVELOPE);
        return new Pipeline(
                concat(added, submitList.values()),
                concat(added, evaluateList.values()),
                steps(evaluateList, EnumSet.complementOf(EnumSet.copyOf(signing))),
                steps(submitList, EnumSet.range(PipelineStep.SELECT_ENDORSERS, PipelineStep.CHECK_POLICY), signing),
                steps(submitList, EnumSet.range(PipelineStep.AWAIT_COMMIT, PipelineStep.BROADCAST)));
    }

    /** The steps in {@link PipelineStep} order, each passed through its customizer if the application gave one. */
    private static Map<PipelineStep, Handler> customize(Map<PipelineStep, Handler> steps,
            Map<PipelineStep, UnaryOperator<Handler>> customizers) {
        Map<PipelineStep, Handler> result = new EnumMap<>(PipelineStep.class);
        steps.forEach((step, builtIn) -> {
            Handler handler = customizers.getOrDefault(step, UnaryOperator.identity()).apply(builtIn);
            result.put(step, Objects.requireNonNull(handler, () -> "the customizer of step " + step + " returned null"));
        });
        return result;
    }

    /** The steps of a list that are in {@code range} and not in {@code except}, in order. */
    private static List<Handler> steps(Map<PipelineStep, Handler> list, Set<PipelineStep> range, Set<PipelineStep> except) {
        List<Handler> result = new ArrayList<>();
        list.forEach((step, handler) -> {
            if (range.contains(step) && !except.contains(step)) {
                result.add(handler);
            }
        });
        return List.copyOf(result);
    }

    private static List<Handler> steps(Map<PipelineStep, Handler> list, Set<PipelineStep> range) {
        return steps(list, range, Set.of());
    }

    private static List<Handler> concat(List<Handler> added, Collection<Handler> steps) {
        List<Handler> all = new ArrayList<>(added);
        all.addAll(steps);
        return List.copyOf(all);
    }

    CompletableFuture<TxResult> submit(TxContext context) {
        return RealHandlerChain.run(submit, context);
    }

    CompletableFuture<TxResult> evaluate(TxContext context) {
        return RealHandlerChain.run(evaluate, context);
    }

    /** An evaluate of the staged API: the evaluate steps without the application's added handlers. */
    CompletableFuture<TxResult> evaluateStaged(TxContext context) {
        return RealHandlerChain.run(evaluateSteps, context);
    }

    /**
     * Selects endorsers, endorses and checks the endorsements of a signed proposal, and returns the
     * context as it stands after CHECK_POLICY: ready to be built into a transaction.
     */
    CompletableFuture<TxContext> endorse(TxContext context) {
        CompletableFuture<TxContext> endorsed = new CompletableFuture<>();
        List<Handler> handlers = new ArrayList<>(endorseSteps);
        handlers.add((ctx, chain) -> {
            endorsed.complete(ctx);
            return CompletableFuture.completedFuture(TxResult.of(ctx.transactionId(),
                    ctx.responses().get(0).response().getResponse().getPayload()));
        });
        return RealHandlerChain.run(handlers, context).thenApply(result -> {
            TxContext done = endorsed.getNow(null);
            if (done == null) {
                throw new IllegalStateException("a customized step between SELECT_ENDORSERS and CHECK_POLICY returned "
                        + "a result without proceeding, so transaction " + context.transactionId() + " was not endorsed");
            }
            return done;
        });
    }

    /** Broadcasts an endorsed, signed transaction and waits for its commit. */
    CompletableFuture<TxResult> commit(TxContext context) {
        return RealHandlerChain.run(commitSteps, context);
    }
}
