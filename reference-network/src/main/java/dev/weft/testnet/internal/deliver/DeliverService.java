package dev.weft.testnet.internal.deliver;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.InternalApi;
import dev.weft.core.WeftException;
import dev.weft.core.X509Identity;
import dev.weft.testnet.internal.SignedData;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.orderer.SeekPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deliver protocol as Fabric's {@code common/deliver} serves it, shared by the orderer
 * ({@code AtomicBroadcast/Deliver}) and the peer ({@code protos.Deliver}): the client sends signed
 * {@code SeekInfo} envelopes; for each, the server checks the header, timestamp window, channel,
 * TLS binding and read policy, streams the requested blocks, and ends with a status. After
 * {@code SUCCESS} it waits for the next seek; after any other status it closes the stream.
 *
 * <p>Streaming never blocks a thread: sessions send while the transport is ready and wake up on
 * ledger appends and transport readiness. All sends of a session are serialised.
 *
 * @param <R> the response message type ({@code orderer.DeliverResponse} or {@code peer.DeliverResponse})
 */
@InternalApi
public final class DeliverService<R> {
    private static final Logger log = LoggerFactory.getLogger(DeliverService.class);
    /** Fabric's default {@code TimeWindow} for seek requests (peer and orderer). */
    public static final Duration TIME_WINDOW = Duration.ofMinutes(15);

    /** A channel a client can read. */
    public interface Source {
        ChannelConfig config();

        ChannelLedger ledger();

        /** Whether the channel's consenter (or commit pipeline) has failed. */
        boolean errored();

        /** The network's shared signature checks. */
        VerifiedSignatures signatures();
    }

    /** How to build this service's responses. */
    public interface Responses<R> {
        R block(String channelId, Block block);

        R status(Status status);
    }

    private final Function<String, Optional<Source>> channels;
    private final String policyPath;
    private final Responses<R> responses;
    private final Executor executor;
    private final Clock clock;
    private final boolean requireTlsBinding;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    /**
     * @param channels finds a channel by id
     * @param policyPath the policy a reader must satisfy ({@code /Channel/Readers} on the orderer,
     *     {@code /Channel/Application/Readers} on the peer)
     * @param requireTlsBinding whether clients present TLS certificates that seeks must be bound to
     */
    public DeliverService(Function<String, Optional<Source>> channels, String policyPath, Responses<R> responses,
            Executor executor, Clock clock, boolean requireTlsBinding) {
        this.channels = channels;
        this.policyPath = policyPath;
        this.responses = responses;
        this.executor = executor;
        this.clock = clock;
        this.requireTlsBinding = requireTlsBinding;
    }

    /** Serves one Deliver stream. */
    public StreamObserver<Envelope> open(StreamObserver<R> responseObserver) {
        Session session = new Session((ServerCallStreamObserver<R>) responseObserver, TlsBinding.CLIENT_CERT_HASH.get(),
                TlsBinding.REMOTE_ADDRESS.get());
        sessions.add(session);
        return session;
    }

    /**
     * Ends every open stream with gRPC status UNAVAILABLE, as a peer that crashed or lost its
     * network would; clients must reconnect. Streams opened afterwards are served normally.
     */
    public void abortStreams() {
        for (Session session : sessions) {
            session.abort();
        }
    }

    private final class Session implements StreamObserver<Envelope> {
        private final ServerCallStreamObserver<R> out;
        private final byte[] clientCertHash;
        private final String remote;
        private final ArrayDeque<Envelope> seeks = new ArrayDeque<>();
        private final Object lock = new Object();
        private boolean scheduled;
        private boolean rerun;
        private boolean halfClosed;
        private boolean aborting;
        private boolean closed;
        private Iteration current;
        private ChannelLedger watched;
        private final Runnable wakeUp = this::schedule;

        Session(ServerCallStreamObserver<R> out, byte[] clientCertHash, String remote) {
            this.out = out;
            this.clientCertHash = clientCertHash;
            this.remote = remote == null ? "an unknown address" : remote;
            out.setOnReadyHandler(this::schedule);
            out.setOnCancelHandler(this::close);
        }

        @Override
        public void onNext(Envelope seek) {
            synchronized (lock) {
                seeks.add(seek);
            }
            schedule();
        }

        @Override
        public void onError(Throwable t) {
            close();
        }

        @Override
        public void onCompleted() {
            synchronized (lock) {
                halfClosed = true;
            }
            schedule();
        }

        /** Ends the stream from the session's own thread, so sends stay serialised. */
        void abort() {
            synchronized (lock) {
                aborting = true;
            }
            schedule();
        }

        private void schedule() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                if (scheduled) {
                    rerun = true;
                    return;
                }
                scheduled = true;
            }
            executor.execute(this::run);
        }

        private void run() {
            try {
                pump();
            } catch (RuntimeException e) {
                log.warn("deliver stream failed", e);
                finish(Status.INTERNAL_SERVER_ERROR);
            } finally {
                boolean again;
                synchronized (lock) {
                    again = rerun && !closed;
                    rerun = false;
                    scheduled = again;
                }
                if (again) {
                    executor.execute(this::run);
                }
            }
        }

        private void pump() {
            while (true) {
                boolean abort;
                synchronized (lock) {
                    abort = aborting;
                }
                if (abort) {
                    if (close()) {
                        out.onError(io.grpc.Status.UNAVAILABLE.withDescription("deliver stream aborted")
                                .asRuntimeException());
                    }
                    return;
                }
                if (current == null) {
                    Envelope seek;
                    boolean endOfStream;
                    synchronized (lock) {
                        if (closed) {
                            return;
                        }
                        seek = seeks.poll();
                        endOfStream = seek == null && halfClosed;
                    }
                    if (seek == null) {
                        if (endOfStream) {
                            close();
                            out.onCompleted();
                        }
                        return;
                    }
                    current = start(seek);
                    if (current == null) {
                        return; // start() answered with an error status and closed the stream
                    }
                    watch(current.source.ledger());
                    continue;
                }
                if (!out.isReady()) {
                    return; // the on-ready handler reschedules
                }
                String problem = current.check();
                if (problem != null) {
                    log.warn("deliver stream from {} cut off with {}: {}", remote, Status.FORBIDDEN, problem);
                    finish(Status.FORBIDDEN);
                    return;
                }
                long height = current.source.ledger().height();
                if (current.next < height) {
                    long number = current.next++;
                    out.onNext(responses.block(current.source.config().channelId(), current.source.ledger().block(number)));
                    if (number == current.stop) {
                        out.onNext(responses.status(Status.SUCCESS));
                        current = null;
                    }
                    continue;
                }
                if (current.behavior == SeekInfo.SeekBehavior.FAIL_IF_NOT_READY) {
                    finish(Status.NOT_FOUND);
                }
                return; // wait for the ledger listener
            }
        }

        private void watch(ChannelLedger ledger) {
            if (watched != ledger) {
                if (watched != null) {
                    watched.removeListener(wakeUp);
                }
                watched = ledger;
                ledger.addListener(wakeUp);
            }
        }

        /** Sends a final non-SUCCESS status and ends the stream, as Fabric does. */
        private void finish(Status status) {
            if (close()) {
                out.onNext(responses.status(status));
                out.onCompleted();
            }
        }

        private boolean close() {
            synchronized (lock) {
                if (closed) {
                    return false;
                }
                closed = true;
            }
            sessions.remove(this);
            if (watched != null) {
                watched.removeListener(wakeUp);
            }
            return true;
        }

        /** Validates a seek envelope; on failure answers with the status and returns null. */
        private Iteration start(Envelope envelope) {
            Payload payload;
            ChannelHeader channelHeader;
            SignatureHeader signatureHeader;
            SeekInfo seekInfo;
            try {
                payload = Payload.parseFrom(envelope.getPayload());
                if (!payload.hasHeader()) {
                    return reject(Status.BAD_REQUEST, "seek envelope has no header");
                }
                channelHeader = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
                signatureHeader = SignatureHeader.parseFrom(payload.getHeader().getSignatureHeader());
                seekInfo = SeekInfo.parseFrom(payload.getData());
            } catch (InvalidProtocolBufferException e) {
                return reject(Status.BAD_REQUEST, "malformed seek envelope: " + e.getMessage());
            }
            Instant now = clock.instant();
            if (!channelHeader.hasTimestamp()) {
                return reject(Status.BAD_REQUEST, "seek envelope has no timestamp");
            }
            Instant sent = Instant.ofEpochSecond(channelHeader.getTimestamp().getSeconds(), channelHeader.getTimestamp().getNanos());
            if (Duration.between(sent, now).abs().compareTo(TIME_WINDOW) > 0) {
                return reject(Status.BAD_REQUEST, "seek timestamp " + sent + " is more than " + TIME_WINDOW
                        + " away from the server's time " + now);
            }
            Optional<Source> found = channels.apply(channelHeader.getChannelId());
            if (found.isEmpty()) {
                return reject(Status.NOT_FOUND, "channel " + channelHeader.getChannelId() + " not found");
            }
            Source source = found.get();
            if (source.errored() && seekInfo.getErrorResponse() == SeekInfo.SeekErrorResponse.STRICT) {
                return reject(Status.SERVICE_UNAVAILABLE, "channel " + channelHeader.getChannelId() + " has errored");
            }
            if (requireTlsBinding && (clientCertHash == null
                    || !Arrays.equals(clientCertHash, channelHeader.getTlsCertHash().toByteArray()))) {
                return reject(Status.BAD_REQUEST, "seek is not bound to the TLS session (tls_cert_hash mismatch)");
            }
            SignedData signed = new SignedData(signatureHeader.getCreator(), envelope.getPayload(),
                    envelope.getSignature());
            Optional<String> denied = signed.check(source.config(), policyPath, now, source.signatures());
            if (denied.isPresent()) {
                return reject(Status.FORBIDDEN, denied.get());
            }
            if (!seekInfo.hasStart() || !seekInfo.hasStop()) {
                return reject(Status.BAD_REQUEST, "seek info must have a start and a stop position");
            }
            if (!known(seekInfo.getStart()) || !known(seekInfo.getStop())) {
                return reject(Status.BAD_REQUEST, "unknown seek position type");
            }
            long height = source.ledger().height();
            // Block numbers are uint64: a stop of MAX_UINT64 (-1 here) is how Fabric clients say "forever".
            long start = position(seekInfo.getStart(), height);
            long stop = seekInfo.getStart().hasNewest() && seekInfo.getStop().hasNewest()
                    ? start : position(seekInfo.getStop(), height);
            if (Long.compareUnsigned(start, height) > 0) {
                return reject(Status.NOT_FOUND, "block " + Long.toUnsignedString(start) + " is beyond the height "
                        + height + " of channel " + channelHeader.getChannelId());
            }
            if (Long.compareUnsigned(stop, start) < 0) {
                return reject(Status.BAD_REQUEST, "stop block " + Long.toUnsignedString(stop)
                        + " is before start block " + start);
            }
            log.debug("deliver on {}: blocks {} to {}", channelHeader.getChannelId(), start, Long.toUnsignedString(stop));
            return new Iteration(source, start, stop, seekInfo.getBehavior(), signed, source.config().sequence(),
                    expiryOf(signatureHeader));
        }

        private Iteration reject(Status status, String reason) {
            // WARN: the client sees only the status, so this is the one place the reason can be read.
            log.warn("deliver request from {} refused with {}: {}", remote, status, reason);
            finish(status);
            return null;
        }

        private boolean known(SeekPosition position) {
            return position.getTypeCase() != SeekPosition.TypeCase.TYPE_NOT_SET;
        }

        private long position(SeekPosition position, long height) {
            return switch (position.getTypeCase()) {
                case OLDEST -> 0;
                case NEWEST -> Math.max(0, height - 1);
                case SPECIFIED -> position.getSpecified().getNumber();
                case NEXT_COMMIT -> height;
                default -> throw new IllegalStateException("checked by known()");
            };
        }

        private Instant expiryOf(SignatureHeader header) {
            try {
                return X509Identity.fromSerialized(header.getCreator()).certificate().getNotAfter().toInstant();
            } catch (WeftException e) {
                return Instant.MAX; // the access check has already refused identities it cannot read
            }
        }

        /** The state of one seek being served. */
        private final class Iteration {
            final Source source;
            long next;
            final long stop;
            final SeekInfo.SeekBehavior behavior;
            final SignedData signed;
            final Instant creatorExpiry;
            long checkedSequence;

            Iteration(Source source, long next, long stop, SeekInfo.SeekBehavior behavior, SignedData signed,
                    long checkedSequence, Instant creatorExpiry) {
                this.source = source;
                this.next = next;
                this.stop = stop;
                this.behavior = behavior;
                this.signed = signed;
                this.checkedSequence = checkedSequence;
                this.creatorExpiry = creatorExpiry;
            }

            /**
             * Re-checks access before each block, as Fabric's session access control does: the
             * creator's certificate must not have expired, and the policy is re-evaluated when the
             * config changes. Returns why access is now denied, or null.
             */
            String check() {
                if (clock.instant().isAfter(creatorExpiry)) {
                    return "the creator's certificate expired at " + creatorExpiry;
                }
                ChannelConfig config = source.config();
                if (config.sequence() != checkedSequence) {
                    Optional<String> denied = signed.check(config, policyPath, clock.instant(), source.signatures());
                    if (denied.isPresent()) {
                        return "after config sequence " + config.sequence() + ": " + denied.get();
                    }
                    checkedSequence = config.sequence();
                }
                return null;
            }
        }
    }
}
