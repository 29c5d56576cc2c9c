package dev.weft.testnet.internal.gateway;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.BlockView;
import dev.weft.core.InternalApi;
import dev.weft.core.TransactionEnvelope;
import dev.weft.core.TransactionView;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.internal.SignedData;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.discovery.EndorsementLayouts;
import dev.weft.testnet.internal.discovery.Membership;
import dev.weft.testnet.internal.peer.PeerChannel;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.discovery.EndorsementDescriptor;
import org.hyperledger.fabric.protos.discovery.Layout;
import org.hyperledger.fabric.protos.gateway.ChaincodeEventsRequest;
import org.hyperledger.fabric.protos.gateway.ChaincodeEventsResponse;
import org.hyperledger.fabric.protos.gateway.CommitStatusRequest;
import org.hyperledger.fabric.protos.gateway.CommitStatusResponse;
import org.hyperledger.fabric.protos.gateway.EndorseRequest;
import org.hyperledger.fabric.protos.gateway.EndorseResponse;
import org.hyperledger.fabric.protos.gateway.ErrorDetail;
import org.hyperledger.fabric.protos.gateway.EvaluateRequest;
import org.hyperledger.fabric.protos.gateway.EvaluateResponse;
import org.hyperledger.fabric.protos.gateway.GatewayGrpc;
import org.hyperledger.fabric.protos.gateway.SignedChaincodeEventsRequest;
import org.hyperledger.fabric.protos.gateway.SignedCommitStatusRequest;
import org.hyperledger.fabric.protos.gateway.SubmitRequest;
import org.hyperledger.fabric.protos.gateway.SubmitResponse;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.hyperledger.fabric.protos.orderer.SeekPosition;
import org.hyperledger.fabric.protos.peer.ChaincodeCall;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.ChaincodeInterest;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.EndorserGrpc;
import org.hyperledger.fabric.protos.peer.Proposal;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference peer's {@code gateway.Gateway} service, with Fabric's semantics (its
 * {@code internal/pkg/gateway}): Evaluate on a peer of the caller's organisation (or of the
 * target organisations), Endorse on the layout discovery computes for the chaincode (or on the
 * endorsing organisations named), returning the unsigned transaction; Submit to the orderers in
 * turn; CommitStatus from this peer's ledger once the transaction commits; ChaincodeEvents of
 * valid transactions from a start block or after a transaction. Failures carry an
 * {@code ErrorDetail} per node, as Fabric's gateway does, with Fabric's status codes and messages.
 *
 * <p>It never blocks a server thread: endorsements on other peers, broadcasts and waits for
 * commits complete asynchronously. Thread-safe.
 */
@InternalApi
public final class GatewayService extends GatewayGrpc.GatewayImplBase {
    private static final Logger log = LoggerFactory.getLogger(GatewayService.class);
    /** Fabric's {@code peer.gateway.endorsementTimeout} and {@code broadcastTimeout} defaults. */
    static final Duration ENDORSEMENT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration BROADCAST_TIMEOUT = Duration.ofSeconds(30);
    private static final String READERS = "/Channel/Application/Readers";

    /** How the gateway reaches the rest of the network. */
    public interface Links {
        /** A connection to another peer of the membership (TLS as the network runs it). */
        ManagedChannel peer(Membership.Member member);

        /** The orderers to broadcast to, in the order to try them. */
        List<Orderer> orderers();
    }

    /**
     * An orderer as the gateway names it in error details, and its connection.
     *
     * @param mspId its organisation; empty to look it up in the channel config by address
     */
    public record Orderer(String address, String mspId, ManagedChannel channel) {
    }

    /** The peer the service runs on: its own endorser, answering in-process. */
    public interface Local {
        Membership.Member member();

        /** Endorses (or simulates) a proposal as the peer's Endorser service would. */
        ProposalResponse endorse(SignedProposal proposal);
    }

    private final Local local;
    private final Function<String, Optional<PeerChannel>> channels;
    private final Membership membership;
    private final Links links;
    private final Executor executor;
    private final Clock clock;
    private final VerifiedSignatures signatures;
    /** False: every call is answered as by a peer without the service (fault injection). */
    private volatile boolean serving = true;
    /** Rewrites each prepared transaction before it is sent (fault injection: a dishonest gateway); null for none. */
    private volatile UnaryOperator<Envelope> preparedHook;

    public GatewayService(Local local, Function<String, Optional<PeerChannel>> channels, Membership membership,
            Links links, Executor executor, Clock clock, VerifiedSignatures signatures) {
        this.local = local;
        this.channels = channels;
        this.membership = membership;
        this.links = links;
        this.executor = executor;
        this.clock = clock;
        this.signatures = signatures;
    }

    /**
     * Whether the service answers (default) or, as a Fabric peer with {@code peer.gateway.enabled:
     * false} that has not registered it, fails every call with UNIMPLEMENTED.
     */
    public void serve(boolean serve) {
        this.serving = serve;
    }

    /** Rewrites every prepared transaction Endorse returns, to test clients against a dishonest gateway; null restores. */
    public void setPreparedTransactionHook(UnaryOperator<Envelope> hook) {
        this.preparedHook = hook;
    }

    /** Whether the call was answered UNIMPLEMENTED because the service is switched off. */
    private boolean notServing(StreamObserver<?> out) {
        if (serving) {
            return false;
        }
        out.onError(Status.UNIMPLEMENTED.withDescription("unknown service gateway.Gateway").asRuntimeException());
        return true;
    }

    // ---- Evaluate ----

    @Override
    public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> out) {
        if (notServing(out)) {
            return;
        }
        Target target;
        try {
            target = target(request.getProposedTransaction());
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        List<Membership.Member> candidates;
        Set<String> orgs = request.getTargetOrganizationsCount() > 0
                ? new LinkedHashSet<>(request.getTargetOrganizationsList()) : Set.of(local.member().mspId());
        candidates = ordered(runners(target).stream().filter(m -> orgs.contains(m.mspId())).toList(), target.channelId);
        if (candidates.isEmpty()) {
            out.onError(request.getTargetOrganizationsCount() == 0
                    ? Status.FAILED_PRECONDITION.withDescription("no endorsers found in the gateway's organization; "
                            + "retry specifying target organization(s) to protect transient data").asRuntimeException()
                    : Status.FAILED_PRECONDITION.withDescription("no peers available to evaluate chaincode "
                            + target.chaincode + " in channel " + target.channelId + " for organizations "
                            + orgs).asRuntimeException());
            return;
        }
        evaluateOn(request.getProposedTransaction(), candidates, 0, new ArrayList<>()).whenComplete((response, error) -> {
            if (error != null) {
                out.onError(toStatus(error));
            } else {
                out.onNext(EvaluateResponse.newBuilder().setResult(response.getResponse()).build());
                out.onCompleted();
            }
        });
    }

    private CompletableFuture<ProposalResponse> evaluateOn(SignedProposal proposal, List<Membership.Member> peers,
            int index, List<ErrorDetail> errors) {
        if (index == peers.size()) {
            return CompletableFuture.failedFuture(rpcError(Status.Code.UNAVAILABLE,
                    "failed to evaluate transaction, see attached details for more info", errors));
        }
        Membership.Member peer = peers.get(index);
        return endorse(peer, proposal).handle((response, error) -> {
            Outcome outcome = outcome(response, error);
            if (outcome.ok()) {
                return CompletableFuture.completedFuture(response);
            }
            errors.add(detail(peer, outcome.message()));
            if (outcome.retry()) {
                return evaluateOn(proposal, peers, index + 1, errors);
            }
            return CompletableFuture.<ProposalResponse>failedFuture(rpcError(outcome.code(),
                    "evaluate call to endorser returned error: " + outcome.message(), errors));
        }).thenCompose(f -> f);
    }

    // ---- Endorse ----

    @Override
    public void endorse(EndorseRequest request, StreamObserver<EndorseResponse> out) {
        if (notServing(out)) {
            return;
        }
        Target target;
        List<List<Group>> layouts;
        try {
            if (!request.hasProposedTransaction()) {
                throw Status.INVALID_ARGUMENT.withDescription("the proposed transaction must contain a signed proposal")
                        .asRuntimeException();
            }
            target = target(request.getProposedTransaction());
            layouts = request.getEndorsingOrganizationsCount() > 0
                    ? List.of(byOrganisation(target, request.getEndorsingOrganizationsList()))
                    : planned(target);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        Map<Membership.Member, CompletableFuture<ProposalResponse>> asked = new LinkedHashMap<>();
        List<ErrorDetail> errors = new ArrayList<>();
        tryLayouts(request.getProposedTransaction(), layouts, 0, asked, errors).whenComplete((responses, error) -> {
            if (error != null) {
                out.onError(toStatus(error));
                return;
            }
            TransactionEnvelope transaction;
            try {
                transaction = TransactionEnvelope.create(target.proposal, responses);
            } catch (IllegalArgumentException e) {
                out.onError(Status.ABORTED.withDescription("failed to assemble transaction: " + e.getMessage())
                        .asRuntimeException());
                return;
            }
            Envelope prepared = Envelope.newBuilder().setPayload(transaction.payloadBytes()).build();
            UnaryOperator<Envelope> hook = preparedHook;
            out.onNext(EndorseResponse.newBuilder().setPreparedTransaction(hook == null ? prepared : hook.apply(prepared))
                    .build());
            out.onCompleted();
        });
    }

    /** A layout's group: the peers that may endorse for it, best first, and how many must. */
    private record Group(String name, List<Membership.Member> peers, int quantity) {
    }

    /** One group per organisation named, one peer of each, as Fabric's gateway plans them. */
    private List<Group> byOrganisation(Target target, List<String> orgs) {
        List<Membership.Member> runners = runners(target);
        List<Group> groups = new ArrayList<>();
        for (String org : new LinkedHashSet<>(orgs)) {
            List<Membership.Member> peers = ordered(runners.stream().filter(m -> m.mspId().equals(org)).toList(),
                    target.channelId);
            if (peers.isEmpty()) {
                throw Status.UNAVAILABLE.withDescription("no endorsers found in organization " + org + " for chaincode "
                        + target.chaincode + " on channel " + target.channelId).asRuntimeException();
            }
            groups.add(new Group(org, peers, 1));
        }
        return groups;
    }

    /** The layouts discovery computes for the chaincode from the live membership, groups' peers best first. */
    private List<List<Group>> planned(Target target) {
        PeerChannel channel = target.channel;
        EndorsementDescriptor descriptor;
        try {
            descriptor = EndorsementLayouts.describe(target.channelId, channel.view(),
                    ChaincodeInterest.newBuilder().addChaincodes(ChaincodeCall.newBuilder().setName(target.chaincode))
                            .build(), membership.alive());
        } catch (EndorsementLayouts.DescriptorException e) {
            throw Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
        }
        Map<ByteString, Membership.Member> byIdentity = new HashMap<>();
        membership.alive().forEach(m -> byIdentity.put(m.serializedIdentity(), m));
        List<List<Group>> layouts = new ArrayList<>();
        for (Layout layout : descriptor.getLayoutsList()) {
            List<Group> groups = new ArrayList<>();
            layout.getQuantitiesByGroupMap().forEach((name, quantity) -> {
                List<Membership.Member> peers = descriptor.getEndorsersByGroupsOrThrow(name).getPeersList().stream()
                        .map(p -> byIdentity.get(p.getIdentity())).filter(m -> m != null).toList();
                groups.add(new Group(name, ordered(peers, target.channelId), quantity));
            });
            groups.sort(Comparator.comparing(Group::name));
            layouts.add(groups);
        }
        return layouts;
    }

    /**
     * Fills the layouts in turn: a group's peers are asked best first, a failed one replaced by
     * the next; peers that already answered are not asked again for a later layout. A chaincode
     * error ends the endorsement: every peer would run the same code.
     */
    private CompletableFuture<List<ProposalResponse>> tryLayouts(SignedProposal proposal, List<List<Group>> layouts,
            int index, Map<Membership.Member, CompletableFuture<ProposalResponse>> asked, List<ErrorDetail> errors) {
        if (index == layouts.size()) {
            return CompletableFuture.failedFuture(rpcError(Status.Code.ABORTED,
                    "failed to collect enough transaction endorsements, see attached details for more info", errors));
        }
        List<CompletableFuture<List<ProposalResponse>>> groups = new ArrayList<>();
        for (Group group : layouts.get(index)) {
            groups.add(fillGroup(proposal, group, 0, new ArrayList<>(), asked, errors));
        }
        return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).handle((v, error) -> {
            if (error == null) {
                List<ProposalResponse> all = new ArrayList<>();
                groups.forEach(g -> all.addAll(g.join()));
                return CompletableFuture.completedFuture(all);
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException c ? c.getCause() : error;
            if (cause instanceof ChaincodeFailure) {
                return CompletableFuture.<List<ProposalResponse>>failedFuture(rpcError(Status.Code.ABORTED,
                        "failed to endorse transaction, see attached details for more info", errors));
            }
            return tryLayouts(proposal, layouts, index + 1, asked, errors);
        }).thenCompose(f -> f);
    }

    /** A group cannot be filled (its peers ran out); the next layout may do. */
    private static final class GroupExhausted extends RuntimeException {
        GroupExhausted() {
            super(null, null, false, false);
        }
    }

    /** An endorser's chaincode (or the proposal itself) failed: no other peer would do better. */
    private static final class ChaincodeFailure extends RuntimeException {
        ChaincodeFailure() {
            super(null, null, false, false);
        }
    }

    private CompletableFuture<List<ProposalResponse>> fillGroup(SignedProposal proposal, Group group, int next,
            List<ProposalResponse> collected, Map<Membership.Member, CompletableFuture<ProposalResponse>> asked,
            List<ErrorDetail> errors) {
        int missing = group.quantity() - collected.size();
        if (missing == 0) {
            return CompletableFuture.completedFuture(collected);
        }
        if (next + missing > group.peers().size()) {
            return CompletableFuture.failedFuture(new GroupExhausted());
        }
        List<Membership.Member> batch = group.peers().subList(next, next + missing);
        List<CompletableFuture<Boolean>> answers = new ArrayList<>();
        for (Membership.Member peer : batch) {
            CompletableFuture<ProposalResponse> response;
            synchronized (asked) {
                response = asked.computeIfAbsent(peer, p -> endorse(p, proposal));
            }
            answers.add(response.handle((r, error) -> {
                Outcome outcome = outcome(r, error);
                if (outcome.ok()) {
                    synchronized (collected) {
                        collected.add(r);
                    }
                    return true;
                }
                synchronized (errors) {
                    ErrorDetail detail = detail(peer, outcome.message());
                    if (!errors.contains(detail)) {
                        errors.add(detail);
                    }
                }
                if (!outcome.retry()) {
                    throw new ChaincodeFailure();
                }
                return false;
            }));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenCompose(v -> fillGroup(proposal, group, next + missing, collected, asked, errors));
    }

    // ---- Submit ----

    @Override
    public void submit(SubmitRequest request, StreamObserver<SubmitResponse> out) {
        if (notServing(out)) {
            return;
        }
        if (!request.hasPreparedTransaction()) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("a prepared transaction is required").asRuntimeException());
            return;
        }
        if (request.getPreparedTransaction().getSignature().isEmpty()) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("prepared transaction must be signed").asRuntimeException());
            return;
        }
        if (channels.apply(request.getChannelId()).isEmpty()) {
            out.onError(Status.NOT_FOUND.withDescription("channel " + request.getChannelId() + " not found")
                    .asRuntimeException());
            return;
        }
        List<Orderer> orderers = links.orderers();
        if (orderers.isEmpty()) {
            out.onError(Status.UNAVAILABLE.withDescription("no orderer nodes available").asRuntimeException());
            return;
        }
        // Error details name each orderer's organisation, as the channel config lists it.
        Map<String, List<String>> byOrg = channels.apply(request.getChannelId()).orElseThrow().config()
                .ordererEndpointsByOrganization();
        orderers = orderers.stream().map(o -> o.mspId().isEmpty() ? new Orderer(o.address(), byOrg.entrySet().stream()
                .filter(e -> e.getValue().contains(o.address())).map(Map.Entry::getKey).findFirst()
                .orElse(byOrg.size() == 1 ? byOrg.keySet().iterator().next() : ""), o.channel()) : o).toList();
        broadcast(request.getPreparedTransaction(), orderers, 0, new ArrayList<>()).whenComplete((ok, error) -> {
            if (error != null) {
                out.onError(toStatus(error));
            } else {
                out.onNext(SubmitResponse.getDefaultInstance());
                out.onCompleted();
            }
        });
    }

    private CompletableFuture<Void> broadcast(Envelope transaction, List<Orderer> orderers, int index,
            List<ErrorDetail> errors) {
        if (index == orderers.size()) {
            return CompletableFuture.failedFuture(rpcError(Status.Code.UNAVAILABLE,
                    "no orderers could successfully process transaction", errors));
        }
        Orderer orderer = orderers.get(index);
        CompletableFuture<BroadcastResponse> answer = new CompletableFuture<>();
        StreamObserver<Envelope> stream = AtomicBroadcastGrpc.newStub(orderer.channel())
                .withDeadline(deadline(BROADCAST_TIMEOUT))
                .broadcast(firstAnswer(answer, "broadcast stream closed without a response"));
        stream.onNext(transaction);
        return answer.handle((response, error) -> {
            if (error == null) {
                stream.onCompleted();
            }
            if (error == null && response.getStatus() == org.hyperledger.fabric.protos.common.Status.SUCCESS) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (error == null && response.getStatusValue() >= 400 && response.getStatusValue() < 500) {
                return CompletableFuture.<Void>failedFuture(rpcError(Status.Code.ABORTED,
                        "received unsuccessful response from orderer: status=" + response.getStatus() + ", info="
                                + response.getInfo(), List.of()));
            }
            String message = error != null ? Status.fromThrowable(error).toString()
                    : "received unsuccessful response from orderer: " + response.getStatus() + " " + response.getInfo();
            log.debug("broadcast to {} failed: {}", orderer.address(), message);
            errors.add(ErrorDetail.newBuilder().setAddress(orderer.address()).setMspId(orderer.mspId())
                    .setMessage(message).build());
            return broadcast(transaction, orderers, index + 1, errors);
        }).thenCompose(f -> f);
    }

    // ---- CommitStatus ----

    @Override
    public void commitStatus(SignedCommitStatusRequest signed, StreamObserver<CommitStatusResponse> out) {
        if (notServing(out)) {
            return;
        }
        CommitStatusRequest request;
        PeerChannel channel;
        try {
            if (signed.getRequest().isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("a commit status request is required").asRuntimeException();
            }
            try {
                request = CommitStatusRequest.parseFrom(signed.getRequest());
            } catch (InvalidProtocolBufferException e) {
                throw Status.INVALID_ARGUMENT.withDescription("invalid status request: " + e.getMessage()).asRuntimeException();
            }
            if (request.getIdentity().isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("no identity provided").asRuntimeException();
            } else if (request.getChannelId().isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("no channel ID provided").asRuntimeException();
            } else if (request.getTransactionId().isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("transaction ID should not be empty").asRuntimeException();
            }
            channel = authorized(request.getChannelId(),
                    new SignedData(request.getIdentity(), signed.getRequest(), signed.getSignature()));
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        new StatusWait(channel, request.getTransactionId(), out).begin();
    }

    /** One client's wait for a transaction to commit on this peer; checked on the executor after each block. */
    private final class StatusWait {
        private final PeerChannel channel;
        private final String txId;
        private final StreamObserver<CommitStatusResponse> out;
        private final AtomicBoolean done = new AtomicBoolean();
        private final Runnable wake = () -> executor.execute(this::check);

        StatusWait(PeerChannel channel, String txId, StreamObserver<CommitStatusResponse> out) {
            this.channel = channel;
            this.txId = txId;
            this.out = out;
        }

        void begin() {
            if (out instanceof ServerCallStreamObserver<CommitStatusResponse> call) {
                call.setOnCancelHandler(this::close);
            }
            channel.ledger().addListener(wake);
            check();
        }

        private void close() {
            done.set(true);
            channel.ledger().removeListener(wake);
        }

        private void check() {
            if (done.get()) {
                return;
            }
            OptionalLong number = channel.ledger().store().blockOf(txId);
            // The store indexes a block before its state commits; readers see it once the height covers it.
            if (number.isEmpty() || number.getAsLong() >= channel.ledger().height() || !done.compareAndSet(false, true)) {
                return;
            }
            channel.ledger().removeListener(wake);
            try {
                out.onNext(CommitStatusResponse.newBuilder().setResult(validationCode(channel, number.getAsLong(), txId))
                        .setBlockNumber(number.getAsLong()).build());
                out.onCompleted();
            } catch (RuntimeException e) {
                log.debug("commit status of {} not sent: {}", txId, e.toString());
            }
        }
    }

    private static TxValidationCode validationCode(PeerChannel channel, long blockNumber, String txId) {
        var block = channel.ledger().block(blockNumber);
        byte[] codes = Blocks.validationCodes(block);
        for (TransactionView tx : BlockView.of(block).transactions()) {
            if (tx.transactionId().equals(txId)) {
                int code = codes.length > tx.index() ? codes[tx.index()] & 0xFF : TxValidationCode.NOT_VALIDATED_VALUE;
                TxValidationCode known = TxValidationCode.forNumber(code);
                return known != null ? known : TxValidationCode.INVALID_OTHER_REASON;
            }
        }
        return TxValidationCode.INVALID_OTHER_REASON;
    }

    // ---- ChaincodeEvents ----

    @Override
    public void chaincodeEvents(SignedChaincodeEventsRequest signed, StreamObserver<ChaincodeEventsResponse> out) {
        if (notServing(out)) {
            return;
        }
        ChaincodeEventsRequest request;
        PeerChannel channel;
        long start;
        try {
            if (signed.getRequest().isEmpty()) {
                throw Status.INVALID_ARGUMENT.withDescription("a chaincode events request is required").asRuntimeException();
            }
            try {
                request = ChaincodeEventsRequest.parseFrom(signed.getRequest());
            } catch (InvalidProtocolBufferException e) {
                throw Status.INVALID_ARGUMENT.withDescription("invalid chaincode events request: " + e.getMessage())
                        .asRuntimeException();
            }
            channel = authorized(request.getChannelId(),
                    new SignedData(request.getIdentity(), signed.getRequest(), signed.getSignature()));
            start = startBlock(channel, request);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        new EventStream(channel, request, start, out).begin();
    }

    /** The block after-transaction-id names if this peer has it, else the start position (default: the next commit). */
    private static long startBlock(PeerChannel channel, ChaincodeEventsRequest request) {
        if (!request.getAfterTransactionId().isEmpty()) {
            OptionalLong block = channel.ledger().store().blockOf(request.getAfterTransactionId());
            if (block.isPresent()) {
                return block.getAsLong();
            }
        }
        SeekPosition position = request.getStartPosition();
        return switch (position.getTypeCase()) {
            case TYPE_NOT_SET, NEXT_COMMIT -> channel.ledger().height();
            case SPECIFIED -> position.getSpecified().getNumber();
            default -> throw Status.INVALID_ARGUMENT.withDescription("invalid start position type: "
                    + position.getTypeCase()).asRuntimeException();
        };
    }

    /** One client's chaincode events: blocks from {@code next} as they commit, drained on the executor. */
    private final class EventStream {
        private final PeerChannel channel;
        private final String chaincode;
        private final StreamObserver<ChaincodeEventsResponse> out;
        private final AtomicBoolean draining = new AtomicBoolean();
        private final Runnable listener = this::schedule;
        private volatile boolean closed;
        private long next;
        /** Until this transaction has passed, events are skipped (after-transaction-id). */
        private String skipThrough;

        EventStream(PeerChannel channel, ChaincodeEventsRequest request, long start,
                StreamObserver<ChaincodeEventsResponse> out) {
            this.channel = channel;
            this.chaincode = request.getChaincodeId();
            this.out = out;
            this.next = start;
            this.skipThrough = request.getAfterTransactionId().isEmpty() ? null : request.getAfterTransactionId();
        }

        void begin() {
            if (out instanceof ServerCallStreamObserver<ChaincodeEventsResponse> call) {
                call.setOnCancelHandler(this::close);
                call.setOnReadyHandler(this::schedule);
            }
            channel.ledger().addListener(listener);
            schedule();
        }

        private void close() {
            closed = true;
            channel.ledger().removeListener(listener);
        }

        private void schedule() {
            if (!closed && draining.compareAndSet(false, true)) {
                executor.execute(this::drain);
            }
        }

        private void drain() {
            log.debug("chaincode events of {} on {}: from block {}, height {}", chaincode, channel.channelId(), next,
                    channel.ledger().height());
            try {
                while (!closed && next < channel.ledger().height()) {
                    if (out instanceof ServerCallStreamObserver<ChaincodeEventsResponse> call && !call.isReady()) {
                        return; // flow control: the on-ready handler resumes
                    }
                    ChaincodeEventsResponse response = events(channel.ledger().block(next));
                    log.debug("block {}: {} events of {}", next, response.getEventsCount(), chaincode);
                    next++;
                    if (response.getEventsCount() > 0) {
                        out.onNext(response);
                    }
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    log.warn("chaincode events stream on {} failed at block {}", channel.channelId(), next, e);
                    close();
                    out.onError(Status.ABORTED.withDescription(e.getMessage()).asRuntimeException());
                }
                return;
            } finally {
                draining.set(false);
            }
            if (!closed && next < channel.ledger().height()) {
                schedule(); // a block committed between the check and the flag's release
            }
        }

        private ChaincodeEventsResponse events(org.hyperledger.fabric.protos.common.Block block) {
            ChaincodeEventsResponse.Builder response = ChaincodeEventsResponse.newBuilder()
                    .setBlockNumber(block.getHeader().getNumber());
            byte[] codes = Blocks.validationCodes(block);
            for (TransactionView tx : BlockView.of(block).transactions()) {
                if (!tx.isEndorserTransaction()) {
                    continue;
                }
                boolean valid = codes.length > tx.index() && codes[tx.index()] == TxValidationCode.VALID_VALUE;
                Optional<ChaincodeEvent> event = valid ? tx.chaincodeEvent() : Optional.empty();
                if (skipThrough != null) {
                    if (tx.transactionId().equals(skipThrough)) {
                        skipThrough = null;
                    }
                    continue;
                }
                event.filter(e -> e.getChaincodeId().equals(chaincode)).ifPresent(response::addEvents);
            }
            return response.build();
        }
    }

    // ---- shared ----

    /** What a proposal is for, as Fabric's gateway reads it. */
    private record Target(Proposal proposal, String channelId, String chaincode, PeerChannel channel) {
    }

    private Target target(SignedProposal signed) {
        Proposal proposal;
        ChannelHeader header;
        ChaincodeInvocationSpec invocation;
        try {
            proposal = Proposal.parseFrom(signed.getProposalBytes());
            header = ChannelHeader.parseFrom(Header.parseFrom(proposal.getHeader()).getChannelHeader());
            invocation = ChaincodeInvocationSpec.parseFrom(ChaincodeProposalPayload.parseFrom(proposal.getPayload())
                    .getInput());
        } catch (InvalidProtocolBufferException e) {
            throw Status.INVALID_ARGUMENT.withDescription("failed to unpack transaction proposal: " + e.getMessage())
                    .asRuntimeException();
        }
        if (header.getChannelId().isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("failed to unpack transaction proposal: no channel id provided")
                    .asRuntimeException();
        }
        String chaincode = invocation.getChaincodeSpec().getChaincodeId().getName();
        if (chaincode.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("failed to unpack transaction proposal: no chaincode name is "
                    + "provided, channel id [" + header.getChannelId() + "]").asRuntimeException();
        }
        PeerChannel channel = channels.apply(header.getChannelId()).orElseThrow(() -> Status.NOT_FOUND
                .withDescription("channel " + header.getChannelId() + " not found").asRuntimeException());
        return new Target(proposal, header.getChannelId(), chaincode, channel);
    }

    /** The channel, if this peer has joined it and the signer satisfies its Readers (Fabric's default gateway ACLs). */
    private PeerChannel authorized(String channelId, SignedData data) {
        PeerChannel channel = channels.apply(channelId).orElseThrow(() -> Status.NOT_FOUND
                .withDescription("channel " + channelId + " not found").asRuntimeException());
        Optional<String> denied = data.check(channel.config(), READERS, clock.instant(), signatures);
        if (denied.isPresent()) {
            throw Status.PERMISSION_DENIED.withDescription(denied.get()).asRuntimeException();
        }
        return channel;
    }

    /** The live members that have joined the channel and run the chaincode. */
    private List<Membership.Member> runners(Target target) {
        return membership.alive().stream().filter(m -> m.channel(target.channelId)
                .map(state -> state.chaincodes().containsKey(target.chaincode)).orElse(false)).toList();
    }

    /** This peer first, then by ledger height, highest first (as Fabric's gateway prefers), then endpoint. */
    private List<Membership.Member> ordered(List<Membership.Member> peers, String channelId) {
        Map<Membership.Member, Long> heights = new HashMap<>();
        peers.forEach(p -> heights.put(p, p.channel(channelId).map(Membership.ChannelState::height).orElse(0L)));
        List<Membership.Member> sorted = new ArrayList<>(peers);
        sorted.sort(Comparator.<Membership.Member, Boolean>comparing(p -> p != local.member())
                .thenComparing(p -> -heights.get(p)).thenComparing(Membership.Member::endpoint));
        return sorted;
    }

    private CompletableFuture<ProposalResponse> endorse(Membership.Member peer, SignedProposal proposal) {
        if (peer == local.member()) {
            try {
                return CompletableFuture.completedFuture(local.endorse(proposal));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<ProposalResponse> answer = new CompletableFuture<>();
        try {
            EndorserGrpc.newStub(links.peer(peer)).withDeadline(deadline(ENDORSEMENT_TIMEOUT))
                    .processProposal(proposal, firstAnswer(answer, "no proposal response"));
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    /** An observer completing {@code answer} with the first response; a stream ending without one fails it. */
    private static <T> StreamObserver<T> firstAnswer(CompletableFuture<T> answer, String noAnswer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T response) {
                answer.complete(response);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.completeExceptionally(Status.UNAVAILABLE.withDescription(noAnswer).asRuntimeException());
            }
        };
    }

    /** The client's deadline, if sooner than the gateway's own timeout. */
    private static Deadline deadline(Duration timeout) {
        Deadline own = Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Deadline callers = Context.current().getDeadline();
        return callers != null && callers.isBefore(own) ? callers : own;
    }

    /** Fabric's reading of an endorser's answer (its {@code responseStatus}). */
    private record Outcome(boolean ok, Status.Code code, String message, boolean retry) {
    }

    private static Outcome outcome(ProposalResponse response, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : error;
            Status status = Status.fromThrowable(cause);
            boolean unreachable = switch (status.getCode()) {
                case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED -> true;
                default -> false;
            };
            // An unreachable peer: try another. A refusal of the proposal itself: every peer would refuse it.
            return new Outcome(false, unreachable ? Status.Code.UNAVAILABLE : Status.Code.FAILED_PRECONDITION,
                    status.getDescription() != null ? status.getDescription() : status.getCode().toString(), unreachable);
        }
        int status = response.getResponse().getStatus();
        if (status < 200 || status >= 400) {
            if (response.getPayload().isEmpty() && status == 500) {
                return new Outcome(false, Status.Code.ABORTED, response.getResponse().getMessage(), true);
            }
            return new Outcome(false, Status.Code.UNKNOWN, "chaincode response " + status + ", "
                    + response.getResponse().getMessage(), false);
        }
        return new Outcome(true, Status.Code.OK, "", false);
    }

    private static ErrorDetail detail(Membership.Member peer, String message) {
        return ErrorDetail.newBuilder().setAddress(peer.endpoint()).setMspId(peer.mspId()).setMessage(message).build();
    }

    /** The error to end a call with: a status (its details kept) as it is, anything else as its status. */
    private static StatusRuntimeException toStatus(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StatusRuntimeException status) {
            return status;
        }
        log.warn("gateway call failed unexpectedly", cause);
        return Status.fromThrowable(cause).asRuntimeException();
    }

    /** A status with the per-node details attached, as {@code google.rpc.Status} details. */
    static StatusRuntimeException rpcError(Status.Code code, String message, List<ErrorDetail> details) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message);
        synchronized (details) {
            details.forEach(d -> status.addDetails(Any.pack(d)));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }
}
