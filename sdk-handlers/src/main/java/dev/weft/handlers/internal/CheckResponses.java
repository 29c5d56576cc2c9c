package dev.weft.handlers.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorsementVerificationException;
import dev.weft.core.InconsistentEndorsementsException;
import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.internal.Hashing;
import dev.weft.core.internal.Hex;
import dev.weft.handlers.Handler;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;

/**
 * {@link dev.weft.handlers.PipelineStep#CHECK_RESPONSES} of a submit: judges the answers before
 * anything is built from them.
 * <ol>
 *   <li>Every status is 200–399; otherwise the chaincode (or the peer) refused, and its message
 *       is the error ({@link EndorseException}).
 *   <li>Every answer carries an endorsement bound to this proposal (its {@code proposal_hash}),
 *       and all payloads are byte-identical; otherwise the peers disagree
 *       ({@link InconsistentEndorsementsException}, naming which peer gave which result).
 * </ol>
 * An evaluate's counterpart is {@link EvaluationResult}.
 */
@InternalApi
public final class CheckResponses implements Handler {

    @Override
    public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
        EndorseException refused = refusal(context);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        List<PeerResponse> responses = context.responses();
        String txId = context.transactionId();
        byte[] proposalHash = context.proposal().proposalHash();
        List<NodeError> unbound = new ArrayList<>();
        for (PeerResponse r : responses) {
            if (!r.response().hasEndorsement()) {
                unbound.add(new NodeError(r.peer().target(), r.peer().mspId(), "NO_ENDORSEMENT",
                        "the response carries no endorsement"));
                continue;
            }
            try {
                ByteString hash = ProposalResponsePayload.parseFrom(r.response().getPayload()).getProposalHash();
                if (!hash.equals(ByteString.copyFrom(proposalHash))) {
                    unbound.add(new NodeError(r.peer().target(), r.peer().mspId(), "WRONG_PROPOSAL",
                            "the response is for another proposal (proposal hash " + Hex.encode(hash.toByteArray()) + ")"));
                }
            } catch (InvalidProtocolBufferException e) {
                unbound.add(new NodeError(r.peer().target(), r.peer().mspId(), "MALFORMED",
                        "the response payload is not a ProposalResponsePayload"));
            }
        }
        if (!unbound.isEmpty()) {
            return CompletableFuture.failedFuture(new EndorsementVerificationException("endorsements for transaction "
                    + txId + " are missing or not for its proposal", txId, unbound));
        }
        Map<ByteString, List<PeerResponse>> groups = new LinkedHashMap<>();
        for (PeerResponse r : responses) {
            groups.computeIfAbsent(r.response().getPayload(), p -> new ArrayList<>()).add(r);
        }
        if (groups.size() > 1) {
            List<NodeError> details = new ArrayList<>();
            int group = 1;
            for (Map.Entry<ByteString, List<PeerResponse>> e : groups.entrySet()) {
                String digest = Hex.encode(Hashing.sha256(e.getKey().toByteArray())).substring(0, 16);
                for (PeerResponse r : e.getValue()) {
                    details.add(new NodeError(r.peer().target(), r.peer().mspId(), "RESULT_" + group,
                            "response payload sha256 " + digest + "…, chaincode result of "
                                    + r.response().getResponse().getPayload().size() + " bytes"));
                }
                group++;
            }
            return CompletableFuture.failedFuture(new InconsistentEndorsementsException("endorsers returned "
                    + groups.size() + " different results for transaction " + txId
                    + "; nothing was submitted", txId, details));
        }
        return chain.proceed(context);
    }

    /**
     * The check every response must pass, submit or evaluate: there is one, and every status is
     * 200–399 (otherwise the chaincode's or peer's message is the error). Null when they pass.
     */
    static EndorseException refusal(TxContext context) {
        List<PeerResponse> responses = context.responses();
        String txId = context.transactionId();
        if (responses.isEmpty()) {
            return new EndorseException("no endorsement responses for transaction " + txId, txId, List.of(), null, false);
        }
        List<NodeError> refusals = new ArrayList<>();
        for (PeerResponse r : responses) {
            if (r.status() < 200 || r.status() >= 400) {
                refusals.add(new NodeError(r.peer().target(), r.peer().mspId(), String.valueOf(r.status()),
                        r.response().getResponse().getMessage()));
            }
        }
        if (refusals.isEmpty()) {
            return null;
        }
        return new EndorseException("chaincode " + context.chaincode() + " function " + context.function()
                + " failed for transaction " + txId + ": " + refusals.get(0).message(), txId, refusals, null, false);
    }

    @Override
    public String toString() {
        return "CheckResponses";
    }
}
