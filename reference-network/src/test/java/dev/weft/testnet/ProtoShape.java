package dev.weft.testnet;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.hyperledger.fabric.protos.peer.AnchorPeers;
import org.hyperledger.fabric.protos.common.BlockDataHashingStructure;
import org.hyperledger.fabric.protos.common.Capabilities;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.HashingAlgorithm;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.ImplicitMetaPolicy;
import org.hyperledger.fabric.protos.common.LastConfig;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.OrdererAddresses;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.Policy;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.common.SignaturePolicyEnvelope;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.msp.FabricMSPConfig;
import org.hyperledger.fabric.protos.msp.MSPConfig;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.hyperledger.fabric.protos.orderer.BatchTimeout;
import org.hyperledger.fabric.protos.orderer.ChannelRestrictions;
import org.hyperledger.fabric.protos.orderer.ConsensusType;
import org.hyperledger.fabric.protos.peer.ACLs;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.ChaincodeHeaderExtension;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;

/**
 * The "shape" of a Fabric message: every populated field as a path, with the serialized messages
 * that Fabric nests in {@code bytes} fields decoded in place (Envelope.payload → Payload →
 * ChannelHeader / SignatureHeader / ConfigEnvelope / Transaction → ... → KVRWSet; config values by
 * their key; policies by their type; block metadata slots by index). Two messages built "the
 * same way" have the same path set even if keys, names, times and hashes differ; the leaf values
 * let a test compare what must be equal.
 *
 * <p>Path syntax: {@code field} for a singular field, {@code field[]} for the elements of a
 * repeated field (indices collapsed, except block metadata slots {@code metadata[2]}), and
 * {@code field{key}} for a map entry. A populated message field is a path even when the nested
 * message is empty (as with Fabric's {@code LastConfig{index: 0}}).
 */
final class ProtoShape {
    private static final HexFormat HEX = HexFormat.of();

    /** Populated field paths with their leaf values in encounter order ("" for message nodes). */
    private final Map<String, List<String>> leaves = new TreeMap<>();
    /** Element counts of repeated fields, per occurrence. */
    private final Map<String, List<Integer>> counts = new TreeMap<>();

    private ProtoShape() {
    }

    static ProtoShape of(Message message) {
        ProtoShape shape = new ProtoShape();
        shape.walk(message, "", null);
        return shape;
    }


    Set<String> paths() {
        return new TreeSet<>(leaves.keySet());
    }

    Map<String, List<String>> leaves() {
        return leaves;
    }

    Map<String, List<Integer>> counts() {
        return counts;
    }

    List<String> values(String path) {
        List<String> values = leaves.get(path);
        if (values == null) {
            throw new AssertionError("no path " + path + " in " + leaves.keySet());
        }
        return values;
    }

    String value(String path) {
        List<String> values = values(path);
        if (values.size() != 1) {
            throw new AssertionError("path " + path + " has " + values.size() + " values: " + values);
        }
        return values.get(0);
    }

    /** Paths present in this shape and not in the other. */
    Set<String> pathsNotIn(ProtoShape other) {
        Set<String> result = paths();
        result.removeAll(other.leaves.keySet());
        return result;
    }

    /**
     * Leaf values that differ from the other shape's, by path, for paths in both shapes that
     * {@code compared} accepts; empty when everything compared is equal.
     */
    Map<String, String> valueDifferences(ProtoShape other, Predicate<String> compared) {
        Map<String, String> differences = new TreeMap<>();
        for (var e : leaves.entrySet()) {
            List<String> theirs = other.leaves.get(e.getKey());
            if (theirs != null && compared.test(e.getKey()) && !theirs.equals(e.getValue())) {
                differences.put(e.getKey(), "this " + abbreviate(e.getValue()) + " vs other " + abbreviate(theirs));
            }
        }
        return differences;
    }

    /** Repeated-field counts that differ, for paths in both shapes that {@code compared} accepts. */
    Map<String, String> countDifferences(ProtoShape other, Predicate<String> compared) {
        Map<String, String> differences = new TreeMap<>();
        for (var e : counts.entrySet()) {
            List<Integer> theirs = other.counts.get(e.getKey());
            if (theirs != null && compared.test(e.getKey()) && !theirs.equals(e.getValue())) {
                differences.put(e.getKey(), "this " + e.getValue() + " vs other " + theirs);
            }
        }
        return differences;
    }

    /** A predicate accepting paths that match none of the regular expressions. */
    static Predicate<String> except(String... regexes) {
        List<Pattern> patterns = new ArrayList<>();
        for (String r : regexes) {
            patterns.add(Pattern.compile(r));
        }
        return path -> patterns.stream().noneMatch(p -> p.matcher(path).find());
    }

    private static String abbreviate(List<String> values) {
        String s = values.toString();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private void record(String path, String value) {
        leaves.computeIfAbsent(path, k -> new ArrayList<>()).add(value);
    }

    /**
     * Walks a message. {@code hint} carries what the enclosing structure knows about how to decode
     * this message's bytes: the config value key, the metadata slot, the payload's header type.
     */
    private void walk(Message message, String path, String hint) {
        String prefix = path.isEmpty() ? "" : path + ".";
        // What this message itself says about its bytes fields: a payload's header type, a policy's type.
        String own = message instanceof Payload payload ? payloadType(payload)
                : message instanceof Policy policy ? Integer.toString(policy.getType()) : null;
        for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
            FieldDescriptor field = e.getKey();
            String name = prefix + field.getName();
            if (field.isMapField()) {
                @SuppressWarnings("unchecked")
                List<Message> entries = (List<Message>) e.getValue();
                count(name + "{}", entries.size());
                for (Message entry : entries) {
                    FieldDescriptor keyField = entry.getDescriptorForType().findFieldByName("key");
                    FieldDescriptor valueField = entry.getDescriptorForType().findFieldByName("value");
                    String key = String.valueOf(entry.getField(keyField));
                    String entryPath = name + "{" + key + "}";
                    value(field.getFullName(), valueField, entry.getField(valueField), entryPath, key);
                }
            } else if (field.isRepeated()) {
                List<?> list = (List<?>) e.getValue();
                count(name + "[]", list.size());
                boolean indexed = field.getFullName().equals("common.BlockMetadata.metadata");
                for (int i = 0; i < list.size(); i++) {
                    String elementPath = indexed ? name + "[" + i + "]" : name + "[]";
                    value(field.getFullName(), field, list.get(i), elementPath, indexed ? Integer.toString(i) : hint);
                }
            } else {
                value(field.getFullName(), field, e.getValue(), name, own != null ? own : hint);
            }
        }
    }

    private void count(String path, int size) {
        counts.computeIfAbsent(path, k -> new ArrayList<>()).add(size);
    }

    private void value(String fieldName, FieldDescriptor field, Object value, String path, String hint) {
        if (value instanceof Message m) {
            record(path, "");
            walk(m, path, childHint(fieldName, hint));
        } else if (value instanceof ByteString bytes) {
            Parser<? extends Message> parser = nested(fieldName, hint);
            if (parser == null) {
                record(path, "bytes:" + HEX.formatHex(bytes.toByteArray()));
                return;
            }
            Message decoded;
            try {
                decoded = parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException ex) {
                throw new AssertionError("cannot decode " + path + " (" + fieldName + ") as a nested message", ex);
            }
            record(path, "");
            walk(decoded, path, childHint(fieldName, hint));
        } else if (value instanceof EnumValueDescriptor en) {
            record(path, en.getName());
        } else {
            record(path, String.valueOf(value));
        }
    }

    /** The hint a decoded or nested message receives. */
    private static String childHint(String fieldName, String hint) {
        return switch (fieldName) {
            // Metadata.value is decoded by slot; the consenter metadata is an opaque Metadata inside slot 0.
            case "common.OrdererBlockMetadata.consenter_metadata" -> "consenter";
            case "common.BlockMetadata.metadata", "common.Metadata.value", "common.Payload.data",
                    "common.ConfigGroup.values", "common.ConfigValue.value", "common.Policy.value" -> hint;
            default -> null;
        };
    }

    /** How Fabric nests serialized messages in bytes fields; null for a plain bytes leaf. */
    private static Parser<? extends Message> nested(String fieldName, String hint) {
        return switch (fieldName) {
            case "common.BlockData.data", "common.ConfigEnvelope.last_update" -> Envelope.parser();
            case "common.Envelope.payload" -> Payload.parser();
            case "common.Header.channel_header" -> ChannelHeader.parser();
            case "common.Header.signature_header", "common.MetadataSignature.signature_header",
                    "protos.TransactionAction.header" -> SignatureHeader.parser();
            case "common.SignatureHeader.creator", "protos.Endorsement.endorser" -> SerializedIdentity.parser();
            case "common.ChannelHeader.extension" -> ChaincodeHeaderExtension.parser();
            case "common.Payload.data" -> switch (hint == null ? "" : hint) {
                case "CONFIG" -> ConfigEnvelope.parser();
                case "ENDORSER_TRANSACTION" -> Transaction.parser();
                default -> null;
            };
            case "common.BlockMetadata.metadata" -> switch (hint) {
                case "0", "1", "4" -> Metadata.parser(); // SIGNATURES, LAST_CONFIG, COMMIT_HASH
                default -> null; // TRANSACTIONS_FILTER and ORDERER are raw bytes
            };
            case "common.Metadata.value" -> switch (hint == null ? "" : hint) {
                case "0" -> OrdererBlockMetadata.parser();
                case "1" -> LastConfig.parser();
                default -> null; // the commit hash, or the consenter's opaque metadata
            };
            case "common.OrdererBlockMetadata.consenter_metadata" -> Metadata.parser();
            case "common.ConfigValue.value" -> configValue(hint);
            case "common.Policy.value" -> "1".equals(hint) ? SignaturePolicyEnvelope.parser()
                    : "3".equals(hint) ? ImplicitMetaPolicy.parser() : null;
            case "common.MSPPrincipal.principal" -> MSPRole.parser();
            case "msp.MSPConfig.config" -> FabricMSPConfig.parser();
            case "protos.TransactionAction.payload" -> ChaincodeActionPayload.parser();
            case "protos.ChaincodeActionPayload.chaincode_proposal_payload" -> ChaincodeProposalPayload.parser();
            case "protos.ChaincodeProposalPayload.input" -> ChaincodeInvocationSpec.parser();
            case "protos.ChaincodeEndorsedAction.proposal_response_payload" -> ProposalResponsePayload.parser();
            case "protos.ProposalResponsePayload.extension" -> ChaincodeAction.parser();
            case "protos.ChaincodeAction.results" -> TxReadWriteSet.parser();
            case "protos.ChaincodeAction.events" -> ChaincodeEvent.parser();
            case "rwset.NsReadWriteSet.rwset" -> KVRWSet.parser();
            default -> null;
        };
    }

    private static Parser<? extends Message> configValue(String key) {
        return switch (key == null ? "" : key) {
            case "HashingAlgorithm" -> HashingAlgorithm.parser();
            case "BlockDataHashingStructure" -> BlockDataHashingStructure.parser();
            case "OrdererAddresses", "Endpoints" -> OrdererAddresses.parser();
            case "Capabilities" -> Capabilities.parser();
            case "MSP" -> MSPConfig.parser();
            case "AnchorPeers" -> AnchorPeers.parser();
            case "BatchSize" -> BatchSize.parser();
            case "BatchTimeout" -> BatchTimeout.parser();
            case "ChannelRestrictions" -> ChannelRestrictions.parser();
            case "ConsensusType" -> ConsensusType.parser();
            case "ACLs" -> ACLs.parser();
            default -> null;
        };
    }

    private static String payloadType(Payload payload) {
        try {
            return HeaderType.forNumber(ChannelHeader.parseFrom(payload.getHeader().getChannelHeader()).getType()).name();
        } catch (InvalidProtocolBufferException | NullPointerException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        leaves.forEach((k, v) -> shown.put(k, abbreviate(v)));
        StringBuilder sb = new StringBuilder();
        shown.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }
}
