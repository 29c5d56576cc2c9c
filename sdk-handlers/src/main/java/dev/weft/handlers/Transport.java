package dev.weft.handlers;

/**
 * How a gateway carries its transactions to the network ({@link Gateway.Builder#transport}). The
 * application API is the same for all three; so is local signing: the client's key never leaves
 * the process.
 */
public enum Transport {
    /**
     * The default: Weft selects the endorsers itself, sends the proposal to each of them in
     * parallel, broadcasts to an orderer and waits for the commit on the peers' event streams.
     */
    DIRECT,
    /**
     * Through one peer's Gateway service ({@code gateway.Gateway}, Fabric 2.4 and later): that peer
     * evaluates, plans and collects the endorsements, orders the transaction and reports its commit
     * status. The gateway peers are the client organisation's peers the gateway was given, tried in
     * turn (healthiest first) while one cannot be reached. Weft still verifies what it can: the
     * endorsements the peer collected are checked as in {@link #DIRECT} (results, signatures,
     * certificates, and the endorsement policy when the application gave one; without one, the
     * peer's plan, made from the chaincode's actual policy, stands and the committing peers judge
     * it), and the transaction it signs is one it built itself from them, byte for byte the one
     * the peer prepared. Endorsing peers cannot be chosen by name here (the peer chooses them);
     * endorsing organisations can.
     */
    PEER_GATEWAY,
    /**
     * {@link #PEER_GATEWAY} where it can be used, {@link #DIRECT} where not: when no gateway peer
     * can be reached (a refused or broken connection), or none serves the Gateway service
     * (answering UNIMPLEMENTED, which is remembered for the gateway's lifetime), or the
     * transaction names its endorsing peers, the transaction is endorsed, ordered and awaited
     * directly; the direct endorsement has what is left of the endorse time. A gateway peer that
     * does not answer in time ends the transaction with a timeout, as on the direct path. A transaction endorsed through a peer
     * is also ordered and awaited through it.
     */
    HYBRID
}
