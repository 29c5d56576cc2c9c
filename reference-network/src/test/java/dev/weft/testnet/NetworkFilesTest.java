package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodeProposal;
import dev.weft.core.ConnectionProfile;
import dev.weft.core.CredentialException;
import dev.weft.core.Credentials;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Fixtures;
import dev.weft.core.GrpcChannels;
import dev.weft.core.SeekRequest;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.TransactionEnvelope;
import dev.weft.core.X509Identity;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.orderer.DeliverResponse;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReferenceNetwork#writeTo}: cryptogen's directory layout and file formats (compared with a
 * real cryptogen's output in the Fabric 2.5.12 fixtures) and connection profiles that let another
 * process connect, proven by transacting with nothing but what was read back from disk.
 */
class NetworkFilesTest {
    private static final Duration TIMEOUT = RawClient.TIMEOUT;

    @TempDir
    static Path dir;

    private static ReferenceNetwork network;
    private static Map<String, Path> written;
    private static Path org1;
    private static Path ordererOrg;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        written = network.writeTo(dir);
        org1 = dir.resolve("organizations/peerOrganizations/org1.example.com");
        ordererOrg = dir.resolve("organizations/ordererOrganizations/example.com");
    }

    @AfterAll
    static void stop() {
        if (network != null) {
            network.close();
        }
    }

    // ---------------------------------------------------------------- layout and formats

    @Test
    void writeTo_cryptogenLayout_everyExpectedFileExists() {
        List<String> expected = new ArrayList<>();
        for (String org : List.of("org1", "org2")) {
            String base = "organizations/peerOrganizations/" + org + ".example.com/";
            String domain = org + ".example.com";
            expected.addAll(orgFiles(base, domain));
            expected.addAll(nodeFiles(base + "peers/peer0." + domain + "/", domain, "peer0." + domain, "server"));
            expected.addAll(nodeFiles(base + "users/User1@" + domain + "/", domain, "User1@" + domain, "client"));
            expected.addAll(nodeFiles(base + "users/Admin@" + domain + "/", domain, "Admin@" + domain, "client"));
            expected.add(base + "connection-" + org + ".yaml");
            expected.add(base + "connection-" + org + ".json");
            expected.add(base + "connection-" + org + "-own-peers.yaml");
        }
        String base = "organizations/ordererOrganizations/example.com/";
        expected.addAll(orgFiles(base, "example.com"));
        expected.addAll(nodeFiles(base + "orderers/orderer.example.com/", "example.com", "orderer.example.com", "server"));
        expected.addAll(nodeFiles(base + "users/Admin@example.com/", "example.com", "Admin@example.com", "client"));

        List<String> missing = expected.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
        assertEquals(List.of(), missing);
        assertEquals(Map.of("Org1MSP", org1.resolve("connection-org1.yaml"),
                "Org2MSP", dir.resolve("organizations/peerOrganizations/org2.example.com/connection-org2.yaml")), written);
    }

    @Test
    void writeTo_mspConfigYaml_sameTextAsCryptogenFixture() throws Exception {
        for (String org : List.of("org1", "org2")) {
            String fixture = Fixtures.text("crypto/" + org + "-msp-config.yaml");
            Path base = dir.resolve("organizations/peerOrganizations/" + org + ".example.com");
            for (String msp : List.of("msp", "peers/peer0." + org + ".example.com/msp",
                    "users/User1@" + org + ".example.com/msp", "users/Admin@" + org + ".example.com/msp")) {
                assertEquals(fixture, Files.readString(base.resolve(msp).resolve("config.yaml")), org + " " + msp);
                assertTrue(Files.isRegularFile(base.resolve(msp).resolve("cacerts/ca." + org + ".example.com-cert.pem")),
                        "config.yaml names an existing CA file in " + msp);
            }
        }
        String ordererFixture = Fixtures.text("crypto/orderer-msp-config.yaml");
        for (String msp : List.of("msp", "orderers/orderer.example.com/msp", "users/Admin@example.com/msp")) {
            assertEquals(ordererFixture, Files.readString(ordererOrg.resolve(msp).resolve("config.yaml")), msp);
        }
        assertTrue(ordererFixture.contains("NodeOUs:\n  Enable: true\n"));
    }

    @Test
    void writeTo_signingKeysAndCertificates_loadWithCredentialsAndMatch() {
        Path user = org1.resolve("users/User1@org1.example.com");
        X509Certificate cert = Credentials.readCertificate(user.resolve("msp/signcerts/User1@org1.example.com-cert.pem"));
        PrivateKey key = Credentials.readPrivateKey(user.resolve("msp/keystore/priv_sk"));
        Credentials.checkKeyPair(cert, key);
        assertEquals(network.user("Org1MSP").identity().certificate(), cert);
        assertEquals(((java.security.interfaces.ECPrivateKey) network.user("Org1MSP").privateKey()).getS(),
                ((java.security.interfaces.ECPrivateKey) key).getS());

        Map<Path, Path> pairs = new LinkedHashMap<>();
        pairs.put(org1.resolve("users/Admin@org1.example.com/msp/signcerts/Admin@org1.example.com-cert.pem"),
                org1.resolve("users/Admin@org1.example.com/msp/keystore/priv_sk"));
        pairs.put(org1.resolve("peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem"),
                org1.resolve("peers/peer0.org1.example.com/msp/keystore/priv_sk"));
        pairs.put(ordererOrg.resolve("orderers/orderer.example.com/msp/signcerts/orderer.example.com-cert.pem"),
                ordererOrg.resolve("orderers/orderer.example.com/msp/keystore/priv_sk"));
        pairs.put(org1.resolve("peers/peer0.org1.example.com/tls/server.crt"),
                org1.resolve("peers/peer0.org1.example.com/tls/server.key"));
        pairs.put(user.resolve("tls/client.crt"), user.resolve("tls/client.key"));
        pairs.put(ordererOrg.resolve("orderers/orderer.example.com/tls/server.crt"),
                ordererOrg.resolve("orderers/orderer.example.com/tls/server.key"));
        pairs.put(org1.resolve("ca/ca.org1.example.com-cert.pem"), org1.resolve("ca/priv_sk"));
        pairs.put(org1.resolve("tlsca/tlsca.org1.example.com-cert.pem"), org1.resolve("tlsca/priv_sk"));
        pairs.forEach((c, k) -> Credentials.checkKeyPair(Credentials.readCertificate(c), Credentials.readPrivateKey(k)));

        // A key with another identity's certificate is refused: the check can fail.
        X509Certificate admin = Credentials.readCertificate(
                org1.resolve("users/Admin@org1.example.com/msp/signcerts/Admin@org1.example.com-cert.pem"));
        assertThrows(CredentialException.class, () -> Credentials.checkKeyPair(admin, key));
    }

    @Test
    void writeTo_pemFiles_formattedAsCryptogen() throws Exception {
        // cryptogen writes PKCS#8 keys ("PRIVATE KEY") and Go's PEM layout: 64-character lines, final newline,
        // and embeds the public key in the SEC1 key: 138 bytes of DER for P-256, as the fixture key.
        String fixtureKey = Fixtures.text("crypto/org1-user1-key.pem");
        String key = Files.readString(org1.resolve("users/User1@org1.example.com/msp/keystore/priv_sk"));
        assertEquals(firstLine(fixtureKey), firstLine(key));
        assertEquals("-----BEGIN PRIVATE KEY-----", firstLine(key));
        assertEquals(derLength(fixtureKey), derLength(key));
        assertEquals(138, derLength(key));
        assertTrue(key.endsWith("-----END PRIVATE KEY-----\n"));
        assertGoPemLines(fixtureKey);
        assertGoPemLines(key);
        String fixtureCert = Fixtures.text("crypto/org1-user1-cert.pem");
        String cert = Files.readString(org1.resolve("users/User1@org1.example.com/msp/signcerts/User1@org1.example.com-cert.pem"));
        assertEquals(firstLine(fixtureCert), firstLine(cert));
        assertTrue(cert.endsWith("-----END CERTIFICATE-----\n"));
        assertGoPemLines(fixtureCert);
        assertGoPemLines(cert);
        // The TLS CA file of every node is the organisation's TLS CA certificate.
        String tlsCa = Files.readString(org1.resolve("tlsca/tlsca.org1.example.com-cert.pem"));
        assertEquals(tlsCa, Files.readString(org1.resolve("peers/peer0.org1.example.com/tls/ca.crt")));
        assertEquals(tlsCa, Files.readString(org1.resolve("users/User1@org1.example.com/tls/ca.crt")));
        assertEquals(tlsCa, Files.readString(org1.resolve("msp/tlscacerts/tlsca.org1.example.com-cert.pem")));
    }

    @Test
    void writeTo_certificates_sameSubjectsExtensionsAndValidityAsCryptogen() throws Exception {
        Map<String, Path> ours = new LinkedHashMap<>();
        ours.put("org1-ca.pem", org1.resolve("ca/ca.org1.example.com-cert.pem"));
        ours.put("org1-tlsca.pem", org1.resolve("tlsca/tlsca.org1.example.com-cert.pem"));
        ours.put("org1-user1-cert.pem", org1.resolve("users/User1@org1.example.com/msp/signcerts/User1@org1.example.com-cert.pem"));
        ours.put("org1-admin-cert.pem", org1.resolve("users/Admin@org1.example.com/msp/signcerts/Admin@org1.example.com-cert.pem"));
        ours.put("org1-peer0-cert.pem", org1.resolve("peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem"));
        ours.put("org1-peer0-tls-server-cert.pem", org1.resolve("peers/peer0.org1.example.com/tls/server.crt"));
        ours.put("orderer-ca.pem", ordererOrg.resolve("ca/ca.example.com-cert.pem"));
        ours.put("orderer-tlsca.pem", ordererOrg.resolve("tlsca/tlsca.example.com-cert.pem"));
        ours.put("orderer-cert.pem", ordererOrg.resolve("orderers/orderer.example.com/msp/signcerts/orderer.example.com-cert.pem"));
        ours.put("orderer-admin-cert.pem", ordererOrg.resolve("users/Admin@example.com/msp/signcerts/Admin@example.com-cert.pem"));
        ours.put("orderer-tls-server-cert.pem", ordererOrg.resolve("orderers/orderer.example.com/tls/server.crt"));

        for (var e : ours.entrySet()) {
            X509Certificate fabric = Fixtures.certificate(e.getKey());
            X509Certificate mine = Credentials.readCertificate(e.getValue());
            assertEquals(describe(fabric), describe(mine), e.getKey() + " vs " + dir.relativize(e.getValue()));
        }
    }

    // ---------------------------------------------------------------- connection profiles

    @Test
    void writeTo_connectionProfiles_yamlAndJsonNameEveryPeerAndTheOrderer() {
        ConnectionProfile yaml = ConnectionProfile.load(org1.resolve("connection-org1.yaml"));
        ConnectionProfile json = ConnectionProfile.load(org1.resolve("connection-org1.json"));

        for (ConnectionProfile profile : List.of(yaml, json)) {
            assertEquals("Org1MSP", profile.clientOrganization().orElseThrow().mspId());
            assertEquals(List.of("peer0.org1.example.com"), profile.organizationByMspId("Org1MSP").orElseThrow().peers());
            assertEquals(List.of("peer0.org2.example.com"), profile.organizationByMspId("Org2MSP").orElseThrow().peers());
            assertEquals(List.of("peer0.org1.example.com", "peer0.org2.example.com"), List.copyOf(profile.peers().keySet()));
            assertEquals(List.of("orderer.example.com"), List.copyOf(profile.orderers().keySet()));
            List<ReferenceNetwork.Node> nodes = new ArrayList<>(network.peers());
            nodes.add(network.orderer());
            for (ReferenceNetwork.Node node : nodes) {
                ConnectionProfile.Node entry = node instanceof ReferenceNetwork.Orderer
                        ? profile.orderers().get(node.name()) : profile.peers().get(node.name());
                EndpointConfig endpoint = entry.endpoint();
                assertEquals("grpcs://" + node.endpoint(), entry.url());
                assertEquals(node.endpoint(), endpoint.target());
                assertTrue(endpoint.tls());
                assertEquals(List.of(node.tlsRootCertificate()), endpoint.trustedCertificates());
                assertEquals(node.name(), endpoint.authorityOverride().orElseThrow());
            }
            ConnectionProfile.ChannelInfo channel = profile.channels().get("mychannel");
            assertEquals(List.of("orderer.example.com"), channel.orderers());
            assertEquals(List.of("peer0.org1.example.com", "peer0.org2.example.com"), List.copyOf(channel.peers().keySet()));
            channel.peers().values().forEach(roles -> assertTrue(roles.endorsingPeer() && roles.chaincodeQuery()
                    && roles.ledgerQuery() && roles.eventSource()));
        }
        assertEquals(yaml.organizations(), json.organizations());
        assertEquals(yaml.channels(), json.channels());
        assertEquals(network.connectionProfile("Org1MSP"), readString(org1.resolve("connection-org1.yaml")));
    }

    @Test
    void connectionProfile_readBackFromDisk_submitsAndEvaluatesThroughEveryNode() throws Exception {
        // Everything below comes from the files: the profile, the user's certificate and key.
        ConnectionProfile yaml = ConnectionProfile.load(written.get("Org1MSP"));
        ConnectionProfile json = ConnectionProfile.load(org1.resolve("connection-org1.json"));
        Path msp = org1.resolve("users/User1@org1.example.com/msp");
        X509Identity identity = X509Identity.of(yaml.clientOrganization().orElseThrow().mspId(),
                Credentials.readCertificate(msp.resolve("signcerts/User1@org1.example.com-cert.pem")));
        Signer signer = Signers.newPrivateKeySigner(Credentials.readPrivateKey(msp.resolve("keystore/priv_sk")));
        String channelName = yaml.channels().keySet().iterator().next();

        Map<String, ManagedChannel> peers = new LinkedHashMap<>();
        Map<String, ManagedChannel> jsonPeers = new LinkedHashMap<>();
        List<ManagedChannel> all = new ArrayList<>();
        try {
            yaml.peers().forEach((name, node) -> peers.put(name, GrpcChannels.create(node.endpoint())));
            json.peers().forEach((name, node) -> jsonPeers.put(name, GrpcChannels.create(node.endpoint())));
            ManagedChannel orderer = GrpcChannels.create(yaml.orderers().get("orderer.example.com").endpoint());
            all.addAll(peers.values());
            all.addAll(jsonPeers.values());
            all.add(orderer);

            // The orderer serves the genesis block to the user read from disk.
            Block genesis = ordererBlock(orderer, identity, signer, channelName, 0);
            assertEquals(network.genesisBlock(channelName), genesis);

            // Submit InitLedger: endorse on every peer of the profile, order, wait for the commit.
            ChaincodeProposal init = ChaincodeProposal.builder().identity(identity).channel(channelName)
                    .chaincode("basic").function("InitLedger").build();
            List<ProposalResponse> responses = new ArrayList<>();
            for (ManagedChannel peer : peers.values()) {
                ProposalResponse r = endorser(peer).processProposal(init.sign(signer));
                assertEquals(200, r.getResponse().getStatus(), r.getResponse().getMessage());
                responses.add(r);
            }
            Envelope transaction = TransactionEnvelope.create(init, responses).sign(signer);
            assertEquals(200, RawClient.broadcast(orderer, transaction).get(0).getStatusValue());
            for (ManagedChannel peer : peers.values()) {
                assertEquals(TxValidationCode.VALID,
                        waitForCommit(peer, identity, signer, channelName, init.transactionId()).getTxValidationCode());
            }

            // Evaluate through every peer, over the channels made from the JSON profile.
            for (var peer : jsonPeers.entrySet()) {
                ChaincodeProposal read = ChaincodeProposal.builder().identity(identity).channel(channelName)
                        .chaincode("basic").function("ReadAsset").arguments("asset1").build();
                ProposalResponse r = endorser(peer.getValue()).processProposal(read.sign(signer));
                assertEquals(200, r.getResponse().getStatus(), peer.getKey() + ": " + r.getResponse().getMessage());
                assertEquals("{\"AppraisedValue\":300,\"Color\":\"blue\",\"ID\":\"asset1\",\"Owner\":\"Tomoko\","
                        + "\"Size\":5,\"docType\":\"asset\"}", r.getResponse().getPayload().toStringUtf8(), peer.getKey());
            }
        } finally {
            for (ManagedChannel c : all) {
                c.shutdownNow();
            }
            for (ManagedChannel c : all) {
                c.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> orgFiles(String base, String domain) {
        return List.of(base + "ca/ca." + domain + "-cert.pem", base + "ca/priv_sk",
                base + "tlsca/tlsca." + domain + "-cert.pem", base + "tlsca/priv_sk",
                base + "msp/cacerts/ca." + domain + "-cert.pem", base + "msp/tlscacerts/tlsca." + domain + "-cert.pem",
                base + "msp/config.yaml");
    }

    private static List<String> nodeFiles(String base, String domain, String name, String tlsName) {
        return List.of(base + "msp/cacerts/ca." + domain + "-cert.pem",
                base + "msp/tlscacerts/tlsca." + domain + "-cert.pem",
                base + "msp/signcerts/" + name + "-cert.pem", base + "msp/keystore/priv_sk", base + "msp/config.yaml",
                base + "tls/ca.crt", base + "tls/" + tlsName + ".crt", base + "tls/" + tlsName + ".key");
    }

    /** What cryptogen decides about a certificate (not its keys, serial or times of day). */
    private static Map<String, Object> describe(X509Certificate cert) throws Exception {
        Map<String, Object> d = new TreeMap<>();
        X509CertificateHolder holder = new X509CertificateHolder(cert.getEncoded());
        d.put("subject", holder.getSubject().toString());
        d.put("issuer", holder.getIssuer().toString());
        d.put("version", cert.getVersion());
        d.put("signatureAlgorithm", cert.getSigAlgName());
        d.put("keyAlgorithm", cert.getPublicKey().getAlgorithm());
        d.put("curveBits", ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        Extensions extensions = holder.getExtensions();
        List<String> layout = new ArrayList<>();
        for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
            layout.add(oid.getId() + (extensions.getExtension(oid).isCritical() ? " critical" : ""));
        }
        d.put("extensions", layout);
        d.put("keyUsage", Arrays.toString(cert.getKeyUsage()));
        d.put("extendedKeyUsage", String.valueOf(cert.getExtendedKeyUsage()));
        d.put("basicConstraints", cert.getBasicConstraints());
        d.put("subjectAltNames", String.valueOf(cert.getSubjectAlternativeNames()));
        d.put("validity", Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()));
        d.put("notBeforeSecondOfMinute", cert.getNotBefore().toInstant().getEpochSecond() % 60);
        d.put("hasSubjectKeyIdentifier", extensions.getExtension(Extension.subjectKeyIdentifier) != null);
        return d;
    }

    private static String firstLine(String pem) {
        return pem.substring(0, pem.indexOf('\n'));
    }

    /** Go's encoding/pem layout: header, base64 body in full 64-character lines but the last, footer, final newline. */
    private static void assertGoPemLines(String pem) {
        assertTrue(pem.endsWith("\n"), "PEM ends with a newline");
        List<Integer> lengths = Arrays.stream(pem.split("\n")).map(String::length).toList();
        List<Integer> body = lengths.subList(1, lengths.size() - 1);
        for (int i = 0; i < body.size() - 1; i++) {
            assertEquals(64, body.get(i), "body line " + i + " of\n" + pem);
        }
        int last = body.get(body.size() - 1);
        assertTrue(last > 0 && last <= 64, "last body line of\n" + pem);
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static EndorserGrpc.EndorserBlockingStub endorser(ManagedChannel channel) {
        return EndorserGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Envelope seek(X509Identity identity, Signer signer, String channel, long start, long stop) {
        return SeekRequest.builder().channel(channel).identity(identity).startAt(start).stopAt(stop)
                .behavior(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY).build().sign(signer);
    }

    private static Block ordererBlock(ManagedChannel orderer, X509Identity identity, Signer signer, String channel,
            long number) throws Exception {
        BlockingQueue<DeliverResponse> received = new LinkedBlockingQueue<>();
        StreamObserver<Envelope> stream = AtomicBroadcastGrpc.newStub(orderer).deliver(new StreamObserver<>() {
            @Override
            public void onNext(DeliverResponse value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                received.add(DeliverResponse.newBuilder()
                        .setStatus(org.hyperledger.fabric.protos.common.Status.INTERNAL_SERVER_ERROR).build());
            }

            @Override
            public void onCompleted() {
            }
        });
        stream.onNext(seek(identity, signer, channel, number, number));
        try {
            DeliverResponse first = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (first == null || !first.hasBlock()) {
                throw new AssertionError("orderer Deliver answered " + first);
            }
            return first.getBlock();
        } finally {
            stream.onCompleted();
        }
    }

    /** Follows a peer's DeliverFiltered from block 1 until the transaction appears. */
    private static FilteredTransaction waitForCommit(ManagedChannel peer, X509Identity identity, Signer signer,
            String channel, String txId) throws Exception {
        BlockingQueue<org.hyperledger.fabric.protos.peer.DeliverResponse> received = new LinkedBlockingQueue<>();
        StreamObserver<Envelope> stream = DeliverGrpc.newStub(peer).deliverFiltered(new StreamObserver<>() {
            @Override
            public void onNext(org.hyperledger.fabric.protos.peer.DeliverResponse value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                received.add(org.hyperledger.fabric.protos.peer.DeliverResponse.newBuilder()
                        .setStatus(org.hyperledger.fabric.protos.common.Status.INTERNAL_SERVER_ERROR).build());
            }

            @Override
            public void onCompleted() {
            }
        });
        stream.onNext(seek(identity, signer, channel, 1, SeekRequest.FOREVER));
        try {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                var response = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (response == null || !response.hasFilteredBlock()) {
                    throw new AssertionError("DeliverFiltered answered " + response);
                }
                for (FilteredTransaction tx : response.getFilteredBlock().getFilteredTransactionsList()) {
                    if (tx.getTxid().equals(txId)) {
                        return tx;
                    }
                }
            }
            throw new AssertionError("transaction " + txId + " not committed within " + TIMEOUT);
        } finally {
            stream.onCompleted();
        }
    }

    private static int derLength(String pem) {
        return java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "")).length;
    }
}
