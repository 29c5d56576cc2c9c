package dev.weft.handlers;

import dev.weft.core.Peer;
import java.util.Objects;
import org.hyperledger.fabric.protos.peer.ProposalResponse;

/**
 * A peer's answer to a proposal.
 *
 * @param peer the endorser
 * @param response what it answered
 */
public record PeerResponse(Peer peer, ProposalResponse response) {
    public PeerResponse {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(response, "response");
    }

    /** The chaincode's (or the peer's) status: 200–399 is success. */
    public int status() {
        return response.getResponse().getStatus();
    }

    @Override
    public String toString() {
        return peer.name() + ": " + status();
    }
}
