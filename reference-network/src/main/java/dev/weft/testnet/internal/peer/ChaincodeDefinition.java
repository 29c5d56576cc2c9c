package dev.weft.testnet.internal.peer;

import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorsementPolicy;
import dev.weft.core.InternalApi;
import dev.weft.core.PolicyIdentity;
import dev.weft.testnet.Chaincode;
import java.util.Collection;
import java.util.Objects;
import org.hyperledger.fabric.protos.peer.ApplicationPolicy;

/**
 * A chaincode defined on a channel, as {@code _lifecycle} would hold it: name, version, sequence,
 * and endorsement policy, either a signature policy or a reference to a channel policy
 * ({@code /Channel/Application/Endorsement} by default, as in Fabric).
 */
@InternalApi
public record ChaincodeDefinition(String name, String version, long sequence, Chaincode chaincode,
        EndorsementPolicy signaturePolicy, String channelPolicyReference) {

    public static final String DEFAULT_POLICY_REFERENCE = "/Channel/Application/Endorsement";

    public ChaincodeDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(chaincode, "chaincode");
        if ((signaturePolicy == null) == (channelPolicyReference == null)) {
            throw new IllegalArgumentException("a chaincode needs exactly one of a signature policy and a channel policy");
        }
    }

    /** Whether endorsements by these identities satisfy the chaincode's endorsement policy. */
    public boolean isSatisfiedBy(ChannelConfig config, Collection<? extends PolicyIdentity> endorsers) {
        return signaturePolicy != null
                ? signaturePolicy.isSatisfiedBy(endorsers)
                : config.evaluate(channelPolicyReference, endorsers);
    }

    /** The policy as the chaincode definition's {@code validation_parameter} carries it. */
    public ApplicationPolicy applicationPolicy() {
        return signaturePolicy != null
                ? ApplicationPolicy.newBuilder().setSignaturePolicy(signaturePolicy.toEnvelope()).build()
                : ApplicationPolicy.newBuilder().setChannelConfigPolicyReference(channelPolicyReference).build();
    }

    /** The policy in text form: the signature policy, or the referenced channel policy's path. */
    public String policyText() {
        return signaturePolicy != null ? signaturePolicy.toString() : channelPolicyReference;
    }
}
