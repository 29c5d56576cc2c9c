package dev.weft.benchmarks;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.MspIdentity;
import dev.weft.core.Signatures;
import dev.weft.core.TransactionEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pieces of the client's path, one thread, time per operation (these are CPU-bound, so time
 * is CPU): the crypto floor (one ECDSA P-256 sign, one verify, as the SDK does them) next to what
 * the SDK does around them. One 2-endorser submit needs two signs (proposal, transaction) and two
 * verifies (the endorsements): {@code floor = 2 × sign + 2 × verify}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ClientPathBenchmark {
    private Material material;
    private byte[] message;
    private byte[] signature;
    private ChaincodeProposal proposal;
    private List<ProposalResponse> responses;
    private ProposalResponse response;
    private SignedProposal signedProposal;

    @Setup
    public void setUp() {
        material = Material.get();
        proposal = newProposal();
        message = proposal.proposalBytes().toByteArray();
        signature = material.userSigner.sign(message);
        SignedProposal signed = proposal.sign(material.userSigner);
        signedProposal = signed;
        ByteString result = ByteString.copyFromUtf8("{\"ID\":\"asset1\",\"Color\":\"blue\"}");
        responses = material.endorsers.stream().map(e -> e.endorse(signed, result)).toList();
        response = responses.get(0);
        // The channel MSPs cache validated identities, as they do in a running gateway.
        material.config.msps().verifyEndorsement(response.getPayload(), response.getEndorsement());
    }

    private ChaincodeProposal newProposal() {
        return ChaincodeProposal.builder().identity(material.user).channel("mychannel").chaincode("basic")
                .function("CreateAsset").arguments("asset-123456", "blue", "5", "Tom", "100").build();
    }

    /** Floor: one ECDSA P-256 signature (SHA-256, RFC 6979, low-S) over a proposal's bytes. */
    @Benchmark
    public byte[] floorSign() {
        return material.userSigner.sign(message);
    }

    /** Floor: one signature verification. */
    @Benchmark
    public boolean floorVerify() {
        return Signatures.verify(material.user.certificate(), message, signature);
    }

    /** A new proposal (nonce, tx id, headers) built and signed: what SignProposal does. */
    @Benchmark
    public SignedProposal proposalBuildAndSign() {
        return newProposal().sign(material.userSigner);
    }

    /** One endorsement checked against the channel MSPs (identity cached) and its signature verified. */
    @Benchmark
    public Optional<MspIdentity> endorsementVerify() {
        return material.config.msps().verifyEndorsement(response.getPayload(), response.getEndorsement());
    }

    /** The transaction assembled from two endorsements and signed: what SignEnvelope does. */
    @Benchmark
    public Envelope envelopeBuildAndSign() {
        return TransactionEnvelope.create(proposal, responses).sign(material.userSigner);
    }

    /** What a fake endorser costs per response (subtracted from the pipeline's figure). */
    @Benchmark
    public ProposalResponse fakeEndorserResponse() {
        return material.endorsers.get(0).endorse(signedProposal, ByteString.copyFrom("r", StandardCharsets.UTF_8));
    }
}
