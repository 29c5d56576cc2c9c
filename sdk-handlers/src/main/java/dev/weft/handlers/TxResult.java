package dev.weft.handlers;

import com.google.protobuf.ByteString;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import dev.weft.core.TransactionStatus;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * The outcome of a transaction: its id, the chaincode's result, and for a submitted transaction
 * the orderer (or gateway peer) that accepted it and how it was committed (block number and validation code).
 * Immutable and thread-safe.
 */
public final class TxResult {
    private final String transactionId;
    private final ByteString result;
    private final Orderer orderer;
    private final TransactionStatus commit;
    private final Peer gatewayPeer;

    private TxResult(String transactionId, ByteString result, Orderer orderer, TransactionStatus commit,
            Peer gatewayPeer) {
        this.transactionId = Objects.requireNonNull(transactionId, "transactionId");
        this.result = Objects.requireNonNull(result, "result");
        this.orderer = orderer;
        this.commit = commit;
        this.gatewayPeer = gatewayPeer;
    }

    /** An evaluated, or endorsed but not yet submitted, transaction. */
    public static TxResult of(String transactionId, ByteString result) {
        return new TxResult(transactionId, result, null, null, null);
    }

    /** This result, accepted for ordering by an orderer. */
    public TxResult submittedTo(Orderer orderer) {
        return new TxResult(transactionId, result, Objects.requireNonNull(orderer, "orderer"), commit, gatewayPeer);
    }

    /**
     * This result, accepted for ordering by the Gateway service of a peer (transport PEER_GATEWAY
     * or HYBRID), which names no orderer.
     */
    public TxResult submittedThrough(Peer peer) {
        return new TxResult(transactionId, result, orderer, commit, Objects.requireNonNull(peer, "peer"));
    }

    /** This result with the transaction's commit status. */
    public TxResult committed(TransactionStatus status) {
        Objects.requireNonNull(status, "status");
        if (!status.transactionId().equals(transactionId)) {
            throw new IllegalArgumentException("status of transaction " + status.transactionId()
                    + " given for transaction " + transactionId);
        }
        return new TxResult(transactionId, result, orderer, status, gatewayPeer);
    }

    public String transactionId() {
        return transactionId;
    }

    /** The chaincode's result (the response payload), a fresh copy. */
    public byte[] result() {
        return result.toByteArray();
    }

    public ByteString resultBytes() {
        return result;
    }

    /** The result decoded as UTF-8. */
    public String resultAsString() {
        return result.toString(StandardCharsets.UTF_8);
    }

    /**
     * The orderer that accepted the transaction; empty for an evaluate, and for a transaction
     * submitted through a peer's Gateway service ({@link #gatewayPeer()}).
     */
    public Optional<Orderer> orderer() {
        return Optional.ofNullable(orderer);
    }

    /** The peer whose Gateway service submitted the transaction; empty when it was broadcast directly. */
    public Optional<Peer> gatewayPeer() {
        return Optional.ofNullable(gatewayPeer);
    }

    /** How the transaction was committed; empty for an evaluate. */
    public Optional<TransactionStatus> commit() {
        return Optional.ofNullable(commit);
    }

    /**
     * The number of the block that holds the transaction.
     *
     * @throws IllegalStateException if the transaction was not committed (an evaluate)
     */
    public long blockNumber() {
        return requireCommit().blockNumber();
    }

    /**
     * The transaction's validation code (VALID for a submit that returned normally).
     *
     * @throws IllegalStateException if the transaction was not committed (an evaluate)
     */
    public TxValidationCode validationCode() {
        return requireCommit().code();
    }

    private TransactionStatus requireCommit() {
        if (commit == null) {
            throw new IllegalStateException("transaction " + transactionId + " was evaluated, not committed");
        }
        return commit;
    }

    @Override
    public String toString() {
        return "TxResult[" + transactionId + (commit == null ? "" : " block " + commit.blockNumber() + " " + commit.code())
                + ", " + result.size() + " bytes]";
    }
}
