package dev.weft.core;

/**
 * What went wrong at one node during a transaction: the node's address and MSP id (empty for an
 * orderer whose organisation is unknown), a status (a gRPC status code name, a Fabric
 * {@code common.Status}, or a chaincode status such as 500) and the node's message.
 *
 * @param address {@code host:port} of the node
 * @param mspId the node's organisation, or empty
 * @param status the status the node answered with
 * @param message the node's message
 */
public record NodeError(String address, String mspId, String status, String message) {
    @Override
    public String toString() {
        return address + (mspId.isEmpty() ? "" : " (" + mspId + ")") + ": " + status
                + (message == null || message.isEmpty() ? "" : " " + message);
    }
}
