package dev.weft.testnet.internal.config;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelConfigException;
import dev.weft.core.IdentityValidationException;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.internal.ConfigMap;
import dev.weft.core.internal.Hashing;
import dev.weft.core.internal.Hex;
import dev.weft.testnet.internal.VerifiedSignatures;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Config;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigSignature;
import org.hyperledger.fabric.protos.common.ConfigUpdate;
import org.hyperledger.fabric.protos.common.ConfigUpdateEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;

/**
 * Fabric's configtx validator: a {@code CONFIG_UPDATE} applied to a channel's current config. The
 * read set must name the versions the config is at; each element the write set changes must be at
 * the next version of the element it replaces (0 if new), and the signatures on the update must
 * satisfy the mod_policy of the element it replaces; the new config is the current one with
 * those elements put in, at the next sequence. The orderer proposes with it
 * ({@link #propose}); a peer re-checks a config block's envelope with it ({@link #validate}).
 * Errors carry Fabric's texts, so that a client sees what Fabric would tell it.
 */
@InternalApi
public final class ConfigUpdates {
    private static final String ROOT = ChannelConfig.ROOT;

    private ConfigUpdates() {
    }

    /**
     * The config envelope a {@code CONFIG_UPDATE} envelope makes of the current config: the new
     * config at the next sequence, and the update as its last update.
     *
     * @throws ChannelConfigException with Fabric's reason if the update is not well formed or not authorised
     */
    public static ConfigEnvelope propose(ChannelConfig current, Envelope update, VerifiedSignatures signatures) {
        ConfigUpdateEnvelope updateEnvelope = updateEnvelope(update);
        ConfigGroup channelGroup;
        try {
            channelGroup = ConfigMap.toGroup(authorize(current, updateEnvelope, signatures), ROOT);
        } catch (ChannelConfigException e) {
            throw new ChannelConfigException("error authorizing update: " + e.getMessage());
        }
        return ConfigEnvelope.newBuilder()
                .setConfig(Config.newBuilder().setSequence(current.sequence() + 1).setChannelGroup(channelGroup))
                .setLastUpdate(update)
                .build();
    }

    /**
     * Checks a config block's envelope against the config before it, as a Fabric peer does before
     * it applies one: the next sequence, and exactly the config its last update produces.
     *
     * @throws ChannelConfigException with the reason it is not
     */
    public static void validate(ChannelConfig current, ConfigEnvelope envelope, VerifiedSignatures signatures) {
        if (!envelope.hasConfig()) {
            throw new ChannelConfigException("config envelope has nil config");
        }
        if (envelope.getConfig().getSequence() != current.sequence() + 1) {
            throw new ChannelConfigException("config currently at sequence " + current.sequence()
                    + ", cannot validate config at sequence " + envelope.getConfig().getSequence());
        }
        ConfigUpdateEnvelope updateEnvelope = updateEnvelope(envelope.getLastUpdate());
        ConfigGroup produced = ConfigMap.toGroup(authorize(current, updateEnvelope, signatures), ROOT);
        if (!produced.equals(envelope.getConfig().getChannelGroup())) {
            throw new ChannelConfigException("ConfigEnvelope LastUpdate did not produce the supplied config result");
        }
    }

    /** The update an envelope of type CONFIG_UPDATE carries (Fabric's {@code EnvelopeToConfigUpdate}). */
    private static ConfigUpdateEnvelope updateEnvelope(Envelope envelope) {
        try {
            Payload payload = Payload.parseFrom(envelope.getPayload());
            int type = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader()).getType();
            if (type != HeaderType.CONFIG_UPDATE_VALUE) {
                throw new ChannelConfigException("error converting envelope to config update: not a tx of type "
                        + "CONFIG_UPDATE (it is of type " + type + ")");
            }
            return ConfigUpdateEnvelope.parseFrom(payload.getData());
        } catch (InvalidProtocolBufferException e) {
            throw new ChannelConfigException("error converting envelope to config update: " + e.getMessage());
        }
    }

    /** Fabric's {@code authorizeUpdate}: the full proposed config map. */
    private static Map<String, ConfigMap.Element> authorize(ChannelConfig current, ConfigUpdateEnvelope envelope,
            VerifiedSignatures signatures) {
        ConfigUpdate update;
        try {
            update = ConfigUpdate.parseFrom(envelope.getConfigUpdate());
        } catch (InvalidProtocolBufferException e) {
            throw new ChannelConfigException("error unmarshalling ConfigUpdate: " + e.getMessage());
        }
        if (!update.getChannelId().equals(current.channelId())) {
            throw new ChannelConfigException("ConfigUpdate for channel '" + update.getChannelId()
                    + "' but envelope for channel '" + current.channelId() + "'");
        }
        Map<String, ConfigMap.Element> existing = ConfigMap.of(current.config().getChannelGroup(), ROOT);
        Map<String, ConfigMap.Element> readSet;
        try {
            readSet = ConfigMap.of(update.hasReadSet() ? update.getReadSet() : null, ROOT);
        } catch (ChannelConfigException e) {
            throw new ChannelConfigException("error mapping ReadSet: " + e.getMessage());
        }
        for (Map.Entry<String, ConfigMap.Element> read : new TreeMap<>(readSet).entrySet()) {
            ConfigMap.Element now = existing.get(read.getKey());
            if (now == null) {
                throw new ChannelConfigException("error validating ReadSet: existing config does not contain element "
                        + "for " + read.getKey() + " but was in the read set");
            }
            if (now.version() != read.getValue().version()) {
                throw new ChannelConfigException("error validating ReadSet: proposed update requires that key "
                        + read.getKey() + " be at version " + read.getValue().version()
                        + ", but it is currently at version " + now.version());
            }
        }
        Map<String, ConfigMap.Element> writeSet;
        try {
            writeSet = ConfigMap.of(update.hasWriteSet() ? update.getWriteSet() : null, ROOT);
        } catch (ChannelConfigException e) {
            throw new ChannelConfigException("error mapping WriteSet: " + e.getMessage());
        }
        Map<String, ConfigMap.Element> delta = new TreeMap<>();
        writeSet.forEach((key, written) -> {
            ConfigMap.Element read = readSet.get(key);
            if (read == null || read.version() != written.version()) {
                delta.put(key, written);
            }
        });
        try {
            verifyDelta(current, existing, delta, signers(current, envelope, signatures));
        } catch (ChannelConfigException e) {
            throw new ChannelConfigException("error validating DeltaSet: " + e.getMessage());
        }
        Map<String, ConfigMap.Element> proposed = new LinkedHashMap<>(existing);
        proposed.putAll(delta);
        for (String key : writeSet.keySet()) {
            if (!proposed.containsKey(key)) {
                throw new ChannelConfigException("full config did not verify: writeset contained key " + key
                        + " which did not appear in proposed config");
            }
        }
        return proposed;
    }

    private static void verifyDelta(ChannelConfig current, Map<String, ConfigMap.Element> existing,
            Map<String, ConfigMap.Element> delta, List<MspIdentity> signers) {
        if (delta.isEmpty()) {
            throw new ChannelConfigException("delta set was empty -- update would have no effect");
        }
        for (Map.Entry<String, ConfigMap.Element> change : delta.entrySet()) {
            String key = change.getKey();
            ConfigMap.Element written = change.getValue();
            String badModPolicy = invalidModPolicy(written.modPolicy());
            if (badModPolicy != null) {
                throw new ChannelConfigException("invalid mod_policy for element " + key + ": " + badModPolicy);
            }
            ConfigMap.Element now = existing.get(key);
            if (now == null) {
                if (written.version() != 0) {
                    throw new ChannelConfigException("attempted to set key " + key + " to version " + written.version()
                            + ", but key does not exist");
                }
                continue;
            }
            if (written.version() != now.version() + 1) {
                throw new ChannelConfigException("attempt to set key " + key + " to version " + written.version()
                        + ", but key is at version " + now.version());
            }
            String policyPath = now.modPolicyPath();
            if (current.policy(policyPath).isEmpty()) {
                throw new ChannelConfigException("unexpected missing policy " + now.modPolicy() + " for item " + key);
            }
            Optional<String> unsatisfied = current.whyNotSatisfied(policyPath, signers);
            if (unsatisfied.isPresent()) {
                throw new ChannelConfigException("policy for " + key + " not satisfied: " + unsatisfied.get());
            }
        }
    }

    /** Fabric's {@code validateModPolicy}: null if the mod_policy is a well-formed policy path. */
    private static String invalidModPolicy(String modPolicy) {
        if (modPolicy.isEmpty()) {
            return "mod_policy not set";
        }
        String[] elements = (modPolicy.startsWith("/") ? modPolicy.substring(1) : modPolicy).split("/", -1);
        for (int i = 0; i < elements.length; i++) {
            String problem = ConfigMap.invalidId(elements[i]);
            if (problem != null) {
                return "path element at " + i + " is invalid: " + problem;
            }
        }
        return null;
    }

    /**
     * The identities that signed the update, as Fabric's policy engine takes them: each signature
     * over its signature header and the update's bytes, by an identity valid in one of the
     * channel's MSPs; others are left out, and each identity counts once.
     */
    private static List<MspIdentity> signers(ChannelConfig current, ConfigUpdateEnvelope envelope,
            VerifiedSignatures signatures) {
        // By MSP id and certificate, as Fabric's SignatureSetToValidIdentities: one certificate, one signer.
        Map<String, MspIdentity> signers = new LinkedHashMap<>();
        for (int i = 0; i < envelope.getSignaturesCount(); i++) {
            ConfigSignature signature = envelope.getSignatures(i);
            ByteString creator;
            try {
                creator = SignatureHeader.parseFrom(signature.getSignatureHeader()).getCreator();
            } catch (InvalidProtocolBufferException e) {
                // Fabric's ConfigUpdateEnvelopeAsSignedData refuses the whole update.
                throw new ChannelConfigException("signature " + i + " of the config update has a malformed signature "
                        + "header: " + e.getMessage());
            }
            MspIdentity identity;
            try {
                identity = current.msps().validateMembership(creator);
            } catch (IdentityValidationException e) {
                continue; // Fabric leaves out an identity it cannot validate and evaluates the rest
            }
            String key;
            try {
                key = identity.mspId() + "/" + Hex.encode(Hashing.sha256(identity.certificate().getEncoded()));
            } catch (CertificateEncodingException e) {
                continue;
            }
            if (signers.containsKey(key)) {
                continue;
            }
            ByteString signed = signature.getSignatureHeader().concat(envelope.getConfigUpdate());
            if (signatures.verify(identity, signed, signature.getSignature())) {
                signers.put(key, identity);
            }
        }
        return new ArrayList<>(signers.values());
    }
}
