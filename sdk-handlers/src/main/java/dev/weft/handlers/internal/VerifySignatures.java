package dev.weft.handlers.internal;

import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorsementVerificationException;
import dev.weft.core.IdentityValidationException;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.NodeError;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@link dev.weft.handlers.PipelineStep#VERIFY_SIGNATURES}: checks every endorsement as a
 * committing peer will: the endorser's certificate must be valid in one of the channel's MSPs and
 * its signature over the response payload and its identity must verify. If an endorser's MSP or
 * certificate is unknown the channel config is read again once (it may have changed) before
 * giving up with {@link EndorsementVerificationException}.
 */
@InternalApi
public final class VerifySignatures implements Handler {
    private final Services services;

    public VerifySignatures(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        String txId = context.transactionId();
        return services.configs().forTransaction(context, false)
                .thenCompose(config -> {
                    Outcome first = verify(context, config);
                    if (first.unknownIdentity) {
                        return services.configs().forTransaction(context, true).thenApply(newer -> verify(context, newer));
                    }
                    return CompletableFuture.completedFuture(first);
                })
                .thenCompose(outcome -> {
                    if (!outcome.errors.isEmpty()) {
                        return CompletableFuture.failedFuture(new EndorsementVerificationException("endorsements of "
                                + "transaction " + context.transactionId() + " did not verify; nothing was submitted",
                                context.transactionId(), outcome.errors));
                    }
                    return chain.proceed(context.toBuilder().verifiedEndorsers(outcome.endorsers).build());
                });
    }

    private static Outcome verify(TxContext context, ChannelConfig config) {
        Outcome outcome = new Outcome();
        for (PeerResponse r : context.responses()) {
            String address = r.peer().target();
            try {
                Optional<MspIdentity> endorser = config.msps().verifyEndorsement(r.response().getPayload(),
                        r.response().getEndorsement());
                if (endorser.isPresent()) {
                    outcome.endorsers.add(endorser.get());
                } else {
                    outcome.errors.add(new NodeError(address, r.peer().mspId(), "BAD_SIGNATURE",
                            "the endorsement signature does not verify with the endorser's certificate"));
                }
            } catch (IdentityValidationException e) {
                outcome.unknownIdentity = true;
                outcome.errors.add(new NodeError(address, r.peer().mspId(), "BAD_IDENTITY", e.getMessage()));
            }
        }
        return outcome;
    }

    private static final class Outcome {
        final List<MspIdentity> endorsers = new ArrayList<>();
        final List<NodeError> errors = new ArrayList<>();
        boolean unknownIdentity;
    }

    @Override
    public String toString() {
        return "VerifySignatures";
    }
}
