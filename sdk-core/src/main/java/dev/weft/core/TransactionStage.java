package dev.weft.core;

/** The stages a transaction goes through, for errors and timeouts that name where they happened. */
public enum TransactionStage {
    /** Choosing endorsing peers. */
    SELECT,
    /** Sending the proposal to endorsers and collecting their responses. */
    ENDORSE,
    /** Checking the responses: status, consistency, signatures, certificates, policy. */
    VALIDATE,
    /** Broadcasting the transaction to an orderer. */
    SUBMIT,
    /** Waiting for the transaction to be committed and learning its validation code. */
    COMMIT
}
