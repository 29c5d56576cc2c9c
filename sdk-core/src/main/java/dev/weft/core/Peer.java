package dev.weft.core;

import io.grpc.Channel;
import java.util.Objects;

/**
 * A peer as a client sees it: its name (as in a connection profile), its organisation's MSP id,
 * how to reach it, and the gRPC channel to it. The channel belongs to whoever created the peer
 * (usually the gateway), not to this object.
 *
 * <p>Immutable and thread-safe; equality is by name.
 */
public final class Peer {
    private final String name;
    private final String mspId;
    private final EndpointConfig endpoint;
    private final Channel channel;

    private Peer(String name, String mspId, EndpointConfig endpoint, Channel channel) {
        this.name = ChaincodeProposal.requireNonEmpty(name, "name");
        this.mspId = ChaincodeProposal.requireNonEmpty(mspId, "mspId");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    public static Peer of(String name, String mspId, EndpointConfig endpoint, Channel channel) {
        return new Peer(name, mspId, endpoint, channel);
    }

    public String name() {
        return name;
    }

    public String mspId() {
        return mspId;
    }

    public EndpointConfig endpoint() {
        return endpoint;
    }

    /** {@code host:port}. */
    public String target() {
        return endpoint.target();
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Peer other && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name + " (" + mspId + ", " + target() + ")";
    }
}
