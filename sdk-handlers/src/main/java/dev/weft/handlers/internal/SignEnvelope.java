package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.core.TransactionEnvelope;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.concurrent.CompletableFuture;

/** {@link dev.weft.handlers.PipelineStep#SIGN_ENVELOPE}: builds the transaction from the endorsements and signs it. */
@InternalApi
public final class SignEnvelope implements Handler {
    private final Services services;

    public SignEnvelope(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        TransactionEnvelope transaction = TransactionEnvelope.create(context.proposal(),
                context.responses().stream().map(PeerResponse::response).toList());
        return chain.proceed(context.toBuilder().envelope(transaction.sign(services.signer())).build());
    }

    @Override
    public String toString() {
        return "SignEnvelope";
    }
}
