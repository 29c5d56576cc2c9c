package dev.weft.handlers.internal;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.weft.core.ChaincodeProposal;
import dev.weft.core.GrpcChannels;
import dev.weft.core.Peer;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;

/**
 * A running reference network (Org1MSP and Org2MSP, one peer each, channel mychannel, chaincode
 * basic) with a channel to each peer, to get real, peer-signed proposal responses. One per test
 * class; {@link #close()} releases everything.
 */
final class RealPeers implements AutoCloseable {
    final ReferenceNetwork network;
    final ReferenceNetwork.User user;
    final Peer org1;
    final Peer org2;
    private final List<ManagedChannel> channels = new ArrayList<>();

    RealPeers() {
        this.network = ReferenceNetwork.builder().start();
        try {
            this.user = network.user("Org1MSP");
            this.org1 = connect(network.peer("Org1MSP"));
            this.org2 = connect(network.peer("Org2MSP"));
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private Peer connect(ReferenceNetwork.Peer peer) {
        ManagedChannel channel = GrpcChannels.create(peer.endpointConfig());
        channels.add(channel);
        return Peer.of(peer.name(), peer.mspId(), peer.endpointConfig(), channel);
    }

    /** A new proposal of the network's Org1 user. */
    ChaincodeProposal proposal(String function, String... arguments) {
        return ChaincodeProposal.builder().identity(user.identity()).channel("mychannel").chaincode("basic")
                .function(function).arguments(arguments).build();
    }

    /** A CreateAsset proposal for a fresh asset id. */
    ChaincodeProposal createAsset() {
        return proposal("CreateAsset", "asset-" + UUID.randomUUID(), "blue", "5", "Tom", "100");
    }

    SignedProposal sign(ChaincodeProposal proposal) {
        return proposal.sign(user.signer());
    }

    /** Sends the signed proposal to the peer and returns its real response. */
    static ProposalResponse endorse(Peer peer, SignedProposal signed) {
        return EndorserGrpc.newBlockingStub(peer.channel()).withDeadlineAfter(10, SECONDS).processProposal(signed);
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        network.close();
    }
}
