package dev.weft.core;

import io.grpc.Channel;
import java.util.Objects;

/**
 * An ordering node as a client sees it: name, how to reach it and the gRPC channel to it (owned
 * by whoever created this object). Immutable and thread-safe; equality is by name.
 */
public final class Orderer {
    private final String name;
    private final EndpointConfig endpoint;
    private final Channel channel;

    private Orderer(String name, EndpointConfig endpoint, Channel channel) {
        this.name = ChaincodeProposal.requireNonEmpty(name, "name");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    public static Orderer of(String name, EndpointConfig endpoint, Channel channel) {
        return new Orderer(name, endpoint, channel);
    }

    public String name() {
        return name;
    }

    public EndpointConfig endpoint() {
        return endpoint;
    }

    public String target() {
        return endpoint.target();
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Orderer other && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name + " (" + target() + ")";
    }
}
