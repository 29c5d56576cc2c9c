package dev.weft.testnet.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.core.EndorsementPolicy;
import dev.weft.core.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Principal sets against answers worked out by hand from the policies, as Fabric's
 * {@code inquire} package gives them: one policy's combinations, and several policies merged for
 * a chaincode that calls another.
 */
class PrincipalSetsTest {

    @Test
    void satisfiedBy_or_eachPrincipalAlone() {
        assertEquals(List.of("A.peer", "B.peer"), sets("OR('A.peer', 'B.peer')"));
    }

    @Test
    void satisfiedBy_and_allTogether() {
        assertEquals(List.of("A.peer+B.peer"), sets("AND('A.peer', 'B.peer')"));
    }

    @Test
    void satisfiedBy_outOf_everyPairInOrder() {
        assertEquals(List.of("A.peer+B.peer", "A.peer+C.peer", "B.peer+C.peer"),
                sets("OutOf(2, 'A.peer', 'B.peer', 'C.peer')"));
    }

    @Test
    void satisfiedBy_nestedGates_combineTheChosenRules() {
        assertEquals(List.of("A.admin+B.peer", "A.admin+C.peer"), sets("AND('A.admin', OR('B.peer', 'C.peer'))"));
        assertEquals(List.of("A.peer+C.peer", "A.peer+D.peer", "B.peer+C.peer", "B.peer+D.peer"),
                sets("AND(OR('A.peer', 'B.peer'), OR('C.peer', 'D.peer'))"));
    }

    @Test
    void satisfiedBy_samePrincipalTwice_needsTwoSigners() {
        assertEquals(List.of("A.peer+A.peer"), sets("AND('A.peer', 'A.peer')"));
    }

    @Test
    void satisfiedBy_gateNeedingMoreRulesThanItHas_isUnsatisfiable() {
        assertThrows(PrincipalSets.UnsatisfiableException.class,
                () -> PrincipalSets.satisfiedBy(EndorsementPolicy.parse("OutOf(3, 'A.peer', 'B.peer')")));
    }

    @Test
    void merge_chaincodeCallingAnother_coveringSetsStandForBoth() {
        // AND(A, B) calls OR(A, B): [A, B] already holds [A] and [B].
        assertEquals(List.of("A.peer+B.peer"), merged("AND('A.peer', 'B.peer')", "OR('A.peer', 'B.peer')"));
        // The same, the other way round.
        assertEquals(List.of("A.peer+B.peer"), merged("OR('A.peer', 'B.peer')", "AND('A.peer', 'B.peer')"));
    }

    @Test
    void merge_disjointPolicies_everyPairCombined() {
        assertEquals(List.of("A.peer+C.peer", "A.peer+D.peer", "B.peer+C.peer", "B.peer+D.peer"),
                merged("OR('A.peer', 'B.peer')", "OR('C.peer', 'D.peer')"));
    }

    @Test
    void merge_peerCoversMemberOfItsOrganisation() {
        assertEquals(List.of("A.peer"), merged("OR('A.member')", "OR('A.peer')"));
        // A peer of A does not cover a peer of B, nor an admin of A.
        assertEquals(List.of("A.admin+A.peer"), merged("OR('A.admin')", "OR('A.peer')"));
    }

    @Test
    void merge_overlappingPolicies_smallestSetsKept() {
        // OR(A, B) with OR(B, C): [B] alone satisfies both; [A, C] satisfies both and holds no smaller set.
        assertEquals(List.of("B.peer", "A.peer+C.peer"), merged("OR('A.peer', 'B.peer')", "OR('B.peer', 'C.peer')"));
    }

    @Test
    void merge_threeChaincodes() {
        assertEquals(List.of("A.peer+B.peer+C.peer"),
                merged("OR('A.peer')", "OR('B.peer')", "OR('C.peer')"));
    }

    private static List<String> sets(String policy) {
        return text(PrincipalSets.satisfiedBy(EndorsementPolicy.parse(policy)));
    }

    private static List<String> merged(String... policies) {
        List<List<List<Principal>>> each = new ArrayList<>();
        for (String policy : policies) {
            each.add(PrincipalSets.satisfiedBy(EndorsementPolicy.parse(policy)));
        }
        return text(PrincipalSets.merge(each));
    }

    private static List<String> text(List<List<Principal>> sets) {
        List<String> out = new ArrayList<>();
        for (List<Principal> set : sets) {
            List<String> names = new ArrayList<>();
            for (Principal p : set) {
                Principal.Role role = (Principal.Role) p;
                names.add(role.mspId() + "." + role.role().name().toLowerCase(Locale.ROOT));
            }
            // A set is a multiset: the order of its principals means nothing.
            names.sort(null);
            out.add(String.join("+", names));
        }
        return out;
    }
}
