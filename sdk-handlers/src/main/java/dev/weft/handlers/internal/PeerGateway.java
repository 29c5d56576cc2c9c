package dev.weft.handlers.internal;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.ConnectionException;
import dev.weft.core.EndorsementVerificationException;
import dev.weft.core.GrpcChannels;
import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.TransactionEnvelope;
import dev.weft.handlers.ContextKey;
import dev.weft.handlers.PeerResponse;
import dev.weft.handlers.Transport;
import dev.weft.handlers.TxContext;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.gateway.CommitStatusRequest;
import org.hyperledger.fabric.protos.gateway.CommitStatusResponse;
import org.hyperledger.fabric.protos.gateway.EndorseRequest;
import org.hyperledger.fabric.protos.gateway.EndorseResponse;
import org.hyperledger.fabric.protos.gateway.ErrorDetail;
import org.hyperledger.fabric.protos.gateway.EvaluateRequest;
import org.hyperledger.fabric.protos.gateway.EvaluateResponse;
import org.hyperledger.fabric.protos.gateway.GatewayGrpc;
import org.hyperledger.fabric.protos.gateway.SignedCommitStatusRequest;
import org.hyperledger.fabric.protos.gateway.SubmitRequest;
import org.hyperledger.fabric.protos.gateway.SubmitResponse;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network's use of its peers' Gateway service ({@code gateway.Gateway}), for the transports
 * {@link Transport#PEER_GATEWAY} and {@link Transport#HYBRID}: which peers to use, the four calls,
 * how their failures read, and the endorsements of a prepared transaction taken apart so that the
 * pipeline's own checks run on them. The steps that use it are {@link PeerGatewaySteps}.
 */
@InternalApi
public final class PeerGateway {
    private static final Logger log = LoggerFactory.getLogger(PeerGateway.class);

    /**
     * The gateway peers a transaction may use, in order, set by SELECT_ENDORSERS. Absent: the
     * transaction is endorsed directly.
     */
    public static final ContextKey<List<Peer>> CANDIDATES = ContextKey.named("weft-peer-gateway-candidates");
    /** The peer whose Gateway service endorsed the transaction; its submit and commit status go through it too. */
    public static final ContextKey<Peer> VIA = ContextKey.named("weft-peer-gateway");

    private final Services services;
    private final Transport transport;
    /** Peers that answered UNIMPLEMENTED (no Gateway service), left out under HYBRID. */
    private final Set<String> withoutService = ConcurrentHashMap.newKeySet();

    public PeerGateway(Services services, Transport transport) {
        if (transport == Transport.DIRECT) {
            throw new IllegalArgumentException("a direct transport uses no peer gateway");
        }
        this.services = services;
        this.transport = transport;
    }

    public boolean hybrid() {
        return transport == Transport.HYBRID;
    }

    public Services services() {
        return services;
    }

    /**
     * The peers to use as gateways: the client organisation's endorsing peers (every endorsing
     * peer when it has none), those that failed recently last; under HYBRID without those known
     * to lack the service.
     */
    public List<Peer> candidates() {
        String own = services.identity().mspId();
        List<Peer> pool = services.endorsingPeers().stream().filter(p -> p.mspId().equals(own)).toList();
        if (pool.isEmpty()) {
            pool = services.endorsingPeers();
        }
        List<Peer> result = new ArrayList<>();
        for (Peer peer : pool) {
            if (!withoutService.contains(peer.name())) {
                result.add(peer);
            }
        }
        result.sort(Comparator.comparing(services.health()::recentlyFailed));
        return result;
    }

    /** {@code first}, then the other candidates: a transaction's later calls go to the peer that endorsed it. */
    public List<Peer> startingWith(Peer first, TxContext context) {
        List<Peer> order = new ArrayList<>();
        order.add(first);
        for (Peer peer : context.get(CANDIDATES).orElse(List.of())) {
            if (!peer.equals(first)) {
                order.add(peer);
            }
        }
        return order;
    }

    // ---- the calls ----

    public CompletableFuture<EvaluateResponse> evaluate(Peer peer, EvaluateRequest request, Deadline deadline) {
        return UnaryCalls.<EvaluateRequest, EvaluateResponse>call(peer, deadline, services.scheduler(), (p, nanos, o) ->
                GatewayGrpc.newStub(p.channel()).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS).evaluate(request, o));
    }

    public CompletableFuture<EndorseResponse> endorse(Peer peer, EndorseRequest request, Deadline deadline) {
        return UnaryCalls.<EndorseRequest, EndorseResponse>call(peer, deadline, services.scheduler(), (p, nanos, o) ->
                GatewayGrpc.newStub(p.channel()).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS).endorse(request, o));
    }

    public CompletableFuture<SubmitResponse> submit(Peer peer, SubmitRequest request, Deadline deadline) {
        return UnaryCalls.<SubmitRequest, SubmitResponse>call(peer, deadline, services.scheduler(), (p, nanos, o) ->
                GatewayGrpc.newStub(p.channel()).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS).submit(request, o));
    }

    public CompletableFuture<CommitStatusResponse> commitStatus(Peer peer, SignedCommitStatusRequest request,
            Deadline deadline) {
        return UnaryCalls.<SignedCommitStatusRequest, CommitStatusResponse>call(peer, deadline, services.scheduler(),
                (p, nanos, o) -> GatewayGrpc.newStub(p.channel()).withDeadlineAfter(nanos, TimeUnit.NANOSECONDS)
                        .commitStatus(request, o));
    }

    /** The commit status request of a transaction, signed with the gateway's signer. */
    public SignedCommitStatusRequest commitStatusRequest(TxContext context) {
        ByteString request = CommitStatusRequest.newBuilder().setTransactionId(context.transactionId())
                .setChannelId(context.channelId()).setIdentity(services.identity().serialized()).build().toByteString();
        byte[] signature = services.requireSigner("the commit status request of transaction " + context.transactionId())
                .sign(request.toByteArray());
        return SignedCommitStatusRequest.newBuilder().setRequest(request).setSignature(ByteString.copyFrom(signature))
                .build();
    }

    // ---- trying the gateway peers in turn ----

    /** The answer of one gateway peer. */
    public record Answer<T>(Peer peer, T value) {
    }

    /**
     * A gateway peer's Gateway service answered with an error of its own: the peer was reached
     * and has spoken. What it said is read once, here.
     */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Peer peer;
        private final transient Status status;
        private final transient List<NodeError> details;

        Refused(Peer peer, Throwable error) {
            super(error.getMessage(), error, false, false);
            this.peer = peer;
            this.status = Status.fromThrowable(error);
            List<NodeError> described = new ArrayList<>();
            described.add(NodeError.fromFailure(peer, error));
            for (ErrorDetail detail : PeerGateway.details(error)) {
                described.add(new NodeError(detail.getAddress(), detail.getMspId(), status.getCode().name(),
                        detail.getMessage()));
            }
            this.details = List.copyOf(described);
        }

        public Peer peer() {
            return peer;
        }

        public Status status() {
            return status;
        }

        /**
         * The gateway peer's own status and message first, then each node's {@code ErrorDetail}
         * (address, MSP id, message) under the same status code.
         */
        public List<NodeError> details() {
            return details;
        }

        /** The gateway's one-line account: its message, and the first node's, if any. */
        public String summary() {
            String message = status.getDescription() != null ? status.getDescription() : status.getCode().name();
            return details.size() > 1 ? message + " (" + details.get(1) + ")" : message;
        }
    }

    /**
     * No gateway peer could be used: each was unreachable or serves no Gateway service, or the
     * time ran out ({@link #timedOut}).
     */
    public static final class Unusable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<NodeError> errors;
        private final boolean timedOut;
        private final boolean noService;
        private final boolean retryable;

        Unusable(List<NodeError> errors, boolean timedOut, boolean noService, boolean retryable) {
            super(timedOut ? "out of time" : "no gateway peer could be used", null, false, false);
            this.errors = List.copyOf(errors);
            this.timedOut = timedOut;
            this.noService = noService;
            this.retryable = retryable;
        }

        /** Whether asking again may pass: a peer was down or slow, not refusing TLS or lacking the service. */
        public boolean retryable() {
            return retryable;
        }

        public List<NodeError> errors() {
            return errors;
        }

        public boolean timedOut() {
            return timedOut;
        }

        /** The first peer's failure, for a message. */
        public String firstError() {
            return errors.isEmpty() ? "no gateway peer" : errors.get(0).toString();
        }

        /** Whether every peer asked lacks the Gateway service (so asking again will not help). */
        public boolean noService() {
            return noService;
        }
    }

    /**
     * Asks the peers in turn until one's Gateway service answers, with a result or an error of
     * its own ({@link Refused}); a peer that cannot be reached or has no Gateway service is
     * passed over and marked. With {@code split}, each attempt but the last gets half the time
     * left, so that a hung peer leaves time for the next; without, the first peer reached gets it
     * all (a commit status, which waits for the commit). With {@code cancellable}, cancelling the
     * transaction cancels the call (not for a Submit: once sent, whether it was ordered would be
     * unknown). Fails with {@link Unusable} when no peer could be used, and with the
     * {@link java.util.concurrent.CancellationException} when the call was cancelled.
     */
    public <T> CompletableFuture<Answer<T>> ask(List<Peer> peers, Deadline deadline, boolean split, boolean cancellable,
            TxContext context, BiFunction<Peer, Deadline, CompletableFuture<T>> call) {
        return next(List.copyOf(peers), 0, deadline, split, cancellable, context, call, new Attempts());
    }

    /** What the peers passed over so far said; touched by one continuation at a time. */
    private static final class Attempts {
        final List<NodeError> errors = new ArrayList<>();
        boolean noService = true;
        boolean retryable;

        Unusable unusable(boolean timedOut) {
            return new Unusable(errors, timedOut, noService && !errors.isEmpty(), retryable || timedOut);
        }
    }

    private <T> CompletableFuture<Answer<T>> next(List<Peer> peers, int index, Deadline deadline, boolean split,
            boolean cancellable, TxContext context, BiFunction<Peer, Deadline, CompletableFuture<T>> call,
            Attempts attempts) {
        if (index >= peers.size() || deadline.isExpired()) {
            return CompletableFuture.failedFuture(attempts.unusable(deadline.isExpired()));
        }
        Peer peer = peers.get(index);
        boolean last = index == peers.size() - 1;
        Deadline attempt = last || !split ? deadline
                : services.scheduler().deadlineAfter(Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS) / 2));
        CompletableFuture<T> answer = call.apply(peer, attempt);
        if (cancellable) {
            Cancellation.onCancel(context, () -> answer.cancel(false));
        }
        return answer.handle((value, error) -> {
            if (error == null) {
                services.health().succeeded(peer);
                return CompletableFuture.completedFuture(new Answer<>(peer, value));
            }
            Throwable cause = Futures.unwrap(error);
            if (cause instanceof CancellationException) {
                return CompletableFuture.<Answer<T>>failedFuture(cause);
            }
            Status status = Status.fromThrowable(cause);
            boolean unimplemented = status.getCode() == Status.Code.UNIMPLEMENTED;
            boolean timedOut = status.getCode() == Status.Code.DEADLINE_EXCEEDED;
            ConnectionException connection = timedOut || unimplemented ? null : unreachable(peer, cause, status);
            if (!unimplemented && !timedOut && connection == null) {
                return CompletableFuture.<Answer<T>>failedFuture(new Refused(peer, cause));
            }
            attempts.errors.add(unimplemented
                    ? new NodeError(peer.target(), peer.mspId(), status.getCode().name(), "the peer serves no Gateway "
                            + "service (Fabric before 2.4, or peer.gateway.enabled is false)")
                    : NodeError.fromFailure(peer, cause));
            attempts.noService &= unimplemented;
            attempts.retryable |= connection != null && connection.retryable();
            if (unimplemented) {
                if (hybrid()) {
                    withoutService.add(peer.name());
                }
                log.debug("{} serves no Gateway service", peer);
            } else {
                services.health().failed(peer);
                log.debug("gateway peer {} could not be used: {}", peer, status);
            }
            if (timedOut && (last || deadline.isExpired())) {
                return CompletableFuture.<Answer<T>>failedFuture(attempts.unusable(true));
            }
            return next(peers, index + 1, deadline, split, cancellable, context, call, attempts);
        }).thenCompose(f -> f);
    }

    /**
     * The failure to reach a peer, or null when the peer's Gateway service itself answered. An
     * UNAVAILABLE counts as a failure to reach it only when the client's transport made it (it
     * has a cause, or gRPC's own words): Fabric's gateway answers UNAVAILABLE itself, with no
     * details, when it finds no endorsers in an organisation or no orderers.
     */
    private static ConnectionException unreachable(Peer peer, Throwable cause, Status status) {
        if (!details(cause).isEmpty()) {
            return null;
        }
        ConnectionException connection = GrpcChannels.describeConnectionFailure(peer.endpoint(), cause);
        if (connection == null || status.getCode() != Status.Code.UNAVAILABLE) {
            return connection; // TLS and handshake failures, or none
        }
        String description = status.getDescription() == null ? "" : status.getDescription();
        boolean transport = status.getCause() != null || description.isEmpty()
                || TRANSPORT_WORDS.stream().anyMatch(description::startsWith);
        return transport ? connection : null;
    }

    /** How gRPC's client transport words the UNAVAILABLE it makes itself (a server's own message is other). */
    private static final List<String> TRANSPORT_WORDS = List.of("io exception", "Network closed", "Connection closed",
            "Keepalive failed", "Channel shutdown", "Channel shutdownNow", "Subchannel shutdown", "Failed ALPN",
            "Connection closed after GOAWAY", "Unable to resolve host", "Connection refused");

    // ---- reading failures ----

    private static List<ErrorDetail> details(Throwable error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return List.of();
        }
        List<ErrorDetail> result = new ArrayList<>();
        for (Any any : status.getDetailsList()) {
            if (any.is(ErrorDetail.class)) {
                try {
                    result.add(any.unpack(ErrorDetail.class));
                } catch (InvalidProtocolBufferException e) {
                    // A detail that is not what it says it is: the rest still tell.
                }
            }
        }
        return result;
    }

    // ---- the prepared transaction ----

    /**
     * The endorsements in a transaction a gateway peer prepared, as the endorsers' responses (one
     * per endorsement, each with the action's payload and chaincode response), so that the
     * pipeline's checks run on them as on responses it collected itself. Each is attributed to a
     * peer named after the gateway peer and the endorser's organisation (the gateway does not say
     * which peers endorsed). The transaction this client would build from them must be, byte for
     * byte, the one the peer prepared: only then is what it signs known to be its own proposal's.
     *
     * @throws EndorsementVerificationException if the prepared transaction is malformed or differs
     */
    public static List<PeerResponse> endorsements(Peer via, ChaincodeProposal proposal, Envelope prepared) {
        String txId = proposal.transactionId();
        ChaincodeEndorsedAction action;
        ChaincodeAction chaincodeAction;
        try {
            Transaction transaction = Transaction.parseFrom(Payload.parseFrom(prepared.getPayload()).getData());
            if (transaction.getActionsCount() != 1) {
                throw mismatch(via, txId, "it holds " + transaction.getActionsCount() + " actions, not one");
            }
            action = ChaincodeActionPayload.parseFrom(transaction.getActions(0).getPayload()).getAction();
            chaincodeAction = ChaincodeAction.parseFrom(
                    ProposalResponsePayload.parseFrom(action.getProposalResponsePayload()).getExtension());
        } catch (InvalidProtocolBufferException e) {
            throw mismatch(via, txId, "it cannot be parsed (" + e.getMessage() + ")");
        }
        if (action.getEndorsementsCount() == 0) {
            throw mismatch(via, txId, "it carries no endorsement");
        }
        List<PeerResponse> responses = new ArrayList<>();
        for (Endorsement endorsement : action.getEndorsementsList()) {
            String mspId;
            try {
                mspId = SerializedIdentity.parseFrom(endorsement.getEndorser()).getMspid();
            } catch (InvalidProtocolBufferException e) {
                throw mismatch(via, txId, "an endorser's identity cannot be parsed");
            }
            Peer endorser = Peer.of(mspId + " endorser #" + (responses.size() + 1) + " via " + via.name(), mspId,
                    via.endpoint(), via.channel());
            responses.add(new PeerResponse(endorser, ProposalResponse.newBuilder().setVersion(1)
                    .setResponse(chaincodeAction.getResponse()).setPayload(action.getProposalResponsePayload())
                    .setEndorsement(endorsement).build()));
        }
        ByteString own;
        try {
            own = TransactionEnvelope.create(proposal, responses.stream().map(PeerResponse::response).toList())
                    .payloadBytes();
        } catch (IllegalArgumentException e) {
            throw mismatch(via, txId, "no transaction can be made of its endorsements (" + e.getMessage() + ")");
        }
        if (!own.equals(prepared.getPayload())) {
            throw mismatch(via, txId, "it is not the transaction its endorsements and this client's proposal make "
                    + "(its header or proposal payload differs)");
        }
        return responses;
    }

    private static EndorsementVerificationException mismatch(Peer via, String txId, String reason) {
        return new EndorsementVerificationException("the transaction peer " + via.name() + " prepared for " + txId
                + " was not signed or sent: " + reason, txId,
                List.of(new NodeError(via.target(), via.mspId(), "PREPARED_TRANSACTION", reason)));
    }
}
