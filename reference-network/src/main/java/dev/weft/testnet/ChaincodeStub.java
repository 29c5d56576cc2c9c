package dev.weft.testnet;

import dev.weft.core.X509Identity;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A chaincode's view of one proposal and of the channel's world state, as Fabric's shim gives it.
 * Reads see the state as committed before the proposal (a transaction does not read its own
 * writes, as in Fabric); writes and deletes become the transaction's write set, applied only if
 * the transaction is committed as valid.
 *
 * <p>Used by one invocation on one thread.
 */
public interface ChaincodeStub {
    /** A key and value returned by a range query. */
    record KeyValue(String key, byte[] value) {
    }

    /** Results of a range query, read lazily; close it when done (the peer closes any left open). */
    interface StateIterator extends Iterator<KeyValue>, AutoCloseable {
        @Override
        void close();
    }

    String channelId();

    String transactionId();

    /** The proposal's channel-header timestamp. */
    Instant transactionTimestamp();

    /** The function: the first argument of the invocation. */
    String function();

    /** The arguments after the function, as UTF-8 strings. */
    List<String> parameters();

    /** All arguments, function included, as bytes. */
    List<byte[]> arguments();

    /** The client that signed the proposal. */
    X509Identity creator();

    /** Transient data sent with the proposal; it never reaches the ledger. */
    Map<String, byte[]> transientData();

    /** The committed value of a key, or null if it does not exist. */
    byte[] getState(String key);

    void putState(String key, byte[] value);

    void deleteState(String key);

    /**
     * Keys from {@code startKey} (inclusive) to {@code endKey} (exclusive) in key order; an empty
     * start or end means unbounded. Composite keys are not included, as in Fabric.
     */
    StateIterator getStateByRange(String startKey, String endKey);

    /** Sets the transaction's chaincode event (the last call wins). */
    void setEvent(String name, byte[] payload);
}
