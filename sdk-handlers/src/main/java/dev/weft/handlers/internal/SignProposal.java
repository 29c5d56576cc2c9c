package dev.weft.handlers.internal;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.InternalApi;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@link dev.weft.handlers.PipelineStep#SIGN_PROPOSAL}: builds the proposal with a fresh nonce and
 * transaction id, and signs it with the gateway's signer. Every run makes a new transaction id, so
 * a handler that proceeds again (a retry) submits a new transaction. The staged API, whose
 * application signs its own proposal, has no such step.
 */
@InternalApi
public final class SignProposal implements Handler {
    private final Services services;

    public SignProposal(Services services) {
        this.services = services;
    }

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        ChaincodeProposal proposal = build(context, services);
        return chain.proceed(context.toBuilder()
                .proposal(proposal, proposal.sign(services.requireSigner("the proposal")))
                .build());
    }

    /** The unsigned proposal for a transaction, with a fresh transaction id. */
    public static ChaincodeProposal build(TxContext context, Services services) {
        Map<String, byte[]> transientData = new LinkedHashMap<>();
        context.transientData().forEach((k, v) -> transientData.put(k, v.toByteArray()));
        return ChaincodeProposal.builder()
                .identity(services.identity())
                .channel(context.channelId())
                .chaincode(context.chaincode())
                .function(context.function())
                .byteArguments(context.arguments().stream().map(ByteString::toByteArray).toList())
                .transientData(transientData)
                .clock(services.scheduler().clock())
                .build();
    }

    @Override
    public String toString() {
        return "SignProposal";
    }
}
