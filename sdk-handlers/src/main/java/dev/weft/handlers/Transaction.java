package dev.weft.handlers;

import dev.weft.core.InvokedChaincode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One chaincode invocation, configured step by step and then submitted or evaluated.
 *
 * <pre>{@code
 * TxResult result = contract.newTransaction("TransferAsset")
 *         .arguments("asset1", "Ann")
 *         .transientData(Map.of("price", "100".getBytes(UTF_8)))
 *         .endorsingOrganizations("Org1MSP", "Org2MSP")
 *         .submit();
 * long block = result.blockNumber();
 * }</pre>
 *
 * <p>A builder: not thread-safe; configure it on one thread. Each {@code submit} or
 * {@code evaluate} call runs a new transaction with a new transaction id, so the object can be
 * reused.
 */
public interface Transaction {
    /**
     * Replaces the arguments with UTF-8 strings.
     *
     * @throws IllegalArgumentException if an argument is not valid Unicode (a lone surrogate would
     *     be silently altered); give such data as bytes
     */
    Transaction arguments(String... arguments);

    /** Replaces the arguments with raw bytes. */
    Transaction arguments(List<byte[]> arguments);

    /** Replaces the transient data: sent to the endorsers only, never written to the ledger or logged. */
    Transaction transientData(Map<String, byte[]> data);

    /** Adds one transient-data entry. */
    Transaction putTransientData(String key, byte[] value);

    /** Endorse on exactly one peer of each of these organisations (MSP ids). */
    Transaction endorsingOrganizations(String... mspIds);

    /** Endorse on exactly these peers (names as in the connection profile). */
    Transaction endorsingPeers(String... peerNames);

    /**
     * The chaincodes the transaction calls and the private data collections it uses, for the
     * endorsers to satisfy every policy involved: with discovery selection (or {@code auto} when
     * it uses discovery), the peers' discovery service plans for this whole interest, as Fabric's
     * SDKs ask it. The transaction's own chaincode, public state only, is assumed unless named
     * here with its collections. The policy-based and static selectors, and the peer Gateway
     * (which learns the interest from its own simulation), do not use it.
     *
     * @throws IllegalArgumentException if a chaincode is named twice
     */
    Transaction discoveryInterest(InvokedChaincode... chaincodes);

    /**
     * Extension data for the pipeline's handlers (a trace, a retry budget), under a typed key;
     * handlers read it with {@link TxContext#get}. A null value removes the key.
     */
    <T> Transaction put(ContextKey<T> key, T value);

    /**
     * The transaction's whole time budget: select, endorse, submit and commit together (each stage
     * also keeps its own timeout). When it runs out, the transaction fails with a
     * {@link dev.weft.core.TransactionTimeoutException} naming the stage it ran out in. Default:
     * the gateway's (none unless set with {@link Gateway.Builder#timeout}). See {@link Timeouts}.
     */
    Transaction timeout(Duration timeout);

    /** Time for endorsement (for an evaluate: the whole evaluate). Default: the gateway's. */
    Transaction endorseTimeout(Duration timeout);

    /** Time for an orderer to accept the transaction. Default: the gateway's. */
    Transaction submitTimeout(Duration timeout);

    /** Time, after the orderer accepted it, for the commit event to arrive. Default: the gateway's. */
    Transaction commitTimeout(Duration timeout);

    /**
     * Submits and waits for the commit.
     *
     * @return the transaction id, the chaincode's result, the block and the validation code (VALID)
     * @throws dev.weft.core.TransactionException (a subclass naming the stage) on failure
     */
    TxResult submit();

    /**
     * Submits without blocking. The future completes when the transaction is committed as VALID,
     * or exceptionally with a {@link dev.weft.core.TransactionException} subclass.
     */
    CompletableFuture<TxResult> submitAsync();

    /**
     * Evaluates on one peer (own organisation first, then others if it cannot be reached).
     *
     * @return the chaincode's result
     */
    byte[] evaluate();

    /** Evaluates without blocking; the future holds the result (no commit status). */
    CompletableFuture<TxResult> evaluateAsync();

    /**
     * The staged form of this transaction, for signing elsewhere or inspecting each stage: the
     * unsigned proposal, with a new transaction id. Sign its {@link Proposal#digest()} with the
     * client's key (or let the gateway's signer do it), then evaluate it, or endorse it and sign,
     * submit and wait for the resulting {@link EndorsedTransaction}.
     *
     * <pre>{@code
     * Proposal proposal = contract.newTransaction("CreateAsset").arguments("asset1", "blue", "5", "Tom", "100")
     *         .newProposal();
     * EndorsedTransaction endorsed = proposal.withSignature(wallet.sign(proposal.digest())).endorse();
     * EndorsedTransaction signed = endorsed.withSignature(wallet.sign(endorsed.digest()));
     * TxResult result = signed.submit();   // or submit(commitRequest) when the gateway has no signer at all
     * }</pre>
     */
    Proposal newProposal();
}
