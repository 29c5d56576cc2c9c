package dev.weft.it;

import dev.weft.testnet.ReferenceNetwork;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Some nodes of a reference network kept in a directory, in a process of their own, for tests
 * that kill them: {@code ChildNodes DIR NAME...} starts
 * {@code ReferenceNetwork.builder().directory(DIR).nodes(NAME...)}, prints {@code READY}, then
 * answers each line read from standard input with one line, until the input closes (or it is
 * killed):
 *
 * <ul>
 *   <li>{@code leader CHANNEL}: {@code LEADER true} or {@code LEADER false}, whether the first
 *       orderer here leads the channel's Raft group;
 *   <li>{@code height CHANNEL}: {@code HEIGHT N}, the blocks the first orderer here (else the
 *       first peer) has written on the channel;
 *   <li>anything else, or a command that fails: {@code ERROR} and why.
 * </ul>
 *
 * <p>Answers are printed on standard output, where nothing else goes (the log is on stderr).
 */
public final class ChildNodes {
    private ChildNodes() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        String[] names = Arrays.copyOfRange(args, 1, args.length);
        try (ReferenceNetwork network = ReferenceNetwork.builder().directory(dir).nodes(names).start()) {
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                System.out.println(answer(network, line.trim().split("\\s+")));
                System.out.flush();
            }
        }
    }

    private static String answer(ReferenceNetwork network, String[] command) {
        try {
            if (command.length == 2 && command[0].equals("leader")) {
                return "LEADER " + network.orderer().isLeader(command[1]);
            }
            if (command.length == 2 && command[0].equals("height")) {
                return "HEIGHT " + (network.orderers().isEmpty() ? network.peers().get(0).height(command[1])
                        : network.orderer().height(command[1]));
            }
            return "ERROR unknown command '" + String.join(" ", command) + "' (leader CHANNEL, height CHANNEL)";
        } catch (RuntimeException e) {
            return "ERROR " + e;
        }
    }
}
