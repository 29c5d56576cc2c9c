package dev.weft.events;

import dev.weft.core.BlockView;
import dev.weft.core.EventStreamException;
import dev.weft.core.ManualScheduler;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.SeekRequest;
import dev.weft.core.Signer;
import dev.weft.core.SystemScheduler;
import dev.weft.core.TransactionView;
import dev.weft.core.X509Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * Reading a channel's blocks, filtered blocks or chaincode events from a peer as they are
 * committed, each as a {@link CloseableIterator} over a {@code Deliver} stream.
 *
 * <pre>{@code
 * try (CloseableIterator<ChaincodeEvent> events = EventStreams.builder()
 *         .channel("mychannel").identity(identity).signer(signer).peers(List.of(peer0org1, peer1org1))
 *         .startBlock(0)
 *         .chaincodeEvents("basic")) {
 *     events.forEachRemaining(e -> System.out.println(e.eventName() + " in block " + e.blockNumber()));
 * }
 * }</pre>
 *
 * <p>Without a start block a stream begins with the next block to be committed (Fabric's
 * {@code SeekNextCommit}, answered by peers of Fabric 2.4 and later; give a start block for older
 * peers). Chaincode events are those of transactions committed as VALID, in block order.
 *
 * <p>Streams survive breaks: when one fails (the peer restarts, the network goes away), the
 * iterator reconnects after a back-off (100 ms doubling to 5 s by default, while connections
 * keep failing) to the same peer, or to the next one of {@link Builder#peers} if that one failed
 * too, and resumes at the block after the last one it received: no block is delivered twice or
 * skipped. It gives up, and {@code next()} throws {@link dev.weft.core.EventStreamException},
 * only when every peer refuses the request (FORBIDDEN, BAD_REQUEST, or NOT_FOUND for a start
 * block beyond its ledger) or with
 * {@link Builder#noReconnect()}. {@link Builder#onReconnect} tells the application of each break.
 *
 * <p>Without a signer, the application signs the request itself: {@link Builder#newRequest()}
 * gives it unsigned, and the terminal methods that take a {@link DeliverRequest} open it. Such a
 * request can be sent once, so those streams end at their first break.
 */
public final class EventStreams {
    private EventStreams() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to read and from where; each terminal method opens a new stream. Not thread-safe. */
    public static final class Builder {
        private String channelId;
        private X509Identity identity;
        private Signer signer;
        private List<Peer> peers;
        private Long startBlock;
        private boolean startNewest;
        private Long stopBlock;
        private Scheduler scheduler;
        private boolean reconnect = true;
        private Duration initialDelay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(5);
        private Consumer<EventStreamException> onReconnect = e -> { };

        private Builder() {
        }

        public Builder channel(String channelId) {
            this.channelId = Objects.requireNonNull(channelId, "channelId");
            return this;
        }

        /** The identity that signs the request; it must be a reader of the channel. */
        public Builder identity(X509Identity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /** The identity's signer; without one, sign a {@link #newRequest()} yourself. */
        public Builder signer(Signer signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        /** The peer to read from (replaces {@link #peers}). */
        public Builder peer(Peer peer) {
            return peers(List.of(Objects.requireNonNull(peer, "peer")));
        }

        /** The peers to read from, the first preferred: a broken stream moves to the next one. */
        public Builder peers(List<Peer> peers) {
            Objects.requireNonNull(peers, "peers");
            if (peers.isEmpty()) {
                throw new IllegalArgumentException("peers must not be empty");
            }
            this.peers = List.copyOf(peers);
            return this;
        }

        /** Start at this block (0 is the genesis block) instead of the next one to be committed. */
        public Builder startBlock(long blockNumber) {
            if (blockNumber < 0) {
                throw new IllegalArgumentException("startBlock must not be negative, got " + blockNumber);
            }
            this.startBlock = blockNumber;
            this.startNewest = false;
            return this;
        }

        /** Start with the newest block already committed, delivered at once. */
        public Builder startAtNewest() {
            this.startNewest = true;
            this.startBlock = null;
            return this;
        }

        /** End the stream normally after this block; by default it never ends. */
        public Builder stopBlock(long blockNumber) {
            if (blockNumber < 0) {
                throw new IllegalArgumentException("stopBlock must not be negative, got " + blockNumber);
            }
            this.stopBlock = blockNumber;
            return this;
        }

        /**
         * The clock that timestamps requests and the timer of reconnect delays (a gateway's).
         * Default: each stream has a {@link SystemScheduler} of its own, closed with it.
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** The back-off between reconnects while they keep failing: {@code initial} doubling up to {@code max}. */
        public Builder reconnectDelay(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("reconnect delays must satisfy 0 < initial <= max, got "
                        + initial + " and " + max);
            }
            this.initialDelay = initial;
            this.maxDelay = max;
            return this;
        }

        /** End the stream at its first break instead of reconnecting. */
        public Builder noReconnect() {
            this.reconnect = false;
            return this;
        }

        /**
         * Called, on the consuming thread, with the failure each time a stream breaks and is about
         * to be resumed; it must not block.
         */
        public Builder onReconnect(Consumer<EventStreamException> listener) {
            this.onReconnect = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Full blocks, as the peer committed them (with their transaction validation codes in the metadata). */
        public CloseableIterator<Block> blocks() {
            return open(resigned(), false, r -> List.of(r.getBlock()));
        }

        /** Full blocks, from a request signed elsewhere. */
        public static CloseableIterator<Block> blocks(DeliverRequest request) {
            return openOnce(request, false, r -> List.of(r.getBlock()));
        }

        /** Filtered blocks: per transaction its id, type and validation code, without payloads. */
        public CloseableIterator<FilteredBlock> filteredBlocks() {
            return open(resigned(), true, r -> List.of(r.getFilteredBlock()));
        }

        /** Filtered blocks, from a request signed elsewhere. */
        public static CloseableIterator<FilteredBlock> filteredBlocks(DeliverRequest request) {
            return openOnce(request, true, r -> List.of(r.getFilteredBlock()));
        }

        /** The chaincode events of one chaincode from transactions committed as VALID. */
        public CloseableIterator<ChaincodeEvent> chaincodeEvents(String chaincodeName) {
            Objects.requireNonNull(chaincodeName, "chaincodeName");
            return open(resigned(), false, r -> chaincodeEventsOf(r.getBlock(), chaincodeName));
        }

        /** The chaincode events of one chaincode, from a request signed elsewhere. */
        public static CloseableIterator<ChaincodeEvent> chaincodeEvents(String chaincodeName, DeliverRequest request) {
            Objects.requireNonNull(chaincodeName, "chaincodeName");
            return openOnce(request, false, r -> chaincodeEventsOf(r.getBlock(), chaincodeName));
        }

        /**
         * The request these settings describe, unsigned, for the first peer: sign its
         * {@link DeliverRequest#digest()} elsewhere, attach the signature, and open it with a
         * terminal method that takes a request.
         */
        public DeliverRequest newRequest() {
            check();
            return DeliverRequest.unsigned(peers.get(0), identity, channelId, seek(peers.get(0), -1, clock()));
        }

        private Clock clock() {
            return scheduler != null ? scheduler.clock() : Clock.systemUTC();
        }

        private void check() {
            require(channelId, "channel");
            require(identity, "identity");
            require(peers, "peer");
            if (startBlock != null && stopBlock != null && stopBlock < startBlock) {
                throw new IllegalArgumentException("stopBlock " + stopBlock + " is before startBlock " + startBlock);
            }
        }

        /** Seeks signed by the builder's signer, afresh for each connection. */
        private DeliverIterator.Seeks resigned() {
            check();
            if (signer == null) {
                throw new IllegalStateException("signer must be set, or sign newRequest() elsewhere and open the "
                        + "stream with the method that takes a DeliverRequest");
            }
            Signer sign = signer;
            Clock clock = clock();
            return (peer, nextBlock) -> Optional.of(seek(peer, nextBlock, clock).sign(sign));
        }

        private <T> CloseableIterator<T> open(DeliverIterator.Seeks seeks, boolean filtered,
                Function<DeliverResponse, List<T>> mapper) {
            SystemScheduler owned = scheduler == null ? SystemScheduler.start("weft-event-stream") : null;
            try {
                return DeliverIterator.open(peers, seeks, filtered, mapper, scheduler != null ? scheduler : owned, owned,
                        new DeliverIterator.Reconnect(reconnect, initialDelay, maxDelay, onReconnect));
            } catch (RuntimeException e) {
                if (owned != null) {
                    owned.close();
                }
                throw e;
            }
        }

        private static <T> CloseableIterator<T> openOnce(DeliverRequest request, boolean filtered,
                Function<DeliverResponse, List<T>> mapper) {
            Envelope signed = Objects.requireNonNull(request, "request").envelope();
            AtomicBoolean sent = new AtomicBoolean();
            DeliverIterator.Seeks once = (peer, nextBlock) -> sent.getAndSet(true) ? Optional.empty() : Optional.of(signed);
            // Its second seek is empty, so it never reconnects and needs no timer of its own: a manual
            // one that nobody advances.
            return DeliverIterator.open(List.of(request.peer()), once, filtered, mapper, new ManualScheduler(), null,
                    new DeliverIterator.Reconnect(true, Duration.ofMillis(1), Duration.ofMillis(1), e -> { }));
        }

        /** The seek for a peer: from {@code nextBlock}, or from the configured start while it is negative. */
        private SeekRequest seek(Peer peer, long nextBlock, Clock clock) {
            SeekRequest.Builder seek = SeekRequest.builder().channel(channelId).identity(identity).clock(clock)
                    .behavior(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY);
            if (nextBlock >= 0) {
                seek.startAt(nextBlock);
            } else if (startBlock != null) {
                seek.startAt(startBlock);
            } else if (startNewest) {
                seek.start(SeekRequest.newest());
            } else {
                seek.start(SeekRequest.nextCommit());
            }
            if (stopBlock != null) {
                seek.stopAt(stopBlock);
            } else {
                seek.stopNever();
            }
            byte[] tlsHash = peer.endpoint().clientCertificateHash();
            if (tlsHash.length > 0) {
                seek.tlsCertHash(tlsHash);
            }
            return seek.build();
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException(name + " must be set");
            }
        }
    }

    static List<ChaincodeEvent> chaincodeEventsOf(Block block, String chaincodeName) {
        BlockView view = BlockView.of(block);
        List<ChaincodeEvent> events = new ArrayList<>();
        for (TransactionView tx : view.transactions()) {
            if (!tx.isEndorserTransaction() || tx.validationCode().orElse(null) != TxValidationCode.VALID) {
                continue;
            }
            tx.chaincodeEvent()
                    .filter(e -> e.getChaincodeId().equals(chaincodeName))
                    .ifPresent(e -> events.add(new ChaincodeEvent(view.number(), tx.index(), tx.transactionId(),
                            e.getChaincodeId(), e.getEventName(), e.getPayload())));
        }
        return events;
    }
}
