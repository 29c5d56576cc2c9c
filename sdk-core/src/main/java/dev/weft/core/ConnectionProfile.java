package dev.weft.core;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A Fabric common connection profile (the {@code connection-org1.yaml} / {@code .json} that
 * Fabric's test network and Fabric CA tooling write): organisations with their MSP ids and peers,
 * peers and orderers with URL, TLS CA certificates and gRPC options, certificate authorities, and
 * channels.
 *
 * <p>Both YAML and JSON are read. {@code tlsCACerts} may be given inline ({@code pem}: one string
 * or a list) or as a file ({@code path}, relative to the profile's directory). Of the gRPC
 * options, {@code ssl-target-name-override} (or {@code hostnameOverride}), the
 * {@code grpc.keepalive_*} settings and {@code grpc.max_receive_message_length} are applied;
 * unknown options are kept for other tools and ignored. Every error is a
 * {@link ConnectionProfileException} naming the file, the field and what was expected.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * ConnectionProfile profile = ConnectionProfile.load(Path.of("connection-org1.yaml"));
 * for (ConnectionProfile.Node peer : profile.peersOf("Org1MSP")) {
 *     ManagedChannel channel = GrpcChannels.create(peer.endpoint());
 * }
 * }</pre>
 */
public final class ConnectionProfile {
    /** An organisation: its MSP id and the names of its peers and certificate authorities. */
    public record Organization(String name, String mspId, List<String> peers, List<String> certificateAuthorities) {
    }

    /** A peer or orderer. {@link #endpoint()} is ready to pass to {@link GrpcChannels#create}. */
    public record Node(String name, String url, EndpointConfig endpoint, Map<String, Object> grpcOptions) {
        public String target() {
            return endpoint.target();
        }
    }

    /** A Fabric CA. */
    public record CertificateAuthority(String name, String url, Optional<String> caName,
            List<X509Certificate> tlsCaCertificates, boolean verifyTls) {
    }

    /** What a peer does for a channel; each role defaults to true as in Fabric's profiles. */
    public record PeerRoles(boolean endorsingPeer, boolean chaincodeQuery, boolean ledgerQuery, boolean eventSource) {
    }

    /** A channel: its orderers and the roles of its peers. */
    public record ChannelInfo(String name, List<String> orderers, Map<String, PeerRoles> peers) {
    }

    private final String source;
    private final String name;
    private final String version;
    private final String clientOrganization;
    private final Map<String, Duration> clientTimeouts;
    private final Map<String, Organization> organizations;
    private final Map<String, Node> peers;
    private final Map<String, Node> orderers;
    private final Map<String, CertificateAuthority> certificateAuthorities;
    private final Map<String, ChannelInfo> channels;

    private ConnectionProfile(Reader r) {
        this.source = r.source;
        this.name = r.name;
        this.version = r.version;
        this.clientOrganization = r.clientOrganization;
        this.clientTimeouts = Map.copyOf(r.clientTimeouts);
        this.organizations = unmodifiable(r.organizations);
        this.peers = unmodifiable(r.peers);
        this.orderers = unmodifiable(r.orderers);
        this.certificateAuthorities = unmodifiable(r.cas);
        this.channels = unmodifiable(r.channels);
    }

    private static <V> Map<String, V> unmodifiable(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /**
     * Reads a profile file (YAML or JSON).
     *
     * @throws ConnectionProfileException if the file is missing, unreadable or malformed
     */
    public static ConnectionProfile load(Path file) {
        Objects.requireNonNull(file, "file");
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConnectionProfileException(file.toString(), "", "file does not exist", e);
        } catch (MalformedInputException e) {
            throw new ConnectionProfileException(file.toString(), "", "is not UTF-8 text; a connection profile is "
                    + "YAML or JSON", e);
        } catch (IOException e) {
            throw new ConnectionProfileException(file.toString(), "", "cannot be read: " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(content, file.toString(), dir == null ? Path.of(".") : dir);
    }

    /**
     * Reads a profile from text.
     *
     * @param source a name for error messages (usually the file name)
     * @param baseDirectory the directory that relative {@code path} entries are resolved against
     * @throws ConnectionProfileException if the text is malformed
     */
    public static ConnectionProfile parse(String content, String source, Path baseDirectory) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Object root = load(content, source);
        return new ConnectionProfile(new Reader(source, baseDirectory, root));
    }

    private static Object load(String content, String source) {
        String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
        String trimmed = text.stripLeading();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            text = jsonForYaml(text);
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            throw new ConnectionProfileException(source, "", "not valid YAML or JSON at line " + (mark.getLine() + 1)
                    + ", column " + (mark.getColumn() + 1) + ": " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new ConnectionProfileException(source, "", "not valid YAML or JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Rewrites the two things valid JSON may contain that YAML's parser rejects: tabs between
     * tokens, and the escape {@code \/} inside strings (written by some JSON libraries for every '/',
     * so common in base64 certificates). Everything else is left byte for byte.
     */
    private static String jsonForYaml(String json) {
        StringBuilder out = new StringBuilder(json.length());
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\' && i + 1 < json.length()) {
                    char next = json.charAt(++i);
                    if (next == '/') {
                        out.append('/');
                    } else {
                        out.append(c).append(next);
                    }
                    continue;
                }
                if (c == '"') {
                    inString = false;
                }
                out.append(c);
            } else {
                if (c == '"') {
                    inString = true;
                }
                out.append(c == '\t' ? ' ' : c);
            }
        }
        return out.toString();
    }

    /** Where the profile was read from. */
    public String source() {
        return source;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** The organisation of the application using this profile ({@code client.organization}). */
    public Optional<Organization> clientOrganization() {
        return Optional.ofNullable(clientOrganization).map(organizations::get);
    }

    /**
     * Timeouts from {@code client.connection.timeout}, by dotted key ({@code peer.endorser},
     * {@code orderer}, ...). Values in the profile are seconds, as Fabric's profiles write them.
     */
    public Map<String, Duration> clientTimeouts() {
        return clientTimeouts;
    }

    public Map<String, Organization> organizations() {
        return organizations;
    }

    public Map<String, Node> peers() {
        return peers;
    }

    public Map<String, Node> orderers() {
        return orderers;
    }

    public Map<String, CertificateAuthority> certificateAuthorities() {
        return certificateAuthorities;
    }

    public Map<String, ChannelInfo> channels() {
        return channels;
    }

    /** The organisation with an MSP id. */
    public Optional<Organization> organizationByMspId(String mspId) {
        return organizations.values().stream().filter(o -> o.mspId().equals(mspId)).findFirst();
    }

    /** The peers of the organisation with an MSP id (empty if there is no such organisation). */
    public List<Node> peersOf(String mspId) {
        return organizationByMspId(mspId).map(o -> o.peers().stream().map(peers::get).toList()).orElse(List.of());
    }

    /** The MSP id of the organisation that lists a peer, if any. */
    public Optional<String> mspIdOfPeer(String peerName) {
        return organizations.values().stream().filter(o -> o.peers().contains(peerName))
                .map(Organization::mspId).findFirst();
    }

    /** Walks the parsed YAML tree, converting and checking each field with a precise error. */
    private static final class Reader {
        final String source;
        final Path baseDirectory;
        String name = "";
        String version = "";
        String clientOrganization;
        final Map<String, Duration> clientTimeouts = new LinkedHashMap<>();
        final Map<String, Organization> organizations = new LinkedHashMap<>();
        final Map<String, Node> peers = new LinkedHashMap<>();
        final Map<String, Node> orderers = new LinkedHashMap<>();
        final Map<String, CertificateAuthority> cas = new LinkedHashMap<>();
        final Map<String, ChannelInfo> channels = new LinkedHashMap<>();

        Reader(String source, Path baseDirectory, Object root) {
            this.source = source;
            this.baseDirectory = baseDirectory;
            if (root == null) {
                throw error("", "the profile is empty; expected a mapping with organizations, peers, ...");
            }
            Map<String, Object> top = mapping(root, "", "a mapping at the top level (name, organizations, peers, ...)");
            name = optionalString(top, "name", "");
            version = scalarText(top.get("version"), "version", "");
            for (var e : optionalMapping(top, "peers", "").entrySet()) {
                peers.put(e.getKey(), node(e.getKey(), e.getValue(), path("peers", e.getKey())));
            }
            for (var e : optionalMapping(top, "orderers", "").entrySet()) {
                orderers.put(e.getKey(), node(e.getKey(), e.getValue(), path("orderers", e.getKey())));
            }
            for (var e : optionalMapping(top, "certificateAuthorities", "").entrySet()) {
                cas.put(e.getKey(), ca(e.getKey(), e.getValue(), path("certificateAuthorities", e.getKey())));
            }
            for (var e : optionalMapping(top, "organizations", "").entrySet()) {
                organizations.put(e.getKey(), organization(e.getKey(), e.getValue(), path("organizations", e.getKey())));
            }
            for (var e : optionalMapping(top, "channels", "").entrySet()) {
                channels.put(e.getKey(), channel(e.getKey(), e.getValue(), path("channels", e.getKey())));
            }
            if (organizations.isEmpty() && !peers.isEmpty()) {
                throw error("organizations", "missing; every peer must belong to an organization with an mspid");
            }
            client(top.get("client"));
        }

        private void client(Object value) {
            if (value == null) {
                return;
            }
            Map<String, Object> client = mapping(value, "client", "a mapping with 'organization'");
            Object org = client.get("organization");
            if (org != null) {
                clientOrganization = string(org, "client.organization");
                if (!organizations.containsKey(clientOrganization)) {
                    throw error("client.organization", "organization '" + clientOrganization
                            + "' is not defined under organizations (defined: " + organizations.keySet() + ")");
                }
            }
            Object connection = client.get("connection");
            if (connection != null) {
                Object timeout = mapping(connection, "client.connection", "a mapping").get("timeout");
                if (timeout != null) {
                    timeouts(mapping(timeout, "client.connection.timeout", "a mapping"), "");
                }
            }
        }

        private void timeouts(Map<String, Object> map, String prefix) {
            for (var e : map.entrySet()) {
                String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                if (e.getValue() instanceof Map) {
                    timeouts(mapping(e.getValue(), "client.connection.timeout." + key, "a mapping"), key);
                } else {
                    String field = "client.connection.timeout." + key;
                    double seconds = number(e.getValue(), field, "a number of seconds");
                    if (!(seconds >= 0.001) || Double.isInfinite(seconds)) {
                        throw error(field, "must be a number of seconds of at least 0.001, got " + e.getValue());
                    }
                    clientTimeouts.put(key, Duration.ofMillis((long) (seconds * 1000)));
                }
            }
        }

        private Organization organization(String orgName, Object value, String path) {
            Map<String, Object> org = mapping(value, path, "a mapping with mspid and peers");
            Object mspId = org.get("mspid");
            if (mspId == null) {
                throw error(path + ".mspid", "missing; expected the organization's MSP id, e.g. Org1MSP");
            }
            String msp = string(mspId, path + ".mspid");
            if (msp.isBlank()) {
                throw error(path + ".mspid", "must not be empty");
            }
            List<String> orgPeers = names(org.get("peers"), path + ".peers", peers, "peers");
            List<String> orgCas = names(org.get("certificateAuthorities"), path + ".certificateAuthorities", cas,
                    "certificateAuthorities");
            return new Organization(orgName, msp, orgPeers, orgCas);
        }

        private List<String> names(Object value, String path, Map<String, ?> defined, String section) {
            if (value == null) {
                return List.of();
            }
            List<String> result = new ArrayList<>();
            int i = 0;
            for (Object item : list(value, path, "a list of names defined under " + section)) {
                String itemPath = path + "[" + i++ + "]";
                String n = string(item, itemPath);
                if (!defined.containsKey(n)) {
                    throw error(itemPath, "'" + n + "' is not defined under " + section + (defined.isEmpty()
                            ? ", and the profile lists no " + section + ": add a '" + section + "' section"
                                    + ("peers".equals(section) ? " with each peer's url and tlsCACerts" : "")
                            : " (defined: " + defined.keySet() + ")"));
                }
                result.add(n);
            }
            return List.copyOf(result);
        }

        private Node node(String nodeName, Object value, String path) {
            Map<String, Object> node = mapping(value, path, "a mapping with url and tlsCACerts");
            Object urlValue = node.get("url");
            if (urlValue == null) {
                throw error(path + ".url", "missing; expected grpcs://host:port or grpc://host:port");
            }
            String url = string(urlValue, path + ".url");
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw error(path + ".url", "'" + url + "' is not a URL; expected grpcs://host:port or grpc://host:port");
            }
            boolean tls;
            if ("grpcs".equals(uri.getScheme())) {
                tls = true;
            } else if ("grpc".equals(uri.getScheme())) {
                tls = false;
            } else {
                throw error(path + ".url", "'" + url + "' must start with grpcs:// (TLS) or grpc:// (plaintext)");
            }
            String authority = uri.getRawAuthority();
            if (authority == null || authority.lastIndexOf(':') <= 0 || authority.contains("@")
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))) {
                throw error(path + ".url", "'" + url + "' must be a host and a port only, e.g. grpcs://localhost:7051");
            }
            EndpointConfig.Builder endpoint;
            try {
                endpoint = EndpointConfig.builder(authority);
            } catch (IllegalArgumentException e) {
                throw error(path + ".url", e.getMessage());
            }
            List<X509Certificate> tlsCerts = tlsCaCerts(node.get("tlsCACerts"), path + ".tlsCACerts");
            if (tls) {
                if (tlsCerts.isEmpty()) {
                    throw error(path + ".tlsCACerts", "missing; a grpcs:// url needs the TLS CA certificate "
                            + "(tlsCACerts.pem or tlsCACerts.path)");
                }
                endpoint.tls(tlsCerts);
            } else {
                endpoint.plaintext();
            }
            Map<String, Object> options = optionalMapping(node, "grpcOptions", path);
            applyGrpcOptions(endpoint, options, path + ".grpcOptions");
            return new Node(nodeName, url, endpoint.build(), unmodifiable(options));
        }

        private void applyGrpcOptions(EndpointConfig.Builder endpoint, Map<String, Object> options, String path) {
            String override = null;
            for (String key : List.of("ssl-target-name-override", "hostnameOverride")) {
                Object v = options.get(key);
                if (v != null) {
                    String s = string(v, path(path, key));
                    if (!s.isBlank()) {
                        override = override == null ? s : override;
                    }
                }
            }
            if (override != null) {
                endpoint.authorityOverride(override);
            }
            Long keepAliveMs = milliseconds(options, "grpc.keepalive_time_ms", path);
            if (keepAliveMs != null) {
                endpoint.keepAliveTime(Duration.ofMillis(keepAliveMs));
            }
            Long keepAliveTimeoutMs = milliseconds(options, "grpc.keepalive_timeout_ms", path);
            if (keepAliveTimeoutMs != null) {
                endpoint.keepAliveTimeout(Duration.ofMillis(keepAliveTimeoutMs));
            }
            String permitKey = "grpc.keepalive_permit_without_calls";
            Object permit = options.get(permitKey);
            if (permit != null) {
                // grpc-js (the Node SDK) writes this option as 0 or 1.
                endpoint.keepAliveWithoutCalls(permit instanceof Integer i && (i == 0 || i == 1)
                        ? i == 1 : bool(permit, path(path, permitKey)));
            }
            for (String key : List.of("grpc.max_receive_message_length", "grpc-max-receive-message-length")) {
                Object v = options.get(key);
                if (v != null) {
                    // -1 means "unlimited" in grpc-js and fabric-sdk-node.
                    double max = number(v, path(path, key), "a number of bytes (or -1 for no limit)");
                    if (max == -1 || max >= Integer.MAX_VALUE) {
                        endpoint.maxInboundMessageSize(Integer.MAX_VALUE);
                    } else if (max >= 1 && max == Math.rint(max)) {
                        endpoint.maxInboundMessageSize((int) max);
                    } else {
                        throw error(path(path, key), "must be a positive whole number of bytes or -1, got " + v);
                    }
                }
            }
            Long requestTimeout = milliseconds(options, "request-timeout", path);
            if (requestTimeout != null) {
                endpoint.defaultDeadline(Duration.ofMillis(requestTimeout));
            }
        }

        /** A positive whole number of milliseconds, or null when the option is absent. */
        private Long milliseconds(Map<String, Object> map, String key, String path) {
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            String field = path(path, key);
            double d = number(v, field, "a positive number of milliseconds");
            if (!(d >= 1) || Double.isInfinite(d) || d != Math.rint(d)) {
                throw error(field, "must be a positive whole number of milliseconds, got " + v);
            }
            return (long) d;
        }

        private CertificateAuthority ca(String caName, Object value, String path) {
            Map<String, Object> ca = mapping(value, path, "a mapping with url");
            Object urlValue = ca.get("url");
            if (urlValue == null) {
                throw error(path + ".url", "missing; expected https://host:port");
            }
            String url = string(urlValue, path + ".url");
            if (!url.startsWith("https://") && !url.startsWith("http://")) {
                throw error(path + ".url", "'" + url + "' must start with https:// or http://");
            }
            Optional<String> name = Optional.ofNullable(ca.get("caName")).map(v -> string(v, path + ".caName"));
            List<X509Certificate> tlsCerts = tlsCaCerts(ca.get("tlsCACerts"), path + ".tlsCACerts");
            boolean verify = true;
            Object http = ca.get("httpOptions");
            if (http != null) {
                Object v = mapping(http, path + ".httpOptions", "a mapping").get("verify");
                if (v != null) {
                    verify = bool(v, path + ".httpOptions.verify");
                }
            }
            return new CertificateAuthority(caName, url, name, tlsCerts, verify);
        }

        private ChannelInfo channel(String channelName, Object value, String path) {
            if (value == null) {
                return new ChannelInfo(channelName, List.of(), Map.of());
            }
            Map<String, Object> channel = mapping(value, path, "a mapping with orderers and peers");
            List<String> channelOrderers = names(channel.get("orderers"), path + ".orderers", orderers, "orderers");
            Map<String, PeerRoles> roles = new LinkedHashMap<>();
            Object peerValue = channel.get("peers");
            if (peerValue != null) {
                for (var e : mapping(peerValue, path + ".peers", "a mapping of peer names to roles").entrySet()) {
                    String peerPath = path(path + ".peers", e.getKey());
                    if (!peers.containsKey(e.getKey())) {
                        throw error(peerPath, "'" + e.getKey() + "' is not defined under peers" + (peers.isEmpty()
                                ? ", and the profile lists no peers: add a 'peers' section with each peer's url and "
                                        + "tlsCACerts"
                                : " (defined: " + peers.keySet() + ")"));
                    }
                    Map<String, Object> r = e.getValue() == null ? Map.of()
                            : mapping(e.getValue(), peerPath, "a mapping of roles (endorsingPeer, chaincodeQuery, ...)");
                    roles.put(e.getKey(), new PeerRoles(role(r, "endorsingPeer", peerPath), role(r, "chaincodeQuery", peerPath),
                            role(r, "ledgerQuery", peerPath), role(r, "eventSource", peerPath)));
                }
            }
            return new ChannelInfo(channelName, channelOrderers, unmodifiable(roles));
        }

        private boolean role(Map<String, Object> roles, String key, String path) {
            Object v = roles.get(key);
            return v == null || bool(v, path + "." + key);
        }

        private List<X509Certificate> tlsCaCerts(Object value, String path) {
            if (value == null) {
                return List.of();
            }
            Map<String, Object> tls = mapping(value, path, "a mapping with pem or path");
            Object pem = tls.get("pem");
            Object file = tls.get("path");
            if (pem != null && file != null) {
                throw error(path, "has both pem and path; give one of them");
            }
            if (pem == null && file == null) {
                throw error(path, "needs pem (the certificate text) or path (a PEM file)");
            }
            List<X509Certificate> certs = new ArrayList<>();
            if (pem != null) {
                List<Object> pems = pem instanceof List<?> l ? new ArrayList<>(l) : List.of(pem);
                if (pems.isEmpty()) {
                    throw error(path + ".pem", "is an empty list; expected at least one PEM certificate");
                }
                int i = 0;
                for (Object p : pems) {
                    String field = pem instanceof List ? path + ".pem[" + i++ + "]" : path + ".pem";
                    certs.addAll(certificates(string(p, field), field));
                }
            } else {
                String field = path + ".path";
                Path certFile = baseDirectory.resolve(string(file, field));
                List<X509Certificate> read;
                try {
                    read = Credentials.readCertificates(certFile);
                } catch (CredentialException e) {
                    throw error(field, "file " + e.getMessage());
                }
                if (read.isEmpty()) {
                    throw error(field, "file " + certFile + " holds no PEM certificate");
                }
                certs.addAll(read);
            }
            return List.copyOf(certs);
        }

        private List<X509Certificate> certificates(String pem, String field) {
            List<X509Certificate> certs;
            try {
                certs = Credentials.readCertificates(pem);
            } catch (CredentialException e) {
                throw error(field, "expected PEM certificate(s): " + e.getMessage());
            }
            if (certs.isEmpty()) {
                throw error(field, "holds no -----BEGIN CERTIFICATE----- block");
            }
            return certs;
        }

        private Map<String, Object> optionalMapping(Map<String, Object> parent, String key, String parentPath) {
            Object value = parent.get(key);
            String path = parentPath.isEmpty() ? key : parentPath + "." + key;
            return value == null ? Map.of() : mapping(value, path, "a mapping");
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> mapping(Object value, String path, String expected) {
            if (!(value instanceof Map<?, ?> map)) {
                throw error(path, "expected " + expected + ", found " + describe(value));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            for (var e : map.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw error(path, "has a non-text key '" + e.getKey() + "'");
                }
                result.put((String) e.getKey(), e.getValue());
            }
            return result;
        }

        private List<?> list(Object value, String path, String expected) {
            if (!(value instanceof List<?> l)) {
                throw error(path, "expected " + expected + ", found " + describe(value));
            }
            return l;
        }

        private String string(Object value, String path) {
            if (!(value instanceof String s)) {
                throw error(path, "expected text, found " + describe(value));
            }
            return s;
        }

        private String optionalString(Map<String, Object> map, String key, String fallback) {
            Object v = map.get(key);
            return v == null ? fallback : string(v, key);
        }

        /** Text fields that YAML may have typed as numbers, like {@code version: 1.0}. */
        private String scalarText(Object value, String path, String fallback) {
            if (value == null) {
                return fallback;
            }
            if (value instanceof String || value instanceof Number) {
                return value.toString();
            }
            throw error(path, "expected text, found " + describe(value));
        }

        private boolean bool(Object value, String path) {
            if (value instanceof Boolean b) {
                return b;
            }
            throw error(path, "expected true or false, found " + describe(value));
        }

        private double number(Object value, String path, String expected) {
            if (value instanceof Number n) {
                return n.doubleValue();
            }
            if (value instanceof String s) {
                try {
                    return Double.parseDouble(s.trim());
                } catch (NumberFormatException e) {
                    throw error(path, "expected " + expected + ", found '" + s + "'");
                }
            }
            throw error(path, "expected " + expected + ", found " + describe(value));
        }

        private static String describe(Object value) {
            if (value == null) {
                return "nothing";
            }
            if (value instanceof Map) {
                return "a mapping";
            }
            if (value instanceof List) {
                return "a list";
            }
            if (value instanceof String s) {
                return "text '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
            }
            return value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + value;
        }

        private static String path(String parent, String key) {
            return parent + (key.contains(".") ? "['" + key + "']" : "." + key);
        }

        private ConnectionProfileException error(String field, String problem) {
            return new ConnectionProfileException(source, field, problem);
        }
    }
}
