package dev.weft.core;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import org.hyperledger.fabric.protos.peer.ApplicationPolicy;

/**
 * A chaincode's endorsement policy as its definition holds it ({@code peer.ApplicationPolicy}):
 * either a signature policy, or a reference to a policy of the channel config (Fabric's default is
 * {@code /Channel/Application/Endorsement}, "MAJORITY Endorsement").
 *
 * <p>Immutable and thread-safe.
 */
public final class ChaincodePolicy {
    /** The channel policy a chaincode defined without an explicit policy uses. */
    public static final String DEFAULT_REFERENCE = "/Channel/Application/Endorsement";

    private final EndorsementPolicy signaturePolicy;
    private final String channelReference;

    private ChaincodePolicy(EndorsementPolicy signaturePolicy, String channelReference) {
        this.signaturePolicy = signaturePolicy;
        this.channelReference = channelReference;
    }

    /** A signature policy, e.g. {@code AND('Org1MSP.peer','Org2MSP.peer')}. */
    public static ChaincodePolicy signature(EndorsementPolicy policy) {
        return new ChaincodePolicy(Objects.requireNonNull(policy, "policy"), null);
    }

    /**
     * A signature policy in Fabric's text syntax.
     *
     * @throws PolicyParseException if the text is malformed
     */
    public static ChaincodePolicy signature(String text) {
        return signature(EndorsementPolicy.parse(text));
    }

    /** A reference to a policy of the channel config, e.g. {@code /Channel/Application/Endorsement}. */
    public static ChaincodePolicy channelReference(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/Channel/")) {
            throw new IllegalArgumentException("a channel policy reference is an absolute path such as "
                    + DEFAULT_REFERENCE + ", got '" + path + "'");
        }
        return new ChaincodePolicy(null, path);
    }

    /** Fabric's default: {@link #DEFAULT_REFERENCE}. */
    public static ChaincodePolicy channelDefault() {
        return channelReference(DEFAULT_REFERENCE);
    }

    /**
     * Decodes a chaincode definition's {@code validation_parameter}.
     *
     * @throws ProtocolException if it holds neither a signature policy nor a reference
     */
    public static ChaincodePolicy fromProto(ApplicationPolicy policy) {
        return switch (policy.getTypeCase()) {
            case SIGNATURE_POLICY -> signature(EndorsementPolicy.fromEnvelope(policy.getSignaturePolicy()));
            case CHANNEL_CONFIG_POLICY_REFERENCE -> channelReference(policy.getChannelConfigPolicyReference());
            default -> throw new ProtocolException("application policy holds neither a signature policy nor a reference");
        };
    }

    /** The signature policy, unless this is a channel policy reference. */
    public Optional<EndorsementPolicy> signaturePolicy() {
        return Optional.ofNullable(signaturePolicy);
    }

    /** The referenced channel policy's path, unless this is a signature policy. */
    public Optional<String> channelReference() {
        return Optional.ofNullable(channelReference);
    }

    public ApplicationPolicy toProto() {
        return signaturePolicy != null
                ? ApplicationPolicy.newBuilder().setSignaturePolicy(signaturePolicy.toEnvelope()).build()
                : ApplicationPolicy.newBuilder().setChannelConfigPolicyReference(channelReference).build();
    }

    /**
     * Whether signers satisfy the policy; a channel reference is evaluated in the channel config.
     *
     * @throws IllegalArgumentException if the referenced policy is not in the config
     */
    public boolean isSatisfiedBy(ChannelConfig config, Collection<? extends PolicyIdentity> signers) {
        return signaturePolicy != null ? signaturePolicy.isSatisfiedBy(signers) : config.evaluate(channelReference, signers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChaincodePolicy other && Objects.equals(signaturePolicy, other.signaturePolicy)
                && Objects.equals(channelReference, other.channelReference);
    }

    @Override
    public int hashCode() {
        return Objects.hash(signaturePolicy, channelReference);
    }

    /** The signature policy text, or the referenced channel policy's path. */
    @Override
    public String toString() {
        return signaturePolicy != null ? signaturePolicy.toString() : channelReference;
    }
}
