package dev.weft.core;

import java.util.List;

/**
 * A transaction failed at a {@linkplain #stage() stage}. Carries the transaction id (empty if the
 * failure came before one was assigned) and what each node involved answered. Subclasses say what
 * kind of failure it was; {@link #retryable()} says whether submitting again (with a new
 * transaction id) may succeed.
 */
public class TransactionException extends WeftException {
    private static final long serialVersionUID = 1L;

    private final String summary;
    private final String transactionId;
    private final TransactionStage stage;
    private final List<NodeError> details;

    public TransactionException(String message, String transactionId, TransactionStage stage, List<NodeError> details,
            Throwable cause, boolean retryable) {
        super(message + describe(message, details), cause, retryable);
        this.summary = message;
        this.transactionId = transactionId == null ? "" : transactionId;
        this.stage = stage;
        this.details = List.copyOf(details);
    }

    /** The details the message does not already tell (a message that leads with a node's answer names it). */
    private static String describe(String message, List<NodeError> details) {
        List<String> untold = details.stream()
                .filter(d -> d.message().isEmpty() || !message.contains(d.message()) || !message.contains(d.address()))
                .map(NodeError::toString).distinct().toList();
        return untold.isEmpty() ? "" : String.join("; ", untold).transform(s -> " [" + s + "]");
    }

    /** The message without the per-node details that {@link #getMessage()} appends. */
    public String summary() {
        return summary;
    }

    public String transactionId() {
        return transactionId;
    }

    public TransactionStage stage() {
        return stage;
    }

    /** What each node involved answered. */
    public List<NodeError> details() {
        return details;
    }
}
