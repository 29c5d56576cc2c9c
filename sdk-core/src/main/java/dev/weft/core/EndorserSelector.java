package dev.weft.core;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Chooses the peers a proposal is sent to (SPI; implementations in sdk-selection). For a submit it
 * returns the set of peers to endorse in parallel; for an evaluate, candidates in order of
 * preference, of which the first that answers is used.
 *
 * <p>Implementations are thread-safe and may complete asynchronously (a discovery-based selector
 * asks a peer). A selection that cannot be made completes exceptionally with an
 * {@link EndorseException} (stage SELECT) that says why.
 */
@FunctionalInterface
public interface EndorserSelector {

    CompletableFuture<List<Peer>> select(Request request);

    /**
     * Everything a selector may use.
     *
     * @param channelId the channel
     * @param chaincode the chaincode being invoked
     * @param evaluate true for an evaluate (one peer needed), false for a submit
     * @param candidates the channel's endorsing peers known to the client
     * @param clientMspId the caller's organisation, preferred where the policy allows
     * @param organizations if not empty, endorse on exactly one peer of each of these organisations
     * @param peers if not empty, endorse on exactly these peers
     * @param excluded peers that already failed for this transaction
     * @param policy the chaincode's endorsement policy, when the client knows it
     * @param config the channel config, when it is available
     * @param health recent peer failures
     */
    record Request(String channelId, String chaincode, boolean evaluate, List<Peer> candidates, String clientMspId,
            Set<String> organizations, Set<String> peers, Set<Peer> excluded, Optional<ChaincodePolicy> policy,
            Optional<ChannelConfig> config, PeerHealth health) {
        public Request {
            Objects.requireNonNull(channelId, "channelId");
            Objects.requireNonNull(chaincode, "chaincode");
            candidates = List.copyOf(candidates);
            Objects.requireNonNull(clientMspId, "clientMspId");
            organizations = Set.copyOf(organizations);
            peers = Set.copyOf(peers);
            excluded = Set.copyOf(excluded);
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(health, "health");
        }

        /** The same request with more peers excluded (after they failed). */
        public Request excluding(Set<Peer> failed) {
            Set<Peer> all = new LinkedHashSet<>(excluded);
            all.addAll(failed);
            return new Request(channelId, chaincode, evaluate, candidates, clientMspId, organizations, peers, all,
                    policy, config, health);
        }
    }
}
