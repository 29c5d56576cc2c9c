package dev.weft.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.Credentials;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Hashing;
import dev.weft.testnet.ReferenceNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Proposal;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Response;
import org.hyperledger.fabric.protos.peer.SignedProposal;

/**
 * Real crypto material for the benchmarks: a reference network is started once to generate the
 * organisations, a client user and the channel's genesis block, then stopped; the peers' signing
 * keys are read back from the files it wrote. {@link FakeEndorser} answers proposals as a peer
 * would, without running chaincode.
 */
final class Material {
    private static Material instance;

    final X509Identity user;
    final Signer userSigner;
    final Block genesis;
    final ChannelConfig config;
    final List<FakeEndorser> endorsers;

    private Material(Path dir) {
        try (ReferenceNetwork network = ReferenceNetwork.builder().start()) {
            network.writeTo(dir);
            ReferenceNetwork.User u = network.user("Org1MSP");
            this.user = u.identity();
            this.userSigner = u.signer();
            this.genesis = network.genesisBlock(network.channel());
            this.config = network.channelConfig(network.channel());
            List<FakeEndorser> list = new ArrayList<>();
            for (ReferenceNetwork.Peer peer : network.peers()) {
                Path keystore = dir.resolve("organizations/peerOrganizations")
                        .resolve(peer.name().substring(peer.name().indexOf('.') + 1))
                        .resolve("peers").resolve(peer.name()).resolve("msp/keystore/priv_sk");
                list.add(new FakeEndorser(peer.name(), peer.identity(),
                        Signers.newPrivateKeySigner(peer.identity(), Credentials.readPrivateKey(keystore))));
            }
            this.endorsers = List.copyOf(list);
        }
    }

    /** The material of this JVM (each JMH fork makes its own). */
    static synchronized Material get() {
        if (instance == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("weft-bench");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                instance = new Material(dir);
            } finally {
                delete(dir);
            }
        }
        return instance;
    }

    private static void delete(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A peer's answer to a proposal without chaincode: the response payload binds the proposal
     * hash, a fixed result and an empty read-write set, signed by the peer's key as Fabric signs
     * endorsements ({@code payload ‖ endorser}).
     */
    static final class FakeEndorser {
        final String name;
        final X509Identity identity;
        final Signer signer;

        FakeEndorser(String name, X509Identity identity, Signer signer) {
            this.name = name;
            this.identity = identity;
            this.signer = signer;
        }

        ProposalResponse endorse(SignedProposal signed, ByteString result) {
            try {
                Proposal proposal = Proposal.parseFrom(signed.getProposalBytes());
                Header header = Header.parseFrom(proposal.getHeader());
                ChannelHeader channelHeader = ChannelHeader.parseFrom(header.getChannelHeader());
                ByteString transientFree = ChaincodeProposalPayload.parseFrom(proposal.getPayload()).toBuilder()
                        .clearTransientMap().build().toByteString();
                byte[] hash = Hashing.sha256(header.getChannelHeader(), header.getSignatureHeader(), transientFree);
                ByteString payload = ProposalResponsePayload.newBuilder()
                        .setProposalHash(ByteString.copyFrom(hash))
                        .setExtension(ChaincodeAction.newBuilder()
                                .setResponse(Response.newBuilder().setStatus(200).setPayload(result))
                                .build().toByteString())
                        .build().toByteString();
                ByteString endorser = identity.serialized();
                byte[] signature = signer.sign(payload.concat(endorser).toByteArray());
                return ProposalResponse.newBuilder()
                        .setVersion(1)
                        .setResponse(Response.newBuilder().setStatus(200).setPayload(result))
                        .setPayload(payload)
                        .setEndorsement(Endorsement.newBuilder().setEndorser(endorser)
                                .setSignature(ByteString.copyFrom(signature)))
                        .build();
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("not a chaincode proposal", e);
            }
        }

        /** The channel the proposal is for (cscc answers with the genesis block). */
        static String function(SignedProposal signed) {
            try {
                Proposal proposal = Proposal.parseFrom(signed.getProposalBytes());
                ChaincodeProposalPayload payload = ChaincodeProposalPayload.parseFrom(proposal.getPayload());
                var spec = org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec.parseFrom(payload.getInput());
                return spec.getChaincodeSpec().getChaincodeId().getName() + "/"
                        + spec.getChaincodeSpec().getInput().getArgs(0).toStringUtf8();
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("not a chaincode proposal", e);
            }
        }
    }
}
