package dev.weft.handlers;

/**
 * A chaincode on a channel, as the application calls it.
 *
 * <pre>{@code
 * Contract contract = gateway.network("mychannel").contract("basic");
 * contract.submit("CreateAsset", "asset1", "blue", "5", "Tom", "100");
 * byte[] asset = contract.evaluate("ReadAsset", "asset1");
 * }</pre>
 *
 * <p>Immutable and thread-safe; it holds no resources of its own.
 */
public interface Contract {
    String channelId();

    String chaincodeName();

    /**
     * Submits a transaction with string arguments and waits until it is committed.
     *
     * @return the chaincode's result
     * @throws dev.weft.core.TransactionException (a subclass saying which stage failed) if the
     *     transaction was not endorsed, not accepted by an orderer, not committed as VALID, or
     *     timed out
     */
    byte[] submit(String function, String... arguments);

    /**
     * Evaluates a transaction (a query) on one peer; nothing is ordered or committed.
     *
     * @return the chaincode's result
     * @throws dev.weft.core.TransactionException if no peer could evaluate it or the chaincode failed
     */
    byte[] evaluate(String function, String... arguments);

    /** A transaction to configure (arguments, transient data, endorsers, timeouts) before running it. */
    Transaction newTransaction(String function);
}
