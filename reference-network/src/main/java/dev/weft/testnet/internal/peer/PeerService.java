package dev.weft.testnet.internal.peer;

import dev.weft.core.InternalApi;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.deliver.DeliverService;
import dev.weft.testnet.internal.discovery.DiscoveryService;
import dev.weft.testnet.internal.discovery.Membership;
import dev.weft.testnet.internal.gateway.GatewayService;
import io.grpc.BindableService;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.peer.BlockAndPrivateData;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference peer's gRPC services: {@code protos.Endorser}, {@code protos.Deliver}
 * ({@code Deliver}, {@code DeliverFiltered}, {@code DeliverWithPrivateData}) and
 * {@code discovery.Discovery} and {@code gateway.Gateway}, all reading the peer's channels; Deliver checks
 * {@code /Channel/Application/Readers} as Fabric's default ACLs do.
 */
@InternalApi
public final class PeerService {
    private static final Logger log = LoggerFactory.getLogger(PeerService.class);

    private final Map<String, PeerChannel> channels = new ConcurrentHashMap<>();
    private final Endorser endorser;
    private final DeliverService<DeliverResponse> blocks;
    private final DeliverService<DeliverResponse> filtered;
    private final DeliverService<DeliverResponse> withPrivateData;
    private final DiscoveryService discovery;
    private final GatewayService gateway;
    private final Executor executor;
    private final Object stallLock = new Object();
    private boolean stalled;
    private final List<StalledCall> stalledCalls = new ArrayList<>();

    private record StalledCall(SignedProposal request, StreamObserver<ProposalResponse> out) {
    }

    public PeerService(X509Identity identity, Signer signer, Executor executor, Clock clock, boolean requireTlsBinding,
            Membership membership, VerifiedSignatures signatures, Membership.Member self, GatewayService.Links links) {
        this.executor = executor;
        this.discovery = new DiscoveryService(identity.mspId(), id -> Optional.<DiscoveryService.Channel>ofNullable(channels.get(id)),
                () -> List.<DiscoveryService.Channel>copyOf(channels.values()), membership, clock, signatures);
        this.endorser = new Endorser(this::channel, () -> List.copyOf(channels.values()), identity, signer);
        this.gateway = new GatewayService(new GatewayService.Local() {
            @Override
            public Membership.Member member() {
                return self;
            }

            @Override
            public ProposalResponse endorse(SignedProposal proposal) {
                return endorser.process(proposal);
            }
        }, this::channel, membership, links, executor, clock, signatures);
        String readers = "/Channel/Application/Readers";
        this.blocks = new DeliverService<>(this::source, readers, responses((c, b) -> DeliverResponse.newBuilder()
                .setBlock(b).build()), executor, clock, requireTlsBinding);
        this.filtered = new DeliverService<>(this::source, readers, responses((c, b) -> DeliverResponse.newBuilder()
                .setFilteredBlock(FilteredBlocks.of(b, c)).build()), executor, clock, requireTlsBinding);
        this.withPrivateData = new DeliverService<>(this::source, readers, responses((c, b) -> DeliverResponse.newBuilder()
                .setBlockAndPrivateData(BlockAndPrivateData.newBuilder().setBlock(b)).build()), executor, clock,
                requireTlsBinding);
    }

    public void addChannel(PeerChannel channel) {
        channels.put(channel.channelId(), channel);
    }

    public Optional<PeerChannel> channel(String channelId) {
        return Optional.ofNullable(channels.get(channelId));
    }

    public Endorser endorser() {
        return endorser;
    }

    /** Ends every open deliver stream with UNAVAILABLE (fault injection; clients must reconnect). */
    /** The peer's {@code gateway.Gateway} service. */
    public GatewayService gateway() {
        return gateway;
    }

    public void abortDeliverStreams() {
        blocks.abortStreams();
        filtered.abortStreams();
        withPrivateData.abortStreams();
    }

    /**
     * While stalled, proposals are accepted but not answered, as a peer stuck in a slow chaincode
     * would; clients see their deadline expire. Un-stalling answers the held proposals (calls the
     * client already cancelled are skipped).
     */
    public void stallEndorsements(boolean stall) {
        List<StalledCall> release;
        synchronized (stallLock) {
            stalled = stall;
            if (stall) {
                return;
            }
            release = List.copyOf(stalledCalls);
            stalledCalls.clear();
        }
        release.forEach(c -> executor.execute(() -> endorse(c.request(), c.out())));
    }

    /** Answers held proposals with UNAVAILABLE, so that the server can stop without waiting for them. */
    public void dropStalledEndorsements() {
        List<StalledCall> drop;
        synchronized (stallLock) {
            drop = List.copyOf(stalledCalls);
            stalledCalls.clear();
        }
        for (StalledCall call : drop) {
            if (!(call.out() instanceof ServerCallStreamObserver<ProposalResponse> c && c.isCancelled())) {
                call.out().onError(io.grpc.Status.UNAVAILABLE.withDescription("peer stopping").asRuntimeException());
            }
        }
    }

    private void endorse(SignedProposal request, StreamObserver<ProposalResponse> out) {
        synchronized (stallLock) {
            if (stalled) {
                stalledCalls.add(new StalledCall(request, out));
                return;
            }
        }
        if (out instanceof ServerCallStreamObserver<ProposalResponse> call && call.isCancelled()) {
            return;
        }
        ProposalResponse response;
        try {
            response = endorser.process(request);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (RuntimeException e) {
            log.warn("endorsement failed unexpectedly", e);
            out.onError(io.grpc.Status.UNKNOWN.withDescription(e.toString()).asRuntimeException());
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    private Optional<DeliverService.Source> source(String channelId) {
        return Optional.ofNullable(channels.get(channelId));
    }

    private static DeliverService.Responses<DeliverResponse> responses(BiFunction<String, Block, DeliverResponse> blocks) {
        return new DeliverService.Responses<>() {
            @Override
            public DeliverResponse block(String channelId, Block block) {
                return blocks.apply(channelId, block);
            }

            @Override
            public DeliverResponse status(Status status) {
                return DeliverResponse.newBuilder().setStatus(status).build();
            }
        };
    }

    /** The services to register on the peer's server. */
    public List<BindableService> services() {
        return List.of(discovery, gateway, new EndorserGrpc.EndorserImplBase() {
            @Override
            public void processProposal(SignedProposal request, StreamObserver<ProposalResponse> out) {
                if (out instanceof ServerCallStreamObserver<ProposalResponse> call) {
                    call.setOnCancelHandler(() -> { }); // a stalled call may be cancelled before it is answered
                }
                endorse(request, out);
            }
        }, new DeliverGrpc.DeliverImplBase() {
            @Override
            public StreamObserver<Envelope> deliver(StreamObserver<DeliverResponse> out) {
                return blocks.open(out);
            }

            @Override
            public StreamObserver<Envelope> deliverFiltered(StreamObserver<DeliverResponse> out) {
                return filtered.open(out);
            }

            @Override
            public StreamObserver<Envelope> deliverWithPrivateData(StreamObserver<DeliverResponse> out) {
                return withPrivateData.open(out);
            }
        });
    }
}
