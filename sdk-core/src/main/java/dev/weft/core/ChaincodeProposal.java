package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.weft.core.internal.Hashing;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.peer.ChaincodeHeaderExtension;
import org.hyperledger.fabric.protos.peer.ChaincodeID;
import org.hyperledger.fabric.protos.peer.ChaincodeInput;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeSpec;
import org.hyperledger.fabric.protos.peer.Proposal;
import org.hyperledger.fabric.protos.peer.SignedProposal;

/**
 * A chaincode invocation proposal ({@code peer.Proposal}) for an endorser, with the exact header
 * bytes that the signed transaction, the proposal hash and the committer all depend on.
 *
 * <p>The proposal carries an {@code ENDORSER_TRANSACTION} channel header (version 0, epoch 0,
 * current timestamp, {@code ChaincodeHeaderExtension{chaincode_id.name}}), a signature header
 * with the creator and a fresh nonce, and a {@code ChaincodeProposalPayload} whose input holds the
 * function name followed by the arguments; transient data goes only into the proposal's transient
 * map and never into the transaction.
 *
 * <p>Immutable and thread-safe; {@link #sign} may be called more than once (for example with a
 * different signer in a test), each call returning a newly signed proposal.
 *
 * <pre>{@code
 * ChaincodeProposal proposal = ChaincodeProposal.builder()
 *         .identity(identity)
 *         .channel("mychannel").chaincode("basic")
 *         .function("CreateAsset").arguments("asset1", "blue", "5", "Tom", "100")
 *         .build();
 * SignedProposal signed = proposal.sign(signer);
 * }</pre>
 */
public final class ChaincodeProposal {
    private final TransactionId id;
    private final String channelId;
    private final String chaincodeName;
    private final String function;
    private final ByteString channelHeader;
    private final ByteString transientFreePayload;
    private final Proposal proposal;
    private final ByteString proposalBytes;
    private final boolean hasTransientData;

    private ChaincodeProposal(Builder b) {
        this.id = b.id;
        this.channelId = b.channelId;
        this.chaincodeName = b.chaincodeName;
        this.function = b.function;
        Instant now = b.timestamp != null ? b.timestamp : b.clock.instant();
        ChannelHeader.Builder channelHeader = ChannelHeader.newBuilder()
                .setType(HeaderType.ENDORSER_TRANSACTION_VALUE)
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setChannelId(channelId)
                .setTxId(id.value())
                .setEpoch(0)
                .setExtension(ChaincodeHeaderExtension.newBuilder()
                        .setChaincodeId(ChaincodeID.newBuilder().setName(chaincodeName))
                        .build().toByteString());
        if (b.tlsCertHash != null) {
            channelHeader.setTlsCertHash(b.tlsCertHash);
        }
        this.channelHeader = channelHeader.build().toByteString();

        ChaincodeInput.Builder input = ChaincodeInput.newBuilder()
                .addArgs(ByteString.copyFrom(function, StandardCharsets.UTF_8));
        b.arguments.forEach(input::addArgs);
        ByteString invocation = ChaincodeInvocationSpec.newBuilder()
                .setChaincodeSpec(ChaincodeSpec.newBuilder()
                        .setChaincodeId(ChaincodeID.newBuilder().setName(chaincodeName))
                        .setInput(input))
                .build().toByteString();
        this.transientFreePayload = ChaincodeProposalPayload.newBuilder().setInput(invocation).build().toByteString();
        ByteString payload = transientFreePayload;
        this.hasTransientData = !b.transientData.isEmpty();
        if (hasTransientData) {
            payload = ChaincodeProposalPayload.newBuilder()
                    .setInput(invocation)
                    .putAllTransientMap(b.transientData)
                    .build().toByteString();
        }
        this.proposal = Proposal.newBuilder()
                .setHeader(Header.newBuilder()
                        .setChannelHeader(this.channelHeader)
                        .setSignatureHeader(id.signatureHeader())
                        .build().toByteString())
                .setPayload(payload)
                .build();
        this.proposalBytes = proposal.toByteString();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The transaction id with the creator and nonce it is derived from. */
    public TransactionId id() {
        return id;
    }

    public String transactionId() {
        return id.value();
    }

    public String channelId() {
        return channelId;
    }

    public String chaincodeName() {
        return chaincodeName;
    }

    public String function() {
        return function;
    }

    /** Whether the proposal carries transient data (which never reaches the ledger). */
    public boolean hasTransientData() {
        return hasTransientData;
    }

    /** The proposal message. */
    public Proposal proposal() {
        return proposal;
    }

    /** The serialized proposal: the bytes that are signed. */
    public ByteString proposalBytes() {
        return proposalBytes;
    }

    /** The serialized {@code common.ChannelHeader}. */
    public ByteString channelHeader() {
        return channelHeader;
    }

    /** The serialized {@code common.SignatureHeader}. */
    public ByteString signatureHeader() {
        return id.signatureHeader();
    }

    /**
     * The serialized {@code ChaincodeProposalPayload} without the transient map: what goes into
     * the transaction, and what the proposal hash covers.
     */
    public ByteString transientFreePayload() {
        return transientFreePayload;
    }

    /**
     * {@code SHA-256(channel_header ‖ signature_header ‖ transient-free payload)}: the value an
     * endorser puts into {@code ProposalResponsePayload.proposal_hash}.
     */
    public byte[] proposalHash() {
        return Hashing.sha256(channelHeader, id.signatureHeader(), transientFreePayload);
    }

    /** Signs the serialized proposal. The signer must belong to the creator identity. */
    public SignedProposal sign(Signer signer) {
        Objects.requireNonNull(signer, "signer");
        return withSignature(signer.sign(proposalBytes.toByteArray()));
    }

    /**
     * The signed proposal with a signature over {@link #proposalBytes()} made elsewhere. It is not
     * checked here: {@link Signatures#requireValid} does that.
     */
    public SignedProposal withSignature(byte[] signature) {
        Objects.requireNonNull(signature, "signature");
        return SignedProposal.newBuilder().setProposalBytes(proposalBytes).setSignature(ByteString.copyFrom(signature))
                .build();
    }

    @Override
    public String toString() {
        return "ChaincodeProposal[" + channelId + "/" + chaincodeName + "." + function + " tx " + transactionId() + "]";
    }

    /** Builds a {@link ChaincodeProposal}. Not thread-safe; each {@link #build()} gets its own copy of the values. */
    public static final class Builder {
        private TransactionId id;
        private String channelId;
        private String chaincodeName;
        private String function;
        private final List<ByteString> arguments = new ArrayList<>();
        private final Map<String, ByteString> transientData = new LinkedHashMap<>();
        private Instant timestamp;
        private Clock clock = Clock.systemUTC();
        private ByteString tlsCertHash;

        private Builder() {
        }

        /** The creator; a fresh nonce and transaction id are generated for it. */
        public Builder identity(X509Identity identity) {
            this.id = TransactionId.create(Objects.requireNonNull(identity, "identity"));
            return this;
        }

        /** A specific creator and nonce (for a known transaction id). Replaces {@link #identity}. */
        public Builder transactionId(TransactionId id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        public Builder channel(String channelId) {
            this.channelId = requireNonEmpty(channelId, "channel");
            return this;
        }

        public Builder chaincode(String chaincodeName) {
            this.chaincodeName = requireNonEmpty(chaincodeName, "chaincode");
            return this;
        }

        /** The chaincode function: the first element of the chaincode input args. */
        public Builder function(String function) {
            this.function = requireNonEmpty(function, "function");
            return this;
        }

        /** Replaces the arguments with UTF-8 strings. */
        public Builder arguments(String... arguments) {
            return arguments(List.of(arguments));
        }

        /** Replaces the arguments with UTF-8 strings. */
        public Builder arguments(List<String> arguments) {
            this.arguments.clear();
            for (String argument : arguments) {
                this.arguments.add(ByteString.copyFrom(Objects.requireNonNull(argument, "argument"), StandardCharsets.UTF_8));
            }
            return this;
        }

        /** Replaces the arguments with raw bytes. */
        public Builder byteArguments(List<byte[]> arguments) {
            this.arguments.clear();
            for (byte[] argument : arguments) {
                this.arguments.add(ByteString.copyFrom(Objects.requireNonNull(argument, "argument")));
            }
            return this;
        }

        /** Adds one transient-data entry: sent to endorsers, never written into the transaction. */
        public Builder putTransientData(String key, byte[] value) {
            transientData.put(requireNonEmpty(key, "transient key"), ByteString.copyFrom(Objects.requireNonNull(value, "value")));
            return this;
        }

        /** Replaces the transient data. */
        public Builder transientData(Map<String, byte[]> data) {
            transientData.clear();
            data.forEach(this::putTransientData);
            return this;
        }

        /** A fixed timestamp for the channel header (default: now, from the clock). */
        public Builder timestamp(Instant timestamp) {
            this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
            return this;
        }

        /** The clock for the channel header timestamp (default: the system UTC clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** SHA-256 of the client's TLS certificate, for servers that bind requests to the TLS session. */
        public Builder tlsCertHash(byte[] hash) {
            this.tlsCertHash = ByteString.copyFrom(Objects.requireNonNull(hash, "hash"));
            return this;
        }

        /**
         * @throws IllegalStateException naming the first missing field
         */
        public ChaincodeProposal build() {
            requireSet(id, "identity");
            requireSet(channelId, "channel");
            requireSet(chaincodeName, "chaincode");
            requireSet(function, "function");
            return new ChaincodeProposal(this);
        }
    }

    static String requireNonEmpty(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    static void requireSet(Object value, String name) {
        if (value == null) {
            throw new IllegalStateException(name + " is required");
        }
    }
}
