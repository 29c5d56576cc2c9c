package dev.weft.handlers;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigUpdate;
import dev.weft.events.EventStreams;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.ConfigSignature;

/**
 * A channel, as seen through a {@link Gateway}: its contracts and its config.
 *
 * <p>Thread-safe; owned by the gateway (closing the gateway closes it).
 */
public interface Network {
    String channelId();

    /**
     * A chaincode whose endorsement policy the client does not know: endorsers are selected, and
     * endorsements checked, against the channel's default policy
     * ({@code /Channel/Application/Endorsement}, "MAJORITY Endorsement" unless the channel changed
     * it). Give the policy with {@link #contract(String, ChaincodePolicy)} for chaincodes that
     * define their own.
     */
    Contract contract(String chaincodeName);

    /** A chaincode with a known endorsement policy, e.g. {@code ChaincodePolicy.signature("OR('Org1MSP.peer','Org2MSP.peer')")}. */
    Contract contract(String chaincodeName, ChaincodePolicy policy);

    /**
     * A request for the channel's committed blocks, filtered blocks or chaincode events, read from
     * the channel's event peers (the client's organisation first; a broken stream resumes on the
     * same or the next one without losing or repeating a block). Set a start block (by default the
     * stream begins with the next block to be committed) or other peers, then open the stream:
     *
     * <pre>{@code
     * try (CloseableIterator<ChaincodeEvent> events = network.events().startBlock(0).chaincodeEvents("basic")) {
     *     while (events.hasNext()) {
     *         ChaincodeEvent event = events.next();
     *     }
     * }
     * }</pre>
     */
    EventStreams.Builder events();

    /**
     * The channel's config (MSPs, policies, orderers, capabilities), read from a peer on first use
     * and read again when a config block commits. The gateway reads it on its own, with its
     * evaluate timeout, never through the application's pipeline.
     *
     * @throws dev.weft.core.WeftException if no peer could return it (or, for a gateway without a
     *     signer, it has not been loaded with {@link #loadChannelConfig})
     */
    ChannelConfig channelConfig();

    /**
     * For a gateway without a signer: the unsigned read of the channel config
     * ({@code cscc GetConfigBlock}), to sign elsewhere and give to {@link #loadChannelConfig}. The
     * config is needed to check endorsements; load it before endorsing, and again after a config
     * update.
     */
    Proposal newConfigProposal();

    /**
     * Reads the channel config with a read the application signed, and uses it from now on.
     *
     * @param signedConfigProposal {@link #newConfigProposal()} of this network, with its signature
     * @throws IllegalArgumentException if it is not this network's config read
     * @throws IllegalStateException if it is not signed
     */
    ChannelConfig loadChannelConfig(Proposal signedConfigProposal);

    /**
     * Submits a change to the channel's config: the update (see {@link ChannelConfigUpdate}) with
     * the admins' signatures its changed elements' mod_policies need, in a {@code CONFIG_UPDATE}
     * envelope the gateway's identity signs (it must satisfy the channel's Writers policy). The
     * future completes once a peer has committed the config block this update made (found by its
     * last update, among any other updates ordered meanwhile), with the newest config that peer
     * holds; from then on the gateway uses it.
     *
     * <p>It fails with {@link dev.weft.core.SubmitException} carrying the orderer's status and
     * reason when the orderers refuse the update (a read set at an old version, signatures that do
     * not satisfy a mod_policy, a capability the network does not support: the config is then
     * unchanged), and with {@link dev.weft.core.TransactionTimeoutException}, saying what it saw,
     * when no peer has that config block within the gateway's submit and commit timeouts.
     * Cancelling the future stops the wait, not the update.
     *
     * @throws IllegalArgumentException if the update is for another channel
     * @throws IllegalStateException if the gateway has no signer (sign {@link
     *     ChannelConfigUpdate#envelope} elsewhere and broadcast it then)
     */
    CompletableFuture<ChannelConfig> submitConfigUpdate(ChannelConfigUpdate update,
            Collection<ConfigSignature> signatures);
}
