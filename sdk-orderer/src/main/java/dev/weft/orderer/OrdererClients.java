package dev.weft.orderer;

import dev.weft.core.Orderer;
import dev.weft.core.OrdererClient;
import dev.weft.core.Scheduler;
import dev.weft.core.SystemScheduler;
import java.util.List;

/**
 * Broadcasting transactions to a channel's ordering service.
 *
 * <pre>{@code
 * try (OrdererClient orderers = OrdererClients.create(List.of(orderer1, orderer2))) {
 *     orderers.broadcast(envelope, txId, Duration.ofSeconds(10)).join();
 * }
 * }</pre>
 *
 * <p>The client keeps one {@code AtomicBroadcast/Broadcast} stream per orderer and sends every
 * envelope on it, however many transactions are in flight. A transaction goes first to the orderer
 * that last accepted one (initially the first in the list). If that orderer answers
 * SERVICE_UNAVAILABLE (a Raft cluster without a leader), NOT_FOUND or INTERNAL_SERVER_ERROR, or
 * cannot be reached, the next orderer is tried; when every one has failed, they are all tried
 * again after a back-off (50 ms doubling to 1 s, with full jitter), until the timeout, which then
 * fails with a {@link dev.weft.core.SubmitException} listing every attempt. BAD_REQUEST, FORBIDDEN
 * and REQUEST_ENTITY_TOO_LARGE end the attempt at once with the orderer's message, since every
 * orderer would say the same; an envelope larger than an orderer accepts is not sent at all. An
 * orderer that does not answer within the timeout is tried last by later transactions; its stream
 * is reset once no transaction waits on it, so that one caller's timeout never fails another's
 * transaction (which the orderer may already have).
 *
 * <p>Thread-safe. The client owns its streams (and, when created without a scheduler, a timer
 * thread), not the orderers' gRPC channels: closing it cancels the streams and leaves the channels
 * open; later broadcasts fail with a {@link dev.weft.core.SubmitException}.
 */
public final class OrdererClients {
    private OrdererClients() {
    }

    /**
     * A client for the orderers of one ordering service, in order of preference.
     *
     * @throws IllegalArgumentException if the list is empty
     */
    public static OrdererClient create(List<Orderer> orderers) {
        List<Orderer> list = List.copyOf(orderers);
        SystemScheduler timer = SystemScheduler.start("weft-orderer-timeouts");
        try {
            return new FailoverOrdererClient(list, timer, timer);
        } catch (RuntimeException e) {
            timer.close();
            throw e;
        }
    }

    /**
     * A client whose timeouts run on the given scheduler (a gateway's), which stays the caller's.
     *
     * @throws IllegalArgumentException if the list is empty
     */
    public static OrdererClient create(List<Orderer> orderers, Scheduler scheduler) {
        return new FailoverOrdererClient(List.copyOf(orderers), scheduler, null);
    }
}
