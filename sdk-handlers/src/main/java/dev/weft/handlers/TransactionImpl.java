package dev.weft.handlers;

import com.google.protobuf.ByteString;
import dev.weft.core.InvokedChaincode;
import dev.weft.handlers.internal.Cancellation;
import dev.weft.handlers.internal.Futures;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * See {@link Transaction}: the application's settings held in a {@link TxContext.Builder}, from
 * which each run builds its context.
 */
final class TransactionImpl implements Transaction {
    private final NetworkImpl network;
    private final TxContext.Builder settings;

    TransactionImpl(NetworkImpl network, TxContext.Builder settings) {
        this.network = network;
        this.settings = settings;
    }

    @Override
    public Transaction arguments(String... arguments) {
        List<ByteString> list = new ArrayList<>();
        for (String argument : Objects.requireNonNull(arguments, "arguments")) {
            list.add(utf8(Objects.requireNonNull(argument, "argument"), list.size()));
        }
        settings.arguments(list);
        return this;
    }

    /** The argument's UTF-8 bytes; a string that is not valid Unicode would be silently altered, so it is refused. */
    private static ByteString utf8(String argument, int index) {
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(argument));
            return ByteString.copyFrom(bytes);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("argument " + index + " is not valid Unicode text (it holds a lone "
                    + "surrogate); pass binary arguments with arguments(List<byte[]>)", e);
        }
    }

    @Override
    public Transaction arguments(List<byte[]> arguments) {
        List<ByteString> list = new ArrayList<>();
        for (byte[] argument : Objects.requireNonNull(arguments, "arguments")) {
            list.add(ByteString.copyFrom(Objects.requireNonNull(argument, "argument")));
        }
        settings.arguments(list);
        return this;
    }

    @Override
    public Transaction transientData(Map<String, byte[]> data) {
        Objects.requireNonNull(data, "data");
        settings.transientData(Map.of());
        data.forEach(this::putTransientData);
        return this;
    }

    @Override
    public Transaction putTransientData(String key, byte[] value) {
        Objects.requireNonNull(key, "transient data key");
        settings.putTransientData(key, ByteString.copyFrom(Objects.requireNonNull(value,
                () -> "the value of transient data key '" + key + "' is null")));
        return this;
    }

    @Override
    public Transaction endorsingOrganizations(String... mspIds) {
        settings.endorsingOrganizations(names(mspIds, "mspId"));
        return this;
    }

    @Override
    public Transaction endorsingPeers(String... peerNames) {
        settings.endorsingPeers(names(peerNames, "peerName"));
        return this;
    }

    @Override
    public Transaction discoveryInterest(InvokedChaincode... chaincodes) {
        Objects.requireNonNull(chaincodes, "chaincodes");
        settings.interest(Arrays.asList(chaincodes));
        return this;
    }

    private static Set<String> names(String[] names, String what) {
        Set<String> result = new LinkedHashSet<>();
        for (String name : Objects.requireNonNull(names, what + "s")) {
            result.add(Checks.nonEmpty(name, what));
        }
        return result;
    }

    @Override
    public <T> Transaction put(ContextKey<T> key, T value) {
        settings.put(key, value);
        return this;
    }

    @Override
    public Transaction timeout(Duration timeout) {
        settings.timeout(timeout);
        return this;
    }

    @Override
    public Transaction endorseTimeout(Duration timeout) {
        settings.endorseTimeout(timeout);
        return this;
    }

    @Override
    public Transaction submitTimeout(Duration timeout) {
        settings.submitTimeout(timeout);
        return this;
    }

    @Override
    public Transaction commitTimeout(Duration timeout) {
        settings.commitTimeout(timeout);
        return this;
    }

    @Override
    public TxResult submit() {
        return Futures.await(submitAsync());
    }

    @Override
    public CompletableFuture<TxResult> submitAsync() {
        return start(TxContext.Kind.SUBMIT, network::submit);
    }

    @Override
    public byte[] evaluate() {
        return Futures.await(evaluateAsync()).result();
    }

    @Override
    public CompletableFuture<TxResult> evaluateAsync() {
        return start(TxContext.Kind.EVALUATE, network::evaluate);
    }

    @Override
    public Proposal newProposal() {
        return ProposalImpl.create(network, settings.copyAs(TxContext.Kind.SUBMIT));
    }

    /**
     * Runs a pipeline. The future handed to the application completes on the gateway's executor,
     * never on an SDK thread that other transactions depend on (an event stream, a timer), so that
     * a slow callback of one application cannot hold up others. Cancelling it cancels endorsement
     * calls in flight and stops a broadcast that has not happened yet.
     */
    private CompletableFuture<TxResult> start(TxContext.Kind kind, Function<TxContext, CompletableFuture<TxResult>> pipeline) {
        CompletableFuture<Void> cancellation = new CompletableFuture<>();
        TxContext context = network.start(settings.copyAs(kind).put(Cancellation.KEY, cancellation));
        return network.gateway().handOver(pipeline.apply(context), cancellation);
    }
}
