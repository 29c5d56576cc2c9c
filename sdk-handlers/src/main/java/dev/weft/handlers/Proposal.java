package dev.weft.handlers;

import dev.weft.core.Signable;
import java.util.concurrent.CompletableFuture;

/**
 * A transaction proposal, the first stage of the staged API ({@link Transaction#newProposal()}),
 * as fabric-gateway's {@code Proposal}: it has its transaction id from the start, can be signed
 * elsewhere ({@link Signable}), and is then evaluated or endorsed.
 *
 * <p>When the gateway has a signer, an unsigned proposal is signed by it when evaluated or
 * endorsed; a gateway built without one needs {@link #withSignature}. Evaluating or endorsing
 * runs the gateway's built-in steps (and their customizations) from SELECT_ENDORSERS on; the
 * application's added handlers, which wrap whole {@code submit()}/{@code evaluate()} calls, do not
 * run. A transaction budget ({@link Transaction#timeout}) counts from each call, not from when the
 * proposal was made.
 *
 * <p>Immutable and thread-safe.
 */
public interface Proposal extends Signable<Proposal> {
    String transactionId();

    /**
     * Evaluates the proposal on one peer.
     *
     * @return the chaincode's result
     * @throws dev.weft.core.TransactionException on failure
     * @throws IllegalStateException if it is not signed and the gateway has no signer
     */
    byte[] evaluate();

    CompletableFuture<TxResult> evaluateAsync();

    /**
     * Has the proposal endorsed: selects endorsers, sends it to them in parallel, and checks the
     * answers (status, identical results, signatures, the endorsement policy).
     *
     * @return the transaction to sign and submit
     * @throws dev.weft.core.TransactionException on failure
     * @throws IllegalStateException if it is not signed and the gateway has no signer
     */
    EndorsedTransaction endorse();

    CompletableFuture<EndorsedTransaction> endorseAsync();
}
