package dev.weft.handlers.internal;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.EndorserSelector;
import dev.weft.core.InternalApi;
import dev.weft.core.OrdererClient;
import dev.weft.core.Peer;
import dev.weft.core.PeerHealth;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * What the built-in handlers of one network (channel) work with. The handlers hold it, not any
 * per-transaction state; the gateway owns every part.
 *
 * @param identity the client identity that signs proposals and transactions
 * @param signer its signer
 * @param endorsingPeers the channel's peers that may endorse, in no particular order
 * @param selector chooses endorsers among them
 * @param health recent peer failures, shared by the gateway's networks
 * @param orderers broadcasts transactions
 * @param commits tells when transactions are committed
 * @param configs the channel's config
 * @param clock timestamps proposals
 */
@InternalApi
public record Services(X509Identity identity, Signer signer, List<Peer> endorsingPeers, EndorserSelector selector,
        PeerHealth health, OrdererClient orderers, CommitStatusSource commits, ChannelConfigs configs, Clock clock) {
    public Services {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(signer, "signer");
        endorsingPeers = List.copyOf(endorsingPeers);
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(orderers, "orderers");
        Objects.requireNonNull(commits, "commits");
        Objects.requireNonNull(configs, "configs");
        Objects.requireNonNull(clock, "clock");
    }
}
