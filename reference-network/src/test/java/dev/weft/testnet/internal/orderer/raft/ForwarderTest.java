package dev.weft.testnet.internal.orderer.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.testnet.OrderingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SubmitRequest;
import org.hyperledger.fabric.protos.orderer.SubmitResponse;
import org.junit.jupiter.api.Test;

/**
 * The follower's forwarding to the Raft leader, against a leader played by the test: messages
 * that come while batches are in flight go together in the next one, each message's future
 * follows the leader's answer for it, and a leader that cannot be reached fails every message of
 * its batch with {@link OrderingException}.
 */
class ForwarderTest {
    /** The batches sent, and the replies the test completes. */
    private final List<Message> sent = new ArrayList<>();
    private final List<CompletableFuture<RaftClientReply>> replies = new ArrayList<>();
    private final Forwarder forwarder = new Forwarder("mychannel", message -> {
        CompletableFuture<RaftClientReply> reply = new CompletableFuture<>();
        synchronized (sent) {
            sent.add(message);
            replies.add(reply);
        }
        return reply;
    });

    private static SubmitRequest request(int i) {
        return SubmitRequest.newBuilder().setChannel("mychannel").setLastValidationSeq(i)
                .setPayload(Envelope.newBuilder().setPayload(ByteString.copyFromUtf8("message " + i))).build();
    }

    private static List<SubmitRequest> requestsIn(Message batch) throws IOException {
        return Forwarder.decode(batch.getContent().newInput(), SubmitRequest.parser()::parseDelimitedFrom);
    }

    private static RaftClientReply answered(SubmitResponse... answers) {
        return RaftClientReply.newBuilder().setClientId(ClientId.randomId()).setServerId(RaftPeerId.valueOf("leader"))
                .setGroupId(RaftGroupId.randomId()).setCallId(1).setSuccess()
                .setMessage(Message.valueOf(Forwarder.answer(List.of(answers)))).build();
    }

    private static SubmitResponse status(Status status, String info) {
        return SubmitResponse.newBuilder().setChannel("mychannel").setStatus(status).setInfo(info).build();
    }

    @Test
    void messagesWhileTwoBatchesAreInFlight_goTogetherInTheNext() throws Exception {
        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            accepted.add(forwarder.forward(request(i)));
        }
        assertEquals(2, sent.size(), "two batches in flight, the rest wait");
        assertEquals(List.of(request(0)), requestsIn(sent.get(0)));
        assertEquals(List.of(request(1)), requestsIn(sent.get(1)));

        replies.get(0).complete(answered(status(Status.SUCCESS, "")));
        assertEquals(3, sent.size());
        List<SubmitRequest> third = requestsIn(sent.get(2));
        assertEquals(8, third.size(), "every waiting message in one batch");
        assertEquals(request(2), third.get(0));
        assertEquals(request(9), third.get(7));
        assertTrue(accepted.get(0).isDone() && !accepted.get(0).isCompletedExceptionally());
        assertFalse(accepted.get(1).isDone());
    }

    @Test
    void eachMessageFollowsTheLeadersAnswerForIt() throws Exception {
        forwarder.forward(request(0));
        forwarder.forward(request(1));
        CompletableFuture<Void> taken = forwarder.forward(request(2));
        CompletableFuture<Void> refused = forwarder.forward(request(3));
        replies.get(0).complete(answered(status(Status.SUCCESS, "")));
        replies.get(2).complete(answered(status(Status.SUCCESS, ""),
                status(Status.SERVICE_UNAVAILABLE, "orderer1 is not the ready leader")));

        taken.get(1, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> refused.get(1, TimeUnit.SECONDS));
        assertInstanceOf(OrderingException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("orderer1 is not the ready leader"), e.getCause().getMessage());
    }

    @Test
    void leaderUnreachableOrAnswerShort_everyMessageOfTheBatchFails() {
        CompletableFuture<Void> first = forwarder.forward(request(0));
        forwarder.forward(request(1));
        CompletableFuture<Void> third = forwarder.forward(request(2));
        CompletableFuture<Void> fourth = forwarder.forward(request(3));

        replies.get(0).completeExceptionally(new IOException("connection refused"));
        replies.get(2).complete(answered(status(Status.SUCCESS, ""))); // one answer for two messages

        for (CompletableFuture<Void> failed : List.of(first, fourth)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> failed.get(1, TimeUnit.SECONDS));
            assertInstanceOf(OrderingException.class, e.getCause());
        }
        assertTrue(first.handle((v, t) -> t.getMessage()).join().contains("could not be reached"));
        assertTrue(fourth.handle((v, t) -> t.getMessage()).join().contains("malformed"));
        assertTrue(third.isDone() && !third.isCompletedExceptionally());
    }

    @Test
    void closed_waitingAndLaterMessagesFail() {
        forwarder.forward(request(0));
        forwarder.forward(request(1));
        CompletableFuture<Void> waiting = forwarder.forward(request(2));
        forwarder.close();
        assertTrue(waiting.isCompletedExceptionally());
        assertTrue(forwarder.forward(request(3)).isCompletedExceptionally());
    }
}
