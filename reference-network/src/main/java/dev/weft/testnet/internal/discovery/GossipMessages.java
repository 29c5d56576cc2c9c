package dev.weft.testnet.internal.discovery;

import com.google.protobuf.ByteString;
import dev.weft.core.InternalApi;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperledger.fabric.protos.gossip.AliveMessage;
import org.hyperledger.fabric.protos.gossip.Chaincode;
import org.hyperledger.fabric.protos.gossip.Envelope;
import org.hyperledger.fabric.protos.gossip.GossipMessage;
import org.hyperledger.fabric.protos.gossip.Member;
import org.hyperledger.fabric.protos.gossip.PeerTime;
import org.hyperledger.fabric.protos.gossip.Properties;
import org.hyperledger.fabric.protos.gossip.StateInfo;

/**
 * One peer's gossip messages as Fabric's discovery service hands them to clients, signed with
 * the peer's key over the serialized {@code GossipMessage}: the alive message (endpoint and
 * PKI-ID) and a state-info message per channel (ledger height and chaincodes). A message is made
 * again only when what it says changes, with the next sequence number.
 *
 * <p>Thread-safe.
 */
@InternalApi
public final class GossipMessages {
    private final Signer signer;
    private final ByteString pkiId;
    /** Gossip's incarnation number: when the peer started, in nanoseconds. */
    private final long incarnation;
    private final AtomicLong sequence = new AtomicLong();
    private volatile Signed alive;
    private final Map<String, Signed> stateInfos = new ConcurrentHashMap<>();

    private record Signed(Object content, Envelope envelope) {
    }

    public GossipMessages(X509Identity identity, Signer signer, long incarnationNanos) {
        this.signer = signer;
        this.pkiId = pkiIdOf(identity.mspId(), identity.serialized());
        this.incarnation = incarnationNanos;
    }

    /** Fabric's PKI-ID of a peer: SHA-256 of its MSP id followed by its certificate's PEM bytes. */
    public static ByteString pkiIdOf(String mspId, ByteString serializedIdentity) {
        try {
            ByteString idBytes = org.hyperledger.fabric.protos.msp.SerializedIdentity.parseFrom(serializedIdentity)
                    .getIdBytes();
            return ByteString.copyFrom(Hashing.sha256(ByteString.copyFromUtf8(mspId), idBytes));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a serialized identity", e);
        }
    }

    public ByteString pkiId() {
        return pkiId;
    }

    /** The alive message announcing the peer at {@code endpoint}. */
    public Envelope alive(String endpoint) {
        Signed current = alive;
        if (current != null && current.content().equals(endpoint)) {
            return current.envelope();
        }
        GossipMessage message = GossipMessage.newBuilder()
                .setTag(GossipMessage.Tag.EMPTY)
                .setAliveMsg(AliveMessage.newBuilder()
                        .setMembership(Member.newBuilder().setEndpoint(endpoint).setPkiId(pkiId))
                        .setTimestamp(timestamp()))
                .build();
        Signed made = new Signed(endpoint, sign(message));
        alive = made;
        return made.envelope();
    }

    /** The state-info message of a channel. */
    public Envelope stateInfo(String channelId, Membership.ChannelState state) {
        Signed current = stateInfos.get(channelId);
        if (current != null && current.content().equals(state)) {
            return current.envelope();
        }
        Properties.Builder properties = Properties.newBuilder().setLedgerHeight(state.height());
        new TreeMap<>(state.chaincodes()).forEach((name, version) ->
                properties.addChaincodes(Chaincode.newBuilder().setName(name).setVersion(version)));
        GossipMessage message = GossipMessage.newBuilder()
                .setTag(GossipMessage.Tag.CHAN_OR_ORG)
                .setStateInfo(StateInfo.newBuilder()
                        .setTimestamp(timestamp())
                        .setPkiId(pkiId)
                        // Gossip's channel MAC: SHA-256(PKI-ID || channel), which hides the channel from outsiders.
                        .setChannelMAC(ByteString.copyFrom(Hashing.sha256(pkiId,
                                ByteString.copyFrom(channelId, StandardCharsets.UTF_8))))
                        .setProperties(properties))
                .build();
        Signed made = new Signed(state, sign(message));
        stateInfos.put(channelId, made);
        return made.envelope();
    }

    private PeerTime timestamp() {
        return PeerTime.newBuilder().setIncNum(incarnation).setSeqNum(sequence.incrementAndGet()).build();
    }

    private Envelope sign(GossipMessage message) {
        byte[] payload = message.toByteArray();
        return Envelope.newBuilder().setPayload(ByteString.copyFrom(payload))
                .setSignature(ByteString.copyFrom(signer.sign(payload))).build();
    }
}
