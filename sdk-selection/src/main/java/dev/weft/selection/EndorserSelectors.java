package dev.weft.selection;

import dev.weft.core.EndorserSelector;

/**
 * The endorser selection strategies. Each is thread-safe; the static and policy-based ones are
 * stateless, and discovery keeps per-gateway state (its answers and connections) in the gateway.
 *
 * <ul>
 *   <li>{@link #staticPeers()}: every candidate peer endorses (the peers of the connection profile
 *       or the gateway builder).
 *   <li>{@link #policyBased()}: the smallest set of available peers whose endorsements satisfy the
 *       chaincode's endorsement policy, preferring the caller's organisation and skipping peers
 *       that failed recently.
 *   <li>{@link #auto()}: discovery where the channel's capability level has it, policy-based
 *       otherwise.
 *   <li>{@link #discovery()}: the layouts and endorsers the peers' discovery service gives for the
 *       chaincode, as Fabric's own SDKs select; it finds peers of organisations the connection
 *       profile does not name.
 * </ul>
 *
 * <p>All honour a transaction's explicit choices first: named peers endorse exactly as named;
 * named organisations get one peer each (the healthiest, own organisation's candidates first).
 * For an evaluate, both return every usable candidate in order of preference (own organisation,
 * then the others; peers that failed recently last), of which the pipeline uses the first that
 * answers. Peers that already failed for this transaction are never selected again. A selection
 * that cannot be made fails with {@link dev.weft.core.EndorseException} at stage SELECT, naming
 * the candidates and what was missing.
 */
public final class EndorserSelectors {
    private EndorserSelectors() {
    }

    /** Every candidate endorses a submit. */
    public static EndorserSelector staticPeers() {
        return StaticSelector.INSTANCE;
    }

    /**
     * The fewest peers that satisfy the chaincode's endorsement policy. Without a known policy (or
     * a channel-policy reference without the channel config) it falls back to one peer per
     * organisation, which satisfies Fabric's default "MAJORITY Endorsement".
     */
    public static EndorserSelector policyBased() {
        return PolicySelector.INSTANCE;
    }

    /** {@link #auto(DiscoveryOptions)} with the default discovery options. */
    public static EndorserSelector auto() {
        return auto(DiscoveryOptions.defaults());
    }

    /**
     * By the channel's capability level, as fabric-sdk-go's selection provider chooses:
     * {@link #discovery(DiscoveryOptions) discovery} on a channel whose application capability is
     * V1_2 or later (Fabric 1.2 brought the discovery service), {@link #policyBased()} on an
     * older channel, when the channel config cannot be read, or when the gateway signs nothing
     * itself. If every peer asked answers that it has no discovery service (gRPC UNIMPLEMENTED),
     * it selects by policy for {@link DiscoveryOptions#refreshInterval()} and then tries again.
     * Unbound (not given to a gateway), it selects by policy.
     */
    public static EndorserSelector auto(DiscoveryOptions options) {
        return new AutoSelector(java.util.Objects.requireNonNull(options, "options"));
    }

    /** {@link #discovery(DiscoveryOptions)} with the default options. */
    public static EndorserSelector discovery() {
        return discovery(DiscoveryOptions.defaults());
    }

    /**
     * Endorsers planned by the peers' discovery service. For a submit, the gateway asks one of its
     * peers (healthy ones and its own organisation's first, the next on failure) for the channel's
     * endorsement layouts for the chaincode, signed as the gateway's identity and bound to its TLS
     * client certificate; it picks the layout it can fill with the fewest recently failed peers,
     * then the fewest peers, and in each group the healthy peers with the highest ledger first. It
     * connects to the peers discovery names (TLS roots from their organisation's MSP in the channel
     * config) and keeps those connections until it closes. An answer is reused for
     * {@link DiscoveryOptions#refreshInterval()}, and asked again at once after a channel config
     * change. A gateway that signs nothing itself (offline signing) selects by policy instead.
     *
     * <p>The selector must be given to {@code Gateway.Builder.endorserSelector}, which binds it to
     * the gateway; each gateway gets its own cache and connections.
     */
    public static EndorserSelector discovery(DiscoveryOptions options) {
        return new DiscoverySelector(java.util.Objects.requireNonNull(options, "options"));
    }
}
