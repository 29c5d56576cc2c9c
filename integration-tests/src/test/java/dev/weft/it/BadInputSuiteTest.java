package dev.weft.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ConnectionProfileException;
import dev.weft.core.CredentialException;
import dev.weft.core.Credentials;
import dev.weft.core.EndorseException;
import dev.weft.core.EndpointConfig;
import dev.weft.core.EventStreamException;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.SubmitException;
import dev.weft.core.TransactionException;
import dev.weft.core.TransactionStage;
import dev.weft.core.WeftException;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.EcCurves;
import dev.weft.core.internal.X509Issuer;
import dev.weft.events.CloseableIterator;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Proposal;
import dev.weft.testnet.ReferenceNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.hyperledger.fabric.protos.common.Block;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The SDK side of the bad-input suite: what a hostile or careless user can hand the Java API
 * (connection profiles, credentials, TLS settings, arguments and options, network faults, forged
 * identities) and what they get back. Every case asserts the exception type, the words the user
 * needs to fix it, and that nothing was committed. The CLI side is {@code samples}' BadInputTest;
 * real process kills are {@link ProcessKillTest}.
 */
class BadInputSuiteTest {
    private static final String CHANNEL = "mychannel";

    @TempDir
    static Path dir;
    private static ReferenceNetwork network;
    private static ReferenceNetwork.User user;
    /** A good gateway, to check after each failure that nothing was committed. */
    private static Gateway witness;
    private static Map<String, Object> goodProfile;

    @BeforeAll
    static void start() {
        network = Networks.start();
        user = network.user("Org1MSP");
        witness = Networks.withOrderer(Networks.gateway(network), network).build();
        goodProfile = new Yaml().load(network.connectionProfile("Org1MSP"));
    }

    @AfterAll
    static void stop() {
        if (witness != null) {
            witness.close();
        }
        if (network != null) {
            network.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** Runs an action that must fail and asserts that the ledger did not move and the asset does not exist. */
    private static <E extends Throwable> E failsCommittingNothing(Class<E> type, String assetId, Runnable action) {
        long before = network.peer("Org1MSP").height(CHANNEL);
        E e = assertThrows(type, action::run);
        assertNotCommitted(assetId, before);
        return e;
    }

    private static void assertNotCommitted(String assetId, long heightBefore) {
        if (assetId != null) {
            assertEquals("false", new String(witness.network(CHANNEL).contract("basic").evaluate("AssetExists", assetId),
                    UTF_8), "asset " + assetId + " must not exist");
        }
        assertEquals(heightBefore, network.peer("Org1MSP").height(CHANNEL), "no block was committed");
    }

    private static void assertWords(Throwable e, String... words) {
        String message = String.valueOf(e.getMessage());
        for (String word : words) {
            assertTrue(message.contains(word), "'" + word + "' missing from: " + message);
        }
    }

    private static String[] create(String id) {
        return new String[] {id, "blue", "5", "Tom", "100"};
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        map.forEach((k, v) -> result.put(k, v instanceof Map<?, ?> m ? copy((Map<String, Object>) m)
                : v instanceof List<?> l ? new ArrayList<>(l) : v));
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> profile, String... path) {
        Map<String, Object> at = profile;
        for (String key : path) {
            at = (Map<String, Object>) at.get(key);
        }
        return at;
    }

    private static Path write(String name, byte[] content) {
        try {
            Path file = Files.createTempFile(dir, name, "");
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Path writeProfile(Map<String, Object> profile) {
        return write("profile", new Yaml().dump(profile).getBytes(UTF_8));
    }

    private static Gateway.Builder userGateway() {
        return Gateway.builder().identity(user.identity()).signer(user.signer()).timeout(Duration.ofSeconds(10));
    }

    private static X509Issuer.Issued selfSigned(String subject, Instant from, Instant until) {
        return X509Issuer.certificate(subject).validity(from, until).selfSigned();
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    class Profile {
        static Stream<Arguments> brokenProfiles() {
            return Stream.of(
                    Arguments.of("no peers at all", (Consumer<Map<String, Object>>) p -> {
                        p.remove("peers");
                        section(p, "organizations", "Org1").remove("peers");
                        section(p, "organizations", "Org2").remove("peers");
                        p.remove("channels");
                    }, new String[] {"lists no peers", "url"}),
                    Arguments.of("a channel naming peers when none is defined", (Consumer<Map<String, Object>>) p -> {
                        p.remove("peers");
                        section(p, "organizations", "Org1").remove("peers");
                        section(p, "organizations", "Org2").remove("peers");
                    }, new String[] {"channels.mychannel.peers", "lists no peers", "url and tlsCACerts"}),
                    Arguments.of("an empty peers section", (Consumer<Map<String, Object>>) p -> {
                        p.put("peers", Map.of());
                        section(p, "organizations", "Org1").put("peers", List.of());
                        section(p, "organizations", "Org2").put("peers", List.of());
                        p.remove("channels");
                    }, new String[] {"lists no peers"}),
                    Arguments.of("an organization naming a peer that is not defined",
                            (Consumer<Map<String, Object>>) p -> p.put("peers", Map.of()),
                            new String[] {"organizations.Org1.peers[0]", "peer0.org1.example.com", "not defined"}),
                    Arguments.of("a peer without url", (Consumer<Map<String, Object>>) p ->
                            section(p, "peers", "peer0.org1.example.com").remove("url"), new String[] {"url"}),
                    Arguments.of("an http url", (Consumer<Map<String, Object>>) p ->
                            section(p, "peers", "peer0.org1.example.com").put("url", "http://127.0.0.1:7051"),
                            new String[] {"http://127.0.0.1:7051", "grpcs://"}),
                    Arguments.of("a url without port", (Consumer<Map<String, Object>>) p ->
                            section(p, "peers", "peer0.org1.example.com").put("url", "grpcs://127.0.0.1"),
                            new String[] {"port"}),
                    Arguments.of("a peer under no organization", (Consumer<Map<String, Object>>) p ->
                            section(p, "organizations", "Org1").put("peers", List.of()),
                            new String[] {"peer0.org1.example.com", "not listed under any organization", "add it"}),
                    Arguments.of("a tlsCACerts path that does not exist", (Consumer<Map<String, Object>>) p ->
                            section(p, "peers", "peer0.org1.example.com").put("tlsCACerts", Map.of("path", "nope.pem")),
                            new String[] {"nope.pem", "does not exist"}),
                    Arguments.of("tlsCACerts pem that is not a certificate", (Consumer<Map<String, Object>>) p ->
                            section(p, "peers", "peer0.org1.example.com").put("tlsCACerts", Map.of("pem", "hello")),
                            new String[] {"tlsCACerts", "PEM"}),
                    Arguments.of("an organization without mspid", (Consumer<Map<String, Object>>) p ->
                            section(p, "organizations", "Org1").remove("mspid"), new String[] {"mspid"}));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("brokenProfiles")
        void gateway_brokenProfile_connectionProfileExceptionNamingTheField(String what,
                Consumer<Map<String, Object>> breakIt, String[] words) {
            Map<String, Object> profile = copy(goodProfile);
            breakIt.accept(profile);
            Path file = writeProfile(profile);

            ConnectionProfileException e = failsCommittingNothing(ConnectionProfileException.class, null,
                    () -> userGateway().connectionProfile(file).build().close());

            assertWords(e, words);
            assertWords(e, file.toString());
        }

        @Test
        void load_notYaml_saysWhereTheSyntaxIsWrong() {
            Path file = write("profile", "peers: [unclosed\n  url: {".getBytes(UTF_8));

            ConnectionProfileException e = assertThrows(ConnectionProfileException.class,
                    () -> userGateway().connectionProfile(file).build().close());

            assertWords(e, file.toString(), "line");
        }

        @Test
        void load_binaryFile_saysItIsNotText() {
            Path file = write("profile", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});

            ConnectionProfileException e = assertThrows(ConnectionProfileException.class,
                    () -> userGateway().connectionProfile(file).build().close());

            assertWords(e, "not UTF-8 text", "YAML or JSON");
        }

        @Test
        void load_missingFile_saysItDoesNotExist() {
            ConnectionProfileException e = assertThrows(ConnectionProfileException.class,
                    () -> userGateway().connectionProfile(dir.resolve("absent.yaml")).build().close());

            assertWords(e, "absent.yaml", "does not exist");
        }

        @Test
        void load_tlsCaCertsFileInDer_saysDerAndHowToConvert() throws Exception {
            Path der = write("tlsca", network.peer("Org1MSP").tlsRootCertificate().getEncoded());
            Map<String, Object> profile = copy(goodProfile);
            section(profile, "peers", "peer0.org1.example.com").put("tlsCACerts", Map.of("path", der.toString()));
            Path file = writeProfile(profile);

            ConnectionProfileException e = assertThrows(ConnectionProfileException.class,
                    () -> userGateway().connectionProfile(file).build().close());

            assertWords(e, "tlsCACerts", "DER", "openssl x509 -inform DER");
        }

        @Test
        void gateway_noProfileAndNoPeers_saysWhatToGive() {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> userGateway().build().close());

            assertWords(e, "no peers", "connection profile");
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    class CredentialFiles {
        @Test
        void readPrivateKey_der_saysDerAndTheOpensslCommand() {
            Path key = write("key", user.privateKey().getEncoded());

            CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(key));

            assertWords(e, "is DER", "PEM", "openssl pkey -inform DER -in " + key);
        }

        @Test
        void readCertificate_der_saysDerAndTheOpensslCommand() throws Exception {
            Path cert = write("cert", user.identity().certificate().getEncoded());

            CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readCertificate(cert));

            assertWords(e, "is DER", "openssl x509 -inform DER");
        }

        @Test
        void readPrivateKey_binaryNotDer_saysBinary() {
            Path key = write("key", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0});

            CredentialException e = assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(key));

            assertWords(e, "binary file", "-----BEGIN");
        }

        @Test
        void readPrivateKey_emptyFile_saysEmpty() {
            Path key = write("key", new byte[0]);

            assertWords(assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(key)), "is empty");
        }

        @Test
        void readPrivateKey_fileHoldsACertificate_saysSo() {
            Path key = write("key", Credentials.toPem(user.identity().certificate()).getBytes(UTF_8));

            assertWords(assertThrows(CredentialException.class, () -> Credentials.readPrivateKey(key)), "certificate");
        }

        @Test
        void readCertificate_fileHoldsAKey_saysNoCertificate() {
            Path cert = write("cert", Credentials.toPem(user.privateKey()).getBytes(UTF_8));

            assertWords(assertThrows(CredentialException.class, () -> Credentials.readCertificate(cert)),
                    "no CERTIFICATE block");
        }

        @Test
        void readPrivateKey_missingFile_saysItDoesNotExist() {
            assertWords(assertThrows(CredentialException.class,
                    () -> Credentials.readPrivateKey(dir.resolve("priv_sk"))), "priv_sk", "does not exist");
        }

        @Test
        void checkKeyPair_keyOfAnotherUser_saysTheyDoNotBelongTogether() {
            ReferenceNetwork.User other = network.user("Org2MSP");

            CredentialException e = assertThrows(CredentialException.class,
                    () -> Credentials.checkKeyPair(user.identity().certificate(), other.privateKey()));

            assertWords(e, "key");
        }

        @Test
        void readPrivateKey_rsaKey_saysWhichKeysFabricTakes() throws Exception {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            KeyPair pair = rsa.generateKeyPair();
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";

            CredentialException e = assertThrows(CredentialException.class,
                    () -> Credentials.readPrivateKey(write("key", pem.getBytes(UTF_8))));

            assertWords(e, "RSA");
        }

        @Test
        void gateway_expiredIdentityCertificate_refusedBeforeSendingAnythingWithTheDates() {
            Instant now = Instant.now();
            X509Issuer.Issued expired = selfSigned("CN=expired", now.minus(400, ChronoUnit.DAYS),
                    now.minus(30, ChronoUnit.DAYS));
            X509Identity identity = X509Identity.of("Org1MSP", expired.certificate());

            CredentialException e = failsCommittingNothing(CredentialException.class, null, () -> Networks.gateway(network)
                    .identity(identity).signer(Signers.newPrivateKeySigner(expired.key())).build().close());

            assertWords(e, "client identity's certificate", "CN=expired", "expired at",
                    expired.certificate().getNotAfter().toInstant().toString(), "renew");
        }

        @Test
        void gateway_identityCertificateNotYetValid_refusedSayingFromWhen() {
            Instant now = Instant.now();
            X509Issuer.Issued future = selfSigned("CN=future", now.plus(2, ChronoUnit.DAYS), now.plus(400, ChronoUnit.DAYS));

            CredentialException e = assertThrows(CredentialException.class, () -> Networks.gateway(network)
                    .identity(X509Identity.of("Org1MSP", future.certificate()))
                    .signer(Signers.newPrivateKeySigner(future.key())).build().close());

            assertWords(e, "not valid until", "clock");
        }

        @Test
        void gateway_expiredClientTlsCertificate_refusedNamingTheTlsCertificate() {
            Instant now = Instant.now();
            X509Issuer.Issued expired = selfSigned("CN=old-tls", now.minus(400, ChronoUnit.DAYS),
                    now.minus(1, ChronoUnit.DAYS));

            CredentialException e = assertThrows(CredentialException.class, () -> Networks.gateway(network)
                    .clientTls(List.of(expired.certificate()), expired.key()).build().close());

            assertWords(e, "client TLS certificate", "CN=old-tls", "expired");
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    class Tls {
        @Test
        void submit_plaintextToATlsPort_saysTheServerSpeaksTlsUseGrpcs() {
            ReferenceNetwork.Peer peer = network.peer("Org1MSP");
            String id = Networks.assetId("plain");
            try (Gateway gateway = userGateway().addPeer(peer.name(), peer.mspId(),
                    EndpointConfig.builder(peer.endpoint()).plaintext().build()).build()) {
                Contract contract = gateway.network(CHANNEL).contract("basic");

                TransactionException e = failsCommittingNothing(TransactionException.class, id,
                        () -> contract.submit("CreateAsset", create(id)));

                assertWords(e, "TLS", "grpcs://");
                assertTrue(e.getMessage().indexOf("grpcs://") < 300, "the cause leads: " + e.getMessage());
            }
        }

        @Test
        void submit_serverCertificateFromAnUntrustedCa_saysCheckTlsCaCerts() {
            ReferenceNetwork.Peer peer = network.peer("Org1MSP");
            X509Issuer.Issued stranger = selfSigned("CN=stranger-ca", Instant.now().minus(1, ChronoUnit.DAYS),
                    Instant.now().plus(1, ChronoUnit.DAYS));
            String id = Networks.assetId("untrusted");
            try (Gateway gateway = userGateway().addPeer(peer.name(), peer.mspId(),
                    peer.endpointConfig().toBuilder().tls(List.of(stranger.certificate())).build()).build()) {
                TransactionException e = failsCommittingNothing(TransactionException.class, id,
                        () -> gateway.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));

                assertWords(e, "not signed by a trusted CA", "tlsCACerts");
            }
        }

        @Test
        void submit_serverNameDoesNotMatchTheCertificate_failsNamingTls() {
            ReferenceNetwork.Peer peer = network.peer("Org1MSP");
            String id = Networks.assetId("name");
            try (Gateway gateway = userGateway().addPeer(peer.name(), peer.mspId(),
                    peer.endpointConfig().toBuilder().authorityOverride("wrong.example.com").build()).build()) {
                TransactionException e = failsCommittingNothing(TransactionException.class, id,
                        () -> gateway.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));

                assertWords(e, "cannot connect", "TLS");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    class ArgumentsAndOptions {
        private Contract contract() {
            return witness.network(CHANNEL).contract("basic");
        }

        @Test
        void submit_unknownChaincode_endorseExceptionNamingIt() {
            String id = Networks.assetId("nocc");
            EndorseException e = failsCommittingNothing(EndorseException.class, id,
                    () -> witness.network(CHANNEL).contract("no-such-chaincode").submit("CreateAsset", create(id)));

            assertWords(e, "no-such-chaincode");
            assertFalse(e.retryable(), "retrying cannot help: " + e);
        }

        @Test
        void submit_unknownChannel_namesTheChannel() {
            WeftException e = assertThrows(WeftException.class,
                    () -> witness.network("no-such-channel").contract("basic").submit("CreateAsset", create("x")));

            assertWords(e, "no-such-channel");
        }

        @Test
        void submit_unknownFunction_carriesTheChaincodeMessage() {
            EndorseException e = failsCommittingNothing(EndorseException.class, null,
                    () -> contract().submit("Frobnicate", "x"));

            assertWords(e, "Frobnicate");
        }

        @Test
        void submit_wrongArgumentCount_carriesTheChaincodeMessage() {
            EndorseException e = failsCommittingNothing(EndorseException.class, null,
                    () -> contract().submit("CreateAsset", "only-an-id"));

            assertWords(e, "CreateAsset");
        }

        @Test
        void submit_argumentOver100MiB_refusedBeforeSendingAndTheGatewayClosesQuietly() {
            byte[] huge = new byte[101 * 1024 * 1024];
            List<LogRecord> warnings = new ArrayList<>();
            Handler capture = new Handler() {
                @Override
                public void publish(LogRecord record) {
                    if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                        warnings.add(record);
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            Logger grpc = Logger.getLogger("io.grpc");
            grpc.addHandler(capture);
            try {
                Gateway gateway = Networks.withOrderer(Networks.gateway(network), network).build();
                EndorseException e = failsCommittingNothing(EndorseException.class, null, () -> gateway.network(CHANNEL)
                        .contract("basic").newTransaction("CreateAsset").arguments(List.of(huge)).submit());
                assertTimeoutPreemptively(Duration.ofSeconds(20), gateway::close);

                assertWords(e, "too large", "104857600 bytes", "send less data");
                assertFalse(e.retryable());
                assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList(),
                        "closing after a refused oversize request logs nothing");
            } finally {
                grpc.removeHandler(capture);
            }
        }

        @Test
        void submit_endorsingOrganizationNotOnTheChannel_namesIt() {
            String id = Networks.assetId("org");
            WeftException e = failsCommittingNothing(WeftException.class, id, () -> contract()
                    .newTransaction("CreateAsset").arguments(create(id)).endorsingOrganizations("Org9MSP").submit());

            assertWords(e, "Org9MSP");
        }

        @Test
        void submit_endorsingPeerUnknown_namesIt() {
            String id = Networks.assetId("peer");
            WeftException e = failsCommittingNothing(WeftException.class, id, () -> contract()
                    .newTransaction("CreateAsset").arguments(create(id)).endorsingPeers("peer7.nowhere").submit());

            assertWords(e, "peer7.nowhere");
        }

        @Test
        void timeout_negative_illegalArgumentNamingIt() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> contract().newTransaction("CreateAsset").timeout(Duration.ofSeconds(-1)));

            assertWords(e, "timeout");
        }

        @Test
        void timeout_zero_illegalArgument() {
            assertThrows(IllegalArgumentException.class,
                    () -> Networks.gateway(network).endorseTimeout(Duration.ZERO));
        }

        @Test
        void arguments_nullArgument_nullPointerNamingIt() {
            NullPointerException e = assertThrows(NullPointerException.class,
                    () -> contract().newTransaction("CreateAsset").arguments("a", null, "c"));

            assertWords(e, "argument");
        }

        @Test
        void transientData_nullValue_nullPointerNamingTheKey() {
            NullPointerException e = assertThrows(NullPointerException.class,
                    () -> contract().newTransaction("CreateAsset").putTransientData("secret", null));

            assertWords(e, "'secret'", "null");
        }

        @Test
        void offlineSignature_byAnotherKey_refusedNamingTheCreator() {
            try (Gateway unsigned = Networks.withOrderer(Gateway.builder().identity(user.identity()), network)
                    .addPeer(network.peer("Org1MSP").name(), "Org1MSP", network.peer("Org1MSP").endpointConfig())
                    .build()) {
                Proposal proposal = unsigned.network(CHANNEL).contract("basic").newTransaction("ReadAsset")
                        .arguments("x").newProposal();
                byte[] wrong = network.user("Org2MSP").signer().sign(proposal.bytes().toByteArray());

                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> proposal.withSignature(wrong));

                assertWords(e, "Org1MSP");
            }
        }

        @Test
        void events_startBeyondTheLedger_notFoundOnEveryPeer() {
            long beyond = network.peer("Org1MSP").height(CHANNEL) + 1000;
            try (CloseableIterator<Block> blocks = witness.network(CHANNEL).events().startBlock(beyond).blocks()) {
                EventStreamException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                        () -> assertThrows(EventStreamException.class, blocks::next));

                assertWords(e, "NOT_FOUND");
                assertFalse(e.retryable());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    class NetworkFaults {
        @Test
        void submit_everyPeerUnreachable_leadsWithTheCause() {
            EndpointConfig nowhere = Networks.unreachable();
            String id = Networks.assetId("down");
            try (Gateway gateway = userGateway().addPeer("peer0.org1.example.com", "Org1MSP", nowhere).build()) {
                EndorseException e = failsCommittingNothing(EndorseException.class, id,
                        () -> gateway.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));

                assertTrue(e.getMessage().indexOf("cannot connect to " + nowhere.target()) < 200,
                        "the cause comes first: " + e.getMessage());
                assertEquals(1, countOf(e.getMessage(), "cannot connect to " + nowhere.target()),
                        "said once: " + e.getMessage());
                assertTrue(e.retryable());
            }
        }

        @Test
        void submit_unresolvableHost_namesTheHost() {
            String id = Networks.assetId("dns");
            try (Gateway gateway = userGateway().addPeer("peer0.org1.example.com", "Org1MSP",
                    EndpointConfig.builder("peer0.no-such-host.invalid:7051").plaintext().build()).build()) {
                EndorseException e = failsCommittingNothing(EndorseException.class, id,
                        () -> gateway.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));

                assertWords(e, "no-such-host.invalid");
            }
        }

        @Test
        void submit_ordererUnreachable_submitExceptionNamingTheAttemptsAndNothingCommitted() {
            String id = Networks.assetId("noorderer");
            try (Gateway gateway = Networks.gateway(network).addOrderer("orderer.example.com", Networks.unreachable())
                    .submitTimeout(Duration.ofSeconds(2)).build()) {
                SubmitException e = failsCommittingNothing(SubmitException.class, id,
                        () -> gateway.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));

                assertWords(e, "orderer", "attempts");
                assertEquals(TransactionStage.SUBMIT, e.stage());
            }
        }

        @Test
        void submit_endorsingPeerStopped_otherPeersStillCannotSatisfyTheAndPolicy() {
            ReferenceNetwork.Peer org2 = network.peer("Org2MSP");
            String id = Networks.assetId("stopped");
            org2.stop();
            try (Gateway gateway = Networks.withOrderer(Networks.gateway(network), network)
                    .timeout(Duration.ofSeconds(10)).build()) {
                TransactionException e = failsCommittingNothing(TransactionException.class, id, () -> gateway
                        .network(CHANNEL).contract("and", dev.weft.core.ChaincodePolicy.signature(Networks.AND_POLICY))
                        .submit("CreateAsset", create(id)));

                assertWords(e, "Org2MSP");
            } finally {
                org2.start();
            }
        }

        @Test
        void evaluate_peerStallsPastTheTimeout_timesOutNamingTheBudget() {
            ReferenceNetwork.Peer org1 = network.peer("Org1MSP");
            org1.stallEndorsements(true);
            try (Gateway gateway = userGateway().addPeer(org1.name(), org1.mspId(), org1.endpointConfig())
                    .evaluateTimeout(Duration.ofMillis(500)).build()) {
                TransactionException e = assertThrows(TransactionException.class,
                        () -> gateway.network(CHANNEL).contract("basic").evaluate("GetAllAssets"));

                assertWords(e, "500");
            } finally {
                org1.stallEndorsements(false);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    class ForgedIdentities {
        private TransactionException forged(X509Identity identity, Signer signer) {
            String id = Networks.assetId("forged");
            try (Gateway gateway = Networks.withOrderer(Networks.gateway(network), network).identity(identity)
                    .signer(signer).build()) {
                return failsCommittingNothing(TransactionException.class, id,
                        () -> gateway.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));
            }
        }

        @Test
        void submit_selfSignedCertificateClaimingOrg1_refusedByThePeers() {
            X509Issuer.Issued fake = selfSigned("CN=User1@org1.example.com,O=org1.example.com",
                    Instant.now().minus(1, ChronoUnit.DAYS), Instant.now().plus(1, ChronoUnit.DAYS));

            TransactionException e = forged(X509Identity.of("Org1MSP", fake.certificate()),
                    Signers.newPrivateKeySigner(fake.key()));

            assertEquals(TransactionStage.ENDORSE, e.stage());
            assertWords(e, "Org1MSP");
        }

        @Test
        void submit_org1CertificateClaimingOrg2_refusedByThePeers() {
            TransactionException e = forged(X509Identity.of("Org2MSP", user.identity().certificate()), user.signer());

            assertEquals(TransactionStage.ENDORSE, e.stage());
            assertWords(e, "Org2MSP");
        }

        @Test
        void submit_signedWithAKeyThatIsNotTheCertificates_refusedByThePeers() {
            KeyPair other = X509Issuer.newKeyPair(EcCurves.P256);
            Signer wrongKey = Signers.newPrivateKeySigner(other.getPrivate());

            TransactionException e = forged(user.identity(), wrongKey);

            assertEquals(TransactionStage.ENDORSE, e.stage());
            assertWords(e, "access denied", "creator org [Org1MSP]");
        }

        @Test
        void submit_signerReturnsGarbage_refusedByThePeers() {
            Signer garbage = message -> Arrays.copyOf(message, 8);

            TransactionException e = forged(user.identity(), garbage);

            assertEquals(TransactionStage.ENDORSE, e.stage());
        }

        @Test
        void submit_identityOfAnotherNetworksOrg1_refusedByThePeers() {
            try (ReferenceNetwork other = ReferenceNetwork.builder().start()) {
                ReferenceNetwork.User stranger = other.user("Org1MSP");

                TransactionException e = forged(stranger.identity(), stranger.signer());

                assertEquals(TransactionStage.ENDORSE, e.stage());
                assertWords(e, "Org1MSP");
            }
        }

        @Test
        void endorsement_tamperedByAPeer_rejectedBeforeBroadcast() {
            ReferenceNetwork.Peer org2 = network.peer("Org2MSP");
            org2.interceptResponses(r -> r.toBuilder().setPayload(r.getPayload().concat(
                    com.google.protobuf.ByteString.copyFromUtf8("x"))).build());
            String id = Networks.assetId("tampered");
            try {
                TransactionException e = failsCommittingNothing(TransactionException.class, id,
                        () -> witness.network(CHANNEL).contract("basic").submit("CreateAsset", create(id)));

                assertEquals(TransactionStage.VALIDATE, e.stage());
                assertWords(e, "Org2MSP", "not a ProposalResponsePayload");
            } finally {
                org2.interceptResponses(null);
            }
        }
    }

    private static int countOf(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
