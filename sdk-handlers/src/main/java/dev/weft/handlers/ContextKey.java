package dev.weft.handlers;

import java.util.Objects;

/**
 * A typed key for extension data in a {@link TxContext}, for handlers that pass state to later
 * handlers or to their own retries. Keys compare by identity: create each once, as a constant.
 *
 * <pre>{@code
 * static final ContextKey<Integer> ATTEMPT = ContextKey.named("retry-attempt");
 * ...
 * int attempt = ctx.get(ATTEMPT).orElse(1);
 * chain.proceed(ctx.toBuilder().put(ATTEMPT, attempt + 1).build());
 * }</pre>
 *
 * @param <T> the type of the value
 */
public final class ContextKey<T> {
    private final String name;

    private ContextKey(String name) {
        this.name = name;
    }

    /** A new key; the name is for debugging only. */
    public static <T> ContextKey<T> named(String name) {
        return new ContextKey<>(Objects.requireNonNull(name, "name"));
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
