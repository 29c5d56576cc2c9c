package dev.weft.handlers.internal;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.PolicyNotSatisfiedException;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * {@link dev.weft.handlers.PipelineStep#CHECK_POLICY}: the verified endorsers must satisfy the
 * chaincode's endorsement policy (the one the application gave, else the channel default
 * {@code /Channel/Application/Endorsement}); otherwise the transaction would be committed as
 * ENDORSEMENT_POLICY_FAILURE, so it is not submitted.
 */
@InternalApi
public final class CheckPolicy implements Handler {
    private final Services services;

    public CheckPolicy(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        ChaincodePolicy policy = context.policy().orElse(ChaincodePolicy.channelDefault());
        List<MspIdentity> endorsers = context.verifiedEndorsers();
        return services.configs().forTransaction(context, false).thenCompose(config -> {
            boolean satisfied;
            String why = "";
            try {
                satisfied = policy.isSatisfiedBy(config, endorsers);
            } catch (IllegalArgumentException e) {
                satisfied = false;
                why = " (" + e.getMessage() + ")";
            }
            if (!satisfied) {
                String who = endorsers.stream().map(e -> e.mspId() + " " + e.certificate().getSubjectX500Principal().getName())
                        .collect(Collectors.joining("; ", "[", "]"));
                return CompletableFuture.failedFuture(new PolicyNotSatisfiedException("the endorsements of transaction "
                        + context.transactionId() + " by " + who + " do not satisfy the endorsement policy " + policy
                        + why + " of chaincode " + context.chaincode() + "; nothing was submitted",
                        context.transactionId(), List.of()));
            }
            return chain.proceed(context);
        });
    }

    @Override
    public String toString() {
        return "CheckPolicy";
    }
}
