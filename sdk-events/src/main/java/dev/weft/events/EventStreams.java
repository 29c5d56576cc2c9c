package dev.weft.events;

import dev.weft.core.BlockView;
import dev.weft.core.Peer;
import dev.weft.core.SeekRequest;
import dev.weft.core.Signer;
import dev.weft.core.TransactionView;
import dev.weft.core.X509Identity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * Reading a channel's blocks, filtered blocks or chaincode events from a peer as they are
 * committed, each as a {@link CloseableIterator} over one {@code Deliver} stream.
 *
 * <pre>{@code
 * try (CloseableIterator<ChaincodeEvent> events = EventStreams.builder()
 *         .channel("mychannel").identity(identity).signer(signer).peer(peer)
 *         .startBlock(0)
 *         .chaincodeEvents("basic")) {
 *     events.forEachRemaining(e -> System.out.println(e.eventName() + " in block " + e.blockNumber()));
 * }
 * }</pre>
 *
 * <p>Without a start block a stream begins with the next block to be committed (Fabric's
 * {@code SeekNextCommit}, answered by peers of Fabric 2.4 and later; give a start block for older
 * peers). Streams do not
 * reconnect: if one fails, {@code next()} throws {@link dev.weft.core.EventStreamException}, and
 * the application opens a new stream from the block after the last one it processed. Chaincode
 * events are those of transactions committed as VALID, in block order.
 *
 * <p>Without a signer, the application signs the request itself: {@link Builder#newRequest()}
 * gives it unsigned, and the terminal methods that take a {@link DeliverRequest} open it.
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
        private Peer peer;
        private Long startBlock;
        private boolean startNewest;
        private Long stopBlock;
        private Clock clock = Clock.systemUTC();

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

        public Builder signer(Signer signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        /** The peer to read from. */
        public Builder peer(Peer peer) {
            this.peer = Objects.requireNonNull(peer, "peer");
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

        /** The clock that timestamps the request. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Full blocks, as the peer committed them (with their transaction validation codes in the metadata). */
        public CloseableIterator<Block> blocks() {
            return blocks(signed());
        }

        /** Full blocks, from a request signed elsewhere. */
        public static CloseableIterator<Block> blocks(DeliverRequest request) {
            return DeliverIterator.open(request.peer(), request.envelope(), false, r -> List.of(r.getBlock()));
        }

        /** Filtered blocks: per transaction its id, type and validation code, without payloads. */
        public CloseableIterator<FilteredBlock> filteredBlocks() {
            return filteredBlocks(signed());
        }

        /** Filtered blocks, from a request signed elsewhere. */
        public static CloseableIterator<FilteredBlock> filteredBlocks(DeliverRequest request) {
            return DeliverIterator.open(request.peer(), request.envelope(), true, r -> List.of(r.getFilteredBlock()));
        }

        /** The chaincode events of one chaincode from transactions committed as VALID. */
        public CloseableIterator<ChaincodeEvent> chaincodeEvents(String chaincodeName) {
            return chaincodeEvents(chaincodeName, signed());
        }

        /** The chaincode events of one chaincode, from a request signed elsewhere. */
        public static CloseableIterator<ChaincodeEvent> chaincodeEvents(String chaincodeName, DeliverRequest request) {
            Objects.requireNonNull(chaincodeName, "chaincodeName");
            return DeliverIterator.open(request.peer(), request.envelope(), false,
                    r -> chaincodeEventsOf(r.getBlock(), chaincodeName));
        }

        /**
         * The request these settings describe, unsigned: sign its {@link DeliverRequest#digest()}
         * elsewhere, attach the signature, and open it with a terminal method that takes a request.
         */
        public DeliverRequest newRequest() {
            require(channelId, "channel");
            require(identity, "identity");
            require(peer, "peer");
            if (startBlock != null && stopBlock != null && stopBlock < startBlock) {
                throw new IllegalArgumentException("stopBlock " + stopBlock + " is before startBlock " + startBlock);
            }
            return DeliverRequest.unsigned(peer, identity, channelId, seek());
        }

        /** The request signed with the builder's signer. */
        private DeliverRequest signed() {
            DeliverRequest request = newRequest();
            if (signer == null) {
                throw new IllegalStateException("signer must be set, or sign newRequest() elsewhere and open the "
                        + "stream with the method that takes a DeliverRequest");
            }
            return request.signedWith(signer);
        }

        private SeekRequest seek() {
            SeekRequest.Builder seek = SeekRequest.builder().channel(channelId).identity(identity).clock(clock)
                    .behavior(SeekInfo.SeekBehavior.BLOCK_UNTIL_READY);
            if (startBlock != null) {
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
