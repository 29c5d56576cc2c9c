package dev.weft.testnet.internal.discovery;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorsementPolicy;
import dev.weft.core.IdentityValidationException;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.Principal;
import dev.weft.core.ProtocolException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.common.SignaturePolicyEnvelope;
import org.hyperledger.fabric.protos.discovery.EndorsementDescriptor;
import org.hyperledger.fabric.protos.discovery.Layout;
import org.hyperledger.fabric.protos.discovery.Peer;
import org.hyperledger.fabric.protos.discovery.Peers;
import org.hyperledger.fabric.protos.gossip.Envelope;
import org.hyperledger.fabric.protos.peer.ChaincodeCall;
import org.hyperledger.fabric.protos.peer.ChaincodeInterest;

/**
 * The endorsement descriptor of a chaincode interest, computed as Fabric's discovery service does
 * ({@code discovery/endorsement}): the principal sets that satisfy every policy the interest
 * involves (each chaincode's, its collections', the key policies given), merged; each distinct
 * principal a group {@code G0, G1, ...}; each principal set a layout (how many peers of each
 * group), kept if enough live peers of the channel that run the chaincodes satisfy its groups; and
 * the peers of each group used by some layout.
 *
 * <p>Collections: Fabric's implicit per-organisation collections ({@code _implicit_org_<MSP id>})
 * restrict the endorsers to that organisation's members (unless the call says it makes no
 * private reads) and add its endorsement policy (a member of the organisation). The reference
 * network defines no other collections; naming one is an error, as for a chaincode without it.
 *
 * <p>Stateless.
 */
@InternalApi
public final class EndorsementLayouts {
    static final String IMPLICIT_COLLECTION_PREFIX = "_implicit_org_";

    /** Why no descriptor could be made; the message says what the client should change. */
    public static final class DescriptorException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DescriptorException(String message) {
            super(message);
        }
    }

    /**
     * What a channel tells about its chaincodes.
     *
     * @param config the channel's current config (MSPs, and the policies that chaincode policies refer to)
     * @param definitions each defined chaincode's endorsement policy and version (its sequence as text), by name
     */
    public record ChannelView(ChannelConfig config, Function<String, Optional<Definition>> definitions) {
    }

    /** A chaincode definition as discovery needs it. */
    public record Definition(ChaincodePolicy policy, String version) {
    }

    /**
     * A live member of the channel, with its state-info message there and its identity as the
     * channel's MSPs validated it (empty if they did not).
     */
    record Candidate(Membership.Member member, Membership.ChannelState state, Envelope stateInfo,
            Optional<MspIdentity> identity) {
    }

    private EndorsementLayouts() {
    }

    /**
     * The descriptor of one interest.
     *
     * @param members the network's live members
     * @throws DescriptorException if a chaincode or collection is unknown or no layout can be satisfied
     */
    public static EndorsementDescriptor describe(String channelId, ChannelView channel, ChaincodeInterest interest,
            List<Membership.Member> members) {
        List<Candidate> candidates = candidates(channelId, channel.config(), members);
        List<List<List<Principal>>> perPolicy = new ArrayList<>();
        Predicate<Candidate> authorized = c -> true;
        Predicate<Candidate> runsAll = c -> true;
        for (ChaincodeCall call : interest.getChaincodesList()) {
            Definition definition = channel.definitions().apply(call.getName()).orElseThrow(() ->
                    new DescriptorException("chaincode " + call.getName() + " is not defined on channel " + channelId));
            runsAll = runsAll.and(c -> definition.version().equals(c.state().chaincodes().get(call.getName())));
            // As Fabric's PoliciesByChaincode: the namespace policy, unless every collection named has its own.
            EndorsementPolicy namespace = signaturePolicy(definition.policy(), channel.config());
            List<EndorsementPolicy> policies = new ArrayList<>();
            if (call.getCollectionNamesCount() == 0) {
                policies.add(namespace);
            }
            for (String collection : call.getCollectionNamesList()) {
                String org = implicitCollectionOrg(collection).orElseThrow(() -> new DescriptorException("collection "
                        + collection + " does not exist in the collection config of chaincode " + call.getName()));
                Principal member = Principal.role(org, MSPRole.MSPRoleType.MEMBER);
                EndorsementPolicy collectionPolicy = EndorsementPolicy.of(new EndorsementPolicy.OutOf(1,
                        List.of(new EndorsementPolicy.SignedBy(0))), List.of(member));
                if (!policies.contains(collectionPolicy)) {
                    policies.add(collectionPolicy);
                }
                if (!call.getNoPrivateReads()) {
                    authorized = authorized.and(c -> c.identity().map(id -> id.satisfies(member)).orElse(false));
                }
            }
            if (call.getDisregardNamespacePolicy()) {
                if (policies.size() == 1 && call.getKeyPoliciesCount() == 0) {
                    throw new DescriptorException("requested to disregard chaincode " + call.getName() + "'s policy but "
                            + "key and collection policies are missing, either disable DisregardNamespacePolicy or "
                            + "specify at least one key policy or at least one collection policy");
                }
                // Fabric drops the first policy, taking it for the namespace policy.
                policies = policies.size() == 1 ? List.of() : policies.subList(1, policies.size());
            }
            for (EndorsementPolicy policy : policies) {
                perPolicy.add(sets(policy));
            }
            for (SignaturePolicyEnvelope key : call.getKeyPoliciesList()) {
                perPolicy.add(sets(decode(key, call.getName())));
            }
        }
        if (perPolicy.isEmpty()) {
            throw new DescriptorException("no policy remained to satisfy for " + names(interest));
        }
        List<List<Principal>> principalSets = PrincipalSets.merge(perPolicy);
        Predicate<Candidate> eligible = authorized;
        List<Candidate> usable = candidates.stream().filter(eligible).toList();
        Predicate<Candidate> installed = runsAll;
        return descriptor(interest.getChaincodes(0).getName(), principalSets, usable, installed);
    }

    private static List<List<Principal>> sets(EndorsementPolicy policy) {
        try {
            return PrincipalSets.satisfiedBy(policy);
        } catch (PrincipalSets.UnsatisfiableException e) {
            throw new DescriptorException(e.getMessage());
        }
    }

    private static EndorsementPolicy decode(SignaturePolicyEnvelope envelope, String chaincode) {
        try {
            return EndorsementPolicy.fromEnvelope(envelope);
        } catch (ProtocolException e) {
            throw new DescriptorException("a key policy of the call to " + chaincode + " is malformed: " + e.getMessage());
        }
    }

    /** A chaincode's policy as one signature policy: a channel policy reference converted as Fabric does. */
    static EndorsementPolicy signaturePolicy(ChaincodePolicy policy, ChannelConfig config) {
        if (policy.signaturePolicy().isPresent()) {
            return policy.signaturePolicy().get();
        }
        try {
            return config.toSignaturePolicy(policy.channelReference().orElseThrow());
        } catch (IllegalArgumentException e) {
            throw new DescriptorException(e.getMessage());
        }
    }

    static Optional<String> implicitCollectionOrg(String collection) {
        return collection.startsWith(IMPLICIT_COLLECTION_PREFIX) && collection.length() > IMPLICIT_COLLECTION_PREFIX.length()
                ? Optional.of(collection.substring(IMPLICIT_COLLECTION_PREFIX.length())) : Optional.empty();
    }

    /** The live members that have joined the channel, each with its identity validated by the channel's MSPs. */
    static List<Candidate> candidates(String channelId, ChannelConfig config, List<Membership.Member> members) {
        List<Candidate> out = new ArrayList<>();
        for (Membership.Member member : members) {
            Optional<Membership.ChannelState> state = member.channel(channelId);
            Optional<Envelope> stateInfo = member.stateInfo(channelId);
            if (state.isEmpty() || stateInfo.isEmpty()) {
                continue;
            }
            Optional<MspIdentity> identity;
            try {
                identity = Optional.of(config.msps().validate(member.serializedIdentity()));
            } catch (IdentityValidationException e) {
                identity = Optional.empty();
            }
            out.add(new Candidate(member, state.get(), stateInfo.get(), identity));
        }
        return out;
    }

    private static EndorsementDescriptor descriptor(String chaincode, List<List<Principal>> principalSets,
            List<Candidate> candidates, Predicate<Candidate> installed) {
        // Groups in order of first appearance: G0 is the first principal of the first set.
        Map<Principal, String> groups = new LinkedHashMap<>();
        for (List<Principal> set : principalSets) {
            for (Principal p : set) {
                groups.computeIfAbsent(p, x -> "G" + groups.size());
            }
        }
        Map<String, List<Candidate>> satisfying = new LinkedHashMap<>();
        groups.forEach((principal, group) -> satisfying.put(group, candidates.stream()
                .filter(c -> c.identity().map(id -> id.satisfies(principal)).orElse(false)).toList()));
        List<Map<String, Integer>> layouts = new ArrayList<>();
        for (List<Principal> set : principalSets) {
            Map<String, Integer> quantities = new LinkedHashMap<>();
            for (Principal p : set) {
                quantities.merge(groups.get(p), 1, Integer::sum);
            }
            if (quantities.entrySet().stream().allMatch(e -> satisfying.get(e.getKey()).size() >= e.getValue())) {
                layouts.add(quantities);
            }
        }
        if (layouts.isEmpty()) {
            throw new DescriptorException("no peer combination can satisfy the endorsement policy");
        }
        Map<String, List<Candidate>> endorsers = new LinkedHashMap<>();
        for (Map.Entry<String, List<Candidate>> group : satisfying.entrySet()) {
            boolean used = layouts.stream().anyMatch(l -> l.containsKey(group.getKey()));
            List<Candidate> withChaincode = group.getValue().stream().filter(installed).toList();
            if (used && !withChaincode.isEmpty()) {
                endorsers.put(group.getKey(), withChaincode);
            }
        }
        layouts.removeIf(l -> l.entrySet().stream().anyMatch(e ->
                endorsers.getOrDefault(e.getKey(), List.of()).size() < e.getValue()));
        if (layouts.isEmpty()) {
            throw new DescriptorException("required chaincodes are not installed on sufficient peers");
        }
        EndorsementDescriptor.Builder descriptor = EndorsementDescriptor.newBuilder().setChaincode(chaincode);
        for (Map<String, Integer> layout : layouts) {
            descriptor.addLayouts(Layout.newBuilder().putAllQuantitiesByGroup(layout));
        }
        endorsers.forEach((group, peers) -> {
            Peers.Builder list = Peers.newBuilder();
            for (Candidate c : peers) {
                list.addPeers(peer(c.member(), c.stateInfo()));
            }
            descriptor.putEndorsersByGroups(group, list.build());
        });
        return descriptor.build();
    }

    /** A peer as discovery answers it: identity, alive message and (for a channel) state info. */
    static Peer peer(Membership.Member member, Envelope stateInfo) {
        Peer.Builder peer = Peer.newBuilder().setIdentity(member.serializedIdentity()).setMembershipInfo(member.aliveMessage());
        if (stateInfo != null) {
            peer.setStateInfo(stateInfo);
        }
        return peer.build();
    }

    static String names(ChaincodeInterest interest) {
        return interest.getChaincodesList().stream().map(ChaincodeCall::getName).toList().toString();
    }
}
