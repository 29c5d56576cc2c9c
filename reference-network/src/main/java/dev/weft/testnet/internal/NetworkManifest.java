package dev.weft.testnet.internal;

import dev.weft.core.InternalApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What a reference network kept in a directory needs to start again from it: its shape
 * (organisations, peers, users, channels, chaincode names, mutual TLS, orderers and consensus) and
 * the ports its nodes listened on (Raft ports under {@code <orderer>/raft/<channel>}). Written as {@value #FILE} once the nodes are up; its presence is what makes a
 * directory resumable. The channels' configs are not here: they are in the ledgers.
 *
 * @param ports each node's port by host name ({@code peer0.org1.example.com})
 */
@InternalApi
public record NetworkManifest(List<String> organizations, String ordererOrganization, int peersPerOrganization,
        List<String> users, List<String> channels, List<String> chaincodes, boolean clientAuthRequired, int orderers,
        String consensus, String host, Map<String, Integer> ports) {
    /** The file name, in the network's directory. */
    public static final String FILE = "weft-network.yaml";
    private static final int VERSION = 1;

    public NetworkManifest {
        organizations = List.copyOf(organizations);
        users = List.copyOf(users);
        channels = List.copyOf(channels);
        chaincodes = List.copyOf(chaincodes);
        ports = Map.copyOf(ports);
        Objects.requireNonNull(ordererOrganization, "ordererOrganization");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(consensus, "consensus");
    }

    /**
     * The manifest in {@code directory}, if it has one.
     *
     * @throws IllegalStateException if the file is not a manifest this version can read, naming it
     */
    public static Optional<NetworkManifest> read(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions()))
                    .load(Files.readString(file, StandardCharsets.UTF_8));
            if (!(loaded instanceof Map<?, ?> map) || !Integer.valueOf(VERSION).equals(map.get("version"))) {
                throw new IllegalStateException(file + " is not a version " + VERSION + " network manifest");
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            ((Map<?, ?>) map.get("ports")).forEach((k, v) -> ports.put((String) k, (Integer) v));
            return Optional.of(new NetworkManifest(strings(map, "organizations"), (String) map.get("ordererOrganization"),
                    (Integer) map.get("peersPerOrganization"), strings(map, "users"), strings(map, "channels"),
                    strings(map, "chaincodes"), (Boolean) map.get("clientAuthRequired"), (Integer) map.get("orderers"),
                    (String) map.get("consensus"), (String) map.get("host"), ports));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (YAMLException | ClassCastException | NullPointerException e) {
            throw new IllegalStateException(file + " is damaged (" + e.getMessage() + "); start the network afresh in "
                    + "another directory, or remove this one", e);
        }
    }

    private static List<String> strings(Map<?, ?> map, String key) {
        List<String> values = new ArrayList<>();
        for (Object o : (List<?>) map.get(key)) {
            values.add((String) o);
        }
        return values;
    }

    /** Writes the manifest into {@code directory}, replacing any (a reader sees the old file or the new one). */
    public void write(Path directory) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("version", VERSION);
        map.put("organizations", organizations);
        map.put("ordererOrganization", ordererOrganization);
        map.put("peersPerOrganization", peersPerOrganization);
        map.put("users", users);
        map.put("channels", channels);
        map.put("chaincodes", chaincodes);
        map.put("clientAuthRequired", clientAuthRequired);
        map.put("orderers", orderers);
        map.put("consensus", consensus);
        map.put("host", host);
        map.put("ports", new LinkedHashMap<>(new java.util.TreeMap<>(ports)));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String text = "# Written by Weft's reference network: what it needs to start again from this directory.\n"
                + "# The channels' configurations are in the ledgers under ledgers/.\n" + new Yaml(options).dump(map);
        Path file = directory.resolve(FILE);
        Path temporary = directory.resolve(FILE + ".tmp");
        try {
            Files.createDirectories(directory);
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that a network configured as {@code wanted} is this one, field by field.
     *
     * @throws IllegalStateException naming the first field that differs, both values, and what to do
     */
    public void requireSameShape(NetworkManifest wanted, Path directory) {
        require("organizations", organizations, wanted.organizations, directory);
        require("orderer organization", ordererOrganization, wanted.ordererOrganization, directory);
        require("peers per organization", peersPerOrganization, wanted.peersPerOrganization, directory);
        require("users", users, wanted.users, directory);
        require("channels", channels, wanted.channels, directory);
        require("chaincodes", chaincodes, wanted.chaincodes, directory);
        require("client authentication (mutual TLS)", clientAuthRequired, wanted.clientAuthRequired, directory);
        require("orderers", orderers, wanted.orderers, directory);
        require("consensus", consensus, wanted.consensus, directory);
    }

    private static void require(String what, Object stored, Object wanted, Path directory) {
        if (!stored.equals(wanted)) {
            throw new IllegalStateException("the network in " + directory + " has " + what + " " + stored + ", not "
                    + wanted + ": start it with the same settings to resume it, or start afresh (weft network start "
                    + "--fresh, or remove the directory)");
        }
    }
}
