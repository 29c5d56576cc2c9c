package dev.weft.handlers.internal;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.ChannelConfigException;
import dev.weft.core.InternalApi;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.TransactionException;
import dev.weft.core.TransactionStage;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.PeerHealthRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a channel's config block from its peers with {@code cscc GetConfigBlock}: the gateway's
 * own read, made directly on the peers' Endorser service and never through the application's
 * pipeline (its handlers and step customizations are for its transactions only), with its own
 * deadline. Peers are asked one at a time: the client's organisation first, peers that failed
 * recently last.
 *
 * <p>Thread-safe and stateless apart from the shared peer health record.
 */
@InternalApi
public final class ConfigReader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReader.class);

    private final String channelId;
    private final X509Identity identity;
    private final Signer signer;
    private final Supplier<List<Peer>> peers;
    private final PeerHealthRecord health;
    private final Scheduler scheduler;
    private final Duration timeout;

    /**
     * @param signer signs the read, or null when the gateway signs nothing itself (the application
     *     then signs {@link #proposal()} and reads with {@link #read(SignedProposal)})
     * @param peers the channel's peers that may answer
     * @param timeout how long one read may take, over every peer it asks
     */
    public ConfigReader(String channelId, X509Identity identity, Signer signer, Supplier<List<Peer>> peers,
            PeerHealthRecord health, Scheduler scheduler, Duration timeout) {
        this.channelId = channelId;
        this.identity = identity;
        this.signer = signer;
        this.peers = peers;
        this.health = health;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    /** The unsigned read: a proposal of {@code cscc GetConfigBlock(channel)} by the client identity. */
    public ChaincodeProposal proposal() {
        return ChaincodeProposal.builder().identity(identity).channel(channelId).chaincode("cscc")
                .function("GetConfigBlock").arguments(channelId).clock(scheduler.clock()).build();
    }

    /** Reads the config block, signing the read with the gateway's signer. */
    public CompletableFuture<ByteString> read() {
        if (signer == null) {
            return CompletableFuture.failedFuture(new ChannelConfigException("the config of channel " + channelId
                    + " is not known and this gateway has no signer to read it: sign Network.newConfigProposal() and "
                    + "give it to Network.loadChannelConfig, or build the gateway with a signer"));
        }
        ChaincodeProposal proposal = proposal();
        return read(proposal.sign(signer));
    }

    /** Reads the config block with a read signed elsewhere. */
    public CompletableFuture<ByteString> read(SignedProposal signed) {
        List<Peer> candidates = new ArrayList<>(peers.get());
        candidates.sort(Comparator.<Peer, Boolean>comparing(health::recentlyFailed)
                .thenComparing(p -> !p.mspId().equals(identity.mspId())));
        log.debug("reading the config of channel {} from {}", channelId, candidates);
        return OnePeerAtATime.ask(candidates, signed, scheduler.deadlineAfter(timeout), scheduler, health,
                        (peer, response) -> response.getResponse().getStatus() == 200 ? null
                                : new NodeError(peer.target(), peer.mspId(), String.valueOf(response.getResponse().getStatus()),
                                        response.getResponse().getMessage()),
                        call -> { })
                .handle((answer, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(answer.response().getResponse().getPayload());
                    }
                    Throwable cause = Futures.unwrap(error);
                    if (cause instanceof OnePeerAtATime.Exhausted exhausted) {
                        String why = exhausted.timedOut() ? "no peer answered within " + timeout.toMillis() + " ms"
                                : "no peer returned it";
                        return CompletableFuture.<ByteString>failedFuture(new TransactionException("the config block of "
                                + "channel " + channelId + " could not be read: " + why, "", TransactionStage.VALIDATE,
                                exhausted.errors(), null, true));
                    }
                    return CompletableFuture.<ByteString>failedFuture(cause);
                })
                .thenCompose(f -> f);
    }
}
