package dev.weft.core;

import io.grpc.Status;
import java.util.Objects;

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
    public NodeError {
        Objects.requireNonNull(address, "address");
        mspId = mspId == null ? "" : mspId;
        Objects.requireNonNull(status, "status");
        message = message == null ? "" : message;
    }

    /**
     * Describes a failed gRPC call to a node: the status code's name and, for connection and TLS
     * failures, a message that says what to check. The one place gRPC failures become details.
     */
    public static NodeError fromFailure(String address, String mspId, Throwable failure) {
        return describe(address, mspId, GrpcChannels.describeConnectionFailure(address, failure), failure);
    }

    /** A failed call to a peer, described with how the client connected to it (TLS, client certificate). */
    public static NodeError fromFailure(Peer peer, Throwable failure) {
        return describe(peer.target(), peer.mspId(), GrpcChannels.describeConnectionFailure(peer.endpoint(), failure),
                failure);
    }

    /** A failed call to an orderer, described with how the client connected to it. */
    public static NodeError fromFailure(Orderer orderer, Throwable failure) {
        return describe(orderer.target(), "", GrpcChannels.describeConnectionFailure(orderer.endpoint(), failure),
                failure);
    }

    private static NodeError describe(String address, String mspId, ConnectionException connection, Throwable failure) {
        Status status = Status.fromThrowable(failure);
        String message = connection != null ? connection.getMessage()
                : status.getDescription() != null ? status.getDescription()
                : status.getCode() == Status.Code.UNKNOWN ? String.valueOf(failure) : "";
        return new NodeError(address, mspId, status.getCode().name(), message);
    }

    @Override
    public String toString() {
        return address + (mspId.isEmpty() ? "" : " (" + mspId + ")") + ": " + status
                + (message.isEmpty() ? "" : " " + message);
    }
}
