package dev.weft.core;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registers gRPC servers and channels for a test and shuts them down afterwards (shutdown, await,
 * shutdownNow), failing the test if one does not terminate: a leak is a bug.
 */
public final class GrpcCleanup implements AfterEachCallback {
    private final Deque<Object> resources = new ArrayDeque<>();

    public <T extends ManagedChannel> T register(T channel) {
        resources.push(channel);
        return channel;
    }

    public <T extends Server> T register(T server) {
        resources.push(server);
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        AssertionError failure = null;
        while (!resources.isEmpty()) {
            Object resource = resources.pop();
            boolean terminated;
            if (resource instanceof ManagedChannel channel) {
                channel.shutdown();
                terminated = channel.awaitTermination(5, TimeUnit.SECONDS);
                channel.shutdownNow();
            } else {
                Server server = (Server) resource;
                server.shutdown();
                terminated = server.awaitTermination(5, TimeUnit.SECONDS);
                server.shutdownNow();
            }
            if (!terminated && failure == null) {
                failure = new AssertionError(resource + " did not terminate within 5 s");
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
