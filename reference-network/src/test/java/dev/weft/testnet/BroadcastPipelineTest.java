package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodeProposal;
import dev.weft.core.TransactionEnvelope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.BroadcastResponse;
import org.junit.jupiter.api.Test;

/**
 * Broadcast reads on while a chain has not yet taken earlier messages of a stream
 * ({@link Chain#orderAsync}), and answers them in the order they came, whatever order the chain
 * takes them in; the first refusal ends the stream, as in Fabric.
 */
class BroadcastPipelineTest {
    /** Holds every message until three have come, then answers them last first: the second is refused. */
    static final class Deferred implements Consenter {
        final List<CompletableFuture<Void>> held = new ArrayList<>();
        final CountDownLatch threeHeld = new CountDownLatch(3);

        @Override
        public String type() {
            return "deferred";
        }

        @Override
        public Chain handleChain(ConsenterSupport support, byte[] lastConsenterMetadata) {
            CompletableFuture<Void> errored = new CompletableFuture<>();
            return new Chain() {
                @Override
                public void order(Envelope envelope, long configSequence) {
                    orderAsync(envelope, configSequence).join();
                }

                @Override
                public synchronized CompletableFuture<Void> orderAsync(Envelope envelope, long configSequence) {
                    CompletableFuture<Void> taken = new CompletableFuture<>();
                    held.add(taken);
                    threeHeld.countDown();
                    if (held.size() == 3) {
                        held.get(2).complete(null);
                        held.get(1).completeExceptionally(new OrderingException("the chain is busy; retry"));
                        held.get(0).complete(null);
                    }
                    return taken;
                }

                @Override
                public void configure(Envelope config, long configSequence) {
                    throw new OrderingException("no config messages here");
                }

                @Override
                public void waitReady() {
                }

                @Override
                public CompletableFuture<Void> errored() {
                    return errored;
                }

                @Override
                public void start() {
                }

                @Override
                public void halt() {
                    errored.completeExceptionally(new OrderingException("halted"));
                }
            };
        }
    }

    @Test
    void messagesTakenOutOfOrder_answeredInOrder_streamEndsAtTheFirstRefusal() throws Exception {
        Deferred consenter = new Deferred();
        try (ReferenceNetwork network = ReferenceNetwork.builder().consenter(consenter).start();
                RawClient client = new RawClient(network, network.user("Org1MSP"))) {
            Envelope[] envelopes = new Envelope[3];
            for (int i = 0; i < envelopes.length; i++) {
                ChaincodeProposal proposal = client.proposal("basic", "CreateAsset", "pipe" + i, "blue", "5", "Tom", "1");
                envelopes[i] = TransactionEnvelope.create(proposal, client.endorseAll(proposal))
                        .sign(network.user("Org1MSP").signer());
            }

            List<BroadcastResponse> answers = client.broadcast(envelopes);

            // The third message reached the chain before the first was answered: the stream was read on.
            assertTrue(consenter.threeHeld.await(0, TimeUnit.SECONDS));
            assertEquals(2, answers.size(), "answers " + answers);
            assertEquals(Status.SUCCESS, answers.get(0).getStatus());
            assertEquals(Status.SERVICE_UNAVAILABLE, answers.get(1).getStatus());
            assertEquals("the chain is busy; retry", answers.get(1).getInfo());
        }
    }
}
