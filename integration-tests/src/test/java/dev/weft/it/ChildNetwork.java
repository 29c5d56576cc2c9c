package dev.weft.it;

import dev.weft.core.Credentials;
import dev.weft.testnet.ReferenceNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A reference network in a process of its own, for tests that kill it: writes its files and the
 * Org1 user's certificate and key into the directory given, prints {@code READY <profile>}, and
 * runs until its standard input closes (or it is killed).
 */
public final class ChildNetwork {
    private ChildNetwork() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        try (ReferenceNetwork network = Networks.start()) {
            Path profile = network.writeTo(dir).get("Org1MSP");
            ReferenceNetwork.User user = network.user("Org1MSP");
            Files.writeString(dir.resolve("user-cert.pem"), Credentials.toPem(user.identity().certificate()),
                    StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("user-key.pem"), Credentials.toPem(user.privateKey()), StandardCharsets.UTF_8);
            System.out.println("READY " + profile);
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes our input or kills us
            }
        }
    }
}
