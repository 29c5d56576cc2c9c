package dev.weft.events;

import com.google.protobuf.ByteString;
import dev.weft.core.Peer;
import dev.weft.core.SeekRequest;
import dev.weft.core.Signable;
import dev.weft.core.Signatures;
import dev.weft.core.X509Identity;
import org.hyperledger.fabric.protos.common.Envelope;

/**
 * A request for a Deliver stream (a seek: where to start, where to stop) addressed to one peer,
 * signed by the client's key here or elsewhere ({@link Signable}). Made by
 * {@link EventStreams.Builder#newRequest()}; opened with the builder's terminal methods that take a
 * request. A peer refuses a request whose timestamp is more than 15 minutes off its clock, so sign
 * it shortly before use.
 *
 * <p>Immutable and thread-safe.
 */
public final class DeliverRequest implements Signable<DeliverRequest> {
    private final Peer peer;
    private final X509Identity identity;
    private final String channelId;
    private final SeekRequest seek;
    private final Envelope signed;

    private DeliverRequest(Peer peer, X509Identity identity, String channelId, SeekRequest seek, Envelope signed) {
        this.peer = peer;
        this.identity = identity;
        this.channelId = channelId;
        this.seek = seek;
        this.signed = signed;
    }

    static DeliverRequest unsigned(Peer peer, X509Identity identity, String channelId, SeekRequest seek) {
        return new DeliverRequest(peer, identity, channelId, seek, null);
    }

    /** The peer the stream is opened on. */
    public Peer peer() {
        return peer;
    }

    public String channelId() {
        return channelId;
    }

    /** The client identity the request is from (whose key must sign it). */
    public X509Identity identity() {
        return identity;
    }

    @Override
    public ByteString bytes() {
        return seek.payloadBytes();
    }

    @Override
    public boolean isSigned() {
        return signed != null;
    }

    @Override
    public DeliverRequest withSignature(byte[] signature) {
        byte[] checked = Signatures.requireValid(identity, bytes().toByteArray(), signature);
        return new DeliverRequest(peer, identity, channelId, seek, seek.withSignature(checked));
    }

    /**
     * The signed envelope to send.
     *
     * @throws IllegalStateException if no signature is attached
     */
    public Envelope envelope() {
        if (signed == null) {
            throw new IllegalStateException("the deliver request for channel " + channelId + " is not signed: sign its "
                    + "digest() with the key of " + identity + " and attach it with withSignature");
        }
        return signed;
    }

    @Override
    public String toString() {
        return "DeliverRequest[" + channelId + " on " + peer.name() + (signed == null ? ", unsigned" : "") + "]";
    }
}
