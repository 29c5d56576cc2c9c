package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConnectionProfile}: Fabric common connection profiles as fabric-samples' test network
 * writes them (ccp-template.yaml / .json), with the real TLS CA and CA certificates of a Fabric
 * 2.5.12 network, and the precise errors for malformed profiles.
 */
class ConnectionProfileTest {
    private static final String SOURCE = "connection-test.yaml";
    private static final Path BASE = Path.of(".");

    private static final String ORG1_TLSCA_PEM = Fixtures.text("crypto/org1-tlsca.pem");
    private static final String ORG2_TLSCA_PEM = Fixtures.text("crypto/org2-tlsca.pem");
    private static final String ORDERER_TLSCA_PEM = Fixtures.text("crypto/orderer-tlsca.pem");
    private static final String ORG1_CA_PEM = Fixtures.text("crypto/org1-ca.pem");
    private static final String ORG2_CA_PEM = Fixtures.text("crypto/org2-ca.pem");
    private static final String ORG1_USER1_KEY_PEM = Fixtures.text("crypto/org1-user1-key.pem");

    // Expected certificates are decoded with the JDK's own CertificateFactory, independently of Weft.
    private static final X509Certificate ORG1_TLSCA = x509(ORG1_TLSCA_PEM);
    private static final X509Certificate ORG2_TLSCA = x509(ORG2_TLSCA_PEM);
    private static final X509Certificate ORDERER_TLSCA = x509(ORDERER_TLSCA_PEM);
    private static final X509Certificate ORG1_CA = x509(ORG1_CA_PEM);
    private static final X509Certificate ORG2_CA = x509(ORG2_CA_PEM);

    private static final String PEER1 = "peer0.org1.example.com";
    private static final String PEER2 = "peer0.org2.example.com";
    private static final String ORDERER = "orderer.example.com";
    private static final String CA1 = "ca.org1.example.com";
    private static final String CA2 = "ca.org2.example.com";
    /** How the code renders a peer key that contains dots inside a field path. */
    private static final String PEER1_FIELD = "peers['peer0.org1.example.com']";

    private static X509Certificate x509(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every line of a PEM, indented for a YAML block scalar nested {@code spaces} deep, without a final newline. */
    private static String indent(String pem, int spaces) {
        String pad = " ".repeat(spaces);
        return pem.strip().lines().map(line -> pad + line).collect(Collectors.joining("\n"));
    }

    /** A PEM as the body of a JSON string, the way test-network's ccp-generate.sh escapes it. */
    private static String json(String pem) {
        return pem.replace("\n", "\\n");
    }

    /** Replaces each leading pair of spaces on every line by a tab. */
    private static String tabIndented(String text) {
        Matcher m = Pattern.compile("^((?:  )+)", Pattern.MULTILINE).matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, "\t".repeat(m.group(1).length() / 2));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static ConnectionProfile parse(String text) {
        return ConnectionProfile.parse(text, SOURCE, BASE);
    }

    // ---------------------------------------------------------------------------------------------
    // A realistic two-organisation profile
    // ---------------------------------------------------------------------------------------------

    private static String twoOrgYaml() {
        return """
                ---
                name: test-network
                version: 1.0.0
                client:
                  organization: Org1
                  connection:
                    timeout:
                      peer:
                        endorser: '300'
                      orderer: '300'
                organizations:
                  Org1:
                    mspid: Org1MSP
                    peers:
                    - peer0.org1.example.com
                    certificateAuthorities:
                    - ca.org1.example.com
                  Org2:
                    mspid: Org2MSP
                    peers:
                    - peer0.org2.example.com
                    certificateAuthorities:
                    - ca.org2.example.com
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    tlsCACerts:
                      pem: |
                %s
                    grpcOptions:
                      ssl-target-name-override: peer0.org1.example.com
                      hostnameOverride: peer0.org1.example.com
                  peer0.org2.example.com:
                    url: grpcs://localhost:9051
                    tlsCACerts:
                      pem: |
                %s
                    grpcOptions:
                      hostnameOverride: peer0.org2.example.com
                orderers:
                  orderer.example.com:
                    url: grpcs://localhost:7050
                    tlsCACerts:
                      pem: |
                %s
                    grpcOptions:
                      ssl-target-name-override: orderer.example.com
                certificateAuthorities:
                  ca.org1.example.com:
                    url: https://localhost:7054
                    caName: ca-org1
                    tlsCACerts:
                      pem:
                        - |
                %s
                    httpOptions:
                      verify: false
                  ca.org2.example.com:
                    url: https://localhost:8054
                    tlsCACerts:
                      pem: |
                %s
                channels:
                  mychannel:
                    orderers:
                    - orderer.example.com
                    peers:
                      peer0.org1.example.com:
                        endorsingPeer: true
                        chaincodeQuery: true
                        ledgerQuery: true
                        eventSource: true
                      peer0.org2.example.com:
                        endorsingPeer: true
                        chaincodeQuery: false
                        eventSource: false
                """.formatted(indent(ORG1_TLSCA_PEM, 10), indent(ORG2_TLSCA_PEM, 10), indent(ORDERER_TLSCA_PEM, 10),
                indent(ORG1_CA_PEM, 10), indent(ORG2_CA_PEM, 10));
    }

    /** The same profile as {@link #twoOrgYaml()}, in JSON indented with tabs. */
    private static String twoOrgJson() {
        return tabIndented("""
                {
                  "name": "test-network",
                  "version": "1.0.0",
                  "client": {
                    "organization": "Org1",
                    "connection": {
                      "timeout": {
                        "peer": {
                          "endorser": "300"
                        },
                        "orderer": "300"
                      }
                    }
                  },
                  "organizations": {
                    "Org1": {
                      "mspid": "Org1MSP",
                      "peers": [
                        "peer0.org1.example.com"
                      ],
                      "certificateAuthorities": [
                        "ca.org1.example.com"
                      ]
                    },
                    "Org2": {
                      "mspid": "Org2MSP",
                      "peers": [
                        "peer0.org2.example.com"
                      ],
                      "certificateAuthorities": [
                        "ca.org2.example.com"
                      ]
                    }
                  },
                  "peers": {
                    "peer0.org1.example.com": {
                      "url": "grpcs://localhost:7051",
                      "tlsCACerts": {
                        "pem": "%s"
                      },
                      "grpcOptions": {
                        "ssl-target-name-override": "peer0.org1.example.com",
                        "hostnameOverride": "peer0.org1.example.com"
                      }
                    },
                    "peer0.org2.example.com": {
                      "url": "grpcs://localhost:9051",
                      "tlsCACerts": {
                        "pem": "%s"
                      },
                      "grpcOptions": {
                        "hostnameOverride": "peer0.org2.example.com"
                      }
                    }
                  },
                  "orderers": {
                    "orderer.example.com": {
                      "url": "grpcs://localhost:7050",
                      "tlsCACerts": {
                        "pem": "%s"
                      },
                      "grpcOptions": {
                        "ssl-target-name-override": "orderer.example.com"
                      }
                    }
                  },
                  "certificateAuthorities": {
                    "ca.org1.example.com": {
                      "url": "https://localhost:7054",
                      "caName": "ca-org1",
                      "tlsCACerts": {
                        "pem": ["%s"]
                      },
                      "httpOptions": {
                        "verify": false
                      }
                    },
                    "ca.org2.example.com": {
                      "url": "https://localhost:8054",
                      "tlsCACerts": {
                        "pem": "%s"
                      }
                    }
                  },
                  "channels": {
                    "mychannel": {
                      "orderers": ["orderer.example.com"],
                      "peers": {
                        "peer0.org1.example.com": {
                          "endorsingPeer": true,
                          "chaincodeQuery": true,
                          "ledgerQuery": true,
                          "eventSource": true
                        },
                        "peer0.org2.example.com": {
                          "endorsingPeer": true,
                          "chaincodeQuery": false,
                          "eventSource": false
                        }
                      }
                    }
                  }
                }
                """.formatted(json(ORG1_TLSCA_PEM), json(ORG2_TLSCA_PEM), json(ORDERER_TLSCA_PEM), json(ORG1_CA_PEM),
                json(ORG2_CA_PEM)));
    }

    /** Everything {@link #twoOrgYaml()} and {@link #twoOrgJson()} say, checked field by field. */
    private static void assertTwoOrgProfile(ConnectionProfile p) {
        assertEquals("test-network", p.name());
        assertEquals("1.0.0", p.version());

        // organisations
        assertEquals(List.of("Org1", "Org2"), List.copyOf(p.organizations().keySet()));
        assertEquals(new ConnectionProfile.Organization("Org1", "Org1MSP", List.of(PEER1), List.of(CA1)),
                p.organizations().get("Org1"));
        assertEquals(new ConnectionProfile.Organization("Org2", "Org2MSP", List.of(PEER2), List.of(CA2)),
                p.organizations().get("Org2"));
        assertEquals("Org2", p.organizationByMspId("Org2MSP").orElseThrow().name());
        assertEquals(Optional.empty(), p.organizationByMspId("Org3MSP"));

        // peers by MSP id
        List<ConnectionProfile.Node> org1Peers = p.peersOf("Org1MSP");
        assertEquals(1, org1Peers.size());
        ConnectionProfile.Node peer1 = org1Peers.get(0);
        assertEquals(PEER1, peer1.name());
        assertEquals("grpcs://localhost:7051", peer1.url());
        assertEquals("localhost:7051", peer1.target());
        assertEquals("localhost", peer1.endpoint().host());
        assertEquals(7051, peer1.endpoint().port());
        assertTrue(peer1.endpoint().tls());
        assertEquals(List.of(ORG1_TLSCA), peer1.endpoint().trustedCertificates());
        assertEquals(Optional.of(PEER1), peer1.endpoint().authorityOverride());
        assertEquals(PEER1, peer1.grpcOptions().get("ssl-target-name-override"));
        assertEquals(List.of(), peer1.endpoint().clientCertificateChain());

        List<ConnectionProfile.Node> org2Peers = p.peersOf("Org2MSP");
        assertEquals(List.of(PEER2), org2Peers.stream().map(ConnectionProfile.Node::name).toList());
        ConnectionProfile.Node peer2 = org2Peers.get(0);
        assertEquals("localhost:9051", peer2.target());
        assertTrue(peer2.endpoint().tls());
        assertEquals(List.of(ORG2_TLSCA), peer2.endpoint().trustedCertificates());
        // only hostnameOverride is given for this peer
        assertEquals(Optional.of(PEER2), peer2.endpoint().authorityOverride());
        assertEquals(List.of(), p.peersOf("Org3MSP"));
        assertEquals(List.of(PEER1, PEER2), List.copyOf(p.peers().keySet()));

        // orderer
        assertEquals(List.of(ORDERER), List.copyOf(p.orderers().keySet()));
        ConnectionProfile.Node orderer = p.orderers().get(ORDERER);
        assertEquals("localhost:7050", orderer.target());
        assertTrue(orderer.endpoint().tls());
        assertEquals(List.of(ORDERER_TLSCA), orderer.endpoint().trustedCertificates());
        assertEquals(Optional.of(ORDERER), orderer.endpoint().authorityOverride());

        // client section
        assertEquals("Org1MSP", p.clientOrganization().orElseThrow().mspId());
        assertEquals(Map.of("peer.endorser", Duration.ofSeconds(300), "orderer", Duration.ofSeconds(300)),
                p.clientTimeouts());

        // certificate authorities
        ConnectionProfile.CertificateAuthority ca1 = p.certificateAuthorities().get(CA1);
        assertEquals(CA1, ca1.name());
        assertEquals("https://localhost:7054", ca1.url());
        assertEquals(Optional.of("ca-org1"), ca1.caName());
        assertFalse(ca1.verifyTls());
        assertEquals(List.of(ORG1_CA), ca1.tlsCaCertificates());
        ConnectionProfile.CertificateAuthority ca2 = p.certificateAuthorities().get(CA2);
        assertEquals("https://localhost:8054", ca2.url());
        assertEquals(Optional.empty(), ca2.caName());
        assertTrue(ca2.verifyTls(), "httpOptions.verify defaults to true");
        assertEquals(List.of(ORG2_CA), ca2.tlsCaCertificates());

        // channel
        assertEquals(List.of("mychannel"), List.copyOf(p.channels().keySet()));
        ConnectionProfile.ChannelInfo channel = p.channels().get("mychannel");
        assertEquals("mychannel", channel.name());
        assertEquals(List.of(ORDERER), channel.orderers());
        assertEquals(new ConnectionProfile.PeerRoles(true, true, true, true), channel.peers().get(PEER1));
        // ledgerQuery is not given and defaults to true
        assertEquals(new ConnectionProfile.PeerRoles(true, false, true, false), channel.peers().get(PEER2));

        // MSP of a peer
        assertEquals(Optional.of("Org1MSP"), p.mspIdOfPeer(PEER1));
        assertEquals(Optional.of("Org2MSP"), p.mspIdOfPeer(PEER2));
        assertEquals(Optional.empty(), p.mspIdOfPeer(ORDERER));
    }

    @Test
    void parse_twoOrgYamlWithInlinePem_readsEveryField() {
        ConnectionProfile p = parse(twoOrgYaml());

        assertTwoOrgProfile(p);
        assertEquals(SOURCE, p.source());
    }

    @Test
    void parse_twoOrgJsonWithTabIndentation_readsSameValuesAsYaml() {
        String json = twoOrgJson();
        assertTrue(json.contains("\n\t\t\"peer0.org1.example.com\": {"), "the JSON under test is tab-indented");
        assertFalse(json.contains("\n "), "no line of the JSON under test starts with a space");

        ConnectionProfile fromJson = ConnectionProfile.parse(json, "connection-test.json", BASE);
        ConnectionProfile fromYaml = parse(twoOrgYaml());

        assertTwoOrgProfile(fromJson);
        assertEquals(fromYaml.organizations(), fromJson.organizations());
        assertEquals(fromYaml.certificateAuthorities(), fromJson.certificateAuthorities());
        assertEquals(fromYaml.channels(), fromJson.channels());
        assertEquals(fromYaml.clientTimeouts(), fromJson.clientTimeouts());
        for (String name : List.of(PEER1, PEER2)) {
            assertEquals(fromYaml.peers().get(name).grpcOptions(), fromJson.peers().get(name).grpcOptions());
            assertEquals(fromYaml.peers().get(name).endpoint().toString(), fromJson.peers().get(name).endpoint().toString());
        }
    }

    @Test
    void parse_twoOrgProfile_collectionsAreUnmodifiable() {
        ConnectionProfile p = parse(twoOrgYaml());

        assertThrows(UnsupportedOperationException.class, () -> p.peers().remove(PEER1));
        assertThrows(UnsupportedOperationException.class, () -> p.organizations().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.channels().get("mychannel").peers().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.clientTimeouts().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.peers().get(PEER1).grpcOptions().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.organizations().get("Org1").peers().clear());
    }

    @Test
    void parse_channelPeerWithoutRoles_allRolesDefaultToTrue() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1:
                    mspid: Org1MSP
                    peers: [peer0.org1.example.com]
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                channels:
                  mychannel:
                    peers:
                      peer0.org1.example.com:
                """);

        ConnectionProfile.ChannelInfo channel = p.channels().get("mychannel");
        assertEquals(new ConnectionProfile.PeerRoles(true, true, true, true), channel.peers().get(PEER1));
        assertEquals(List.of(), channel.orderers());
        assertEquals(Optional.empty(), p.clientOrganization());
        assertEquals(Map.of(), p.clientTimeouts());
    }

    // ---------------------------------------------------------------------------------------------
    // tlsCACerts.path
    // ---------------------------------------------------------------------------------------------

    @Test
    void load_tlsCACertsPathRelativeToProfileDirectory_readsCertificateFiles(@TempDir Path dir) throws IOException {
        Path profileDir = Files.createDirectories(dir.resolve("profiles/org1"));
        Files.createDirectories(profileDir.resolve("tls"));
        Files.writeString(profileDir.resolve("tls/org1-tlsca.pem"), ORG1_TLSCA_PEM);
        Files.writeString(profileDir.resolve("tls/ca-bundle.pem"), ORG1_CA_PEM + ORG2_CA_PEM);
        Files.writeString(dir.resolve("profiles/orderer-tlsca.pem"), ORDERER_TLSCA_PEM);
        Path profile = profileDir.resolve("connection-org1.yaml");
        Files.writeString(profile, """
                name: test-network-org1
                organizations:
                  Org1:
                    mspid: Org1MSP
                    peers: [peer0.org1.example.com]
                    certificateAuthorities: [ca.org1.example.com]
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    tlsCACerts:
                      path: tls/org1-tlsca.pem
                orderers:
                  orderer.example.com:
                    url: grpcs://localhost:7050
                    tlsCACerts:
                      path: ../orderer-tlsca.pem
                certificateAuthorities:
                  ca.org1.example.com:
                    url: https://localhost:7054
                    tlsCACerts:
                      path: tls/ca-bundle.pem
                """);

        ConnectionProfile p = ConnectionProfile.load(profile);

        assertEquals(profile.toString(), p.source());
        ConnectionProfile.Node peer = p.peers().get(PEER1);
        assertTrue(peer.endpoint().tls());
        assertEquals(List.of(ORG1_TLSCA), peer.endpoint().trustedCertificates());
        assertEquals(List.of(ORDERER_TLSCA), p.orderers().get(ORDERER).endpoint().trustedCertificates());
        assertEquals(List.of(ORG1_CA, ORG2_CA), p.certificateAuthorities().get(CA1).tlsCaCertificates(),
                "a bundle file yields every certificate in order");
    }

    @Test
    void parse_tlsCACertsPath_resolvedAgainstGivenBaseDirectoryOrAbsolute(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("org1-tlsca.pem"), ORG1_TLSCA_PEM);
        Path absolute = Files.writeString(dir.resolve("org2-tlsca.pem"), ORG2_TLSCA_PEM).toAbsolutePath();
        String text = """
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com, peer0.org2.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    tlsCACerts: {path: org1-tlsca.pem}
                  peer0.org2.example.com:
                    url: grpcs://localhost:9051
                    tlsCACerts: {path: '%s'}
                """.formatted(absolute);

        ConnectionProfile p = ConnectionProfile.parse(text, "in-memory", dir);

        assertEquals(List.of(ORG1_TLSCA), p.peers().get(PEER1).endpoint().trustedCertificates());
        assertEquals(List.of(ORG2_TLSCA), p.peers().get(PEER2).endpoint().trustedCertificates());
    }

    // ---------------------------------------------------------------------------------------------
    // grpcOptions and plaintext
    // ---------------------------------------------------------------------------------------------

    @Test
    void parse_grpcOptions_mapToEndpointConfigAndUnknownOptionsAreKept() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://peer0.org1.example.com:7051
                    tlsCACerts:
                      pem: |
                %s
                    grpcOptions:
                      grpc.keepalive_time_ms: 300000
                      grpc.keepalive_timeout_ms: '15000'
                      grpc.keepalive_permit_without_calls: true
                      grpc.max_receive_message_length: 52428800
                      request-timeout: 120001
                      grpc.http2.max_pings_without_data: 0
                      grpc-wait-for-ready-timeout: 3000
                      fail-fast: false
                """.formatted(indent(ORG1_TLSCA_PEM, 10)));

        ConnectionProfile.Node peer = p.peers().get(PEER1);
        EndpointConfig endpoint = peer.endpoint();
        assertEquals(Duration.ofMillis(300_000), endpoint.keepAliveTime());
        assertEquals(Duration.ofSeconds(15), endpoint.keepAliveTimeout());
        assertTrue(endpoint.keepAliveWithoutCalls());
        assertEquals(52_428_800, endpoint.maxInboundMessageSize());
        assertEquals(Duration.ofMillis(120_001), endpoint.defaultDeadline());
        assertEquals(EndpointConfig.DEFAULT_CONNECT_TIMEOUT, endpoint.connectTimeout());
        assertEquals(Optional.empty(), endpoint.authorityOverride());
        assertEquals("peer0.org1.example.com:7051", endpoint.target());

        Map<String, Object> options = peer.grpcOptions();
        assertEquals(8, options.size());
        assertEquals(0, options.get("grpc.http2.max_pings_without_data"));
        assertEquals(3000, options.get("grpc-wait-for-ready-timeout"));
        assertEquals(false, options.get("fail-fast"));
        assertEquals(300000, options.get("grpc.keepalive_time_ms"));
    }

    @Test
    void parse_noGrpcOptions_endpointHasDefaults() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                """);

        ConnectionProfile.Node peer = p.peers().get(PEER1);
        EndpointConfig endpoint = peer.endpoint();
        assertEquals(EndpointConfig.DEFAULT_KEEP_ALIVE_TIME, endpoint.keepAliveTime());
        assertEquals(EndpointConfig.DEFAULT_KEEP_ALIVE_TIMEOUT, endpoint.keepAliveTimeout());
        assertFalse(endpoint.keepAliveWithoutCalls());
        assertEquals(EndpointConfig.DEFAULT_MAX_INBOUND_MESSAGE_SIZE, endpoint.maxInboundMessageSize());
        assertEquals(EndpointConfig.DEFAULT_DEADLINE, endpoint.defaultDeadline());
        assertEquals(Optional.empty(), endpoint.authorityOverride());
        assertEquals(Map.of(), peer.grpcOptions());
    }

    @Test
    void parse_dashedMaxReceiveAliasAndMinusOne_aliasAppliedMinusOneMeansNoLimit() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com, peer0.org2.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    grpcOptions:
                      grpc-max-receive-message-length: 1048576
                  peer0.org2.example.com:
                    url: grpc://localhost:9051
                    grpcOptions:
                      grpc.max_receive_message_length: -1
                """);

        assertEquals(1_048_576, p.peers().get(PEER1).endpoint().maxInboundMessageSize());
        // grpc-js and fabric-sdk-node use -1 for "no limit".
        assertEquals(Integer.MAX_VALUE, p.peers().get(PEER2).endpoint().maxInboundMessageSize());
    }

    @Test
    void parse_blankSslTargetNameOverride_fallsBackToHostnameOverride() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    grpcOptions:
                      ssl-target-name-override: ''
                      hostnameOverride: peer0.org1.example.com
                """);

        assertEquals(Optional.of(PEER1), p.peers().get(PEER1).endpoint().authorityOverride());
    }

    @Test
    void parse_sslTargetNameOverrideAndDifferentHostnameOverride_sslTargetNameOverrideWins() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    grpcOptions:
                      hostnameOverride: other.example.com
                      ssl-target-name-override: peer0.org1.example.com
                """);

        assertEquals(Optional.of(PEER1), p.peers().get(PEER1).endpoint().authorityOverride());
    }

    @Test
    void parse_grpcUrlWithTlsCACerts_isPlaintextWithoutTrustedCertificates() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    tlsCACerts:
                      pem: |
                %s
                """.formatted(indent(ORG1_TLSCA_PEM, 10)));

        EndpointConfig endpoint = p.peers().get(PEER1).endpoint();
        assertFalse(endpoint.tls());
        assertEquals(List.of(), endpoint.trustedCertificates());
        assertEquals("localhost:7051", endpoint.target());
    }

    // ---------------------------------------------------------------------------------------------
    // Malformed profiles
    // ---------------------------------------------------------------------------------------------

    private static ConnectionProfileException assertProfileError(String text, String field, String... fragments) {
        ConnectionProfileException e = assertProfileError(() -> parse(text), field, fragments);
        assertEquals(SOURCE, e.source());
        return e;
    }

    private static ConnectionProfileException assertProfileError(Executable action, String field, String... fragments) {
        ConnectionProfileException e = assertThrows(ConnectionProfileException.class, action);
        assertEquals(field, e.field(), e::getMessage);
        String prefix = e.source() + (field.isEmpty() ? "" : ": " + field) + ": ";
        assertTrue(e.getMessage().startsWith(prefix),
                () -> "message '" + e.getMessage() + "' should start with '" + prefix + "'");
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment),
                    () -> "message '" + e.getMessage() + "' should contain '" + fragment + "'");
        }
        return e;
    }

    @Test
    void load_missingFile_reportsFileDoesNotExist(@TempDir Path dir) {
        Path missing = dir.resolve("connection-org3.yaml");

        ConnectionProfileException e = assertProfileError(() -> ConnectionProfile.load(missing), "", "does not exist");

        assertEquals(missing.toString(), e.source());
    }

    @Test
    void load_directoryInsteadOfFile_reportsCannotBeRead(@TempDir Path dir) {
        ConnectionProfileException e = assertProfileError(() -> ConnectionProfile.load(dir), "", "cannot be read");

        assertEquals(dir.toString(), e.source());
    }

    @Test
    void load_emptyFile_reportsEmptyProfile(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("connection-org1.yaml"), "");

        ConnectionProfileException e = assertProfileError(() -> ConnectionProfile.load(empty), "",
                "the profile is empty", "expected a mapping");

        assertEquals(empty.toString(), e.source());
    }

    @Test
    void parse_onlyComments_reportsEmptyProfile() {
        assertProfileError("# generated by ccp-generate.sh\n\n", "", "the profile is empty");
    }

    @Test
    void parse_topLevelList_reportsMappingExpected() {
        assertProfileError("""
                - name: test-network
                - version: 1.0.0
                """, "", "expected a mapping at the top level", "found a list");
    }

    @Test
    void parse_topLevelJsonArray_reportsMappingExpected() {
        assertProfileError("[\n\t{\"name\": \"test-network\"}\n]", "", "expected a mapping at the top level", "found a list");
    }

    @Test
    void parse_invalidYamlSyntax_reportsLineAndColumn() {
        assertProfileError("""
                name: test-network
                version: 1.0.0
                client: organization: Org1
                """, "", "not valid YAML or JSON", "line 3", "column 21", "mapping values are not allowed");
    }

    @Test
    void parse_invalidJsonSyntax_reportsLine() {
        assertProfileError("{\n\t\"name\": \"test-network\",\n\t\"version\": \"1.0.0\"\n\t\"peers\": {}\n}\n", "",
                "not valid YAML or JSON", "line 4");
    }

    @Test
    void parse_duplicatePeerKey_reportsDuplicateKeyAndLine() {
        assertProfileError("""
                name: test-network
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                  peer0.org1.example.com:
                    url: grpc://localhost:8051
                """, "", "duplicate key peer0.org1.example.com", "line 5");
    }

    @Test
    void parse_organizationWithoutMspid_reportsMissingMspid() {
        assertProfileError("""
                organizations:
                  Org1:
                    peers: [peer0.org1.example.com]
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                """, "organizations.Org1.mspid", "missing", "MSP id");
    }

    @Test
    void parse_blankMspid_reportsMustNotBeEmpty() {
        assertProfileError("""
                organizations:
                  Org1:
                    mspid: '  '
                """, "organizations.Org1.mspid", "must not be empty");
    }

    @Test
    void parse_mspidNotText_reportsExpectedText() {
        assertProfileError("""
                organizations:
                  Org1:
                    mspid: 1234
                """, "organizations.Org1.mspid", "expected text", "integer 1234");
    }

    @Test
    void parse_organizationListsUndefinedPeer_reportsIndexedFieldAndDefinedPeers() {
        assertProfileError("""
                organizations:
                  Org1:
                    mspid: Org1MSP
                    peers:
                    - peer1.org1.example.com
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                """, "organizations.Org1.peers[0]", "'peer1.org1.example.com' is not defined under peers",
                "[peer0.org1.example.com]");
    }

    @Test
    void parse_organizationPeersNotAList_reportsListExpected() {
        assertProfileError("""
                organizations:
                  Org1:
                    mspid: Org1MSP
                    peers: peer0.org1.example.com
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                """, "organizations.Org1.peers", "expected a list of names defined under peers",
                "found text 'peer0.org1.example.com'");
    }

    @Test
    void parse_organizationListsUndefinedCertificateAuthority_reportsIndexedField() {
        assertProfileError("""
                organizations:
                  Org1:
                    mspid: Org1MSP
                    certificateAuthorities:
                    - ca.org1.example.com
                """, "organizations.Org1.certificateAuthorities[0]",
                "'ca.org1.example.com' is not defined under certificateAuthorities");
    }

    @Test
    void parse_peerWithoutUrl_reportsMissingUrlWithBracketedKey() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    grpcOptions:
                      ssl-target-name-override: peer0.org1.example.com
                """, PEER1_FIELD + ".url", "missing", "grpcs://host:port");
    }

    @Test
    void parse_peerKeyWithoutDots_rendersPlainDottedPath() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0]}
                peers:
                  peer0:
                    tlsCACerts: {}
                """, "peers.peer0.url", "missing");
    }

    @Test
    void parse_peerEntryEmpty_reportsMappingExpected() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                """, PEER1_FIELD, "expected a mapping with url", "found nothing");
    }

    @Test
    void parse_peersSectionIsAList_reportsMappingExpected() {
        assertProfileError("""
                peers:
                - peer0.org1.example.com
                """, "peers", "expected a mapping", "found a list");
    }

    @Test
    void parse_peerUrlWithHttpScheme_reportsGrpcSchemesExpected() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: http://localhost:7051
                """, PEER1_FIELD + ".url", "'http://localhost:7051'", "must start with grpcs:// (TLS) or grpc:// (plaintext)");
    }

    @Test
    void parse_peerUrlWithoutScheme_reportsGrpcSchemesExpected() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: localhost:7051
                """, PEER1_FIELD + ".url", "must start with grpcs://");
    }

    @Test
    void parse_peerUrlWithoutPort_reportsHostAndPortExpected() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost
                    tlsCACerts:
                      pem: |
                %s
                """.formatted(indent(ORG1_TLSCA_PEM, 10)), PEER1_FIELD + ".url", "must be a host and a port only",
                "grpcs://localhost:7051");
    }

    @Test
    void parse_peerUrlPortOutOfRange_reportsPortRange() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:70510
                """, PEER1_FIELD + ".url", "70510", "outside 1..65535");
    }

    @Test
    void parse_peerUrlWithSpace_reportsNotAUrl() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://local host:7051
                """, PEER1_FIELD + ".url", "is not a URL", "grpcs://host:port or grpc://host:port");
    }

    @Test
    void parse_grpcsWithoutTlsCACerts_reportsTlsCertificateNeeded() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    grpcOptions:
                      ssl-target-name-override: peer0.org1.example.com
                """, PEER1_FIELD + ".tlsCACerts", "missing", "grpcs:// url needs the TLS CA certificate");
    }

    @Test
    void parse_ordererGrpcsWithoutTlsCACerts_reportsOrdererField() {
        assertProfileError("""
                orderers:
                  orderer.example.com:
                    url: grpcs://localhost:7050
                """, "orderers['orderer.example.com'].tlsCACerts", "grpcs:// url needs the TLS CA certificate");
    }

    @Test
    void parse_tlsCACertsWithBothPemAndPath_reportsGiveOne() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    tlsCACerts:
                      path: tls/org1-tlsca.pem
                      pem: |
                %s
                """.formatted(indent(ORG1_TLSCA_PEM, 10)), PEER1_FIELD + ".tlsCACerts", "has both pem and path");
    }

    @Test
    void parse_tlsCACertsWithNeitherPemNorPath_reportsPemOrPathNeeded() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    tlsCACerts:
                      file: tls/org1-tlsca.pem
                """, PEER1_FIELD + ".tlsCACerts", "needs pem", "or path");
    }

    @Test
    void load_tlsCACertsPathToMissingFile_reportsResolvedPath(@TempDir Path dir) throws IOException {
        Path profile = Files.writeString(dir.resolve("connection-org1.yaml"), """
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    tlsCACerts:
                      path: tls/missing-tlsca.pem
                """);

        ConnectionProfileException e = assertProfileError(() -> ConnectionProfile.load(profile),
                PEER1_FIELD + ".tlsCACerts.path", "does not exist",
                dir.toAbsolutePath().resolve("tls/missing-tlsca.pem").toString());

        assertEquals(profile.toString(), e.source());
    }

    @Test
    void parse_pemNotACertificate_reportsPemCertificateExpected() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    tlsCACerts:
                      pem: not a certificate
                """, PEER1_FIELD + ".tlsCACerts.pem", "expected PEM certificate(s)");
    }

    @Test
    void parse_pemHoldingOnlyAPrivateKey_reportsNoCertificateBlock() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpcs://localhost:7051
                    tlsCACerts:
                      pem: |
                %s
                """.formatted(indent(ORG1_USER1_KEY_PEM, 10)), PEER1_FIELD + ".tlsCACerts.pem",
                "holds no -----BEGIN CERTIFICATE----- block");
    }

    @Test
    void parse_caPemListWithBadSecondEntry_reportsIndexedPemField() {
        assertProfileError("""
                certificateAuthorities:
                  ca.org1.example.com:
                    url: https://localhost:7054
                    tlsCACerts:
                      pem:
                        - |
                %s
                        - garbage
                """.formatted(indent(ORG1_CA_PEM, 10)), "certificateAuthorities['ca.org1.example.com'].tlsCACerts.pem[1]",
                "expected PEM certificate(s)");
    }

    @Test
    void parse_caUrlWithoutHttpScheme_reportsHttpsExpected() {
        assertProfileError("""
                certificateAuthorities:
                  ca.org1.example.com:
                    url: localhost:7054
                """, "certificateAuthorities['ca.org1.example.com'].url", "must start with https:// or http://");
    }

    @Test
    void parse_caHttpOptionsVerifyNotBoolean_reportsTrueOrFalse() {
        assertProfileError("""
                certificateAuthorities:
                  ca.org1.example.com:
                    url: https://localhost:7054
                    httpOptions:
                      verify: 'no'
                """, "certificateAuthorities['ca.org1.example.com'].httpOptions.verify", "expected true or false",
                "found text 'no'");
    }

    @Test
    void parse_keepaliveTimeNotANumber_reportsNumberExpected() {
        ConnectionProfileException e = assertThrows(ConnectionProfileException.class, () -> parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    grpcOptions:
                      grpc.keepalive_time_ms: often
                """));

        // The option key itself contains dots; accept it quoted or not after grpcOptions.
        assertTrue(e.field().startsWith(PEER1_FIELD + ".grpcOptions"), e::getMessage);
        assertTrue(e.field().endsWith("grpc.keepalive_time_ms") || e.field().endsWith("grpc.keepalive_time_ms']"),
                e::getMessage);
        assertTrue(e.getMessage().contains("expected a positive number of milliseconds, found 'often'"), e::getMessage);
    }

    @Test
    void parse_keepaliveTimeoutNegative_reportsMustBePositive() {
        ConnectionProfileException e = assertThrows(ConnectionProfileException.class, () -> parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    grpcOptions:
                      grpc.keepalive_timeout_ms: -20000
                """));

        assertTrue(e.field().startsWith(PEER1_FIELD + ".grpcOptions"), e::getMessage);
        assertTrue(e.field().contains("grpc.keepalive_timeout_ms"), e::getMessage);
        assertTrue(e.getMessage().contains("must be a positive whole number of milliseconds, got -20000"), e::getMessage);
    }

    @Test
    void parse_keepalivePermitNotBoolean_reportsTrueOrFalse() {
        ConnectionProfileException e = assertThrows(ConnectionProfileException.class, () -> parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    grpcOptions:
                      grpc.keepalive_permit_without_calls: sometimes
                """));

        assertTrue(e.field().contains("grpc.keepalive_permit_without_calls"), e::getMessage);
        assertTrue(e.getMessage().contains("expected true or false"), e::getMessage);
    }

    @Test
    void parse_sslTargetNameOverrideNotText_reportsTextExpected() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    grpcOptions:
                      ssl-target-name-override: [peer0.org1.example.com]
                """, PEER1_FIELD + ".grpcOptions.ssl-target-name-override", "expected text, found a list");
    }

    @Test
    void parse_clientOrganizationUndefined_reportsDefinedOrganizations() {
        assertProfileError("""
                client:
                  organization: Org3
                organizations:
                  Org1:
                    mspid: Org1MSP
                  Org2:
                    mspid: Org2MSP
                """, "client.organization", "'Org3' is not defined under organizations", "[Org1, Org2]");
    }

    @Test
    void parse_clientTimeoutNotANumber_reportsSecondsExpected() {
        assertProfileError("""
                client:
                  connection:
                    timeout:
                      peer:
                        endorser: five minutes
                """, "client.connection.timeout.peer.endorser", "expected a number of seconds", "'five minutes'");
    }

    @Test
    void parse_clientTimeoutZero_reportsMustBePositive() {
        assertProfileError("""
                client:
                  connection:
                    timeout:
                      orderer: '0'
                """, "client.connection.timeout.orderer", "of at least 0.001");
    }

    @Test
    void parse_clientTimeoutFractional_convertedToMillis() {
        ConnectionProfile p = parse("""
                client:
                  connection:
                    timeout:
                      peer:
                        endorser: 2.5
                """);

        assertEquals(Map.of("peer.endorser", Duration.ofMillis(2500)), p.clientTimeouts());
    }

    @Test
    void parse_channelReferencesUndefinedOrderer_reportsIndexedField() {
        assertProfileError("""
                orderers:
                  orderer.example.com:
                    url: grpc://localhost:7050
                channels:
                  mychannel:
                    orderers:
                    - orderer.example.com
                    - orderer2.example.com
                """, "channels.mychannel.orderers[1]", "'orderer2.example.com' is not defined under orderers",
                "[orderer.example.com]");
    }

    @Test
    void parse_channelPeersReferenceUndefinedPeer_reportsBracketedPeerField() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                channels:
                  mychannel:
                    peers:
                      peer1.org1.example.com:
                        endorsingPeer: true
                """, "channels.mychannel.peers['peer1.org1.example.com']", "'peer1.org1.example.com' is not defined under peers",
                "[peer0.org1.example.com]");
    }

    @Test
    void parse_endorsingPeerNotBoolean_reportsTrueOrFalse() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                channels:
                  mychannel:
                    peers:
                      peer0.org1.example.com:
                        endorsingPeer: sometimes
                """, "channels.mychannel.peers['peer0.org1.example.com'].endorsingPeer", "expected true or false",
                "found text 'sometimes'");
    }

    @Test
    void parse_channelPeersIsAList_reportsMappingOfRolesExpected() {
        assertProfileError("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                channels:
                  mychannel:
                    peers:
                    - peer0.org1.example.com
                """, "channels.mychannel.peers", "expected a mapping of peer names to roles", "found a list");
    }

    @Test
    void parse_peersWithoutOrganizationsSection_reportsOrganizationsMissing() {
        assertProfileError("""
                name: test-network-org1
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                """, "organizations", "missing", "every peer must belong to an organization with an mspid");
    }

    @Test
    void parse_nameNotText_reportsTextExpected() {
        assertProfileError("""
                name: [test-network]
                """, "name", "expected text, found a list");
    }

    @Test
    void load_malformedFile_exceptionSourceNamesTheFile(@TempDir Path dir) throws IOException {
        Path profile = Files.writeString(dir.resolve("connection-org1.yaml"), """
                organizations:
                  Org1:
                    peers: []
                """);

        ConnectionProfileException e = assertThrows(ConnectionProfileException.class, () -> ConnectionProfile.load(profile));

        assertEquals(profile.toString(), e.source());
        assertEquals("organizations.Org1.mspid", e.field());
        assertTrue(e.getMessage().startsWith(profile + ": organizations.Org1.mspid: missing"), e::getMessage);
    }

    @Test
    void parse_malformedText_exceptionSourceIsGivenName() {
        ConnectionProfileException e = assertThrows(ConnectionProfileException.class,
                () -> ConnectionProfile.parse("[]", "from-vault:org1", BASE));

        assertEquals("from-vault:org1", e.source());
        assertTrue(e.getMessage().startsWith("from-vault:org1: "), e::getMessage);
    }

    // ------------------------------------------------------------ inputs other SDKs and JSON writers produce

    @Test
    void parse_jsonWithByteOrderMarkTabsAndEscapedSlashes_readsAsJson() {
        String json = "\uFEFF{\n\t\"name\": \"a\\/b\",\n\t\"organizations\": {\"Org1\": {\"mspid\": \"Org1MSP\", "
                + "\"peers\": [\"p0\"]}},\n\t\"peers\": {\"p0\": {\"url\": \"grpc:\\/\\/localhost:7051\"}}\n}";
        ConnectionProfile p = ConnectionProfile.parse(json, "bom.json", Path.of("."));
        assertEquals("a/b", p.name());
        assertEquals("localhost:7051", p.peers().get("p0").target());
    }

    @Test
    void parse_jsonEscapedBackslashBeforeSlash_keptAsBackslash() {
        String json = "{\"name\": \"a\\\\/b\"}";
        assertEquals("a\\/b", ConnectionProfile.parse(json, "x.json", Path.of(".")).name());
    }

    @Test
    void parse_keepalivePermitWithoutCallsAsZeroOrOne_acceptedAsGrpcJsWritesIt() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com, peer0.org2.example.com]}
                peers:
                  peer0.org1.example.com:
                    url: grpc://localhost:7051
                    grpcOptions: {grpc.keepalive_permit_without_calls: 1}
                  peer0.org2.example.com:
                    url: grpc://localhost:9051
                    grpcOptions: {grpc.keepalive_permit_without_calls: 0}
                """);
        assertTrue(p.peers().get(PEER1).endpoint().keepAliveWithoutCalls());
        assertFalse(p.peers().get(PEER2).endpoint().keepAliveWithoutCalls());
    }

    @Test
    void parse_fractionalOrNanMilliseconds_reportedOnTheField() {
        for (String value : List.of("0.5", ".nan", "'NaN'", "1.5")) {
            ConnectionProfileException e = assertThrows(ConnectionProfileException.class, () -> parse("""
                    organizations:
                      Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                    peers:
                      peer0.org1.example.com:
                        url: grpc://localhost:7051
                        grpcOptions: {request-timeout: %s}
                    """.formatted(value)), value);
            assertEquals(PEER1_FIELD + ".grpcOptions.request-timeout", e.field());
            assertTrue(e.getMessage().contains("positive whole number of milliseconds"), e::getMessage);
        }
    }

    @Test
    void parse_nonsenseClientTimeouts_rejected() {
        for (String value : List.of("'NaN'", "'0.0001'", "'Infinity'")) {
            ConnectionProfileException e = assertThrows(ConnectionProfileException.class, () -> parse("""
                    client:
                      connection:
                        timeout: {orderer: %s}
                    """.formatted(value)), value);
            assertEquals("client.connection.timeout.orderer", e.field());
        }
    }

    @Test
    void parse_hostnameWithUnderscore_accepted() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com: {url: grpc://peer0_org1:7051}
                """);
        assertEquals("peer0_org1:7051", p.peers().get(PEER1).target());
    }

    @Test
    void parse_ipv6Url_targetKeepsBrackets() {
        ConnectionProfile p = parse("""
                organizations:
                  Org1: {mspid: Org1MSP, peers: [peer0.org1.example.com]}
                peers:
                  peer0.org1.example.com: {url: 'grpc://[::1]:7051'}
                """);
        EndpointConfig endpoint = p.peers().get(PEER1).endpoint();
        assertEquals("[::1]:7051", endpoint.target());
        assertEquals("::1", endpoint.host());
        assertEquals("[::1]:7051", endpoint.toBuilder().build().target());
    }

    @Test
    void parse_emptyPemList_reportedAsEmpty() {
        ConnectionProfileException e = assertThrows(ConnectionProfileException.class, () -> parse("""
                certificateAuthorities:
                  ca.org1.example.com:
                    url: https://localhost:7054
                    tlsCACerts: {pem: []}
                """));
        assertEquals("certificateAuthorities['ca.org1.example.com'].tlsCACerts.pem", e.field());
        assertTrue(e.getMessage().contains("empty list"), e::getMessage);
    }

    @Test
    void parse_peersAndClientOrganizationWithoutOrganizations_reportsOrganizationsMissing() {
        ConnectionProfileException e = assertThrows(ConnectionProfileException.class, () -> parse("""
                client: {organization: Org1}
                peers:
                  peer0.org1.example.com: {url: grpc://localhost:7051}
                """));
        assertEquals("organizations", e.field());
    }
}
