package dev.weft.events;

import java.util.Iterator;

/**
 * An iterator over a stream of events that holds a network stream open until it is closed.
 * {@link #hasNext()} blocks until the next event arrives; it returns false only once the stream
 * has ended normally (a stop block was reached) or the iterator was closed. A stream that fails
 * makes {@link #next()} throw {@link dev.weft.core.EventStreamException}. Close it (it is
 * {@link AutoCloseable}) to cancel the stream, from any thread; a blocked {@code hasNext()} then
 * returns false.
 *
 * <pre>{@code
 * try (CloseableIterator<ChaincodeEvent> events = network.events().chaincodeEvents("basic")) {
 *     while (events.hasNext()) {
 *         ChaincodeEvent event = events.next();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Consume it from one thread; {@link #close()} may be called from any thread.
 *
 * @param <T> the event type
 */
public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
    @Override
    void close();
}
