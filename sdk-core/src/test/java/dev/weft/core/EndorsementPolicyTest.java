package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.hyperledger.fabric.protos.common.ImplicitMetaPolicy;
import org.hyperledger.fabric.protos.common.MSPPrincipal;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.common.MSPRole.MSPRoleType;
import org.hyperledger.fabric.protos.common.OrganizationUnit;
import org.hyperledger.fabric.protos.common.Policy;
import org.hyperledger.fabric.protos.common.SignaturePolicy;
import org.hyperledger.fabric.protos.common.SignaturePolicyEnvelope;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Endorsement policies: Fabric's policy text (common/policydsl), the SignaturePolicyEnvelope it
 * compiles to, and evaluation by cauthdsl's rules. Also the implicit-meta channel policies.
 */
class EndorsementPolicyTest {

    // ---------------------------------------------------------------- helpers

    /** A policy identity for tests: MEMBER matches any identity of the MSP, other roles must be held. */
    record TestIdentity(String mspId, ByteString serialized, Set<MSPRoleType> roles) implements PolicyIdentity {
        @Override
        public boolean satisfies(Principal principal) {
            if (principal instanceof Principal.Role r) {
                return r.mspId().equals(mspId) && (r.role() == MSPRoleType.MEMBER || roles.contains(r.role()));
            }
            if (principal instanceof Principal.Identity id) {
                return id.serialized().equals(serialized);
            }
            return false;
        }
    }

    private static TestIdentity identity(String mspId, String name, MSPRoleType... roles) {
        ByteString serialized = SerializedIdentity.newBuilder()
                .setMspid(mspId)
                .setIdBytes(ByteString.copyFromUtf8(name))
                .build().toByteString();
        return new TestIdentity(mspId, serialized,
                roles.length == 0 ? EnumSet.noneOf(MSPRoleType.class) : EnumSet.of(roles[0], roles));
    }

    private static MSPPrincipal role(String mspId, MSPRoleType role) {
        return MSPPrincipal.newBuilder()
                .setPrincipalClassification(MSPPrincipal.Classification.ROLE)
                .setPrincipal(MSPRole.newBuilder().setMspIdentifier(mspId).setRole(role).build().toByteString())
                .build();
    }

    private static SignaturePolicy signedBy(int index) {
        return SignaturePolicy.newBuilder().setSignedBy(index).build();
    }

    private static SignaturePolicy nOutOf(int n, SignaturePolicy... rules) {
        return SignaturePolicy.newBuilder()
                .setNOutOf(SignaturePolicy.NOutOf.newBuilder().setN(n).addAllRules(List.of(rules)))
                .build();
    }

    private static SignaturePolicyEnvelope envelope(SignaturePolicy rule, MSPPrincipal... identities) {
        return SignaturePolicyEnvelope.newBuilder()
                .setVersion(0)
                .setRule(rule)
                .addAllIdentities(List.of(identities))
                .build();
    }

    private static PolicyParseException parseError(String text) {
        return assertThrows(PolicyParseException.class, () -> EndorsementPolicy.parse(text), text);
    }

    // ---------------------------------------------------------------- parse -> envelope

    @Test
    void parse_andOfTwoPeers_givesTwoOutOfTwoEnvelope() {
        SignaturePolicyEnvelope expected = envelope(nOutOf(2, signedBy(0), signedBy(1)),
                role("Org1MSP", MSPRoleType.PEER), role("Org2MSP", MSPRoleType.PEER));

        SignaturePolicyEnvelope actual = EndorsementPolicy.parse("AND('Org1MSP.peer','Org2MSP.peer')").toEnvelope();

        assertEquals(expected, actual);
        assertEquals(0, actual.getVersion());
        assertArrayEquals(expected.toByteArray(), actual.toByteArray());
    }

    @Test
    void parse_orOfThree_givesOneOutOfThreeEnvelope() {
        SignaturePolicyEnvelope expected = envelope(nOutOf(1, signedBy(0), signedBy(1), signedBy(2)),
                role("A", MSPRoleType.MEMBER), role("B", MSPRoleType.ADMIN), role("C", MSPRoleType.CLIENT));

        assertEquals(expected, EndorsementPolicy.parse("OR('A.member', 'B.admin', 'C.client')").toEnvelope());
    }

    @Test
    void parse_outOf_keepsCountAndOrder() {
        SignaturePolicyEnvelope expected = envelope(nOutOf(2, signedBy(0), signedBy(1), signedBy(2)),
                role("A", MSPRoleType.PEER), role("B", MSPRoleType.ORDERER), role("C", MSPRoleType.PEER));

        assertEquals(expected, EndorsementPolicy.parse("OutOf(2, 'A.peer', 'B.orderer', 'C.peer')").toEnvelope());
    }

    @Test
    void parse_nestedGates_numbersIdentitiesInOrderOfAppearance() {
        String text = "OR(AND('A.peer', 'B.peer'), OutOf(2, 'C.admin', AND('D.client', 'E.member'), 'A.peer'))";
        SignaturePolicyEnvelope expected = envelope(
                nOutOf(1,
                        nOutOf(2, signedBy(0), signedBy(1)),
                        nOutOf(2, signedBy(2), nOutOf(2, signedBy(3), signedBy(4)), signedBy(5))),
                role("A", MSPRoleType.PEER), role("B", MSPRoleType.PEER), role("C", MSPRoleType.ADMIN),
                role("D", MSPRoleType.CLIENT), role("E", MSPRoleType.MEMBER), role("A", MSPRoleType.PEER));

        EndorsementPolicy policy = EndorsementPolicy.parse(text);

        assertEquals(expected, policy.toEnvelope());
        assertEquals(new EndorsementPolicy.OutOf(1, List.of(
                new EndorsementPolicy.OutOf(2, List.of(new EndorsementPolicy.SignedBy(0), new EndorsementPolicy.SignedBy(1))),
                new EndorsementPolicy.OutOf(2, List.of(
                        new EndorsementPolicy.SignedBy(2),
                        new EndorsementPolicy.OutOf(2, List.of(new EndorsementPolicy.SignedBy(3), new EndorsementPolicy.SignedBy(4))),
                        new EndorsementPolicy.SignedBy(5))))), policy.rule());
    }

    @Test
    void parse_repeatedPrincipal_getsNewIdentityIndexEachTime() {
        EndorsementPolicy policy = EndorsementPolicy.parse("AND('Org1MSP.member', 'Org1MSP.member')");

        assertEquals(List.of(Principal.role("Org1MSP", MSPRoleType.MEMBER), Principal.role("Org1MSP", MSPRoleType.MEMBER)),
                policy.principals());
        assertEquals(envelope(nOutOf(2, signedBy(0), signedBy(1)),
                role("Org1MSP", MSPRoleType.MEMBER), role("Org1MSP", MSPRoleType.MEMBER)), policy.toEnvelope());
    }

    @Test
    void parse_allRoles_mapToMspRoleTypes() {
        EndorsementPolicy policy = EndorsementPolicy.parse("OR('A.member', 'A.admin', 'A.client', 'A.peer', 'A.orderer')");

        assertEquals(List.of(MSPRoleType.MEMBER, MSPRoleType.ADMIN, MSPRoleType.CLIENT, MSPRoleType.PEER, MSPRoleType.ORDERER),
                policy.principals().stream().map(p -> ((Principal.Role) p).role()).toList());
    }

    @Test
    void parse_mspIdWithDotsAndDashes_lastDotSeparatesRole() {
        EndorsementPolicy policy = EndorsementPolicy.parse("AND('org1.example.com.peer', 'my-org-2.admin', 'a.b-c.d.member')");

        assertEquals(List.of(
                Principal.role("org1.example.com", MSPRoleType.PEER),
                Principal.role("my-org-2", MSPRoleType.ADMIN),
                Principal.role("a.b-c.d", MSPRoleType.MEMBER)), policy.principals());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "AND('A.peer', 'B.peer')", "And('A.peer', 'B.peer')", "and('A.peer', 'B.peer')",
        "OutOf(2, 'A.peer', 'B.peer')", "OUTOF(2, 'A.peer', 'B.peer')", "outof(2, 'A.peer', 'B.peer')",
    })
    void parse_everyAndOrOutOfSpelling_givesTwoOutOfTwo(String text) {
        assertEquals(envelope(nOutOf(2, signedBy(0), signedBy(1)), role("A", MSPRoleType.PEER), role("B", MSPRoleType.PEER)),
                EndorsementPolicy.parse(text).toEnvelope());
    }

    @ParameterizedTest
    @ValueSource(strings = {"OR('A.peer', 'B.peer')", "Or('A.peer', 'B.peer')", "or('A.peer', 'B.peer')"})
    void parse_everyOrSpelling_givesOneOutOfTwo(String text) {
        assertEquals(envelope(nOutOf(1, signedBy(0), signedBy(1)), role("A", MSPRoleType.PEER), role("B", MSPRoleType.PEER)),
                EndorsementPolicy.parse(text).toEnvelope());
    }

    @Test
    void parse_whitespaceAndNewlines_areTolerated() {
        String text = "\n  AND (\n\t'A.peer' ,\r\n  OR( 'B.peer','C.peer' ) ,\n  OutOf ( 1 , 'D.peer' )\n)  \n";

        assertEquals(EndorsementPolicy.parse("AND('A.peer', OR('B.peer', 'C.peer'), OutOf(1, 'D.peer'))"),
                EndorsementPolicy.parse(text));
    }

    @Test
    void parse_doubleQuotedPrincipals_sameAsSingleQuoted() {
        assertEquals(EndorsementPolicy.parse("AND('A.peer', 'B.admin')"),
                EndorsementPolicy.parse("AND(\"A.peer\", \"B.admin\")"));
        assertEquals(EndorsementPolicy.parse("AND('A.peer', 'B.admin')"),
                EndorsementPolicy.parse("AND(\"A.peer\", 'B.admin')"));
    }

    // ---------------------------------------------------------------- real Fabric known answer

    @Test
    void parse_org1ReadersText_equalsEnvelopeInRealFabricChannelConfig() throws InvalidProtocolBufferException {
        ChannelConfig config = ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);
        ChannelPolicy readers = config.policy("/Channel/Application/Org1MSP/Readers").orElseThrow();
        ByteString raw = config.config().getChannelGroup()
                .getGroupsMap().get("Application")
                .getGroupsMap().get("Org1MSP")
                .getPoliciesMap().get("Readers")
                .getPolicy().getValue();
        SignaturePolicyEnvelope fromFabric = SignaturePolicyEnvelope.parseFrom(raw);

        SignaturePolicyEnvelope ours = EndorsementPolicy
                .parse("OR('Org1MSP.admin', 'Org1MSP.peer', 'Org1MSP.client')").toEnvelope();

        assertEquals(Policy.PolicyType.SIGNATURE_VALUE, config.config().getChannelGroup()
                .getGroupsMap().get("Application").getGroupsMap().get("Org1MSP")
                .getPoliciesMap().get("Readers").getPolicy().getType());
        assertEquals(fromFabric, ours);
        assertArrayEquals(raw.toByteArray(), ours.toByteArray());
        SignaturePolicyEnvelope viaWeft = ((ChannelPolicy.Signature) readers).policy().toEnvelope();
        assertArrayEquals(raw.toByteArray(), viaWeft.toByteArray());
        assertEquals("Signature OR('Org1MSP.admin', 'Org1MSP.peer', 'Org1MSP.client')", readers.toString());
    }

    @Test
    void channelConfig_applicationEndorsement_isImplicitMetaMajorityEndorsement() {
        ChannelConfig config = ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);

        ChannelPolicy policy = config.policy("/Channel/Application/Endorsement").orElseThrow();

        assertEquals(ChannelPolicy.implicitMeta("MAJORITY Endorsement"), policy);
        assertEquals("ImplicitMeta MAJORITY Endorsement", policy.toString());
    }

    // ---------------------------------------------------------------- round trips and canonical text

    static Stream<String> canonicalPolicies() {
        return Stream.of(
                "AND('Org1MSP.peer', 'Org2MSP.peer')",
                "OR('Org1MSP.member', 'Org2MSP.member')",
                "OR('A.member')",
                "OutOf(2, 'A.peer', 'B.peer', 'C.peer')",
                "AND('A.admin', OR('B.peer', 'C.peer'))",
                "OutOf(0, 'A.member')",
                "OutOf(0, 'A.member', 'B.member')",
                "OutOf(3, 'A.member', 'B.member')",
                "AND('Org1MSP.member', 'Org1MSP.member')",
                "AND('org1.example.com.peer', 'my-org.member', '1-2.3.client')",
                "OR(AND('A.peer', 'B.peer'), AND('C.peer', OutOf(2, 'D.client', 'E.orderer', 'F.admin')))",
                "OR(OR(OR('A.member')))",
                "OutOf(2, 'A.member', OR('B.member', 'C.member'), AND('D.member', 'E.member'))",
                "AND(OR('A.member', 'B.member'), 'A.member')");
    }

    @ParameterizedTest
    @MethodSource("canonicalPolicies")
    void toString_canonicalText_isReproducedExactly(String text) {
        assertEquals(text, EndorsementPolicy.parse(text).toString());
    }

    @ParameterizedTest
    @MethodSource("canonicalPolicies")
    void parse_ofToString_equalsOriginalWithSameEnvelopeBytes(String text) {
        EndorsementPolicy policy = EndorsementPolicy.parse(text);

        EndorsementPolicy again = EndorsementPolicy.parse(policy.toString());

        assertEquals(policy, again);
        assertEquals(policy.hashCode(), again.hashCode());
        assertArrayEquals(policy.toEnvelope().toByteArray(), again.toEnvelope().toByteArray());
    }

    @ParameterizedTest
    @MethodSource("canonicalPolicies")
    void fromEnvelope_ofToEnvelope_equalsOriginal(String text) {
        EndorsementPolicy policy = EndorsementPolicy.parse(text);

        assertEquals(policy, EndorsementPolicy.fromEnvelope(policy.toEnvelope()));
        assertEquals(policy, EndorsementPolicy.fromEnvelope(policy.toEnvelope().toByteString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "and('A.member','B.member')                    | AND('A.member', 'B.member')",
        "OutOf(1, 'A.member', 'B.member')              | OR('A.member', 'B.member')",
        "outof(2,\"A.member\",\"B.member\")            | AND('A.member', 'B.member')",
        "AND('A.member')                               | OR('A.member')",
        "OutOf(1, 'A.member')                          | OR('A.member')",
        "OUTOF( 0 , \"A.member\" )                     | OutOf(0, 'A.member')",
        "or( and('A.peer','B.peer') , 'C.admin' )      | OR(AND('A.peer', 'B.peer'), 'C.admin')",
    })
    void toString_nonCanonicalInput_isWrittenCanonically(String input, String canonical) {
        EndorsementPolicy policy = EndorsementPolicy.parse(input);

        assertEquals(canonical, policy.toString());
        assertEquals(policy, EndorsementPolicy.parse(canonical));
    }

    @Test
    void equals_differentCountOrPrincipals_notEqual() {
        EndorsementPolicy base = EndorsementPolicy.parse("OutOf(2, 'A.peer', 'B.peer', 'C.peer')");

        assertEquals(base, EndorsementPolicy.parse("OutOf(2, 'A.peer', 'B.peer', 'C.peer')"));
        assertNotEquals(base, EndorsementPolicy.parse("OutOf(1, 'A.peer', 'B.peer', 'C.peer')"));
        assertNotEquals(base, EndorsementPolicy.parse("OutOf(2, 'A.peer', 'B.peer', 'C.admin')"));
        assertNotEquals(base, EndorsementPolicy.parse("OutOf(2, 'B.peer', 'A.peer', 'C.peer')"));
    }

    // ---------------------------------------------------------------- parse errors

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // text                                  | position | message fragment
        "``                                      | 0  | empty policy",
        "`   `                                   | 3  | empty policy",
        "'Org1MSP.peer'                          | 0  | wrap the principal in OR",
        "XOR('A.member')                         | 0  | unknown gate 'XOR'",
        "aNd('A.member')                         | 0  | unknown gate 'aNd'",
        "`OR('A.member', NOT('B.member'))`       | 15 | unknown gate 'NOT'",
        "AND('A.member', 'B.member'              | 26 | expected ')'",
        "AND 'A.member')                         | 4  | expected '(' but found '''",
        "AND                                     | 3  | expected '('",
        "OR('A.member') extra                    | 15 | unexpected 'e' after the end of the policy",
        "OR('A.member'))                         | 14 | unexpected ')' after the end of the policy",
        "OR('A.member)                           | 3  | unterminated principal",
        "OR(\"A.member')                         | 3  | unterminated principal",
        "OR('Org1MSP')                           | 3  | must be '<MSP id>.<role>'",
        "OR('.member')                           | 3  | must be '<MSP id>.<role>'",
        "OR('Org1MSP.')                          | 3  | must be '<MSP id>.<role>'",
        "OR('Org1MSP.superuser')                 | 12 | unknown role 'superuser'",
        "OR('Org1MSP.Peer')                      | 12 | unknown role 'Peer'",
        "OR('Org_1MSP.peer')                     | 7  | may contain only letters, digits, '.' and '-'",
        "OR('Org1 MSP.peer')                     | 8  | may contain only letters, digits, '.' and '-'",
        "OutOf('A.member')                       | 6  | non-negative integer",
        "OutOf(-1, 'A.member')                   | 6  | non-negative integer",
        "OutOf(1 'A.member')                     | 8  | expected ','",
        "OutOf(99999999999, 'A.member')          | 6  | too large",
        "AND()                                   | 4  | unexpected ')'",
        "AND('A.member' 'B.member')              | 15 | expected ',' or ')' but found '''",
        "OR('A.member',)                         | 14 | unexpected ')'",
        "`OR('A.member', `                       | 15 | unexpected end of policy",
        "OR(1)                                   | 3  | unexpected '1'",
    })
    void parse_malformedText_throwsWithPositionOfOffendingCharacter(String text, int position, String fragment) {
        PolicyParseException e = parseError(text);

        assertEquals(position, e.position(), e.getMessage());
        assertEquals(text, e.text());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().contains("at position " + position), e.getMessage());
    }

    @Test
    void parse_null_throwsNullPointerException() {
        assertThrows(NullPointerException.class, () -> EndorsementPolicy.parse(null));
    }

    @Test
    void parse_errorInDeeplyNestedPrincipal_pointsIntoThatPrincipal() {
        String text = "AND('A.peer', OR('B.peer', OutOf(1, 'C.peer', 'D.wizard')))";

        PolicyParseException e = parseError(text);

        assertEquals(text.indexOf("wizard"), e.position());
    }

    // ---------------------------------------------------------------- fromEnvelope

    @Test
    void fromEnvelope_signedByIndexOutOfRange_throwsProtocolException() {
        SignaturePolicyEnvelope bad = envelope(nOutOf(1, signedBy(0), signedBy(2)),
                role("A", MSPRoleType.PEER), role("B", MSPRoleType.PEER));

        ProtocolException e = assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(bad));
        assertTrue(e.getMessage().contains("identity 2"), e.getMessage());
        assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(bad.toByteString()));
    }

    @Test
    void fromEnvelope_negativeSignedByIndex_throwsProtocolException() {
        SignaturePolicyEnvelope bad = envelope(nOutOf(1, signedBy(-1)), role("A", MSPRoleType.PEER));

        assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(bad));
    }

    @Test
    void fromEnvelope_signedByWithNoIdentities_throwsProtocolException() {
        assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(envelope(signedBy(0))));
    }

    @Test
    void fromEnvelope_noRuleOrEmptyRule_throwsProtocolException() {
        SignaturePolicyEnvelope noRule = SignaturePolicyEnvelope.newBuilder()
                .addIdentities(role("A", MSPRoleType.PEER)).build();
        SignaturePolicyEnvelope emptyRule = envelope(nOutOf(1, SignaturePolicy.getDefaultInstance()), role("A", MSPRoleType.PEER));

        assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(noRule));
        assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(emptyRule));
    }

    @Test
    void fromEnvelope_undecodableBytes_throwsProtocolException() {
        ByteString garbage = ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, 0x01});

        assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(garbage));
    }

    @Test
    void fromEnvelope_organizationUnitPrincipal_decodesAndReencodes() {
        MSPPrincipal ou = MSPPrincipal.newBuilder()
                .setPrincipalClassification(MSPPrincipal.Classification.ORGANIZATION_UNIT)
                .setPrincipal(OrganizationUnit.newBuilder()
                        .setMspIdentifier("Org1MSP")
                        .setOrganizationalUnitIdentifier("department1")
                        .build().toByteString())
                .build();
        SignaturePolicyEnvelope env = envelope(nOutOf(1, signedBy(0), signedBy(1)), ou, role("Org2MSP", MSPRoleType.PEER));

        EndorsementPolicy policy = EndorsementPolicy.fromEnvelope(env);

        assertEquals(new Principal.Unit("Org1MSP", "department1"), policy.principals().get(0));
        assertEquals("Org1MSP", policy.principals().get(0).mspId());
        assertEquals(env, policy.toEnvelope());
        assertEquals("OR(OU('Org1MSP', 'department1'), 'Org2MSP.peer')", policy.toString());
        assertEquals(List.of("Org1MSP", "Org2MSP"), new ArrayList<>(policy.mspIds()));
    }

    @Test
    void fromEnvelope_identityPrincipal_decodesAndMatchesExactIdentity() {
        TestIdentity alice = identity("Org1MSP", "alice");
        TestIdentity bob = identity("Org1MSP", "bob");
        MSPPrincipal exact = MSPPrincipal.newBuilder()
                .setPrincipalClassification(MSPPrincipal.Classification.IDENTITY)
                .setPrincipal(alice.serialized())
                .build();
        SignaturePolicyEnvelope env = envelope(nOutOf(1, signedBy(0)), exact);

        EndorsementPolicy policy = EndorsementPolicy.fromEnvelope(env);

        assertEquals(new Principal.Identity("Org1MSP", alice.serialized()), policy.principals().get(0));
        assertArrayEquals(env.toByteArray(), policy.toEnvelope().toByteArray());
        assertEquals("OR(IDENTITY('Org1MSP'))", policy.toString());
        assertTrue(policy.isSatisfiedBy(List.of(alice)));
        assertFalse(policy.isSatisfiedBy(List.of(bob)));
    }

    @Test
    void fromEnvelope_malformedIdentityPrincipal_throwsProtocolException() {
        MSPPrincipal bad = MSPPrincipal.newBuilder()
                .setPrincipalClassification(MSPPrincipal.Classification.IDENTITY)
                .setPrincipal(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff}))
                .build();

        assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(envelope(nOutOf(1, signedBy(0)), bad)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ANONYMITY", "COMBINED"})
    void fromEnvelope_unsupportedClassification_throwsProtocolException(String classification) {
        MSPPrincipal unsupported = MSPPrincipal.newBuilder()
                .setPrincipalClassification(MSPPrincipal.Classification.valueOf(classification))
                .setPrincipal(ByteString.copyFromUtf8("x"))
                .build();

        ProtocolException e = assertThrows(ProtocolException.class,
                () -> EndorsementPolicy.fromEnvelope(envelope(nOutOf(1, signedBy(0)), unsupported)));
        assertTrue(e.getMessage().contains(classification), e.getMessage());
    }

    @Test
    void fromEnvelope_unknownRoleValue_throwsProtocolException() {
        MSPPrincipal unknown = MSPPrincipal.newBuilder()
                .setPrincipalClassification(MSPPrincipal.Classification.ROLE)
                .setPrincipal(MSPRole.newBuilder().setMspIdentifier("A").setRoleValue(99).build().toByteString())
                .build();

        assertThrows(ProtocolException.class, () -> EndorsementPolicy.fromEnvelope(envelope(nOutOf(1, signedBy(0)), unknown)));
    }

    @Test
    void fromEnvelope_negativeGateCount_throwsProtocolException() {
        assertThrows(ProtocolException.class,
                () -> EndorsementPolicy.fromEnvelope(envelope(nOutOf(-1, signedBy(0)), role("A", MSPRoleType.PEER))));
    }

    @Test
    void of_ruleReferringToMissingPrincipal_throwsProtocolException() {
        assertThrows(ProtocolException.class, () -> EndorsementPolicy.of(
                new EndorsementPolicy.OutOf(1, List.of(new EndorsementPolicy.SignedBy(1))),
                List.of(Principal.role("A", MSPRoleType.PEER))));
    }

    @Test
    void of_validRuleAndPrincipals_equalsParsedPolicy() {
        EndorsementPolicy built = EndorsementPolicy.of(
                new EndorsementPolicy.OutOf(2, List.of(new EndorsementPolicy.SignedBy(0), new EndorsementPolicy.SignedBy(1))),
                List.of(Principal.role("A", MSPRoleType.PEER), Principal.role("B", MSPRoleType.PEER)));

        assertEquals(EndorsementPolicy.parse("AND('A.peer', 'B.peer')"), built);
    }

    // ---------------------------------------------------------------- evaluation

    private static final TestIdentity A_PEER = identity("A", "a-peer", MSPRoleType.PEER);
    private static final TestIdentity B_PEER = identity("B", "b-peer", MSPRoleType.PEER);
    private static final TestIdentity C_PEER = identity("C", "c-peer", MSPRoleType.PEER);

    static Stream<Arguments> outOfThreeCases() {
        List<TestIdentity> all = List.of(A_PEER, B_PEER, C_PEER);
        List<Arguments> cases = new ArrayList<>();
        for (int n = 0; n <= 4; n++) {
            for (int mask = 0; mask < 8; mask++) {
                List<TestIdentity> subset = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    if ((mask & (1 << i)) != 0) {
                        subset.add(all.get(i));
                    }
                }
                cases.add(Arguments.of(n, subset, subset.size() >= n));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "OutOf({0}) of A,B,C with {1} -> {2}")
    @MethodSource("outOfThreeCases")
    void isSatisfiedBy_nOutOfThreeOverEverySubset_trueIffEnoughSigners(int n, List<TestIdentity> signers, boolean expected) {
        EndorsementPolicy policy = EndorsementPolicy.parse("OutOf(" + n + ", 'A.peer', 'B.peer', 'C.peer')");

        assertEquals(expected, policy.isSatisfiedBy(signers));
    }

    @Test
    void isSatisfiedBy_andOrSpellings_behaveAsThreeOfThreeAndOneOfThree() {
        EndorsementPolicy and = EndorsementPolicy.parse("AND('A.peer', 'B.peer', 'C.peer')");
        EndorsementPolicy or = EndorsementPolicy.parse("OR('A.peer', 'B.peer', 'C.peer')");

        assertTrue(and.isSatisfiedBy(List.of(C_PEER, A_PEER, B_PEER)));
        assertFalse(and.isSatisfiedBy(List.of(A_PEER, C_PEER)));
        assertTrue(or.isSatisfiedBy(List.of(C_PEER)));
        assertFalse(or.isSatisfiedBy(List.of(identity("D", "d-peer", MSPRoleType.PEER))));
    }

    @Test
    void isSatisfiedBy_wrongRole_notSatisfied() {
        EndorsementPolicy policy = EndorsementPolicy.parse("OR('A.admin')");

        assertFalse(policy.isSatisfiedBy(List.of(A_PEER)));
        assertTrue(policy.isSatisfiedBy(List.of(identity("A", "a-admin", MSPRoleType.ADMIN))));
    }

    @Test
    void isSatisfiedBy_duplicateIdentityBytes_countOnce() {
        EndorsementPolicy policy = EndorsementPolicy.parse("AND('A.member', 'A.member')");
        TestIdentity a1 = identity("A", "a1");
        TestIdentity a1Again = identity("A", "a1");
        TestIdentity a2 = identity("A", "a2");

        assertEquals(a1.serialized(), a1Again.serialized());
        assertFalse(policy.isSatisfiedBy(List.of(a1, a1Again)));
        assertFalse(policy.isSatisfiedBy(List.of(a1, a1, a1)));
        assertTrue(policy.isSatisfiedBy(List.of(a1, a2)));
        assertTrue(policy.isSatisfiedBy(List.of(a1, a1Again, a2)));
    }

    @Test
    void isSatisfiedBy_oneIdentityForTwoPrincipals_notSatisfied() {
        EndorsementPolicy policy = EndorsementPolicy.parse("AND('A.member', 'A.peer')");
        TestIdentity secondPeer = identity("A", "a-peer-2", MSPRoleType.PEER);

        assertFalse(policy.isSatisfiedBy(List.of(A_PEER)));
        assertTrue(policy.isSatisfiedBy(List.of(A_PEER, secondPeer)));
    }

    @Test
    void isSatisfiedBy_greedyOrTakesTheOnlyIdentityTheLaterPrincipalNeeds_falseAsInFabric() {
        EndorsementPolicy policy = EndorsementPolicy.parse("AND(OR('A.member', 'B.member'), 'A.member')");
        TestIdentity a1 = identity("A", "a1");
        TestIdentity b1 = identity("B", "b1");

        // An assignment exists (B1 for the OR, A1 for the second principal), but cauthdsl's OR
        // takes A1 first and does not backtrack.
        assertFalse(policy.isSatisfiedBy(List.of(a1, b1)));
        assertFalse(policy.isSatisfiedBy(List.of(b1, a1)));
    }

    @Test
    void isSatisfiedBy_samePrincipalsInOtherOrder_trueBecauseGreedyOrderHelps() {
        EndorsementPolicy policy = EndorsementPolicy.parse("AND('A.member', OR('A.member', 'B.member'))");

        assertTrue(policy.isSatisfiedBy(List.of(identity("A", "a1"), identity("B", "b1"))));
    }

    @Test
    void isSatisfiedBy_signerOrderDecidesGreedyAssignment_asInFabric() {
        EndorsementPolicy policy = EndorsementPolicy.parse("AND('A.member', 'A.admin')");
        TestIdentity admin = identity("A", "admin", MSPRoleType.ADMIN);
        TestIdentity member = identity("A", "member");

        // The admin is first, satisfies A.member and is consumed; the plain member cannot be A.admin.
        assertFalse(policy.isSatisfiedBy(List.of(admin, member)));
        assertTrue(policy.isSatisfiedBy(List.of(member, admin)));
    }

    @Test
    void isSatisfiedBy_unsatisfiedChild_doesNotConsumeIdentities() {
        // The first child takes A1 on its scratch copy and then fails on C; A1 must be free again
        // for the second child.
        EndorsementPolicy policy = EndorsementPolicy.parse("OR(AND('A.member', 'C.member'), 'A.member')");

        assertTrue(policy.isSatisfiedBy(List.of(identity("A", "a1"))));
        EndorsementPolicy both = EndorsementPolicy.parse("OutOf(1, AND('A.member', 'C.member'), AND('A.member', 'B.member'))");
        assertTrue(both.isSatisfiedBy(List.of(identity("A", "a1"), identity("B", "b1"))));
    }

    @Test
    void isSatisfiedBy_nestedAndOfOrs_needsOneFromEachSide() {
        EndorsementPolicy policy = EndorsementPolicy.parse("AND(OR('A.peer', 'B.peer'), OR('C.peer', 'D.peer'))");
        TestIdentity dPeer = identity("D", "d-peer", MSPRoleType.PEER);

        assertTrue(policy.isSatisfiedBy(List.of(B_PEER, C_PEER)));
        assertTrue(policy.isSatisfiedBy(List.of(dPeer, A_PEER)));
        assertFalse(policy.isSatisfiedBy(List.of(A_PEER, B_PEER)));
        assertFalse(policy.isSatisfiedBy(List.of(C_PEER, dPeer)));
    }

    @Test
    void isSatisfiedBy_outOfOverGates_countsSatisfiedGates() {
        EndorsementPolicy policy = EndorsementPolicy.parse(
                "OutOf(2, AND('A.peer', 'B.peer'), OR('C.peer', 'D.peer'), 'E.admin')");
        TestIdentity eAdmin = identity("E", "e-admin", MSPRoleType.ADMIN);

        assertTrue(policy.isSatisfiedBy(List.of(A_PEER, B_PEER, C_PEER)));
        assertTrue(policy.isSatisfiedBy(List.of(C_PEER, eAdmin)));
        assertFalse(policy.isSatisfiedBy(List.of(A_PEER, C_PEER)));
        assertFalse(policy.isSatisfiedBy(List.of(eAdmin, identity("E", "e-peer", MSPRoleType.PEER))));
    }

    @Test
    void isSatisfiedBy_emptyIdentitySet_onlyZeroThresholdSatisfied() {
        assertFalse(EndorsementPolicy.parse("OR('A.member')").isSatisfiedBy(List.of()));
        assertFalse(EndorsementPolicy.parse("AND('A.member', 'B.member')").isSatisfiedBy(List.of()));
        assertTrue(EndorsementPolicy.parse("OutOf(0, 'A.member')").isSatisfiedBy(List.of()));
    }

    @Test
    void isSatisfiedBy_outOfMoreThanChildren_neverSatisfied() {
        EndorsementPolicy policy = EndorsementPolicy.parse("OutOf(3, 'A.member', 'B.member')");

        assertFalse(policy.isSatisfiedBy(List.of(A_PEER, B_PEER, C_PEER, identity("A", "a2"), identity("B", "b2"))));
    }

    @Test
    void isSatisfiedBy_realOrg1ReadersPolicy_acceptsPeerRejectsOtherOrg() {
        ChannelConfig config = ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);
        EndorsementPolicy readers = ((ChannelPolicy.Signature) config.policy("/Channel/Application/Org1MSP/Readers")
                .orElseThrow()).policy();

        assertTrue(readers.isSatisfiedBy(List.of(identity("Org1MSP", "peer0", MSPRoleType.PEER))));
        assertTrue(readers.isSatisfiedBy(List.of(identity("Org1MSP", "user1", MSPRoleType.CLIENT))));
        assertFalse(readers.isSatisfiedBy(List.of(identity("Org1MSP", "orderer", MSPRoleType.ORDERER))));
        assertFalse(readers.isSatisfiedBy(List.of(identity("Org2MSP", "peer0", MSPRoleType.PEER, MSPRoleType.ADMIN))));
    }

    // ---------------------------------------------------------------- mspIds

    @Test
    void mspIds_repeatedMsps_inOrderOfFirstAppearance() {
        EndorsementPolicy policy = EndorsementPolicy.parse(
                "AND('Org2MSP.peer', OR('Org1MSP.peer', 'Org2MSP.admin'), 'Org3MSP.member', 'Org1MSP.client')");

        assertEquals(List.of("Org2MSP", "Org1MSP", "Org3MSP"), new ArrayList<>(policy.mspIds()));
    }

    @Test
    void mspIds_singleMsp_hasOneEntry() {
        assertEquals(Set.of("Org1MSP"),
                EndorsementPolicy.parse("OR('Org1MSP.admin', 'Org1MSP.peer', 'Org1MSP.client')").mspIds());
    }

    // ---------------------------------------------------------------- implicit-meta channel policies

    @ParameterizedTest
    @CsvSource({
        "MAJORITY Endorsement, MAJORITY, Endorsement",
        "ANY Readers,          ANY,      Readers",
        "ALL Writers,          ALL,      Writers",
        "MAJORITY Admins,      MAJORITY, Admins",
    })
    void implicitMeta_validText_givesRuleAndSubPolicy(String text, ImplicitMetaPolicy.Rule rule, String subPolicy) {
        ChannelPolicy.ImplicitMeta meta = ChannelPolicy.implicitMeta(text);

        assertEquals(rule, meta.rule());
        assertEquals(subPolicy, meta.subPolicy());
        assertEquals("ImplicitMeta " + rule + " " + subPolicy, meta.toString());
    }

    @Test
    void implicitMeta_majorityEndorsement_toStringAndProto() throws InvalidProtocolBufferException {
        ChannelPolicy.ImplicitMeta meta = ChannelPolicy.implicitMeta("MAJORITY Endorsement");

        assertEquals("ImplicitMeta MAJORITY Endorsement", meta.toString());
        Policy proto = meta.toProto();
        assertEquals(Policy.PolicyType.IMPLICIT_META_VALUE, proto.getType());
        assertEquals(ImplicitMetaPolicy.newBuilder()
                .setRule(ImplicitMetaPolicy.Rule.MAJORITY).setSubPolicy("Endorsement").build(),
                ImplicitMetaPolicy.parseFrom(proto.getValue()));
        assertEquals(meta, ChannelPolicy.fromProto(proto));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "MAJORITY", "Endorsement", "MAJORITY Endorsement extra", "MOST Endorsement",
        "majority Endorsement", "MAJORITY  Endorsement", " MAJORITY Endorsement", "MAJORITY ",
        "UNRECOGNIZED Endorsement", "2 Endorsement"})
    void implicitMeta_malformedText_throwsIllegalArgumentException(String text) {
        assertThrows(IllegalArgumentException.class, () -> ChannelPolicy.implicitMeta(text));
    }

    @ParameterizedTest(name = "{0} of {1} -> {2}")
    @CsvSource({
        "ANY, 1, 1", "ANY, 2, 1", "ANY, 3, 1", "ANY, 4, 1", "ANY, 5, 1",
        "ALL, 1, 1", "ALL, 2, 2", "ALL, 3, 3", "ALL, 4, 4", "ALL, 5, 5",
        "MAJORITY, 1, 1", "MAJORITY, 2, 2", "MAJORITY, 3, 2", "MAJORITY, 4, 3", "MAJORITY, 5, 3",
        "ANY, 0, 0", "ALL, 0, 0", "MAJORITY, 0, 0",
    })
    void threshold_ruleAndChildCount_matchesFabricImplicitMeta(ImplicitMetaPolicy.Rule rule, int children, int expected) {
        assertEquals(expected, new ChannelPolicy.ImplicitMeta(rule, "Endorsement").threshold(children));
    }

    @Test
    void channelPolicy_signatureRoundTrip_throughProto() {
        ChannelPolicy.Signature signature = new ChannelPolicy.Signature(
                EndorsementPolicy.parse("OR('Org1MSP.admin', 'Org1MSP.peer', 'Org1MSP.client')"));

        Policy proto = signature.toProto();

        assertEquals(Policy.PolicyType.SIGNATURE_VALUE, proto.getType());
        assertEquals(signature, ChannelPolicy.fromProto(proto));
        assertInstanceOf(ChannelPolicy.Signature.class, ChannelPolicy.fromProto(proto));
    }

    @Test
    void channelPolicy_unsupportedTypeOrBadValue_throwsChannelConfigException() {
        Policy mspType = Policy.newBuilder().setType(Policy.PolicyType.MSP_VALUE).build();
        Policy badSignature = Policy.newBuilder()
                .setType(Policy.PolicyType.SIGNATURE_VALUE)
                .setValue(envelope(nOutOf(1, signedBy(3)), role("A", MSPRoleType.PEER)).toByteString())
                .build();
        Policy badMeta = Policy.newBuilder()
                .setType(Policy.PolicyType.IMPLICIT_META_VALUE)
                .setValue(ByteString.copyFrom("\u00ff\u00ff", StandardCharsets.ISO_8859_1))
                .build();

        assertThrows(ChannelConfigException.class, () -> ChannelPolicy.fromProto(mspType));
        assertThrows(ChannelConfigException.class, () -> ChannelPolicy.fromProto(badSignature));
        assertThrows(ChannelConfigException.class, () -> ChannelPolicy.fromProto(badMeta));
    }

    @Test
    void parse_outOfCountAboveRulesPlusOne_rejectedAsFabricDoes() {
        // Fabric's policydsl permits t == n+1 (never satisfiable) but rejects t > n+1.
        assertEquals(3, ((EndorsementPolicy.OutOf) EndorsementPolicy.parse("OutOf(3, 'A.member', 'B.member')").rule()).n());
        PolicyParseException e = assertThrows(PolicyParseException.class,
                () -> EndorsementPolicy.parse("OutOf(4, 'A.member', 'B.member')"));
        assertEquals(6, e.position());
        assertTrue(e.getMessage().contains("at most n+1"), e.getMessage());
        assertThrows(PolicyParseException.class, () -> EndorsementPolicy.parse("OutOf(2147483647, 'A.member')"));
    }

    @Test
    void parse_nonAsciiDigitsInOutOfCount_rejected() {
        PolicyParseException e = assertThrows(PolicyParseException.class,
                () -> EndorsementPolicy.parse("OutOf(\u0662, 'A.member', 'B.member')"));
        assertEquals(6, e.position());
    }
}
