package dev.weft.testnet;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.AtomicBroadcastGrpc;
import org.hyperledger.fabric.protos.peer.DeliverGrpc;
import org.hyperledger.fabric.protos.peer.DeliverResponse;

/**
 * One client-side Deliver stream, kept open between seeks: the orderer's
 * {@code AtomicBroadcast/Deliver} or a peer's {@code Deliver}, {@code DeliverFiltered} or
 * {@code DeliverWithPrivateData}. Orderer responses are converted to {@code peer.DeliverResponse}
 * (block or status) so that tests treat both nodes alike. Every wait is bounded.
 */
final class DeliverStream implements AutoCloseable {
    static final Duration TIMEOUT = RawClient.TIMEOUT;

    enum Kind { ORDERER, PEER, FILTERED, PRIVATE_DATA }

    private final BlockingQueue<DeliverResponse> responses = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final CompletableFuture<ClientCallStreamObserver<Envelope>> requests = new CompletableFuture<>();

    private DeliverStream() {
    }

    static DeliverStream open(ManagedChannel channel, Kind kind) {
        DeliverStream stream = new DeliverStream();
        switch (kind) {
            case ORDERER -> AtomicBroadcastGrpc.newStub(channel).deliver(stream.observer(r -> r.hasBlock()
                    ? DeliverResponse.newBuilder().setBlock(r.getBlock()).build()
                    : DeliverResponse.newBuilder().setStatus(r.getStatus()).build()));
            case PEER -> DeliverGrpc.newStub(channel).deliver(stream.observer(Function.identity()));
            case FILTERED -> DeliverGrpc.newStub(channel).deliverFiltered(stream.observer(Function.identity()));
            case PRIVATE_DATA -> DeliverGrpc.newStub(channel).deliverWithPrivateData(stream.observer(Function.identity()));
            default -> throw new IllegalArgumentException(kind.toString());
        }
        return stream;
    }

    private <R> ClientResponseObserver<Envelope, R> observer(Function<R, DeliverResponse> convert) {
        return new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<Envelope> requestStream) {
                requests.complete(requestStream);
            }

            @Override
            public void onNext(R value) {
                responses.add(convert.apply(value));
            }

            @Override
            public void onError(Throwable t) {
                ended.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                ended.complete(null);
            }
        };
    }

    /** Sends a seek envelope on the stream. */
    DeliverStream send(Envelope seek) {
        requests.join().onNext(seek);
        return this;
    }

    /** The next response, failing the test if none arrives within {@link #TIMEOUT}. */
    DeliverResponse next() throws InterruptedException {
        DeliverResponse r = responses.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no deliver response within " + TIMEOUT);
        }
        return r;
    }

    /** The next response if one arrives within {@code wait}, else null. */
    DeliverResponse poll(Duration wait) throws InterruptedException {
        return responses.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The responses up to and including the next status response. */
    List<DeliverResponse> untilStatus() throws InterruptedException {
        List<DeliverResponse> result = new ArrayList<>();
        while (true) {
            DeliverResponse r = next();
            result.add(r);
            if (r.getTypeCase() == DeliverResponse.TypeCase.STATUS) {
                return result;
            }
        }
    }

    /** Completes normally when the server ends the stream, exceptionally on a gRPC error. */
    CompletableFuture<Void> ended() {
        return ended;
    }

    @Override
    public void close() {
        ClientCallStreamObserver<Envelope> call = requests.getNow(null);
        if (call != null && !ended.isDone()) {
            call.cancel("test finished", null);
        }
    }

    // ---- helpers over response lists

    static Status status(List<DeliverResponse> responses) {
        DeliverResponse last = responses.get(responses.size() - 1);
        if (last.getTypeCase() != DeliverResponse.TypeCase.STATUS) {
            throw new AssertionError("the last response is not a status: " + last.getTypeCase());
        }
        return last.getStatus();
    }

    /** The full blocks of a response list (from Deliver, the orderer's Deliver or DeliverWithPrivateData). */
    static List<Block> blocks(List<DeliverResponse> responses) {
        List<Block> blocks = new ArrayList<>();
        for (DeliverResponse r : responses) {
            switch (r.getTypeCase()) {
                case BLOCK -> blocks.add(r.getBlock());
                case BLOCK_AND_PRIVATE_DATA -> blocks.add(r.getBlockAndPrivateData().getBlock());
                default -> {
                }
            }
        }
        return blocks;
    }

    /** The block numbers of a response list, in order, for any kind of block response. */
    static List<Long> numbers(List<DeliverResponse> responses) {
        List<Long> numbers = new ArrayList<>();
        for (DeliverResponse r : responses) {
            switch (r.getTypeCase()) {
                case BLOCK -> numbers.add(r.getBlock().getHeader().getNumber());
                case BLOCK_AND_PRIVATE_DATA -> numbers.add(r.getBlockAndPrivateData().getBlock().getHeader().getNumber());
                case FILTERED_BLOCK -> numbers.add(r.getFilteredBlock().getNumber());
                default -> {
                }
            }
        }
        return numbers;
    }
}
