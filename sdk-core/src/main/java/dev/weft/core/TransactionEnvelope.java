package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Proposal;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;

/**
 * The transaction ({@code common.Payload} of type {@code ENDORSER_TRANSACTION}) built from a
 * proposal and its endorsements, ready to be signed by the proposal's creator and broadcast.
 *
 * <p>Follows Fabric's {@code protoutil.CreateSignedTx}: the payload header reuses the proposal's
 * channel and signature header bytes; the single {@code TransactionAction} carries the signature
 * header again, the transient-free proposal payload (so transient data never reaches the ledger
 * and the committer's proposal-hash check passes), the one {@code ProposalResponsePayload} that
 * all endorsers signed, and their endorsements, de-duplicated by endorser.
 *
 * <p>This class checks only what it needs to build a well-formed transaction (every response
 * endorsed with status 200–399, all payloads byte-identical); signature, certificate and policy
 * checks belong to the caller's validation step. Immutable and thread-safe.
 */
public final class TransactionEnvelope {
    private final String transactionId;
    private final Payload payload;
    private final ByteString payloadBytes;

    private TransactionEnvelope(String transactionId, Payload payload) {
        this.transactionId = transactionId;
        this.payload = payload;
        this.payloadBytes = payload.toByteString();
    }

    /**
     * Builds the transaction for a proposal from its endorsed responses.
     *
     * @throws IllegalArgumentException if there are no responses, a response was not endorsed
     *     (status outside 200–399 or no endorsement), or the response payloads differ
     */
    public static TransactionEnvelope create(ChaincodeProposal proposal, Collection<ProposalResponse> responses) {
        Objects.requireNonNull(proposal, "proposal");
        return assemble(proposal.transactionId(), proposal.channelHeader(), proposal.signatureHeader(),
                proposal.transientFreePayload(), responses);
    }

    /**
     * Builds the transaction for a proposal someone else made (as a peer's Gateway service does
     * for its clients) from its endorsed responses; the transient map is left out.
     *
     * @throws IllegalArgumentException if the proposal cannot be decoded, or as
     *     {@link #create(ChaincodeProposal, Collection)}
     */
    public static TransactionEnvelope create(Proposal proposal, Collection<ProposalResponse> responses) {
        Objects.requireNonNull(proposal, "proposal");
        Header header;
        ChannelHeader channelHeader;
        ChaincodeProposalPayload payload;
        try {
            header = Header.parseFrom(proposal.getHeader());
            channelHeader = ChannelHeader.parseFrom(header.getChannelHeader());
            payload = ChaincodeProposalPayload.parseFrom(proposal.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("the proposal cannot be decoded: " + e.getMessage(), e);
        }
        ByteString transientFree = ChaincodeProposalPayload.newBuilder().setInput(payload.getInput()).build().toByteString();
        return assemble(channelHeader.getTxId(), header.getChannelHeader(), header.getSignatureHeader(), transientFree,
                responses);
    }

    private static TransactionEnvelope assemble(String transactionId, ByteString channelHeader,
            ByteString signatureHeader, ByteString transientFreePayload, Collection<ProposalResponse> responses) {
        Objects.requireNonNull(responses, "responses");
        if (responses.isEmpty()) {
            throw new IllegalArgumentException("at least one endorsed proposal response is required");
        }
        ByteString responsePayload = null;
        List<Endorsement> endorsements = new ArrayList<>(responses.size());
        Set<ByteString> endorsers = new LinkedHashSet<>();
        int index = 0;
        for (ProposalResponse response : responses) {
            int status = response.getResponse().getStatus();
            if (status < 200 || status >= 400) {
                throw new IllegalArgumentException("proposal response " + index + " has status " + status
                        + " (" + response.getResponse().getMessage() + "); only 200-399 responses can be committed");
            }
            if (!response.hasEndorsement()) {
                throw new IllegalArgumentException("proposal response " + index + " carries no endorsement");
            }
            if (responsePayload == null) {
                responsePayload = response.getPayload();
            } else if (!responsePayload.equals(response.getPayload())) {
                throw new IllegalArgumentException("proposal response " + index
                        + " has a different payload from response 0; endorsements must be identical");
            }
            if (endorsers.add(response.getEndorsement().getEndorser())) {
                endorsements.add(response.getEndorsement());
            }
            index++;
        }
        ChaincodeActionPayload actionPayload = ChaincodeActionPayload.newBuilder()
                .setChaincodeProposalPayload(transientFreePayload)
                .setAction(ChaincodeEndorsedAction.newBuilder()
                        .setProposalResponsePayload(responsePayload)
                        .addAllEndorsements(endorsements))
                .build();
        Transaction transaction = Transaction.newBuilder()
                .addActions(TransactionAction.newBuilder()
                        .setHeader(signatureHeader)
                        .setPayload(actionPayload.toByteString()))
                .build();
        Payload payload = Payload.newBuilder()
                .setHeader(Header.newBuilder()
                        .setChannelHeader(channelHeader)
                        .setSignatureHeader(signatureHeader))
                .setData(transaction.toByteString())
                .build();
        return new TransactionEnvelope(transactionId, payload);
    }

    public String transactionId() {
        return transactionId;
    }

    public Payload payload() {
        return payload;
    }

    /** The serialized payload: the bytes that are signed. */
    public ByteString payloadBytes() {
        return payloadBytes;
    }

    /** Signs the payload with the creator's signer and returns the envelope to broadcast. */
    public Envelope sign(Signer signer) {
        Objects.requireNonNull(signer, "signer");
        return withSignature(signer.sign(payloadBytes.toByteArray()));
    }

    /**
     * The envelope to broadcast with a signature over {@link #payloadBytes()} made elsewhere. It
     * is not checked here: {@link Signatures#requireValid} does that.
     */
    public Envelope withSignature(byte[] signature) {
        Objects.requireNonNull(signature, "signature");
        return Envelope.newBuilder().setPayload(payloadBytes).setSignature(ByteString.copyFrom(signature)).build();
    }
}
