package dev.weft.testnet.internal;

import dev.weft.core.InternalApi;
import dev.weft.testnet.ReferenceNetwork;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs a default reference network as a process of its own, for clients that must not share its
 * JVM (other Fabric SDKs carry their own copies of Fabric's protobuf classes). It writes the
 * network files to the directory given with {@code --dir}, prints {@code READY <dir>} and runs
 * until its standard input is closed.
 *
 * <p>Usage: {@code java -cp <reference-network classpath> dev.weft.testnet.internal.NetworkProcess
 * --dir DIR [--client-auth]}
 */
@InternalApi
public final class NetworkProcess {
    private NetworkProcess() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = null;
        boolean clientAuth = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--client-auth" -> clientAuth = true;
                default -> {
                    System.err.println("unknown argument " + args[i] + "; usage: --dir DIR [--client-auth]");
                    System.exit(2);
                }
            }
        }
        if (dir == null) {
            System.err.println("--dir DIR is required");
            System.exit(2);
        }
        try (ReferenceNetwork network = ReferenceNetwork.builder().clientAuthRequired(clientAuth).start()) {
            network.writeTo(dir);
            System.out.println("READY " + dir.toAbsolutePath());
            System.out.flush();
            while (System.in.read() != -1) {
                // run until the parent closes our standard input
            }
        }
    }
}
