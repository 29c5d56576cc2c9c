package dev.weft.handlers;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodePolicy;
import dev.weft.handlers.internal.Cancellation;
import dev.weft.handlers.internal.Futures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** See {@link Transaction}. */
final class TransactionImpl implements Transaction {
    private final NetworkImpl network;
    private final String chaincodeName;
    private final ChaincodePolicy policy;
    private final String function;
    private List<ByteString> arguments = List.of();
    private final Map<String, ByteString> transientData = new LinkedHashMap<>();
    private final Set<String> organizations = new LinkedHashSet<>();
    private final Set<String> peers = new LinkedHashSet<>();
    private final Map<ContextKey<?>, Object> extensions = new IdentityHashMap<>();
    private Duration endorseTimeout;
    private Duration submitTimeout;
    private Duration commitTimeout;

    TransactionImpl(NetworkImpl network, String chaincodeName, ChaincodePolicy policy, String function) {
        Checks.nonEmpty(function, "function");
        this.network = network;
        this.chaincodeName = chaincodeName;
        this.policy = policy;
        this.function = function;
    }

    @Override
    public Transaction arguments(String... arguments) {
        List<ByteString> list = new ArrayList<>();
        for (String argument : Objects.requireNonNull(arguments, "arguments")) {
            list.add(ByteString.copyFrom(Objects.requireNonNull(argument, "argument"), StandardCharsets.UTF_8));
        }
        this.arguments = List.copyOf(list);
        return this;
    }

    @Override
    public Transaction arguments(List<byte[]> arguments) {
        List<ByteString> list = new ArrayList<>();
        for (byte[] argument : Objects.requireNonNull(arguments, "arguments")) {
            list.add(ByteString.copyFrom(Objects.requireNonNull(argument, "argument")));
        }
        this.arguments = List.copyOf(list);
        return this;
    }

    @Override
    public Transaction transientData(Map<String, byte[]> data) {
        Objects.requireNonNull(data, "data");
        transientData.clear();
        data.forEach(this::putTransientData);
        return this;
    }

    @Override
    public Transaction putTransientData(String key, byte[] value) {
        transientData.put(Checks.nonEmpty(key, "transient data key"), ByteString.copyFrom(Objects.requireNonNull(value, "value")));
        return this;
    }

    @Override
    public Transaction endorsingOrganizations(String... mspIds) {
        organizations.clear();
        for (String mspId : Objects.requireNonNull(mspIds, "mspIds")) {
            organizations.add(Objects.requireNonNull(mspId, "mspId"));
        }
        return this;
    }

    @Override
    public Transaction endorsingPeers(String... peerNames) {
        peers.clear();
        for (String name : Objects.requireNonNull(peerNames, "peerNames")) {
            peers.add(Objects.requireNonNull(name, "peerName"));
        }
        return this;
    }

    @Override
    public <T> Transaction put(ContextKey<T> key, T value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
            extensions.remove(key);
        } else {
            extensions.put(key, value);
        }
        return this;
    }

    @Override
    public Transaction endorseTimeout(Duration timeout) {
        this.endorseTimeout = Checks.positive(timeout, "endorseTimeout");
        return this;
    }

    @Override
    public Transaction submitTimeout(Duration timeout) {
        this.submitTimeout = Checks.positive(timeout, "submitTimeout");
        return this;
    }

    @Override
    public Transaction commitTimeout(Duration timeout) {
        this.commitTimeout = Checks.positive(timeout, "commitTimeout");
        return this;
    }

    private TxContext context(TxContext.Kind kind) {
        GatewayImpl gateway = network.gateway();
        TxContext.Builder context = TxContext.builder(kind, network.channelId(), chaincodeName, function)
                .arguments(arguments)
                .transientData(transientData)
                .endorsingOrganizations(organizations)
                .endorsingPeers(peers)
                .policy(policy)
                .endorseTimeout(endorseTimeout != null ? endorseTimeout : network.timeout(kind))
                .submitTimeout(submitTimeout != null ? submitTimeout : gateway.submitTimeout)
                .commitTimeout(commitTimeout != null ? commitTimeout : gateway.commitTimeout);
        extensions.forEach((key, value) -> putUnchecked(context, key, value));
        return context.build();
    }

    @SuppressWarnings("unchecked")
    private static <T> void putUnchecked(TxContext.Builder context, ContextKey<T> key, Object value) {
        context.put(key, (T) value); // put() stored the value under its own key's type
    }

    @Override
    public TxResult submit() {
        return Futures.await(submitAsync());
    }

    @Override
    public CompletableFuture<TxResult> submitAsync() {
        return start(TxContext.Kind.SUBMIT);
    }

    @Override
    public byte[] evaluate() {
        return Futures.await(evaluateAsync()).result();
    }

    @Override
    public CompletableFuture<TxResult> evaluateAsync() {
        return start(TxContext.Kind.EVALUATE);
    }

    /**
     * Runs the pipeline. The future handed to the application completes on the gateway's executor,
     * never on an SDK thread that other transactions depend on (an event stream, a timer), so that
     * a slow callback of one application cannot hold up others. Cancelling it cancels endorsement
     * calls in flight and stops a broadcast that has not happened yet.
     */
    private CompletableFuture<TxResult> start(TxContext.Kind kind) {
        CompletableFuture<Void> cancellation = new CompletableFuture<>();
        TxContext context = context(kind).toBuilder().put(Cancellation.KEY, cancellation).build();
        CompletableFuture<TxResult> result = new CompletableFuture<>();
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                cancellation.complete(null);
            }
        });
        network.run(context).whenComplete((r, e) -> network.gateway().completeOnExecutor(() -> {
            if (e != null) {
                result.completeExceptionally(Futures.unwrap(e));
            } else {
                result.complete(r);
            }
        }));
        return result;
    }
}
