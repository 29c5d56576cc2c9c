package dev.weft.handlers;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How long each stage of a transaction may take, and optionally the whole transaction: the one
 * place the SDK's timeout defaults are defined. A {@link Gateway} holds one (its builder's
 * timeout setters change it); a {@link Transaction} may override any of them.
 *
 * <ul>
 *   <li>{@code endorse} (default 15 s): a submit's endorsement, from the first proposal sent to the
 *       last answer, including replacing peers that failed;
 *   <li>{@code evaluate} (default 5 s): a whole evaluate, over every peer it tries;
 *   <li>{@code submit} (default 5 s): the commit-event stream getting ready, then an orderer
 *       accepting the transaction (each limited by this);
 *   <li>{@code commit} (default 60 s): the commit event arriving after an orderer accepted it;
 *   <li>{@code total} (default none): the transaction's whole time budget. When set, every stage
 *       gets the less of its own timeout and what is left of the budget, so {@code total(10 s)}
 *       bounds select + endorse + submit + commit together; the timeout error names the stage the
 *       budget ran out in.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class Timeouts {
    /** The SDK's defaults: 15 s endorse, 5 s evaluate, 5 s submit, 60 s commit, no overall budget. */
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(15), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(60), null);

    private final Duration endorse;
    private final Duration evaluate;
    private final Duration submit;
    private final Duration commit;
    private final Duration total;

    private Timeouts(Duration endorse, Duration evaluate, Duration submit, Duration commit, Duration total) {
        this.endorse = endorse;
        this.evaluate = evaluate;
        this.submit = submit;
        this.commit = commit;
        this.total = total;
    }

    public Duration endorse() {
        return endorse;
    }

    public Duration evaluate() {
        return evaluate;
    }

    public Duration submit() {
        return submit;
    }

    public Duration commit() {
        return commit;
    }

    /** The overall budget of a transaction, if there is one. */
    public Optional<Duration> total() {
        return Optional.ofNullable(total);
    }

    public Timeouts withEndorse(Duration timeout) {
        return new Timeouts(Checks.positive(timeout, "endorseTimeout"), evaluate, submit, commit, total);
    }

    public Timeouts withEvaluate(Duration timeout) {
        return new Timeouts(endorse, Checks.positive(timeout, "evaluateTimeout"), submit, commit, total);
    }

    public Timeouts withSubmit(Duration timeout) {
        return new Timeouts(endorse, evaluate, Checks.positive(timeout, "submitTimeout"), commit, total);
    }

    public Timeouts withCommit(Duration timeout) {
        return new Timeouts(endorse, evaluate, submit, Checks.positive(timeout, "commitTimeout"), total);
    }

    /** With an overall budget per transaction. */
    public Timeouts withTotal(Duration timeout) {
        return new Timeouts(endorse, evaluate, submit, commit, Checks.positive(timeout, "timeout"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Timeouts t && endorse.equals(t.endorse) && evaluate.equals(t.evaluate)
                && submit.equals(t.submit) && commit.equals(t.commit) && Objects.equals(total, t.total);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endorse, evaluate, submit, commit, total);
    }

    @Override
    public String toString() {
        return "Timeouts[endorse " + endorse.toMillis() + " ms, evaluate " + evaluate.toMillis() + " ms, submit "
                + submit.toMillis() + " ms, commit " + commit.toMillis() + " ms"
                + (total == null ? "" : ", total " + total.toMillis() + " ms") + "]";
    }
}
