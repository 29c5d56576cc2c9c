package dev.weft.handlers.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.CommitStatusSource;
import dev.weft.core.EndorserSelector;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Fixtures;
import dev.weft.core.ManualScheduler;
import dev.weft.core.NodeError;
import dev.weft.core.Orderer;
import dev.weft.core.OrdererClient;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.TransactionStatus;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.PeerHealthRecord;
import dev.weft.handlers.Handler;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Envelope;

/**
 * Hand-built chains, a capturing terminal handler and small hand-written fakes of the SPIs the
 * built-in steps use. No mocking library: each fake records what it was asked and answers what
 * the test told it to.
 */
final class StepFixtures {
    /** The Fabric 2.5.12 fixture client of Org1MSP (real certificate and key from sdk-core's test jar). */
    static final X509Identity FIXTURE_IDENTITY = X509Identity.of("Org1MSP", Fixtures.certificate("org1-user1-cert.pem"));
    static final Signer FIXTURE_SIGNER = Signers.newPrivateKeySigner(Fixtures.key("org1-user1-key.pem"));

    private StepFixtures() {
    }

    /**
     * A chain built by hand: handler i gets a chain whose proceed calls handler i + 1; proceeding
     * past the last one fails. Synchronous exceptions of a handler propagate to the caller.
     */
    static CompletableFuture<TxResult> run(TxContext context, Handler... handlers) {
        return chain(List.of(handlers), 0).proceed(context);
    }

    private static Handler.Chain chain(List<Handler> handlers, int index) {
        return context -> {
            if (index >= handlers.size()) {
                return CompletableFuture.failedFuture(new IllegalStateException("test chain: nothing after "
                        + handlers.get(index - 1)));
            }
            return handlers.get(index).handle(context, chain(handlers, index + 1));
        };
    }

    /** Waits (bounded) for a future that must fail, and returns its failure with CompletionException unwrapped. */
    static Throwable failure(CompletableFuture<?> future) throws Exception {
        Throwable error = future.handle((r, e) -> e).get(20, SECONDS);
        assertNotNull(error, () -> "expected the future to fail, it completed with " + future.getNow(null));
        return Futures.unwrap(error);
    }

    /** A submit context with a real signed proposal of the fixture identity. */
    static TxContext submitWithProposal() {
        ChaincodeProposal proposal = ChaincodeProposal.builder().identity(FIXTURE_IDENTITY).channel("mychannel")
                .chaincode("basic").function("CreateAsset").arguments("a1", "blue", "5", "Tom", "100").build();
        return TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "CreateAsset")
                .proposal(proposal, proposal.sign(FIXTURE_SIGNER))
                .build();
    }

    /** Services for steps that use only some of them; the others are fakes that fail if used. */
    static Services services(X509Identity identity, Signer signer, List<Peer> peers, OrdererClient orderers,
            CommitStatusSource commits, ChannelConfigs configs, Scheduler scheduler) {
        return new Services(identity, signer, peers, new UnusedSelector(),
                new PeerHealthRecord(PeerHealthRecord.DEFAULT_MEMORY, scheduler::nanoTime), orderers, commits, configs,
                scheduler);
    }

    static Services services(OrdererClient orderers, CommitStatusSource commits, Scheduler scheduler) {
        return services(FIXTURE_IDENTITY, FIXTURE_SIGNER, List.of(), orderers, commits, unusedConfigs(), scheduler);
    }

    /** Services on a manual clock that no test advances: nothing times out. */
    static Services services(OrdererClient orderers, CommitStatusSource commits) {
        return services(orderers, commits, new ManualScheduler());
    }

    static ChannelConfigs unusedConfigs() {
        return new ChannelConfigs("mychannel", channel -> CompletableFuture.failedFuture(
                new AssertionError("the channel config must not be read by this step")), new ManualScheduler());
    }

    /** A config reader that serves a fixed block and counts its calls. */
    static final class CountingReader implements Function<String, CompletableFuture<ByteString>> {
        final AtomicInteger calls = new AtomicInteger();
        final List<String> channels = new CopyOnWriteArrayList<>();
        private final ByteString block;

        CountingReader(ByteString block) {
            this.block = block;
        }

        @Override
        public CompletableFuture<ByteString> apply(String channelId) {
            calls.incrementAndGet();
            channels.add(channelId);
            return CompletableFuture.completedFuture(block);
        }
    }

    /** The last handler: records every context it receives and answers with a fixed future. */
    static final class Terminal implements Handler {
        final List<TxContext> received = new CopyOnWriteArrayList<>();
        private final Function<TxContext, CompletableFuture<TxResult>> answer;

        Terminal(Function<TxContext, CompletableFuture<TxResult>> answer) {
            this.answer = answer;
        }

        /** Answers with the context's transaction id and the given result. */
        static Terminal returning(String result) {
            return new Terminal(c -> CompletableFuture.completedFuture(
                    TxResult.of(c.transactionId(), ByteString.copyFromUtf8(result))));
        }

        static Terminal failing(Throwable error) {
            return new Terminal(c -> CompletableFuture.failedFuture(error));
        }

        @Override
        public CompletableFuture<TxResult> handle(TxContext context, Chain chain) {
            received.add(context);
            return answer.apply(context);
        }

        TxContext only() {
            if (received.size() != 1) {
                throw new AssertionError("expected the terminal handler to run once, it ran " + received.size() + " times");
            }
            return received.get(0);
        }

        @Override
        public String toString() {
            return "Terminal";
        }
    }

    /** A selector the step under test must not use. */
    static final class UnusedSelector implements EndorserSelector {
        @Override
        public CompletableFuture<List<Peer>> select(Request request) {
            return CompletableFuture.failedFuture(new AssertionError("the selector must not be used by this step"));
        }
    }

    /** An orderer client that records each broadcast and answers with a future the test chooses. */
    static final class FakeOrderers implements OrdererClient {
        record Call(Envelope envelope, String transactionId, Duration timeout) {
        }

        final List<Call> calls = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Orderer> answer;

        FakeOrderers(CompletableFuture<Orderer> answer) {
            this.answer = answer;
        }

        /** The orderer that {@link #accepting()} reports; it is never called. */
        static final Orderer ACCEPTED_BY = Orderer.of("orderer.example.com",
                EndpointConfig.builder("127.0.0.1:7050").plaintext().build(), new io.grpc.Channel() {
                    @Override
                    public <Q, R> io.grpc.ClientCall<Q, R> newCall(io.grpc.MethodDescriptor<Q, R> method,
                            io.grpc.CallOptions options) {
                        throw new AssertionError("the fake orderer is never called");
                    }

                    @Override
                    public String authority() {
                        return "orderer.example.com";
                    }
                });

        static FakeOrderers accepting() {
            return new FakeOrderers(CompletableFuture.completedFuture(ACCEPTED_BY));
        }

        static FakeOrderers unused() {
            return new FakeOrderers(CompletableFuture.failedFuture(new AssertionError("nothing must be broadcast")));
        }

        @Override
        public CompletableFuture<Orderer> broadcast(Envelope envelope, String transactionId, Duration timeout) {
            calls.add(new Call(envelope, transactionId, timeout));
            return answer;
        }

        @Override
        public void close() {
        }
    }

    /**
     * A commit status source whose registrations the test completes by hand. Records the order of
     * events ("register", "close") so a test can compare it with what the next handler saw.
     */
    static final class FakeCommits implements CommitStatusSource {
        final List<FakeRegistration> registrations = new CopyOnWriteArrayList<>();
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Registration register(String channelId, String transactionId) {
            FakeRegistration registration = new FakeRegistration(channelId, transactionId);
            registrations.add(registration);
            events.add("register " + transactionId);
            return registration;
        }

        FakeRegistration only() {
            if (registrations.size() != 1) {
                throw new AssertionError("expected one registration, got " + registrations.size());
            }
            return registrations.get(0);
        }

        @Override
        public void close() {
        }

        final class FakeRegistration implements Registration {
            final String channelId;
            final String transactionId;
            final CompletableFuture<Void> ready = new CompletableFuture<>();
            final CompletableFuture<TransactionStatus> status = new CompletableFuture<>();
            final AtomicInteger closed = new AtomicInteger();
            final List<NodeError> failures = new CopyOnWriteArrayList<>();

            FakeRegistration(String channelId, String transactionId) {
                this.channelId = channelId;
                this.transactionId = transactionId;
            }

            @Override
            public CompletableFuture<Void> ready() {
                return ready;
            }

            @Override
            public CompletableFuture<TransactionStatus> status() {
                return status;
            }

            @Override
            public List<NodeError> recentFailures() {
                return List.copyOf(failures);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
                events.add("close " + transactionId);
            }
        }
    }

    /** A commit status source the step under test must not use. */
    static final class UnusedCommits implements CommitStatusSource {
        @Override
        public Registration register(String channelId, String transactionId) {
            throw new AssertionError("the step must not register for commits");
        }

        @Override
        public void close() {
        }
    }
}
