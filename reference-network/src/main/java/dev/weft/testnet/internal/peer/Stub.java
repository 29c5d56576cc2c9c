package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import dev.weft.core.InternalApi;
import dev.weft.core.X509Identity;
import dev.weft.testnet.ChaincodeStub;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;

/** The {@link ChaincodeStub} of one proposal, backed by a {@link TxSimulator}. */
@InternalApi
final class Stub implements ChaincodeStub {
    /** Fabric's shim replaces an empty range start with this, which excludes composite keys (prefix U+0000). */
    static final String EMPTY_KEY_SUBSTITUTE = "\u0001";

    private final String channelId;
    private final String transactionId;
    private final Instant timestamp;
    private final String namespace;
    private final List<byte[]> arguments;
    private final ByteString serializedCreator;
    private X509Identity creator;
    private final Map<String, byte[]> transientData;
    private final TxSimulator simulator;
    private ChaincodeEvent event;

    Stub(String channelId, String transactionId, Instant timestamp, String namespace, List<byte[]> arguments,
            ByteString serializedCreator, Map<String, byte[]> transientData, TxSimulator simulator) {
        this.channelId = channelId;
        this.transactionId = transactionId;
        this.timestamp = timestamp;
        this.namespace = namespace;
        this.arguments = List.copyOf(arguments);
        this.serializedCreator = serializedCreator;
        this.transientData = Collections.unmodifiableMap(transientData);
        this.simulator = simulator;
    }

    ChaincodeEvent event() {
        return event;
    }

    @Override
    public String channelId() {
        return channelId;
    }

    @Override
    public String transactionId() {
        return transactionId;
    }

    @Override
    public Instant transactionTimestamp() {
        return timestamp;
    }

    @Override
    public String function() {
        return arguments.isEmpty() ? "" : new String(arguments.get(0), StandardCharsets.UTF_8);
    }

    @Override
    public List<String> parameters() {
        List<String> result = new ArrayList<>();
        for (int i = 1; i < arguments.size(); i++) {
            result.add(new String(arguments.get(i), StandardCharsets.UTF_8));
        }
        return result;
    }

    @Override
    public List<byte[]> arguments() {
        return arguments.stream().map(byte[]::clone).toList();
    }

    @Override
    public X509Identity creator() {
        if (creator == null) {
            creator = X509Identity.fromSerialized(serializedCreator);
        }
        return creator;
    }

    @Override
    public Map<String, byte[]> transientData() {
        return transientData;
    }

    @Override
    public byte[] getState(String key) {
        return simulator.get(namespace, requireKey(key));
    }

    @Override
    public void putState(String key, byte[] value) {
        Objects.requireNonNull(value, "value");
        simulator.put(namespace, requireKey(key), value);
    }

    @Override
    public void deleteState(String key) {
        simulator.delete(namespace, requireKey(key));
    }

    @Override
    public StateIterator getStateByRange(String startKey, String endKey) {
        String start = startKey == null || startKey.isEmpty() ? EMPTY_KEY_SUBSTITUTE : startKey;
        return simulator.range(namespace, start, endKey == null ? "" : endKey);
    }

    @Override
    public void setEvent(String name, byte[] payload) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("event name must not be empty");
        }
        event = ChaincodeEvent.newBuilder()
                .setChaincodeId(namespace)
                .setTxId(transactionId)
                .setEventName(name)
                .setPayload(ByteString.copyFrom(payload == null ? new byte[0] : payload))
                .build();
    }

    private static String requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        return key;
    }
}
