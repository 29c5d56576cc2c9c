package dev.weft.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Fixtures;
import dev.weft.core.Peer;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.X509Identity;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TxContextTest {
    private static final X509Identity IDENTITY = X509Identity.of("Org1MSP", Fixtures.certificate("org1-user1-cert.pem"));
    private static final Signer SIGNER = Signers.newPrivateKeySigner(Fixtures.key("org1-user1-key.pem"));

    private static ManagedChannel channel;
    private static Peer peer;

    @BeforeAll
    static void createPeer() {
        channel = InProcessChannelBuilder.forName("tx-context-test-unused").build();
        peer = Peer.of("peer0.org1.example.com", "Org1MSP", EndpointConfig.builder("127.0.0.1:7051").build(), channel);
    }

    @AfterAll
    static void closeChannel() {
        channel.shutdownNow();
    }

    private static TxContext.Builder builder() {
        return TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "CreateAsset");
    }

    private static ChaincodeProposal proposal() {
        return ChaincodeProposal.builder().identity(IDENTITY).channel("mychannel").chaincode("basic")
                .function("CreateAsset").arguments("a1").build();
    }

    @Test
    void build_inputCollectionsChangedAfterwards_contextUnchanged() {
        List<ByteString> arguments = new ArrayList<>(List.of(ByteString.copyFromUtf8("a1")));
        Map<String, ByteString> transientData = new HashMap<>(Map.of("k", ByteString.copyFromUtf8("v")));
        Set<String> organizations = new HashSet<>(Set.of("Org1MSP"));
        Set<String> peerNames = new HashSet<>(Set.of("peer0"));
        List<Peer> endorsers = new ArrayList<>(List.of(peer));
        TxContext context = builder().arguments(arguments).transientData(transientData)
                .endorsingOrganizations(organizations).endorsingPeers(peerNames).endorsers(endorsers).build();

        arguments.add(ByteString.copyFromUtf8("a2"));
        transientData.put("k2", ByteString.copyFromUtf8("v2"));
        organizations.add("Org2MSP");
        peerNames.add("peer1");
        endorsers.clear();

        assertEquals(List.of(ByteString.copyFromUtf8("a1")), context.arguments());
        assertEquals(Map.of("k", ByteString.copyFromUtf8("v")), context.transientData());
        assertEquals(Set.of("Org1MSP"), context.endorsingOrganizations());
        assertEquals(Set.of("peer0"), context.endorsingPeers());
        assertEquals(List.of(peer), context.endorsers());
    }

    @Test
    void accessors_collections_areUnmodifiable() {
        TxContext context = builder().arguments(List.of(ByteString.copyFromUtf8("a1")))
                .transientData(Map.of("k", ByteString.copyFromUtf8("v"))).endorsers(List.of(peer))
                .responses(List.of(new PeerResponse(peer, ProposalResponse.getDefaultInstance()))).build();

        assertThrows(UnsupportedOperationException.class, () -> context.arguments().add(ByteString.EMPTY));
        assertThrows(UnsupportedOperationException.class, () -> context.transientData().put("x", ByteString.EMPTY));
        assertThrows(UnsupportedOperationException.class, () -> context.endorsingOrganizations().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> context.endorsers().clear());
        assertThrows(UnsupportedOperationException.class, () -> context.responses().clear());
    }

    @Test
    void toBuilder_derivedContextChanged_originalUnchanged() {
        ContextKey<String> key = ContextKey.named("attempt");
        TxContext original = builder().arguments(List.of(ByteString.copyFromUtf8("a1"))).put(key, "1")
                .endorseTimeout(Duration.ofSeconds(3)).build();

        TxContext derived = original.toBuilder().arguments(List.of(ByteString.copyFromUtf8("b1")))
                .put(key, "2").endorseTimeout(Duration.ofSeconds(4)).endorsers(List.of(peer))
                .policy(ChaincodePolicy.signature("OR('Org1MSP.peer')")).build();

        assertEquals(List.of(ByteString.copyFromUtf8("a1")), original.arguments());
        assertEquals("1", original.get(key).orElseThrow());
        assertEquals(Duration.ofSeconds(3), original.endorseTimeout());
        assertFalse(original.hasEndorsers());
        assertTrue(original.policy().isEmpty());
        assertEquals(List.of(ByteString.copyFromUtf8("b1")), derived.arguments());
        assertEquals("2", derived.get(key).orElseThrow());
        assertEquals(Duration.ofSeconds(4), derived.endorseTimeout());
        assertEquals("mychannel", derived.channelId());
        assertEquals("CreateAsset", derived.function());
    }

    @Test
    void toBuilder_putOnBuilderAfterBuild_doesNotChangeBuiltContext() {
        ContextKey<String> key = ContextKey.named("k");
        TxContext.Builder builder = builder().put(key, "before");
        TxContext built = builder.build();

        builder.put(key, "after");

        assertEquals("before", built.get(key).orElseThrow());
    }

    @Test
    void get_twoKeysWithSameName_areDifferentKeys() {
        ContextKey<String> first = ContextKey.named("retry");
        ContextKey<String> second = ContextKey.named("retry");

        TxContext context = builder().put(first, "one").build();

        assertEquals("one", context.get(first).orElseThrow());
        assertTrue(context.get(second).isEmpty());
        assertNotEquals(first, second);
        assertEquals("retry", second.name());
    }

    @Test
    void put_nullValue_removesKey() {
        ContextKey<Integer> key = ContextKey.named("attempt");
        TxContext with = builder().put(key, 1).build();

        TxContext without = with.toBuilder().put(key, null).build();

        assertTrue(without.get(key).isEmpty());
        assertEquals(1, with.get(key).orElseThrow());
    }

    @Test
    void put_nullKey_throwsNpe() {
        assertThrows(NullPointerException.class, () -> builder().put(null, "x"));
    }

    @Test
    void accessors_missingStepOutputs_throwNamingProducingStep() {
        TxContext context = builder().build();

        assertNamesStep(PipelineStep.SELECT_ENDORSERS, context::endorsers);
        assertNamesStep(PipelineStep.SIGN_PROPOSAL, context::proposal);
        assertNamesStep(PipelineStep.SIGN_PROPOSAL, context::signedProposal);
        assertNamesStep(PipelineStep.ENDORSE, context::responses);
        assertNamesStep(PipelineStep.VERIFY_SIGNATURES, context::verifiedEndorsers);
        assertNamesStep(PipelineStep.SIGN_ENVELOPE, context::envelope);
        assertEquals("", context.transactionId());
        assertFalse(context.hasEndorsers());
    }

    private static void assertNamesStep(PipelineStep step, Supplier<?> accessor) {
        IllegalStateException error = assertThrows(IllegalStateException.class, accessor::get);
        assertTrue(error.getMessage().contains(step.name()), error.getMessage());
    }

    @Test
    void proposal_onBuilderOfContextWithOutputs_clearsResponsesVerifiedEndorsersAndEnvelope() {
        ChaincodeProposal first = proposal();
        TxContext endorsed = builder().endorsers(List.of(peer)).proposal(first, first.sign(SIGNER))
                .responses(List.of(new PeerResponse(peer, ProposalResponse.getDefaultInstance())))
                .verifiedEndorsers(List.of())
                .envelope(Envelope.getDefaultInstance())
                .build();
        ChaincodeProposal second = proposal();

        TxContext retried = endorsed.toBuilder().proposal(second, second.sign(SIGNER)).build();

        assertEquals(second.transactionId(), retried.transactionId());
        assertThrows(IllegalStateException.class, retried::responses);
        assertThrows(IllegalStateException.class, retried::verifiedEndorsers);
        assertThrows(IllegalStateException.class, retried::envelope);
        assertEquals(List.of(peer), retried.endorsers(), "the endorsers are kept");
        assertEquals(first.transactionId(), endorsed.transactionId());
        assertEquals(1, endorsed.responses().size(), "the original keeps its outputs");
        assertEquals(Envelope.getDefaultInstance(), endorsed.envelope());
    }

    @Test
    void toString_argumentsAndTransientValues_notShown() {
        ChaincodeProposal proposal = proposal();
        TxContext context = builder()
                .arguments(List.of(ByteString.copyFromUtf8("secret-argument-4711")))
                .transientData(Map.of("price", ByteString.copyFromUtf8("secret-transient-0815")))
                .proposal(proposal, proposal.sign(SIGNER))
                .build();

        String text = context.toString();

        assertFalse(text.contains("secret-argument-4711"), text);
        assertFalse(text.contains("secret-transient-0815"), text);
        assertTrue(text.contains("CreateAsset"), text);
        assertTrue(text.contains(proposal.transactionId()), text);
    }

    @Test
    void builder_emptyOrNullNames_rejected() {
        assertThrows(IllegalArgumentException.class, () -> TxContext.builder(TxContext.Kind.SUBMIT, "", "basic", "f"));
        assertThrows(IllegalArgumentException.class, () -> TxContext.builder(TxContext.Kind.SUBMIT, "ch", "", "f"));
        IllegalArgumentException function = assertThrows(IllegalArgumentException.class,
                () -> TxContext.builder(TxContext.Kind.SUBMIT, "ch", "basic", ""));
        assertTrue(function.getMessage().contains("function"), function.getMessage());
        assertThrows(NullPointerException.class, () -> TxContext.builder(null, "ch", "basic", "f"));
        assertThrows(NullPointerException.class, () -> TxContext.builder(TxContext.Kind.SUBMIT, null, "basic", "f"));
    }

    @Test
    void builder_nonPositiveTimeouts_rejectedNamingTimeout() {
        assertRejectsNonPositive("endorseTimeout", d -> builder().endorseTimeout(d));
        assertRejectsNonPositive("submitTimeout", d -> builder().submitTimeout(d));
        assertRejectsNonPositive("commitTimeout", d -> builder().commitTimeout(d));
    }

    private static void assertRejectsNonPositive(String name, Consumer<Duration> setter) {
        for (Duration d : List.of(Duration.ZERO, Duration.ofMillis(-1))) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> setter.accept(d));
            assertTrue(error.getMessage().contains(name), error.getMessage());
        }
    }

    @Test
    void builder_defaults_documentedTimeoutsAndEmptyCollections() {
        TxContext context = TxContext.builder(TxContext.Kind.EVALUATE, "mychannel", "basic", "ReadAsset").build();
        TxContext submit = TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "CreateAsset").build();

        assertEquals(Duration.ofSeconds(5), context.endorseTimeout(), "an evaluate gets the evaluate timeout");
        assertEquals(Duration.ofSeconds(15), submit.endorseTimeout());
        assertEquals(Timeouts.DEFAULTS.endorse(), submit.endorseTimeout());
        assertEquals(Timeouts.DEFAULTS.evaluate(), context.endorseTimeout());
        assertEquals(Duration.ofSeconds(5), context.submitTimeout());
        assertEquals(Duration.ofSeconds(60), context.commitTimeout());
        assertTrue(context.timeout().isEmpty(), "no overall budget by default");
        assertTrue(context.deadline().isEmpty());
        assertTrue(context.isEvaluate());
        assertTrue(context.arguments().isEmpty());
        assertTrue(context.transientData().isEmpty());
        assertTrue(context.policy().isEmpty());
    }
}
