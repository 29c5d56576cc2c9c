package dev.weft.handlers;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.InvokedChaincode;
import dev.weft.core.MspIdentity;
import dev.weft.core.Peer;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.peer.SignedProposal;

/**
 * Everything about one transaction as it travels through the pipeline: what the application asked
 * for (channel, chaincode, function, arguments, transient data, endorsing peers or organisations,
 * timeouts), what the built-in steps have produced so far (endorsers, signed proposal, responses,
 * verified endorsers, envelope), and extension data under {@link ContextKey}s.
 *
 * <p>Immutable and thread-safe: a handler derives a new context with {@link #toBuilder()}. The
 * accessors of step outputs throw {@link IllegalStateException} naming the step that should have
 * produced them, so a handler placed too early fails clearly. {@link #toString()} shows the
 * number of arguments and the transient-data keys, never their values.
 */
public final class TxContext {
    /** Whether the transaction is submitted (endorsed, ordered and committed) or only evaluated. */
    public enum Kind {
        SUBMIT, EVALUATE
    }

    private final Kind kind;
    private final String channelId;
    private final String chaincode;
    private final String function;
    private final List<ByteString> arguments;
    private final Map<String, ByteString> transientData;
    private final Set<String> endorsingOrganizations;
    private final Set<String> endorsingPeers;
    private final List<InvokedChaincode> interest;
    private final ChaincodePolicy policy;
    private final Duration endorseTimeout;
    private final Duration submitTimeout;
    private final Duration commitTimeout;
    private final Duration timeout;
    private final Deadline deadline;
    private final List<Peer> endorsers;
    private final ChaincodeProposal proposal;
    private final SignedProposal signedProposal;
    private final List<PeerResponse> responses;
    private final List<MspIdentity> verifiedEndorsers;
    private final Envelope envelope;
    private final Map<ContextKey<?>, Object> extensions;

    private TxContext(Builder b) {
        this.kind = b.kind;
        this.channelId = b.channelId;
        this.chaincode = b.chaincode;
        this.function = b.function;
        this.arguments = List.copyOf(b.arguments);
        this.transientData = Map.copyOf(b.transientData);
        this.endorsingOrganizations = Set.copyOf(b.endorsingOrganizations);
        this.endorsingPeers = Set.copyOf(b.endorsingPeers);
        this.interest = List.copyOf(b.interest);
        this.policy = b.policy;
        Timeouts base = b.timeouts;
        this.endorseTimeout = b.endorseTimeout != null ? b.endorseTimeout
                : kind == Kind.EVALUATE ? base.evaluate() : base.endorse();
        this.submitTimeout = b.submitTimeout != null ? b.submitTimeout : base.submit();
        this.commitTimeout = b.commitTimeout != null ? b.commitTimeout : base.commit();
        this.timeout = b.timeout != null ? b.timeout : base.total().orElse(null);
        this.deadline = b.deadline;
        this.endorsers = b.endorsers == null ? null : List.copyOf(b.endorsers);
        this.proposal = b.proposal;
        this.signedProposal = b.signedProposal;
        this.responses = b.responses == null ? null : List.copyOf(b.responses);
        this.verifiedEndorsers = b.verifiedEndorsers == null ? null : List.copyOf(b.verifiedEndorsers);
        this.envelope = b.envelope;
        this.extensions = new IdentityHashMap<>(b.extensions);
    }

    /**
     * A builder for a new transaction: kind, channel, chaincode and function are required; the
     * timeouts default to {@link Timeouts#DEFAULTS} (for an evaluate, the endorse timeout is the
     * evaluate timeout).
     */
    public static Builder builder(Kind kind, String channelId, String chaincode, String function) {
        return new Builder(kind, channelId, chaincode, function);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public Kind kind() {
        return kind;
    }

    public boolean isEvaluate() {
        return kind == Kind.EVALUATE;
    }

    public String channelId() {
        return channelId;
    }

    public String chaincode() {
        return chaincode;
    }

    public String function() {
        return function;
    }

    /** The chaincode arguments after the function name. */
    public List<ByteString> arguments() {
        return arguments;
    }

    /** Transient data: sent to the endorsers only, never written to the ledger or logged. */
    public Map<String, ByteString> transientData() {
        return transientData;
    }

    /** If not empty, exactly one peer of each of these organisations endorses. */
    public Set<String> endorsingOrganizations() {
        return endorsingOrganizations;
    }

    /** If not empty, exactly these peers (by name) endorse. */
    public Set<String> endorsingPeers() {
        return endorsingPeers;
    }

    /**
     * The chaincodes and collections the transaction touches, as the application named them
     * ({@link Transaction#discoveryInterest}), its own chaincode among them or not; empty when it
     * named none (its chaincode's public state only).
     */
    public List<InvokedChaincode> interest() {
        return interest;
    }

    /** The chaincode's endorsement policy if the application gave it; else the channel default applies. */
    public Optional<ChaincodePolicy> policy() {
        return Optional.ofNullable(policy);
    }

    /** Time allowed for endorsement (for an evaluate: for the whole evaluate). */
    public Duration endorseTimeout() {
        return endorseTimeout;
    }

    /** Time allowed for an orderer to accept the transaction. */
    public Duration submitTimeout() {
        return submitTimeout;
    }

    /** Time allowed, after broadcast, for the commit event to arrive. */
    public Duration commitTimeout() {
        return commitTimeout;
    }

    /** The transaction's overall time budget, if it has one (see {@link Timeouts}). */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /**
     * When the overall budget runs out, on the gateway's clock: set by the pipeline when the
     * transaction starts (from {@link #timeout()}), and kept across retries a handler makes. Each
     * stage is limited by the less of its own timeout and this deadline.
     */
    public Optional<Deadline> deadline() {
        return Optional.ofNullable(deadline);
    }

    /** The peers chosen to endorse (for an evaluate, candidates in order of preference). */
    public List<Peer> endorsers() {
        return require(endorsers, "endorsers", PipelineStep.SELECT_ENDORSERS);
    }

    public boolean hasEndorsers() {
        return endorsers != null;
    }

    /** The proposal (with its transaction id). */
    public ChaincodeProposal proposal() {
        return require(proposal, "proposal", PipelineStep.SIGN_PROPOSAL);
    }

    public SignedProposal signedProposal() {
        return require(signedProposal, "signed proposal", PipelineStep.SIGN_PROPOSAL);
    }

    /** The transaction id once the proposal exists, else empty. */
    public String transactionId() {
        return proposal == null ? "" : proposal.transactionId();
    }

    /** The endorsers' responses, in the order of {@link #endorsers()} as far as they answered. */
    public List<PeerResponse> responses() {
        return require(responses, "responses", PipelineStep.ENDORSE);
    }

    /** The endorsers whose signatures and certificates were verified against the channel's MSPs. */
    public List<MspIdentity> verifiedEndorsers() {
        return require(verifiedEndorsers, "verified endorsers", PipelineStep.VERIFY_SIGNATURES);
    }

    /** The signed transaction to broadcast. */
    public Envelope envelope() {
        return require(envelope, "envelope", PipelineStep.SIGN_ENVELOPE);
    }

    /** Extension data under a key. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> get(ContextKey<T> key) {
        return Optional.ofNullable((T) extensions.get(key));
    }

    private <T> T require(T value, String what, PipelineStep producer) {
        if (value == null) {
            throw new IllegalStateException("the transaction context has no " + what + " yet: the " + producer
                    + " step produces it, and must run before the handler asking for it");
        }
        return value;
    }

    @Override
    public String toString() {
        return "TxContext[" + kind + " " + channelId + "/" + chaincode + "." + function
                + (proposal == null ? "" : " tx " + proposal.transactionId())
                + " args=" + arguments.size() + " transient=" + transientData.keySet() + "]";
    }

    /** Builds a {@link TxContext}. Not thread-safe. */
    public static final class Builder {
        private final Kind kind;
        private final String channelId;
        private final String chaincode;
        private final String function;
        private List<ByteString> arguments = new ArrayList<>();
        private Map<String, ByteString> transientData = new LinkedHashMap<>();
        private Set<String> endorsingOrganizations = new LinkedHashSet<>();
        private Set<String> endorsingPeers = new LinkedHashSet<>();
        private List<InvokedChaincode> interest = List.of();
        private ChaincodePolicy policy;
        private Timeouts timeouts = Timeouts.DEFAULTS;
        private Duration endorseTimeout;
        private Duration submitTimeout;
        private Duration commitTimeout;
        private Duration timeout;
        private Deadline deadline;
        private List<Peer> endorsers;
        private ChaincodeProposal proposal;
        private SignedProposal signedProposal;
        private List<PeerResponse> responses;
        private List<MspIdentity> verifiedEndorsers;
        private Envelope envelope;
        private final Map<ContextKey<?>, Object> extensions;

        private Builder(Kind kind, String channelId, String chaincode, String function) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.channelId = Checks.nonEmpty(channelId, "channelId");
            this.chaincode = Checks.nonEmpty(chaincode, "chaincode");
            this.function = Checks.nonEmpty(function, "function");
            this.extensions = new IdentityHashMap<>();
        }

        /** A copy of another builder's settings for another kind of run (a Transaction submitted or evaluated). */
        private Builder(Builder other, Kind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.channelId = other.channelId;
            this.chaincode = other.chaincode;
            this.function = other.function;
            this.arguments = other.arguments;
            this.transientData = new LinkedHashMap<>(other.transientData);
            this.endorsingOrganizations = other.endorsingOrganizations;
            this.endorsingPeers = other.endorsingPeers;
            this.interest = other.interest;
            this.policy = other.policy;
            this.timeouts = other.timeouts;
            this.endorseTimeout = other.endorseTimeout;
            this.submitTimeout = other.submitTimeout;
            this.commitTimeout = other.commitTimeout;
            this.timeout = other.timeout;
            this.deadline = other.deadline;
            this.endorsers = other.endorsers;
            this.proposal = other.proposal;
            this.signedProposal = other.signedProposal;
            this.responses = other.responses;
            this.verifiedEndorsers = other.verifiedEndorsers;
            this.envelope = other.envelope;
            this.extensions = new IdentityHashMap<>(other.extensions);
        }

        /** A new builder with these settings, for a run of the given kind. */
        Builder copyAs(Kind kind) {
            return new Builder(this, kind);
        }

        private Builder(TxContext c) {
            this.kind = c.kind;
            this.channelId = c.channelId;
            this.chaincode = c.chaincode;
            this.function = c.function;
            this.arguments = c.arguments;
            this.transientData = c.transientData;
            this.endorsingOrganizations = c.endorsingOrganizations;
            this.endorsingPeers = c.endorsingPeers;
            this.interest = c.interest;
            this.policy = c.policy;
            this.endorseTimeout = c.endorseTimeout;
            this.submitTimeout = c.submitTimeout;
            this.commitTimeout = c.commitTimeout;
            this.timeout = c.timeout;
            this.deadline = c.deadline;
            this.endorsers = c.endorsers;
            this.proposal = c.proposal;
            this.signedProposal = c.signedProposal;
            this.responses = c.responses;
            this.verifiedEndorsers = c.verifiedEndorsers;
            this.envelope = c.envelope;
            this.extensions = new IdentityHashMap<>(c.extensions);
        }

        public Builder arguments(List<ByteString> arguments) {
            this.arguments = List.copyOf(Objects.requireNonNull(arguments, "arguments"));
            return this;
        }

        public Builder transientData(Map<String, ByteString> transientData) {
            Objects.requireNonNull(transientData, "transientData");
            this.transientData = new LinkedHashMap<>();
            transientData.forEach(this::putTransientData);
            return this;
        }

        /** Adds one transient-data entry. */
        public Builder putTransientData(String key, ByteString value) {
            Checks.nonEmpty(key, "transient data key");
            Objects.requireNonNull(value, "value");
            if (!(transientData instanceof LinkedHashMap)) {
                transientData = new LinkedHashMap<>(transientData);
            }
            transientData.put(key, value);
            return this;
        }

        public Builder endorsingOrganizations(Set<String> mspIds) {
            this.endorsingOrganizations = Set.copyOf(Objects.requireNonNull(mspIds, "mspIds"));
            return this;
        }

        public Builder endorsingPeers(Set<String> peerNames) {
            this.endorsingPeers = Set.copyOf(Objects.requireNonNull(peerNames, "peerNames"));
            return this;
        }

        /**
         * The chaincodes and collections the transaction touches (see {@link InvokedChaincode});
         * its own chaincode need not be among them.
         *
         * @throws IllegalArgumentException if a chaincode is named twice
         */
        public Builder interest(List<InvokedChaincode> chaincodes) {
            List<InvokedChaincode> copy = List.copyOf(Objects.requireNonNull(chaincodes, "chaincodes"));
            InvokedChaincode.interest(chaincode, copy); // checks it
            this.interest = copy;
            return this;
        }

        /** The chaincode's endorsement policy; null means "unknown: assume the channel default". */
        public Builder policy(ChaincodePolicy policy) {
            this.policy = policy;
            return this;
        }

        /**
         * The timeouts this transaction starts from (the gateway's); the per-stage setters
         * below override single values.
         */
        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
            return this;
        }

        /** The transaction's overall time budget (see {@link Timeouts}). */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.positive(timeout, "timeout");
            return this;
        }

        /** When the overall budget runs out; null for none. The pipeline sets it from {@link #timeout}. */
        public Builder deadline(Deadline deadline) {
            this.deadline = deadline;
            return this;
        }

        /** Time for endorsement (for an evaluate: for the whole evaluate). */
        public Builder endorseTimeout(Duration timeout) {
            this.endorseTimeout = Checks.positive(timeout, "endorseTimeout");
            return this;
        }

        public Builder submitTimeout(Duration timeout) {
            this.submitTimeout = Checks.positive(timeout, "submitTimeout");
            return this;
        }

        public Builder commitTimeout(Duration timeout) {
            this.commitTimeout = Checks.positive(timeout, "commitTimeout");
            return this;
        }

        public Builder endorsers(List<Peer> endorsers) {
            this.endorsers = List.copyOf(Objects.requireNonNull(endorsers, "endorsers"));
            return this;
        }

        /**
         * The proposal and its signed form. Replacing the proposal (a retry with a new transaction
         * id) clears the responses, verified endorsers and envelope that belonged to the old one.
         */
        public Builder proposal(ChaincodeProposal proposal, SignedProposal signed) {
            this.proposal = Objects.requireNonNull(proposal, "proposal");
            this.signedProposal = Objects.requireNonNull(signed, "signed");
            this.responses = null;
            this.verifiedEndorsers = null;
            this.envelope = null;
            return this;
        }

        public Builder responses(List<PeerResponse> responses) {
            this.responses = List.copyOf(Objects.requireNonNull(responses, "responses"));
            return this;
        }

        public Builder verifiedEndorsers(List<MspIdentity> endorsers) {
            this.verifiedEndorsers = List.copyOf(Objects.requireNonNull(endorsers, "endorsers"));
            return this;
        }

        public Builder envelope(Envelope envelope) {
            this.envelope = Objects.requireNonNull(envelope, "envelope");
            return this;
        }

        /** Sets extension data; a null value removes the key. */
        public <T> Builder put(ContextKey<T> key, T value) {
            Objects.requireNonNull(key, "key");
            if (value == null) {
                extensions.remove(key);
            } else {
                extensions.put(key, value);
            }
            return this;
        }

        public TxContext build() {
            return new TxContext(this);
        }
    }
}
