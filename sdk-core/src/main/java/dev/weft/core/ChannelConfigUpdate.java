package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.weft.core.internal.Envelopes;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigPolicy;
import org.hyperledger.fabric.protos.common.ConfigSignature;
import org.hyperledger.fabric.protos.common.ConfigUpdate;
import org.hyperledger.fabric.protos.common.ConfigUpdateEnvelope;
import org.hyperledger.fabric.protos.common.ConfigValue;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.SignatureHeader;

/**
 * A change to a channel's config, as Fabric carries it: a {@code common.ConfigUpdate} whose read
 * set names the versions of what the change rests on and whose write set holds what it changes.
 * {@link #compute} derives it from the current config and the desired one, as {@code configtxlator
 * compute_update} does. Each admin whose signature the changed elements' mod_policies need signs
 * it with {@link #sign} (apart from the others if need be: {@link #toByteArray} and {@link #parse}
 * carry it between them), and {@link #envelope} wraps it with their signatures into the
 * {@code CONFIG_UPDATE} envelope an orderer takes.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChannelConfigUpdate {
    private final ConfigUpdate update;
    private final ByteString bytes;

    private ChannelConfigUpdate(ConfigUpdate update, ByteString bytes) {
        this.update = update;
        this.bytes = bytes;
    }

    /**
     * The update that turns {@code current} into {@code desired}.
     *
     * @param current the channel's config now ({@link ChannelConfig#config()})
     * @param desired the config wanted: {@code current} with the changes made
     * @throws ChannelConfigException if the two do not differ
     */
    public static ChannelConfigUpdate compute(ChannelConfig current, Config desired) {
        Objects.requireNonNull(current, "current");
        return compute(current.channelId(), current.config(), desired);
    }

    /** As {@link #compute(ChannelConfig, Config)}, for a config not read through Weft. */
    public static ChannelConfigUpdate compute(String channelId, Config current, Config desired) {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(desired, "desired");
        if (!current.hasChannelGroup() || !desired.hasChannelGroup()) {
            throw new ChannelConfigException("both configs need a channel group to compute an update between them");
        }
        Sets sets = group(current.getChannelGroup(), desired.getChannelGroup());
        if (!sets.changed()) {
            throw new ChannelConfigException("no differences detected between the current and the desired config of "
                    + "channel " + channelId + "; there is nothing to update");
        }
        ConfigUpdate update = ConfigUpdate.newBuilder().setChannelId(channelId).setReadSet(sets.read())
                .setWriteSet(sets.write()).build();
        return new ChannelConfigUpdate(update, update.toByteString());
    }

    /**
     * An update from its bytes, such as another admin's {@link #toByteArray}: the very bytes are
     * kept, so signatures made over them stay valid.
     *
     * @throws ChannelConfigException if they are not a {@code common.ConfigUpdate}
     */
    public static ChannelConfigUpdate parse(byte[] bytes) {
        ByteString copy = ByteString.copyFrom(Objects.requireNonNull(bytes, "bytes"));
        try {
            ConfigUpdate update = ConfigUpdate.parseFrom(copy);
            if (update.getChannelId().isEmpty()) {
                throw new ChannelConfigException("the config update names no channel");
            }
            return new ChannelConfigUpdate(update, copy);
        } catch (InvalidProtocolBufferException e) {
            throw new ChannelConfigException("not a serialized common.ConfigUpdate: " + e.getMessage(), e);
        }
    }

    public String channelId() {
        return update.getChannelId();
    }

    public ConfigUpdate toProto() {
        return update;
    }

    /** The serialized update: what each admin signs. */
    public byte[] toByteArray() {
        return bytes.toByteArray();
    }

    /**
     * An admin's signature of this update, Fabric's {@code common.ConfigSignature}: the admin's
     * signature over a fresh signature header followed by the update's bytes.
     */
    public ConfigSignature sign(X509Identity admin, Signer signer) {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(signer, "signer");
        ByteString header = SignatureHeader.newBuilder().setCreator(admin.serialized())
                .setNonce(TransactionId.newNonce()).build().toByteString();
        byte[] signature = signer.sign(header.concat(bytes).toByteArray());
        return ConfigSignature.newBuilder().setSignatureHeader(header).setSignature(ByteString.copyFrom(signature))
                .build();
    }

    /**
     * The {@code CONFIG_UPDATE} envelope to broadcast: the update with the admins' signatures,
     * signed by the submitter, who must satisfy the channel's Writers policy.
     *
     * @param signatures the admins' signatures of this update
     * @param submitter the identity that broadcasts it
     * @param signer the submitter's signer
     */
    public Envelope envelope(Collection<ConfigSignature> signatures, X509Identity submitter, Signer signer) {
        Objects.requireNonNull(signatures, "signatures");
        Objects.requireNonNull(submitter, "submitter");
        Objects.requireNonNull(signer, "signer");
        ByteString data = ConfigUpdateEnvelope.newBuilder().setConfigUpdate(bytes).addAllSignatures(signatures).build()
                .toByteString();
        return Envelopes.signed(HeaderType.CONFIG_UPDATE, channelId(), submitter, signer, data, Instant.now());
    }

    @Override
    public String toString() {
        return "ChannelConfigUpdate{channel=" + channelId() + ", writes=" + update.getWriteSet() + "}";
    }

    // ---- compute_update, element by element

    /**
     * The read and write sets of one group. {@code changed}: anything inside differs. A group
     * whose own members were added or removed, or whose mod_policy changed, is written at its next
     * version with all its members (the unchanged ones by version only); one that changed only
     * deeper down keeps its version and carries only what changed.
     */
    private record Sets(ConfigGroup read, ConfigGroup write, boolean changed) {
    }

    private record Members<T>(Map<String, T> read, Map<String, T> write, Map<String, T> same, boolean membership) {
    }

    private static Sets group(ConfigGroup original, ConfigGroup updated) {
        Members<ConfigPolicy> policies = members(original.getPoliciesMap(), updated.getPoliciesMap(),
                (o, u) -> o.getModPolicy().equals(u.getModPolicy()) && o.getPolicy().equals(u.getPolicy()),
                o -> ConfigPolicy.newBuilder().setVersion(o.getVersion()).build(),
                (o, u) -> u.toBuilder().setVersion(o == null ? 0 : o.getVersion() + 1).build());
        Members<ConfigValue> values = members(original.getValuesMap(), updated.getValuesMap(),
                (o, u) -> o.getModPolicy().equals(u.getModPolicy()) && o.getValue().equals(u.getValue()),
                o -> ConfigValue.newBuilder().setVersion(o.getVersion()).build(),
                (o, u) -> u.toBuilder().setVersion(o == null ? 0 : o.getVersion() + 1).build());
        Members<ConfigGroup> groups = groups(original.getGroupsMap(), updated.getGroupsMap());
        boolean membership = policies.membership() || values.membership() || groups.membership()
                || !original.getModPolicy().equals(updated.getModPolicy());
        if (!membership) {
            boolean nothing = policies.write().isEmpty() && values.write().isEmpty() && groups.write().isEmpty();
            ConfigGroup read = ConfigGroup.newBuilder().setVersion(original.getVersion()).putAllPolicies(policies.read())
                    .putAllValues(values.read()).putAllGroups(groups.read()).build();
            ConfigGroup write = ConfigGroup.newBuilder().setVersion(original.getVersion())
                    .putAllPolicies(policies.write()).putAllValues(values.write()).putAllGroups(groups.write()).build();
            return new Sets(read, write, !nothing);
        }
        ConfigGroup read = ConfigGroup.newBuilder().setVersion(original.getVersion())
                .putAllPolicies(policies.read()).putAllPolicies(policies.same())
                .putAllValues(values.read()).putAllValues(values.same())
                .putAllGroups(groups.read()).putAllGroups(groups.same()).build();
        ConfigGroup write = ConfigGroup.newBuilder().setVersion(original.getVersion() + 1)
                .setModPolicy(updated.getModPolicy())
                .putAllPolicies(policies.write()).putAllPolicies(policies.same())
                .putAllValues(values.write()).putAllValues(values.same())
                .putAllGroups(groups.write()).putAllGroups(groups.same()).build();
        return new Sets(read, write, true);
    }

    /** Policies or values: changed ones written at their next version, new ones at 0, same ones by version. */
    private static <T extends Message> Members<T> members(Map<String, T> original, Map<String, T> updated,
            BiPredicate<T, T> equal, Function<T, T> versionOnly, BinaryOperator<T> next) {
        Map<String, T> write = new HashMap<>();
        Map<String, T> same = new HashMap<>();
        boolean membership = false;
        for (Map.Entry<String, T> entry : original.entrySet()) {
            T change = updated.get(entry.getKey());
            if (change == null) {
                membership = true;
            } else if (equal.test(entry.getValue(), change)) {
                same.put(entry.getKey(), versionOnly.apply(entry.getValue()));
            } else {
                write.put(entry.getKey(), next.apply(entry.getValue(), change));
            }
        }
        for (Map.Entry<String, T> entry : updated.entrySet()) {
            if (!original.containsKey(entry.getKey())) {
                membership = true;
                write.put(entry.getKey(), next.apply(null, entry.getValue()));
            }
        }
        return new Members<>(Map.of(), write, same, membership);
    }

    private static Members<ConfigGroup> groups(Map<String, ConfigGroup> original, Map<String, ConfigGroup> updated) {
        Map<String, ConfigGroup> read = new HashMap<>();
        Map<String, ConfigGroup> write = new HashMap<>();
        Map<String, ConfigGroup> same = new HashMap<>();
        boolean membership = false;
        for (Map.Entry<String, ConfigGroup> entry : original.entrySet()) {
            ConfigGroup change = updated.get(entry.getKey());
            if (change == null) {
                membership = true;
                continue;
            }
            Sets sets = group(entry.getValue(), change);
            if (!sets.changed()) {
                same.put(entry.getKey(), sets.read());
            } else {
                read.put(entry.getKey(), sets.read());
                write.put(entry.getKey(), sets.write());
            }
        }
        for (Map.Entry<String, ConfigGroup> entry : updated.entrySet()) {
            if (!original.containsKey(entry.getKey())) {
                membership = true;
                Sets sets = group(ConfigGroup.getDefaultInstance(), entry.getValue());
                write.put(entry.getKey(), sets.write().toBuilder().setVersion(0)
                        .setModPolicy(entry.getValue().getModPolicy()).build());
            }
        }
        return new Members<>(read, write, same, membership);
    }
}
