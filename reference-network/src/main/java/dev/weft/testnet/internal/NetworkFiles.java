package dev.weft.testnet.internal;

import dev.weft.core.Credentials;
import dev.weft.core.InternalApi;
import dev.weft.core.internal.X509Issuer.Issued;
import dev.weft.testnet.internal.crypto.OrganizationCrypto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Writes a reference network's crypto material in cryptogen's directory layout and a Fabric
 * common connection profile per peer organisation, so that other processes (another SDK, the
 * {@code peer} CLI, Weft's CLI) can connect. Each file is written to a temporary name and moved
 * into place, so a reader never sees half a file. Works from a {@link NetworkDescription}, so it
 * knows nothing of the running nodes.
 *
 * <p>Stateless and thread-safe; two writers to the same directory each leave whole files.
 */
@InternalApi
public final class NetworkFiles {
    private NetworkFiles() {
    }

    /** Writes everything under {@code directory}; returns the YAML profile of each peer organisation. */
    public static Map<String, Path> write(Path directory, NetworkDescription network) {
        Map<String, Path> profiles = new LinkedHashMap<>();
        try {
            Path organizations = directory.resolve("organizations");
            for (NetworkDescription.Organization described : network.peerOrganizations()) {
                OrganizationCrypto org = described.crypto();
                Path base = organizations.resolve("peerOrganizations").resolve(org.domain());
                writeOrganization(base, org, "peers", "server");
                String shortName = org.domain().substring(0, org.domain().indexOf('.'));
                Path yaml = base.resolve("connection-" + shortName + ".yaml");
                writeFile(yaml, connectionProfileYaml(network, org.mspId()));
                writeFile(base.resolve("connection-" + shortName + ".json"),
                        Json.write(connectionProfile(network, org.mspId())));
                writeFile(base.resolve("connection-" + shortName + "-own-peers.yaml"),
                        organizationProfileYaml(network, org.mspId()));
                profiles.put(org.mspId(), yaml);
            }
            for (NetworkDescription.Organization orderers : network.ordererOrganizations()) {
                writeOrganization(organizations.resolve("ordererOrganizations").resolve(orderers.domain()),
                        orderers.crypto(), "orderers", "server");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the network files to " + directory + ": " + e.getMessage(), e);
        }
        return profiles;
    }

    /**
     * Reads back an organisation that {@link #write} wrote under {@code directory}: its CAs with
     * their keys, and the named nodes and users with their signing and TLS certificates and keys.
     *
     * @param nodes node host names in order ({@code peer0.org1.example.com})
     * @param users user names in order, Admin first ({@code Admin@org1.example.com})
     * @throws UncheckedIOException if a file is missing or unreadable, naming it
     */
    public static OrganizationCrypto readOrganization(Path directory, String mspId, String domain, boolean orderer,
            List<String> nodes, List<String> users) {
        Path base = directory.resolve("organizations").resolve(orderer ? "ordererOrganizations" : "peerOrganizations")
                .resolve(domain);
        Issued ca = issued(base.resolve("ca").resolve("ca." + domain + "-cert.pem"), base.resolve("ca").resolve("priv_sk"));
        Issued tlsCa = issued(base.resolve("tlsca").resolve("tlsca." + domain + "-cert.pem"),
                base.resolve("tlsca").resolve("priv_sk"));
        Map<String, OrganizationCrypto.Member> nodeMembers = new LinkedHashMap<>();
        for (String node : nodes) {
            nodeMembers.put(node, member(base.resolve(orderer ? "orderers" : "peers").resolve(node), node, "server"));
        }
        Map<String, OrganizationCrypto.Member> userMembers = new LinkedHashMap<>();
        for (String user : users) {
            userMembers.put(user, member(base.resolve("users").resolve(user), user, "client"));
        }
        return new OrganizationCrypto(mspId, domain, orderer, ca, tlsCa, nodeMembers, userMembers);
    }

    private static OrganizationCrypto.Member member(Path dir, String name, String tlsName) {
        Path msp = dir.resolve("msp");
        return new OrganizationCrypto.Member(name,
                issued(msp.resolve("signcerts").resolve(name + "-cert.pem"), msp.resolve("keystore").resolve("priv_sk")),
                issued(dir.resolve("tls").resolve(tlsName + ".crt"), dir.resolve("tls").resolve(tlsName + ".key")));
    }

    private static Issued issued(Path certificate, Path key) {
        for (Path file : List.of(certificate, key)) {
            if (!Files.isRegularFile(file)) {
                throw new UncheckedIOException(new IOException("the network's crypto material is incomplete: " + file
                        + " is missing"));
            }
        }
        return new Issued(Credentials.readCertificate(certificate), Credentials.readPrivateKey(key));
    }

    private static void writeOrganization(Path base, OrganizationCrypto org, String nodesDir, String tlsName)
            throws IOException {
        String caFile = "ca." + org.domain() + "-cert.pem";
        String tlsCaFile = "tlsca." + org.domain() + "-cert.pem";
        writeFile(base.resolve("ca").resolve(caFile), pem(org.ca().certificate()));
        writeFile(base.resolve("ca").resolve("priv_sk"), Credentials.toPem(org.ca().key()));
        writeFile(base.resolve("tlsca").resolve(tlsCaFile), pem(org.tlsCa().certificate()));
        writeFile(base.resolve("tlsca").resolve("priv_sk"), Credentials.toPem(org.tlsCa().key()));
        writeMsp(base.resolve("msp"), org, null);
        for (OrganizationCrypto.Member node : org.nodes().values()) {
            Path dir = base.resolve(nodesDir).resolve(node.name());
            writeMsp(dir.resolve("msp"), org, node.signing());
            writeTls(dir.resolve("tls"), org, node.tls(), tlsName);
        }
        for (OrganizationCrypto.Member user : org.users().values()) {
            Path dir = base.resolve("users").resolve(user.name());
            writeMsp(dir.resolve("msp"), org, user.signing());
            writeTls(dir.resolve("tls"), org, user.tls(), "client");
        }
    }

    private static void writeMsp(Path msp, OrganizationCrypto org, Issued signing) throws IOException {
        String caFile = "ca." + org.domain() + "-cert.pem";
        writeFile(msp.resolve("cacerts").resolve(caFile), pem(org.ca().certificate()));
        writeFile(msp.resolve("tlscacerts").resolve("tlsca." + org.domain() + "-cert.pem"), pem(org.tlsCa().certificate()));
        StringBuilder config = new StringBuilder("NodeOUs:\n  Enable: true\n");
        for (String[] ou : new String[][] {{"Client", "client"}, {"Peer", "peer"}, {"Admin", "admin"}, {"Orderer", "orderer"}}) {
            config.append("  ").append(ou[0]).append("OUIdentifier:\n")
                    .append("    Certificate: cacerts/").append(caFile).append('\n')
                    .append("    OrganizationalUnitIdentifier: ").append(ou[1]).append('\n');
        }
        writeFile(msp.resolve("config.yaml"), config.toString());
        if (signing != null) {
            String subjectName = commonName(signing.certificate());
            writeFile(msp.resolve("signcerts").resolve(subjectName + "-cert.pem"), pem(signing.certificate()));
            writeFile(msp.resolve("keystore").resolve("priv_sk"), Credentials.toPem(signing.key()));
        }
    }

    private static void writeTls(Path tls, OrganizationCrypto org, Issued cert, String name) throws IOException {
        writeFile(tls.resolve("ca.crt"), pem(org.tlsCa().certificate()));
        writeFile(tls.resolve(name + ".crt"), pem(cert.certificate()));
        writeFile(tls.resolve(name + ".key"), Credentials.toPem(cert.key()));
    }

    /** The connection profile of an organisation as YAML, with certificates as literal blocks. */
    public static String connectionProfileYaml(NetworkDescription network, String mspId) {
        return yaml(connectionProfile(network, mspId));
    }

    /**
     * The profile Fabric's test network hands an organisation ({@code ccp-template.yaml}): its
     * own peers only, no orderers and no channels; clients find the other organisations' peers
     * by discovery and the orderers in the channel config.
     */
    public static String organizationProfileYaml(NetworkDescription network, String mspId) {
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("name", "weft-reference-network-" + orgName(mspId).toLowerCase(Locale.ROOT));
        profile.put("version", "1.0.0");
        profile.put("client", Map.of("organization", orgName(mspId),
                "connection", Map.of("timeout", Map.of("peer", Map.of("endorser", "300")))));
        List<NetworkDescription.Node> own = network.peers().stream().filter(p -> p.mspId().equals(mspId)).toList();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("mspid", mspId);
        entry.put("peers", own.stream().map(NetworkDescription.Node::name).toList());
        profile.put("organizations", Map.of(orgName(mspId), entry));
        Map<String, Object> peers = new LinkedHashMap<>();
        own.forEach(peer -> peers.put(peer.name(), node(peer)));
        profile.put("peers", peers);
        return yaml(profile);
    }

    private static String yaml(Map<String, Object> profile) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(160);
        Representer representer = new LiteralBlocks(options);
        return "---\n" + new Yaml(representer, options).dump(profile);
    }

    /** Writes multi-line strings (PEM certificates) as YAML literal blocks, as Fabric's profiles do. */
    private static final class LiteralBlocks extends Representer {
        LiteralBlocks(DumperOptions options) {
            super(options);
            Represent plain = representers.get(String.class);
            representers.put(String.class, data -> {
                String s = (String) data;
                return s.contains("\n")
                        ? new ScalarNode(Tag.STR, s, null, null, DumperOptions.ScalarStyle.LITERAL)
                        : plain.representData(s);
            });
        }
    }

    /**
     * The profile as Fabric's test network writes it, listing every peer organisation (so that
     * clients without discovery can reach all endorsers) and every orderer.
     */
    static Map<String, Object> connectionProfile(NetworkDescription network, String mspId) {
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("name", "weft-reference-network-" + orgName(mspId).toLowerCase(Locale.ROOT));
        profile.put("version", "1.0.0");
        profile.put("client", Map.of("organization", orgName(mspId),
                "connection", Map.of("timeout", Map.of("peer", Map.of("endorser", "300"), "orderer", "300"))));
        Map<String, Object> organizations = new LinkedHashMap<>();
        for (String org : network.peerMspIds()) {
            List<String> peerNames = network.peers().stream().filter(p -> p.mspId().equals(org))
                    .map(NetworkDescription.Node::name).toList();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("mspid", org);
            entry.put("peers", peerNames);
            organizations.put(orgName(org), entry);
        }
        profile.put("organizations", organizations);
        Map<String, Object> orderers = new LinkedHashMap<>();
        for (NetworkDescription.Node orderer : network.orderers()) {
            orderers.put(orderer.name(), node(orderer));
        }
        profile.put("orderers", orderers);
        Map<String, Object> peers = new LinkedHashMap<>();
        for (NetworkDescription.Node peer : network.peers()) {
            peers.put(peer.name(), node(peer));
        }
        profile.put("peers", peers);
        Map<String, Object> channels = new LinkedHashMap<>();
        for (String channel : network.channels()) {
            Map<String, Object> channelPeers = new LinkedHashMap<>();
            for (NetworkDescription.Node peer : network.peers()) {
                Map<String, Object> roles = new LinkedHashMap<>();
                roles.put("endorsingPeer", true);
                roles.put("chaincodeQuery", true);
                roles.put("ledgerQuery", true);
                roles.put("eventSource", true);
                channelPeers.put(peer.name(), roles);
            }
            Map<String, Object> c = new LinkedHashMap<>();
            // A list per channel: a list shared between channels would be written as a YAML alias.
            c.put("orderers", network.orderers().stream().map(NetworkDescription.Node::name).toList());
            c.put("peers", channelPeers);
            channels.put(channel, c);
        }
        profile.put("channels", channels);
        return profile;
    }

    private static Map<String, Object> node(NetworkDescription.Node node) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("url", "grpcs://" + node.endpoint());
        entry.put("tlsCACerts", Map.of("pem", pem(node.tlsRootCertificate())));
        Map<String, Object> grpc = new LinkedHashMap<>();
        grpc.put("ssl-target-name-override", node.name());
        grpc.put("hostnameOverride", node.name());
        entry.put("grpcOptions", grpc);
        return entry;
    }

    /** {@code Org1MSP} → {@code Org1}, as the test network names organisations in profiles. */
    private static String orgName(String mspId) {
        return mspId.endsWith("MSP") && mspId.length() > 3 ? mspId.substring(0, mspId.length() - 3) : mspId;
    }

    private static String pem(X509Certificate certificate) {
        return Credentials.toPem(certificate);
    }

    private static String commonName(X509Certificate certificate) {
        for (String part : certificate.getSubjectX500Principal().getName().split(",")) {
            if (part.startsWith("CN=")) {
                return part.substring(3);
            }
        }
        return "cert";
    }

    private static void writeFile(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
