package dev.weft.handlers;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;

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
     * The channel's config (MSPs, policies, orderers, capabilities), read from a peer on first use.
     *
     * @throws dev.weft.core.WeftException if no peer could return it
     */
    ChannelConfig channelConfig();
}
