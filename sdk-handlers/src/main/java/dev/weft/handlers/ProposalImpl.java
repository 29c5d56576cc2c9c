package dev.weft.handlers;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.Signatures;
import dev.weft.handlers.internal.Cancellation;
import dev.weft.handlers.internal.Futures;
import dev.weft.handlers.internal.SignProposal;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.hyperledger.fabric.protos.peer.SignedProposal;

/** See {@link Proposal}. */
final class ProposalImpl implements Proposal {
    private final NetworkImpl network;
    /** The transaction's settings; copied for each run, never changed. */
    private final TxContext.Builder settings;
    private final ChaincodeProposal proposal;
    private final SignedProposal signed;
    private final boolean configRead;

    private ProposalImpl(NetworkImpl network, TxContext.Builder settings, ChaincodeProposal proposal,
            SignedProposal signed, boolean configRead) {
        this.network = network;
        this.settings = settings;
        this.proposal = proposal;
        this.signed = signed;
        this.configRead = configRead;
    }

    /** The proposal of a transaction with these settings, with a new transaction id. */
    static ProposalImpl create(NetworkImpl network, TxContext.Builder settings) {
        ChaincodeProposal proposal = SignProposal.build(settings.build(), network.services());
        return new ProposalImpl(network, settings, proposal, null, false);
    }

    /** The gateway's read of the channel config, for the application to sign. */
    static ProposalImpl of(NetworkImpl network, TxContext context, ChaincodeProposal configRead) {
        return new ProposalImpl(network, context.toBuilder(), configRead, null, true);
    }

    NetworkImpl network() {
        return network;
    }

    boolean isConfigRead() {
        return configRead;
    }

    @Override
    public String transactionId() {
        return proposal.transactionId();
    }

    @Override
    public ByteString bytes() {
        return proposal.proposalBytes();
    }

    @Override
    public boolean isSigned() {
        return signed != null;
    }

    @Override
    public Proposal withSignature(byte[] signature) {
        byte[] checked = Signatures.requireValid(network.services().identity(), bytes().toByteArray(), signature);
        return new ProposalImpl(network, settings, proposal, proposal.withSignature(checked), configRead);
    }

    /**
     * The signed proposal: with the attached signature, else signed by the gateway's signer.
     *
     * @throws IllegalStateException if neither exists
     */
    SignedProposal signed() {
        if (signed != null) {
            return signed;
        }
        return proposal.sign(network.services().requireSigner("proposal " + transactionId()));
    }

    @Override
    public byte[] evaluate() {
        return Futures.await(evaluateAsync()).result();
    }

    @Override
    public CompletableFuture<TxResult> evaluateAsync() {
        return run(TxContext.Kind.EVALUATE, network.pipeline()::evaluateStaged);
    }

    @Override
    public EndorsedTransaction endorse() {
        return Futures.await(endorseAsync());
    }

    @Override
    public CompletableFuture<EndorsedTransaction> endorseAsync() {
        return run(TxContext.Kind.SUBMIT, context -> network.pipeline().endorse(context)
                .thenApply(endorsed -> EndorsedTransactionImpl.of(network, endorsed)));
    }

    private <T> CompletableFuture<T> run(TxContext.Kind kind,
            Function<TxContext, CompletableFuture<T>> stages) {
        SignedProposal signedProposal = signed(); // fails here, in the caller's thread, when nothing can sign it
        CompletableFuture<Void> cancellation = new CompletableFuture<>();
        TxContext context = network.start(settings.copyAs(kind).proposal(proposal, signedProposal)
                .put(Cancellation.KEY, cancellation));
        return network.gateway().handOver(stages.apply(context), cancellation);
    }

    @Override
    public String toString() {
        return "Proposal[" + proposal + (signed == null ? ", unsigned" : "") + "]";
    }
}
