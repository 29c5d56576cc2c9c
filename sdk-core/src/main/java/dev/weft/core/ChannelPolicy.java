package dev.weft.core;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Objects;
import org.hyperledger.fabric.protos.common.ImplicitMetaPolicy;
import org.hyperledger.fabric.protos.common.Policy;
import org.hyperledger.fabric.protos.common.SignaturePolicyEnvelope;

/**
 * A policy in a channel configuration ({@code common.Policy}): either a signature policy over
 * principals, or an implicit-meta policy ("MAJORITY Endorsement") that combines the policy of the
 * same name in each child group. Evaluate one with {@link ChannelConfig#evaluate}, which knows the
 * child groups.
 */
public sealed interface ChannelPolicy permits ChannelPolicy.Signature, ChannelPolicy.ImplicitMeta {

    /** The Fabric message for this policy. */
    Policy toProto();

    /**
     * Decodes a {@code common.Policy}.
     *
     * @throws ChannelConfigException for policy types other than SIGNATURE and IMPLICIT_META, or
     *     undecodable values
     */
    static ChannelPolicy fromProto(Policy policy) {
        try {
            return switch (policy.getType()) {
                case Policy.PolicyType.SIGNATURE_VALUE -> new Signature(
                        EndorsementPolicy.fromEnvelope(SignaturePolicyEnvelope.parseFrom(policy.getValue())));
                case Policy.PolicyType.IMPLICIT_META_VALUE -> {
                    ImplicitMetaPolicy meta = ImplicitMetaPolicy.parseFrom(policy.getValue());
                    if (meta.getRule() == ImplicitMetaPolicy.Rule.UNRECOGNIZED) {
                        throw new ChannelConfigException("implicit meta policy has unknown rule " + meta.getRuleValue());
                    }
                    yield new ImplicitMeta(meta.getRule(), meta.getSubPolicy());
                }
                default -> throw new ChannelConfigException("policy type " + policy.getType()
                        + " is not supported (expected SIGNATURE or IMPLICIT_META)");
            };
        } catch (InvalidProtocolBufferException | ProtocolException e) {
            throw new ChannelConfigException("malformed policy of type " + policy.getType() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses configtx.yaml's implicit-meta text, e.g. {@code "MAJORITY Endorsement"}: exactly a rule
     * ({@code ANY}, {@code ALL} or {@code MAJORITY}, upper case) and a sub-policy name separated by
     * one space, as configtxgen requires.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    static ImplicitMeta implicitMeta(String text) {
        String[] parts = text.split(" ", -1);
        if (parts.length != 2 || parts[1].isEmpty()) {
            throw new IllegalArgumentException("implicit meta policy must be '<ANY|ALL|MAJORITY> <SubPolicy>' "
                    + "separated by one space, got '" + text + "'");
        }
        ImplicitMetaPolicy.Rule rule = switch (parts[0]) {
            case "ANY" -> ImplicitMetaPolicy.Rule.ANY;
            case "ALL" -> ImplicitMetaPolicy.Rule.ALL;
            case "MAJORITY" -> ImplicitMetaPolicy.Rule.MAJORITY;
            default -> throw new IllegalArgumentException("implicit meta rule must be ANY, ALL or MAJORITY, got '"
                    + parts[0] + "'");
        };
        return new ImplicitMeta(rule, parts[1]);
    }

    /** A signature policy. */
    record Signature(EndorsementPolicy policy) implements ChannelPolicy {
        public Signature {
            Objects.requireNonNull(policy, "policy");
        }

        @Override
        public Policy toProto() {
            return Policy.newBuilder()
                    .setType(Policy.PolicyType.SIGNATURE_VALUE)
                    .setValue(policy.toEnvelope().toByteString())
                    .build();
        }

        @Override
        public String toString() {
            return "Signature " + policy;
        }
    }

    /** An implicit-meta policy: {@code rule} of the child groups' {@code subPolicy} policies. */
    record ImplicitMeta(ImplicitMetaPolicy.Rule rule, String subPolicy) implements ChannelPolicy {
        public ImplicitMeta {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(subPolicy, "subPolicy");
        }

        /**
         * How many of {@code children} sub-policies must be satisfied. As in Fabric, with no
         * children the threshold is 0, so the policy is satisfied whatever the rule.
         */
        public int threshold(int children) {
            if (children == 0) {
                return 0;
            }
            return switch (rule) {
                case ANY -> 1;
                case ALL -> children;
                case MAJORITY -> children / 2 + 1;
                default -> throw new IllegalStateException("unknown rule " + rule);
            };
        }

        @Override
        public Policy toProto() {
            return Policy.newBuilder()
                    .setType(Policy.PolicyType.IMPLICIT_META_VALUE)
                    .setValue(ImplicitMetaPolicy.newBuilder().setRule(rule).setSubPolicy(subPolicy).build().toByteString())
                    .build();
        }

        @Override
        public String toString() {
            return "ImplicitMeta " + rule + " " + subPolicy;
        }
    }
}
