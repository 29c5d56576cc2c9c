package dev.weft.testnet.internal.discovery;

import com.google.protobuf.ByteString;
import dev.weft.core.InternalApi;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hyperledger.fabric.protos.gossip.Envelope;

/**
 * The peers of a reference network as their discovery services know them. Fabric peers learn of
 * each other by gossip; the reference network's peers share this registry instead, and each
 * member answers for itself: whether it runs, which channels it has joined, how high its ledger
 * is and which chaincodes it can run, as the alive and state-info messages it would gossip.
 *
 * <p>Thread-safe.
 */
@InternalApi
public final class Membership {
    /** A peer as its gossip messages describe it. Implementations are thread-safe. */
    public interface Member {
        /** Its host name, as in its TLS certificate ({@code peer0.org1.example.com}). */
        String name();

        /** {@code host:port}, as clients reach it. */
        String endpoint();

        String mspId();

        /** Its serialized {@code msp.SerializedIdentity}. */
        ByteString serializedIdentity();

        /** Whether it is up; a peer that is down is in no answer. */
        boolean isAlive();

        /** Its signed alive message (gossip's {@code AliveMessage}). */
        Envelope aliveMessage();

        /** Its view of a channel, if it has joined it. */
        Optional<ChannelState> channel(String channelId);

        /** Its signed state-info message for a channel it has joined (gossip's {@code StateInfo}). */
        Optional<Envelope> stateInfo(String channelId);
    }

    /**
     * A member's view of a channel.
     *
     * @param height its ledger height
     * @param chaincodes the chaincodes it can run there, name to version (the definition's
     *     sequence, as Fabric's peers advertise them)
     */
    public record ChannelState(long height, Map<String, String> chaincodes) {
        public ChannelState {
            chaincodes = Map.copyOf(chaincodes);
        }
    }

    private final List<Member> members = new CopyOnWriteArrayList<>();

    public void add(Member member) {
        members.add(member);
    }

    /** Every member, alive or not, in the order they were added. */
    public List<Member> all() {
        return List.copyOf(members);
    }

    /** The members that are up. */
    public List<Member> alive() {
        return members.stream().filter(Member::isAlive).toList();
    }
}
