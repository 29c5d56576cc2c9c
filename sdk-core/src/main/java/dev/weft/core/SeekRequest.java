package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.orderer.SeekNewest;
import org.hyperledger.fabric.protos.orderer.SeekNextCommit;
import org.hyperledger.fabric.protos.orderer.SeekOldest;
import org.hyperledger.fabric.protos.orderer.SeekPosition;
import org.hyperledger.fabric.protos.orderer.SeekSpecified;

/**
 * A signed {@code DELIVER_SEEK_INFO} envelope: what a client sends on a peer's
 * {@code protos.Deliver} or an orderer's {@code AtomicBroadcast/Deliver} stream to ask for blocks.
 *
 * <p>The channel header carries type 5, the channel, epoch 0 and a current timestamp (servers
 * reject seeks more than 15 minutes off their clock) and, when the server requires client
 * certificates, the SHA-256 of the client's TLS certificate. The signature header carries the
 * creator and a nonce. The default is "from the newest block, forever, waiting for new blocks".
 *
 * <pre>{@code
 * Envelope seek = SeekRequest.builder()
 *         .channel("mychannel").identity(identity)
 *         .startAt(5).stopAt(5)
 *         .build()
 *         .sign(signer);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class SeekRequest {
    /** The stop position meaning "never stop": the largest block number a Java long can hold. */
    public static final long FOREVER = Long.MAX_VALUE;

    private final Payload payload;
    private final ByteString payloadBytes;
    private final SeekInfo seekInfo;

    private SeekRequest(Builder b) {
        Instant now = b.timestamp != null ? b.timestamp : b.clock.instant();
        ChannelHeader.Builder channelHeader = ChannelHeader.newBuilder()
                .setType(HeaderType.DELIVER_SEEK_INFO_VALUE)
                .setChannelId(b.channelId)
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setEpoch(0);
        if (b.tlsCertHash != null) {
            channelHeader.setTlsCertHash(b.tlsCertHash);
        }
        this.seekInfo = SeekInfo.newBuilder()
                .setStart(b.start)
                .setStop(b.stop)
                .setBehavior(b.behavior)
                .setErrorResponse(b.errorResponse)
                .build();
        this.payload = Payload.newBuilder()
                .setHeader(Header.newBuilder()
                        .setChannelHeader(channelHeader.build().toByteString())
                        .setSignatureHeader(SignatureHeader.newBuilder()
                                .setCreator(b.identity.serialized())
                                .setNonce(TransactionId.newNonce())
                                .build().toByteString()))
                .setData(seekInfo.toByteString())
                .build();
        this.payloadBytes = payload.toByteString();
    }

    public static Builder builder() {
        return new Builder();
    }

    public SeekInfo seekInfo() {
        return seekInfo;
    }

    public Payload payload() {
        return payload;
    }

    /** The serialized payload: the bytes that are signed. */
    public ByteString payloadBytes() {
        return payloadBytes;
    }

    /** Signs the payload and returns the envelope to send on a Deliver stream. */
    public Envelope sign(Signer signer) {
        Objects.requireNonNull(signer, "signer");
        return withSignature(signer.sign(payloadBytes.toByteArray()));
    }

    /**
     * The envelope with a signature over {@link #payloadBytes()} made elsewhere. It is not checked
     * here: {@link Signatures#requireValid} does that.
     */
    public Envelope withSignature(byte[] signature) {
        Objects.requireNonNull(signature, "signature");
        return Envelope.newBuilder().setPayload(payloadBytes).setSignature(ByteString.copyFrom(signature)).build();
    }

    /** A seek position at a block number. */
    public static SeekPosition specified(long blockNumber) {
        return SeekPosition.newBuilder().setSpecified(SeekSpecified.newBuilder().setNumber(blockNumber)).build();
    }

    /** The seek position of the newest block. */
    public static SeekPosition newest() {
        return SeekPosition.newBuilder().setNewest(SeekNewest.getDefaultInstance()).build();
    }

    /** The seek position of the genesis block. */
    public static SeekPosition oldest() {
        return SeekPosition.newBuilder().setOldest(SeekOldest.getDefaultInstance()).build();
    }

    /** The seek position of the next block to be committed (Fabric 2.4+). */
    public static SeekPosition nextCommit() {
        return SeekPosition.newBuilder().setNextCommit(SeekNextCommit.getDefaultInstance()).build();
    }

    /** Builds a {@link SeekRequest}. Not thread-safe. */
    public static final class Builder {
        private String channelId;
        private X509Identity identity;
        private SeekPosition start = newest();
        private SeekPosition stop = specified(FOREVER);
        private SeekInfo.SeekBehavior behavior = SeekInfo.SeekBehavior.BLOCK_UNTIL_READY;
        private SeekInfo.SeekErrorResponse errorResponse = SeekInfo.SeekErrorResponse.STRICT;
        private ByteString tlsCertHash;
        private Instant timestamp;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder channel(String channelId) {
            this.channelId = ChaincodeProposal.requireNonEmpty(channelId, "channel");
            return this;
        }

        /** The identity the request is made as; it must satisfy the channel's Readers policy. */
        public Builder identity(X509Identity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        public Builder start(SeekPosition start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        public Builder startAt(long blockNumber) {
            return start(specified(blockNumber));
        }

        public Builder stop(SeekPosition stop) {
            this.stop = Objects.requireNonNull(stop, "stop");
            return this;
        }

        public Builder stopAt(long blockNumber) {
            return stop(specified(blockNumber));
        }

        /** Keep the stream open and deliver every new block (the default). */
        public Builder stopNever() {
            return stop(specified(FOREVER));
        }

        public Builder behavior(SeekInfo.SeekBehavior behavior) {
            this.behavior = Objects.requireNonNull(behavior, "behavior");
            return this;
        }

        public Builder errorResponse(SeekInfo.SeekErrorResponse errorResponse) {
            this.errorResponse = Objects.requireNonNull(errorResponse, "errorResponse");
            return this;
        }

        /** SHA-256 of the client TLS certificate, required when the server demands client certificates. */
        public Builder tlsCertHash(byte[] hash) {
            this.tlsCertHash = ByteString.copyFrom(Objects.requireNonNull(hash, "hash"));
            return this;
        }

        public Builder timestamp(Instant timestamp) {
            this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalStateException naming the first missing field
         */
        public SeekRequest build() {
            ChaincodeProposal.requireSet(channelId, "channel");
            ChaincodeProposal.requireSet(identity, "identity");
            return new SeekRequest(this);
        }
    }
}
