package dev.weft.testnet.internal.discovery;

import dev.weft.core.EndorsementPolicy;
import dev.weft.core.InternalApi;
import dev.weft.core.Principal;
import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.protos.common.MSPRole;

/**
 * Which combinations of principals satisfy endorsement policies, as Fabric's discovery service
 * computes them ({@code common/policies/inquire}): a <em>principal set</em> is a multiset of
 * principals such that one signature for each entry (by distinct identities) satisfies the policy.
 *
 * <ul>
 *   <li>{@link #satisfiedBy}: one policy. Each {@code OutOf(n, ...)} gate contributes every choice
 *       of {@code n} of its rules, and the sets of the chosen rules are combined, so
 *       {@code AND(A, OR(B, C))} gives {@code [A, B]} and {@code [A, C]}.
 *   <li>{@link #merge}: several policies that must all be satisfied (a chaincode calling another,
 *       collections): sets that already cover a set of the other policy stand for both; the
 *       others are combined pairwise, a principal covering another of the same organisation (a
 *       peer covers a member) being counted once. Sets that contain another are dropped.
 * </ul>
 *
 * <p>Stateless.
 */
@InternalApi
public final class PrincipalSets {
    /** Fabric's bound on the choices of one gate; beyond it rules are dropped (Fabric drops random ones, we the last). */
    static final int COMBINATIONS_UPPER_BOUND = 10_000;
    /** A bound on the sets of one policy, so that a pathological policy fails instead of exhausting memory. */
    static final int MAX_SETS = 100_000;

    private PrincipalSets() {
    }

    /** A policy that no combination of principals can satisfy (or one too large to analyse). */
    public static final class UnsatisfiableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnsatisfiableException(String message) {
            super(message);
        }
    }

    /**
     * The principal sets that satisfy one policy, in the order Fabric's tree permutation gives.
     *
     * @throws UnsatisfiableException if none does (a gate needs more rules than it has, or none)
     */
    public static List<List<Principal>> satisfiedBy(EndorsementPolicy policy) {
        List<List<Principal>> sets = expand(policy.rule(), policy.principals());
        if (sets.isEmpty()) {
            throw new UnsatisfiableException("endorsement policy " + policy + " cannot be satisfied");
        }
        return sets;
    }

    private static List<List<Principal>> expand(EndorsementPolicy.Rule rule, List<Principal> principals) {
        if (rule instanceof EndorsementPolicy.SignedBy s) {
            return List.of(List.of(principals.get(s.index())));
        }
        EndorsementPolicy.OutOf gate = (EndorsementPolicy.OutOf) rule;
        if (gate.n() == 0) {
            // Fabric's inquiry finds a gate with nothing chosen under it and gives up on the policy.
            return List.of();
        }
        List<EndorsementPolicy.Rule> rules = new ArrayList<>(gate.rules());
        while (rules.size() >= gate.n() && binomialExceeds(rules.size(), gate.n(), COMBINATIONS_UPPER_BOUND)) {
            rules.remove(rules.size() - 1);
        }
        List<List<List<Principal>>> children = new ArrayList<>();
        for (EndorsementPolicy.Rule child : rules) {
            children.add(expand(child, principals));
        }
        List<List<Principal>> result = new ArrayList<>();
        for (int[] chosen : choose(rules.size(), gate.n())) {
            List<List<Principal>> product = List.of(List.of());
            for (int index : chosen) {
                List<List<Principal>> next = new ArrayList<>();
                for (List<Principal> prefix : product) {
                    for (List<Principal> set : children.get(index)) {
                        List<Principal> combined = new ArrayList<>(prefix);
                        combined.addAll(set);
                        next.add(combined);
                        if (result.size() + next.size() > MAX_SETS) {
                            throw new UnsatisfiableException("endorsement policy has more than " + MAX_SETS
                                    + " combinations of principals; simplify it");
                        }
                    }
                }
                product = next;
            }
            result.addAll(product);
        }
        return result;
    }

    /** Every choice of k of n indexes, in Fabric's order: each index taken before it is left out. */
    private static List<int[]> choose(int n, int k) {
        List<int[]> out = new ArrayList<>();
        choose(n, k, 0, new int[0], out);
        return out;
    }

    private static void choose(int n, int k, int i, int[] current, List<int[]> out) {
        if (current.length == k) {
            out.add(current);
            return;
        }
        if (k - current.length > n - i) {
            return;
        }
        int[] with = java.util.Arrays.copyOf(current, current.length + 1);
        with[current.length] = i;
        choose(n, k, i + 1, with, out);
        choose(n, k, i + 1, current, out);
    }

    private static boolean binomialExceeds(int n, int k, long bound) {
        long c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
            if (c > bound) {
                return true;
            }
        }
        return false;
    }

    /**
     * The principal sets that satisfy every one of several policies at once, each given as its
     * {@link #satisfiedBy} sets, combined as Fabric's {@code inquire.Merge} does.
     *
     * @throws IllegalArgumentException if no policy is given
     */
    public static List<List<Principal>> merge(List<List<List<Principal>>> policies) {
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("no principal sets to merge");
        }
        List<List<Principal>> result = policies.get(0);
        for (int i = 1; i < policies.size(); i++) {
            result = merge(result, policies.get(i));
        }
        return result;
    }

    private static List<List<Principal>> merge(List<List<Principal>> s1, List<List<Principal>> s2) {
        List<List<Principal>> result = new ArrayList<>();
        boolean[] s1InS2 = new boolean[s1.size()];
        boolean[] s2InS1 = new boolean[s2.size()];
        boolean[] s1Contains = new boolean[s1.size()];
        boolean[] s2Contains = new boolean[s2.size()];
        // A set of one policy that a set of the other covers: the covering set, widened to hold it, satisfies both.
        for (int i = 0; i < s1.size(); i++) {
            for (int j = 0; j < s2.size(); j++) {
                if (isContainedIn(s1.get(i), s2.get(j))) {
                    s1InS2[i] = true;
                    s2Contains[j] = true;
                    result.add(mergeWithPlurality(s1.get(i), s2.get(j)));
                }
            }
        }
        for (int j = 0; j < s2.size(); j++) {
            for (int i = 0; i < s1.size(); i++) {
                if (s1InS2[i]) {
                    continue;
                }
                if (isContainedIn(s2.get(j), s1.get(i))) {
                    s2InS1[j] = true;
                    s1Contains[i] = true;
                    result.add(mergeWithPlurality(s2.get(j), s1.get(i)));
                }
            }
        }
        List<List<Principal>> rest1 = new ArrayList<>();
        for (int i = 0; i < s1.size(); i++) {
            if (!s1InS2[i] && !s1Contains[i]) {
                rest1.add(s1.get(i));
            }
        }
        List<List<Principal>> rest2 = new ArrayList<>();
        for (int j = 0; j < s2.size(); j++) {
            if (!s2InS1[j] && !s2Contains[j]) {
                rest2.add(s2.get(j));
            }
        }
        for (List<Principal> x : rest1) {
            for (List<Principal> y : rest2) {
                result.add(mergeWithPlurality(x, y));
            }
        }
        return reduce(result);
    }

    /** The containing set plus each principal of the contained set that no unused principal of it covers. */
    private static List<Principal> mergeWithPlurality(List<Principal> contained, List<Principal> containing) {
        List<Principal> result = new ArrayList<>(containing);
        boolean[] used = new boolean[containing.size()];
        for (Principal principal : contained) {
            boolean covered = false;
            for (int i = 0; i < containing.size(); i++) {
                if (!used[i] && isA(containing.get(i), principal)) {
                    used[i] = true;
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                result.add(principal);
            }
        }
        return result;
    }

    /** Every principal of {@code set} is covered by some principal of {@code other} (plurality aside). */
    private static boolean isContainedIn(List<Principal> set, List<Principal> other) {
        for (Principal p : set) {
            if (other.stream().noneMatch(o -> isA(o, p))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether every identity that satisfies {@code principal} also satisfies {@code other}: the same
     * organisation and either {@code other} is its member role, or both are the same role, the same
     * unit or the same identity.
     */
    static boolean isA(Principal principal, Principal other) {
        if (!principal.mspId().equals(other.mspId())) {
            return false;
        }
        if (other instanceof Principal.Role r && r.role() == MSPRole.MSPRoleType.MEMBER) {
            return true;
        }
        return principal.equals(other);
    }

    /** Drops every set that contains another (for two equal sets, the later one), until nothing changes. */
    private static List<List<Principal>> reduce(List<List<Principal>> sets) {
        List<List<Principal>> current = sets;
        while (true) {
            List<List<Principal>> reduced = new ArrayList<>();
            for (int i = 0; i < current.size(); i++) {
                boolean containing = false;
                for (int j = 0; j < current.size(); j++) {
                    if (i == j) {
                        continue;
                    }
                    if (isSubset(current.get(j), current.get(i))) {
                        containing = true;
                    }
                    if (isSubset(current.get(i), current.get(j)) && i < j) {
                        containing = false;
                    }
                }
                if (!containing) {
                    reduced.add(current.get(i));
                }
            }
            if (reduced.size() == current.size()) {
                return reduced;
            }
            current = reduced;
        }
    }

    /** Fabric's subset test: every principal of {@code a} is equal to some principal of {@code b}. */
    private static boolean isSubset(List<Principal> a, List<Principal> b) {
        for (Principal p : a) {
            if (!b.contains(p)) {
                return false;
            }
        }
        return true;
    }
}
