package dev.weft.handlers;

import dev.weft.core.Signable;
import dev.weft.events.DeliverRequest;
import java.util.concurrent.CompletableFuture;

/**
 * An endorsed transaction, the second stage of the staged API ({@link Proposal#endorse()}), as
 * fabric-gateway's {@code Transaction}: the chaincode's result is known, and the transaction
 * (the {@code common.Payload} built from the endorsements, {@link #bytes()}) waits to be signed by
 * the client ({@link Signable}) and submitted.
 *
 * <p>Submitting registers for the commit event before broadcasting, as {@code submit()} does,
 * and waits for the commit. The gateway's shared event streams are signed by the gateway's
 * signer; a gateway without one needs the application to sign the event request too:
 *
 * <pre>{@code
 * DeliverRequest request = signed.commitStatusRequest();
 * TxResult result = signed.submit(request.withSignature(wallet.sign(request.digest())));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public interface EndorsedTransaction extends Signable<EndorsedTransaction> {
    String transactionId();

    /** The chaincode's result, a fresh copy. */
    byte[] result();

    /**
     * Broadcasts the transaction and waits for its commit.
     *
     * @return the result with its block and validation code (VALID)
     * @throws dev.weft.core.TransactionException on failure (a {@link dev.weft.core.CommitException}
     *     if it was committed but not VALID)
     * @throws IllegalStateException if it is not signed, or the gateway has no signer for its event
     *     streams (use {@link #submit(DeliverRequest)})
     */
    TxResult submit();

    CompletableFuture<TxResult> submitAsync();

    /**
     * The request for the event stream that reports this transaction's commit: filtered blocks of
     * the channel from the newest, from the gateway's first event peer. Sign it and pass it to
     * {@link #submit(DeliverRequest)} when the gateway has no signer. It is used for this
     * transaction alone: if that stream breaks before the commit arrives, the submit fails with a
     * {@link dev.weft.core.CommitStatusException} (the transaction may still commit).
     */
    DeliverRequest commitStatusRequest();

    /** Broadcasts and waits for the commit on a stream opened with a request the application signed. */
    TxResult submit(DeliverRequest signedCommitStatusRequest);

    CompletableFuture<TxResult> submitAsync(DeliverRequest signedCommitStatusRequest);
}
