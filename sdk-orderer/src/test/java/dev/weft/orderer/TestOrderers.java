package dev.weft.orderer;

import com.google.protobuf.ByteString;
import dev.weft.core.EndpointConfig;
import dev.weft.core.GrpcChannels;
import dev.weft.core.GrpcCleanup;
import dev.weft.core.Orderer;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.protos.common.Envelope;

/** Orderers and envelopes for tests that do not need a real transaction. */
final class TestOrderers {
    private TestOrderers() {
    }

    /** An envelope the fakes can tell apart by its payload text; a fake orderer does not parse it. */
    static Envelope envelope(String text) {
        return Envelope.newBuilder()
                .setPayload(ByteString.copyFromUtf8(text))
                .setSignature(ByteString.copyFromUtf8("signature of " + text))
                .build();
    }

    /** A loopback port that was just bound and released, so connecting to it is refused. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An orderer at a closed loopback port, with a counted channel (shut down by {@code grpc}). */
    static Unreachable unreachable(GrpcCleanup grpc) {
        EndpointConfig config = EndpointConfig.builder("127.0.0.1:" + closedPort()).plaintext().build();
        AtomicInteger calls = new AtomicInteger();
        Channel channel = ClientInterceptors.intercept(grpc.register(GrpcChannels.create(config)),
                new FakeOrderer.BroadcastCallCounter(calls));
        return new Unreachable(Orderer.of("unreachable-orderer", config, channel), calls);
    }

    /** An orderer nobody listens for, and how many Broadcast calls were started to it. */
    record Unreachable(Orderer orderer, AtomicInteger calls) {
        String target() {
            return orderer.target();
        }
    }
}
