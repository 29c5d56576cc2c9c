package dev.weft.core;

/**
 * Which peers failed recently, as endorser selection sees it: a read-only view of the record the
 * pipeline keeps (it notes each peer's transport or service failures and successes). Selection
 * prefers peers without a recent failure, so that one dead peer does not slow down every
 * transaction.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface PeerHealth {
    /** A view in which no peer has failed. */
    PeerHealth ALL_HEALTHY = peer -> false;

    /** Whether the peer failed recently and has not succeeded since. */
    boolean recentlyFailed(Peer peer);
}
