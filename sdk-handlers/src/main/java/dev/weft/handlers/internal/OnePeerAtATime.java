package dev.weft.handlers.internal;

import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.internal.PeerHealthRecord;
import dev.weft.handlers.PeerResponse;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks peers one at a time, in order, until one gives a usable answer: an evaluate, and the
 * gateway's reads of the channel config. Each attempt but the last gets half of the time left, so
 * that a hung first peer still leaves time to ask the next; failures are recorded in the peer
 * health record.
 */
@InternalApi
public final class OnePeerAtATime {
    private static final Logger log = LoggerFactory.getLogger(OnePeerAtATime.class);

    /** Every peer was asked and none gave a usable answer; {@link #timedOut} if the time ran out. */
    public static final class Exhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<NodeError> errors;
        private final boolean timedOut;

        Exhausted(List<NodeError> errors, boolean timedOut) {
            super(timedOut ? "out of time" : "no peer answered usably", null, false, false);
            this.errors = List.copyOf(errors);
            this.timedOut = timedOut;
        }

        public List<NodeError> errors() {
            return errors;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }

    private final List<Peer> peers;
    private final SignedProposal proposal;
    private final Deadline deadline;
    private final Scheduler scheduler;
    private final PeerHealthRecord health;
    private final BiFunction<Peer, ProposalResponse, NodeError> problem;
    private final Consumer<CompletableFuture<ProposalResponse>> calls;
    private final List<NodeError> errors = new ArrayList<>();

    private OnePeerAtATime(List<Peer> peers, SignedProposal proposal, Deadline deadline, Scheduler scheduler,
            PeerHealthRecord health, BiFunction<Peer, ProposalResponse, NodeError> problem,
            Consumer<CompletableFuture<ProposalResponse>> calls) {
        this.peers = List.copyOf(peers);
        this.proposal = proposal;
        this.deadline = deadline;
        this.scheduler = scheduler;
        this.health = health;
        this.problem = problem;
        this.calls = calls;
    }

    /**
     * The first usable answer; fails with {@link Exhausted} when every peer failed or the deadline
     * passed.
     *
     * @param problem what makes an answer unusable, as the error to record; null when it is usable
     * @param calls receives each call's future as it is made, so that the caller can cancel it
     */
    public static CompletableFuture<PeerResponse> ask(List<Peer> peers, SignedProposal proposal, Deadline deadline,
            Scheduler scheduler, PeerHealthRecord health, BiFunction<Peer, ProposalResponse, NodeError> problem,
            Consumer<CompletableFuture<ProposalResponse>> calls) {
        return new OnePeerAtATime(peers, proposal, deadline, scheduler, health, problem, calls).next(0);
    }

    private CompletableFuture<PeerResponse> next(int index) {
        if (index >= peers.size()) {
            return CompletableFuture.failedFuture(new Exhausted(snapshot(), false));
        }
        if (deadline.isExpired()) {
            return CompletableFuture.failedFuture(new Exhausted(snapshot(), true));
        }
        Peer peer = peers.get(index);
        boolean last = index == peers.size() - 1;
        long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
        Deadline attempt = last ? deadline : scheduler.deadlineAfter(Duration.ofNanos(left / 2));
        CompletableFuture<ProposalResponse> call = EndorserCalls.send(peer, proposal, attempt, scheduler);
        calls.accept(call);
        return call.handle((response, error) -> {
            if (error == null) {
                health.succeeded(peer);
                NodeError unusable = problem.apply(peer, response);
                if (unusable == null) {
                    return CompletableFuture.completedFuture(new PeerResponse(peer, response));
                }
                record(unusable);
            } else if (EndorserCalls.tooLarge("", proposal, error) != null) {
                // Every peer would refuse it just the same.
                return CompletableFuture.<PeerResponse>failedFuture(error);
            } else {
                record(NodeError.fromFailure(peer, error));
                health.failed(peer);
                if (deadline.isExpired() || (last && EndorserCalls.timedOut(error))) {
                    return CompletableFuture.<PeerResponse>failedFuture(new Exhausted(snapshot(), true));
                }
            }
            log.debug("{} gave no usable answer; trying the next peer", peer);
            return next(index + 1);
        }).thenCompose(f -> f);
    }

    private synchronized void record(NodeError error) {
        errors.add(error);
    }

    private synchronized List<NodeError> snapshot() {
        return List.copyOf(errors);
    }
}
