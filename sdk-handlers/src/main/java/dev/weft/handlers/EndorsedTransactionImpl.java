package dev.weft.handlers;

import com.google.protobuf.ByteString;
import dev.weft.core.CommitStatusSource;
import dev.weft.core.Signatures;
import dev.weft.core.TransactionEnvelope;
import dev.weft.events.CommitStatusSources;
import dev.weft.events.DeliverRequest;
import dev.weft.handlers.internal.AwaitCommit;
import dev.weft.handlers.internal.Cancellation;
import dev.weft.handlers.internal.Futures;
import dev.weft.handlers.internal.SignEnvelope;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Envelope;

/** See {@link EndorsedTransaction}. */
final class EndorsedTransactionImpl implements EndorsedTransaction {
    private final NetworkImpl network;
    /** The transaction's context as CHECK_POLICY left it. */
    private final TxContext endorsed;
    private final TransactionEnvelope transaction;
    private final Envelope signed;

    private EndorsedTransactionImpl(NetworkImpl network, TxContext endorsed, TransactionEnvelope transaction,
            Envelope signed) {
        this.network = network;
        this.endorsed = endorsed;
        this.transaction = transaction;
        this.signed = signed;
    }

    static EndorsedTransactionImpl of(NetworkImpl network, TxContext endorsed) {
        return new EndorsedTransactionImpl(network, endorsed, SignEnvelope.transaction(endorsed), null);
    }

    @Override
    public String transactionId() {
        return endorsed.transactionId();
    }

    @Override
    public byte[] result() {
        return endorsed.responses().get(0).response().getResponse().getPayload().toByteArray();
    }

    @Override
    public ByteString bytes() {
        return transaction.payloadBytes();
    }

    @Override
    public boolean isSigned() {
        return signed != null;
    }

    @Override
    public EndorsedTransaction withSignature(byte[] signature) {
        byte[] checked = Signatures.requireValid(network.services().identity(), bytes().toByteArray(), signature);
        return new EndorsedTransactionImpl(network, endorsed, transaction, transaction.withSignature(checked));
    }

    private Envelope envelope() {
        if (signed != null) {
            return signed;
        }
        return transaction.sign(network.services().requireSigner("transaction " + transactionId()));
    }

    @Override
    public TxResult submit() {
        return Futures.await(submitAsync());
    }

    @Override
    public CompletableFuture<TxResult> submitAsync() {
        return run(null);
    }

    @Override
    public DeliverRequest commitStatusRequest() {
        return network.events().startAtNewest().newRequest();
    }

    @Override
    public TxResult submit(DeliverRequest signedCommitStatusRequest) {
        return Futures.await(submitAsync(signedCommitStatusRequest));
    }

    @Override
    public CompletableFuture<TxResult> submitAsync(DeliverRequest signedCommitStatusRequest) {
        Objects.requireNonNull(signedCommitStatusRequest, "signedCommitStatusRequest");
        if (!signedCommitStatusRequest.channelId().equals(network.channelId())) {
            throw new IllegalArgumentException("the commit status request is for channel "
                    + signedCommitStatusRequest.channelId() + ", the transaction for " + network.channelId());
        }
        CommitStatusSource source = CommitStatusSources.forRequest(signedCommitStatusRequest, network.scheduler());
        CompletableFuture<TxResult> result = run(source);
        result.whenComplete((r, e) -> source.close());
        return result;
    }

    /** Broadcasts and waits for the commit, on the gateway's event streams or on {@code source}. */
    private CompletableFuture<TxResult> run(CommitStatusSource source) {
        Envelope envelope = envelope(); // fails here, in the caller's thread, when nothing can sign it
        CompletableFuture<Void> cancellation = new CompletableFuture<>();
        TxContext.Builder settings = endorsed.toBuilder().envelope(envelope).put(Cancellation.KEY, cancellation)
                .put(AwaitCommit.SOURCE, source);
        return network.gateway().handOver(network.pipeline().commit(network.start(settings)), cancellation);
    }

    @Override
    public String toString() {
        return "EndorsedTransaction[" + transactionId() + (signed == null ? ", unsigned" : "") + "]";
    }
}
