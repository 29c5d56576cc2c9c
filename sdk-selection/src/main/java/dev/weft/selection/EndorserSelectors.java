package dev.weft.selection;

import dev.weft.core.EndorserSelector;

/**
 * The endorser selection strategies. Each is stateless and thread-safe.
 *
 * <ul>
 *   <li>{@link #staticPeers()}: every candidate peer endorses (the peers of the connection profile
 *       or the gateway builder).
 *   <li>{@link #policyBased()}: the smallest set of available peers whose endorsements satisfy the
 *       chaincode's endorsement policy, preferring the caller's organisation and skipping peers
 *       that failed recently.
 * </ul>
 *
 * <p>Both honour a transaction's explicit choices first: named peers endorse exactly as named;
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
}
