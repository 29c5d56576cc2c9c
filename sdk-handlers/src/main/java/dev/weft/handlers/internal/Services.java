package dev.weft.handlers.internal;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.EndorserSelector;
import dev.weft.core.InternalApi;
import dev.weft.core.OrdererClient;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.PeerHealthRecord;
import java.util.List;
import java.util.Objects;

/**
 * What the built-in handlers of one network (channel) work with. The handlers hold it, not any
 * per-transaction state; the gateway owns every part.
 *
 * @param identity the client identity that signs proposals and transactions
 * @param signer its signer, or null when the application signs everything itself (offline signing)
 * @param endorsingPeers the channel's peers that may endorse, in no particular order
 * @param selector chooses endorsers among them
 * @param health recent peer failures, shared by the gateway's networks
 * @param orderers broadcasts transactions
 * @param commits tells when transactions are committed
 * @param configs the channel's config
 * @param scheduler the gateway's clock and timer: timestamps, deadlines, timeouts
 */
@InternalApi
public record Services(X509Identity identity, Signer signer, List<Peer> endorsingPeers, EndorserSelector selector,
        PeerHealthRecord health, OrdererClient orderers, CommitStatusSource commits, ChannelConfigs configs,
        Scheduler scheduler) {
    public Services {
        Objects.requireNonNull(identity, "identity");
        endorsingPeers = List.copyOf(endorsingPeers);
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(orderers, "orderers");
        Objects.requireNonNull(commits, "commits");
        Objects.requireNonNull(configs, "configs");
        Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * The signer, for a step that must sign.
     *
     * @throws IllegalStateException when the gateway has none, saying how to sign instead
     */
    public Signer requireSigner(String what) {
        if (signer == null) {
            throw new IllegalStateException("this gateway has no signer, so it cannot sign " + what + ": sign it "
                    + "yourself with Transaction.newProposal() (see Signable), or build the gateway with a signer");
        }
        return signer;
    }
}
