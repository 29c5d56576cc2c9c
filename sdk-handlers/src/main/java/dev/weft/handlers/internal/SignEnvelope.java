package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.core.TransactionEnvelope;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.concurrent.CompletableFuture;

/**
 * {@link dev.weft.handlers.PipelineStep#SIGN_ENVELOPE}: builds the transaction from the
 * endorsements and signs it with the gateway's signer. The staged API, whose application signs
 * its own transaction, has no such step.
 */
@InternalApi
public final class SignEnvelope implements Handler {
    private final Services services;

    public SignEnvelope(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        return chain.proceed(context.toBuilder()
                .envelope(transaction(context).sign(services.requireSigner("the transaction")))
                .build());
    }

    /** The unsigned transaction made of the context's endorsements. */
    public static TransactionEnvelope transaction(TxContext context) {
        return TransactionEnvelope.create(context.proposal(), context.responses().stream().map(PeerResponse::response).toList());
    }

    @Override
    public String toString() {
        return "SignEnvelope";
    }
}
