package dev.weft.testnet.internal.orderer;

import dev.weft.core.InternalApi;
import org.hyperledger.fabric.protos.common.Status;

/** Why Broadcast refused an envelope: the Fabric status to answer with and the info text. */
@InternalApi
public final class BroadcastRejection extends Exception {
    private static final long serialVersionUID = 1L;

    private final Status status;

    public BroadcastRejection(Status status, String info) {
        super(info, null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
