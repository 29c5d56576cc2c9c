package dev.weft.handlers;

/**
 * The built-in steps of the pipeline, in the order they run after the handlers a user added. Each
 * can be wrapped or replaced through {@link Gateway.Builder#handler}.
 *
 * <p>A submit runs every step. An evaluate has its own list of four: SELECT_ENDORSERS (candidates
 * in order of preference), SIGN_PROPOSAL, ENDORSE (one peer at a time until one answers) and
 * CHECK_RESPONSES (the answer's status; it produces the result). A customization of a step
 * applies to it in both lists.
 */
public enum PipelineStep {
    /** Chooses the endorsing peers ({@link TxContext#endorsers()}) with the gateway's selector. */
    SELECT_ENDORSERS,
    /** Builds the proposal, with a new transaction id, and signs it ({@link TxContext#proposal()}). */
    SIGN_PROPOSAL,
    /**
     * Sends the signed proposal to the endorsers in parallel and collects their responses
     * ({@link TxContext#responses()}); peers that cannot be reached are replaced by others the
     * selector picks, within the endorse timeout.
     */
    ENDORSE,
    /**
     * Checks the responses: every status below 400 (else the chaincode's error), an endorsement
     * in each, every payload byte-identical and bound to this proposal. Produces an evaluate's result.
     */
    CHECK_RESPONSES,
    /** Checks each endorser's signature and certificate against the channel's MSPs. */
    VERIFY_SIGNATURES,
    /** Checks that the verified endorsers satisfy the chaincode's endorsement policy. */
    CHECK_POLICY,
    /** Assembles the transaction from the endorsements and signs it ({@link TxContext#envelope()}). */
    SIGN_ENVELOPE,
    /**
     * Registers for the transaction's commit event, then proceeds to broadcast, then waits for
     * the commit and fails with {@link dev.weft.core.CommitException} unless it is VALID.
     */
    AWAIT_COMMIT,
    /** Sends the transaction to an orderer, failing over to the next on error. */
    BROADCAST
}
