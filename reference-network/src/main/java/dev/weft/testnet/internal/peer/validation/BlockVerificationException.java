package dev.weft.testnet.internal.peer.validation;

import dev.weft.core.InternalApi;
import dev.weft.core.WeftException;

/**
 * A block that cannot be committed: it does not extend the ledger or is not signed by the orderer.
 * Thrown by {@link BlockVerifier}; nothing of the block has been applied when it is thrown.
 */
@InternalApi
public final class BlockVerificationException extends WeftException {
    private static final long serialVersionUID = 1L;

    BlockVerificationException(String message) {
        super(message);
    }
}
