package dev.weft.testnet.internal.orderer.raft;

import dev.weft.testnet.OrderingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SubmitRequest;
import org.hyperledger.fabric.protos.orderer.SubmitResponse;

/**
 * A follower's messages on their way to the Raft leader, sent in batches: while earlier batches
 * are in flight, new messages wait and then go together in one request, so that a follower
 * taking a thousand messages a second sends a few dozen requests, not a thousand. Each message is
 * Fabric's cluster {@code orderer.SubmitRequest} (channel, the config sequence it was validated
 * at, the envelope), and the leader answers each with an {@code orderer.SubmitResponse}; a batch
 * is those messages length-delimited, one after another. A message's future completes when the
 * leader has taken it, and fails with {@link OrderingException} when it did not or could not be
 * reached (Broadcast then answers SERVICE_UNAVAILABLE, and the client tries elsewhere).
 *
 * <p>Thread-safe.
 */
final class Forwarder {
    /** Batches in flight at once; more messages wait and go in the next batch. */
    private static final int MAX_IN_FLIGHT = 2;
    private static final int MAX_BATCH_MESSAGES = 1000;
    private static final int MAX_BATCH_BYTES = 8 << 20;
    /** Messages waiting to be sent; beyond it a message is refused (the client backs off and retries). */
    private static final int MAX_WAITING = 20_000;

    private record Pending(SubmitRequest request, CompletableFuture<Void> accepted) {
    }

    private final String channelId;
    private final Function<Message, CompletableFuture<RaftClientReply>> send;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int inFlight;
    private boolean closed;

    /** @param send sends a batch to the leader (a Ratis read-only request, answered by its state machine) */
    Forwarder(String channelId, Function<Message, CompletableFuture<RaftClientReply>> send) {
        this.channelId = channelId;
        this.send = send;
    }

    /** Forwards one message; the future completes once the leader has taken it. */
    CompletableFuture<Void> forward(SubmitRequest request) {
        Pending pending = new Pending(request, new CompletableFuture<>());
        List<Pending> batch;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new OrderingException("the raft chain of channel " + channelId
                        + " has halted"));
            }
            if (waiting.size() >= MAX_WAITING) {
                return CompletableFuture.failedFuture(new OrderingException("channel " + channelId + ": "
                        + MAX_WAITING + " messages are already waiting to be forwarded to the Raft leader; retry"));
            }
            waiting.add(pending);
            batch = nextBatch();
        }
        if (batch != null) {
            send(batch);
        }
        return pending.accepted();
    }

    /** Fails every message not yet sent; those in flight complete as their batch does. */
    void close() {
        List<Pending> dropped;
        synchronized (this) {
            closed = true;
            dropped = new ArrayList<>(waiting);
            waiting.clear();
        }
        OrderingException halted = new OrderingException("the raft chain of channel " + channelId + " has halted");
        dropped.forEach(p -> p.accepted().completeExceptionally(halted));
    }

    /** The next batch to send, if a send slot is free; the caller sends it. Called holding the lock. */
    private List<Pending> nextBatch() {
        if (inFlight >= MAX_IN_FLIGHT || waiting.isEmpty()) {
            return null;
        }
        List<Pending> batch = new ArrayList<>();
        int bytes = 0;
        while (!waiting.isEmpty() && batch.size() < MAX_BATCH_MESSAGES
                && (batch.isEmpty() || bytes + waiting.peek().request().getSerializedSize() <= MAX_BATCH_BYTES)) {
            Pending next = waiting.poll();
            bytes += next.request().getSerializedSize();
            batch.add(next);
        }
        inFlight++;
        return batch;
    }

    private void send(List<Pending> batch) {
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = send.apply(Message.valueOf(ByteString.copyFrom(encode(batch))));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((answer, error) -> {
            try {
                complete(batch, answer, error);
            } finally {
                List<Pending> next;
                synchronized (this) {
                    inFlight--;
                    next = nextBatch();
                }
                if (next != null) {
                    send(next);
                }
            }
        });
    }

    private void complete(List<Pending> batch, RaftClientReply reply, Throwable error) {
        if (error != null || !reply.isSuccess()) {
            OrderingException unreachable = new OrderingException("channel " + channelId + ": the Raft leader could "
                    + "not be reached (it may be down, or an election is under way); retry");
            batch.forEach(p -> p.accepted().completeExceptionally(unreachable));
            return;
        }
        List<SubmitResponse> answers;
        try {
            answers = decode(reply.getMessage().getContent().newInput(), SubmitResponse.parser()::parseDelimitedFrom);
        } catch (IOException e) {
            answers = List.of();
        }
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<Void> accepted = batch.get(i).accepted();
            if (i >= answers.size()) {
                accepted.completeExceptionally(new OrderingException("channel " + channelId
                        + ": the Raft leader's answer was malformed; retry"));
            } else if (answers.get(i).getStatus() == Status.SUCCESS) {
                accepted.complete(null);
            } else {
                accepted.completeExceptionally(new OrderingException("channel " + channelId
                        + ": the Raft leader did not take the message (" + answers.get(i).getInfo() + ")"));
            }
        }
    }

    private static byte[] encode(List<Pending> batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Pending pending : batch) {
                pending.request().writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen writing to memory
        }
        return out.toByteArray();
    }

    /** The length-delimited messages of a batch or of its answer, in order. */
    static <T> List<T> decode(InputStream in, DelimitedParser<T> parser) throws IOException {
        List<T> messages = new ArrayList<>();
        for (T message = parser.parse(in); message != null; message = parser.parse(in)) {
            messages.add(message);
        }
        return messages;
    }

    /** Answers a batch: each message's {@code SubmitResponse}, in order. */
    static ByteString answer(List<SubmitResponse> answers) {
        ByteString.Output out = ByteString.newOutput();
        try {
            for (SubmitResponse answer : answers) {
                answer.writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteString();
    }

    @FunctionalInterface
    interface DelimitedParser<T> {
        /** The next message, or null at the end. */
        T parse(InputStream in) throws IOException;
    }
}
