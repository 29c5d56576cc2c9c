package dev.weft.selection;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorserSelector;
import dev.weft.core.Peer;
import dev.weft.core.PolicyIdentity;
import dev.weft.core.Principal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.MSPRole;

/**
 * The smallest set of usable peers that satisfies the chaincode's endorsement policy.
 *
 * <p>Each peer stands for a signer with the PEER role (which also satisfies MEMBER) in its
 * organisation; the policy is evaluated over candidate sets of growing size, in preference order,
 * so that among the smallest sets the one with the most preferred peers wins. Peers of one
 * organisation are interchangeable for a role-based policy, so only as many per organisation are
 * considered as the policy has principals of that organisation; if that is not enough (a channel
 * policy whose sub-policies need several peers of one organisation) up to {@link #MAX_CANDIDATES}
 * usable peers are considered, taken in turn from each organisation.
 */
final class PolicySelector implements EndorserSelector {
    static final PolicySelector INSTANCE = new PolicySelector();
    /** Bounds the search at 2^16 sets; a channel with more endorsing peers needs discovery. */
    static final int MAX_CANDIDATES = 16;

    @Override
    public CompletableFuture<List<Peer>> select(Request request) {
        try {
            List<Peer> explicit = Candidates.explicitOrEvaluate(request);
            return CompletableFuture.completedFuture(explicit != null ? explicit : choose(request));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static List<Peer> choose(Request request) {
        List<Peer> usable = Candidates.nonEmpty(request, Candidates.usable(request));
        Optional<ChaincodePolicy> policy = request.policy();
        if (policy.isEmpty() || (policy.get().signaturePolicy().isEmpty() && request.config().isEmpty())) {
            return List.copyOf(Candidates.onePerOrganization(usable).values());
        }
        ChaincodePolicy known = policy.get();
        ChannelConfig config = request.config().orElse(null);
        List<Peer> pool = limitPerOrganization(usable, principalsPerOrganization(known));
        List<Peer> found = smallestSatisfying(pool, known, config);
        if (found == null && pool.size() < usable.size()) {
            found = smallestSatisfying(roundRobin(usable), known, config);
        }
        if (found == null) {
            throw Candidates.unavailable(request, "the available peers cannot satisfy the endorsement policy " + known);
        }
        return found;
    }

    /**
     * How many peers of each organisation can matter: as many as the signature policy has
     * principals of that organisation (none for organisations it does not name); for a channel
     * policy, whose sub-policies are not looked into, one per organisation.
     */
    private static Function<String, Integer> principalsPerOrganization(ChaincodePolicy policy) {
        if (policy.signaturePolicy().isEmpty()) {
            return mspId -> 1;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (Principal principal : policy.signaturePolicy().get().principals()) {
            counts.merge(principal.mspId(), 1, Integer::sum);
        }
        return mspId -> counts.getOrDefault(mspId, 0);
    }

    private static List<Peer> limitPerOrganization(List<Peer> usable, Function<String, Integer> limit) {
        Map<String, Integer> taken = new HashMap<>();
        List<Peer> pool = new ArrayList<>();
        for (Peer peer : usable) {
            if (taken.merge(peer.mspId(), 1, Integer::sum) <= limit.apply(peer.mspId()) && pool.size() < MAX_CANDIDATES) {
                pool.add(peer);
            }
        }
        return pool;
    }

    /**
     * Up to {@link #MAX_CANDIDATES} peers taken in turn from each organisation (each in
     * preference order), so that a cap never leaves an organisation out entirely.
     */
    private static List<Peer> roundRobin(List<Peer> usable) {
        Map<String, List<Peer>> byOrganization = new LinkedHashMap<>();
        for (Peer peer : usable) {
            byOrganization.computeIfAbsent(peer.mspId(), o -> new ArrayList<>()).add(peer);
        }
        List<Peer> pool = new ArrayList<>();
        for (int round = 0; pool.size() < Math.min(MAX_CANDIDATES, usable.size()); round++) {
            for (List<Peer> peers : byOrganization.values()) {
                if (round < peers.size() && pool.size() < MAX_CANDIDATES) {
                    pool.add(peers.get(round));
                }
            }
        }
        // Keep the preference order, which the search relies on to prefer the best peers.
        pool.sort(java.util.Comparator.comparingInt(usable::indexOf));
        return pool;
    }

    /** Sets of size 1, 2, ... in lexicographic order of the preference-ordered pool; null if none satisfies. */
    private static List<Peer> smallestSatisfying(List<Peer> pool, ChaincodePolicy policy, ChannelConfig config) {
        List<PeerSigner> signers = pool.stream().map(PeerSigner::new).toList();
        int n = signers.size();
        for (int k = 1; k <= n; k++) {
            int[] chosen = new int[k];
            for (int i = 0; i < k; i++) {
                chosen[i] = i;
            }
            while (true) {
                List<PeerSigner> set = new ArrayList<>(k);
                for (int index : chosen) {
                    set.add(signers.get(index));
                }
                if (satisfies(policy, config, set)) {
                    return set.stream().map(PeerSigner::peer).toList();
                }
                int i = k - 1;
                while (i >= 0 && chosen[i] == n - k + i) {
                    i--;
                }
                if (i < 0) {
                    break;
                }
                chosen[i]++;
                for (int j = i + 1; j < k; j++) {
                    chosen[j] = chosen[j - 1] + 1;
                }
            }
        }
        return null;
    }

    private static boolean satisfies(ChaincodePolicy policy, ChannelConfig config, List<PeerSigner> set) {
        try {
            return policy.isSatisfiedBy(config, set);
        } catch (IllegalArgumentException e) {
            // The referenced channel policy does not exist: no set can satisfy it.
            return false;
        }
    }

    /** A peer as a prospective endorser: a PEER of its organisation, one distinct signer per peer. */
    private record PeerSigner(Peer peer, ByteString serialized) implements PolicyIdentity {
        PeerSigner(Peer peer) {
            this(peer, ByteString.copyFrom(peer.mspId() + "/" + peer.name(), StandardCharsets.UTF_8));
        }

        @Override
        public String mspId() {
            return peer.mspId();
        }

        @Override
        public boolean satisfies(Principal principal) {
            return principal instanceof Principal.Role role && role.mspId().equals(peer.mspId())
                    && (role.role() == MSPRole.MSPRoleType.PEER || role.role() == MSPRole.MSPRoleType.MEMBER);
        }
    }

    @Override
    public String toString() {
        return "policy-based";
    }
}
