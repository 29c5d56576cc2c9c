package dev.weft.testnet.internal.orderer.raft;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.EndpointConfig;
import dev.weft.core.InternalApi;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.Chain;
import dev.weft.testnet.ConsenterSupport;
import dev.weft.testnet.OrderingException;
import dev.weft.testnet.internal.orderer.Batcher;
import dev.weft.testnet.internal.orderer.BroadcastRejection;
import dev.weft.testnet.internal.orderer.OrdererChannel;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockchainInfo;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SubmitRequest;
import org.hyperledger.fabric.protos.orderer.SubmitResponse;
import org.hyperledger.fabric.protos.orderer.etcdraft.BlockMetadata;
import org.hyperledger.fabric.protos.orderer.etcdraft.ConfigMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's ordering on a Raft cluster of orderers, replicated with Apache Ratis, in the
 * manner of Fabric's etcdraft chain: the leader cuts blocks (by count, size and batch timeout,
 * with the channel's block cutter) and proposes each block to the Raft group; every orderer,
 * the leader included, writes a block once Raft has committed it, signing its own copy and
 * putting the Raft metadata ({@code etcdraft.BlockMetadata}: consenter ids and the Raft index) in
 * the consenter's slot. Broadcast on a follower forwards the message to the leader; without a
 * leader (an election, or too few orderers up) it is refused with {@link OrderingException},
 * which Broadcast answers as {@code SERVICE_UNAVAILABLE}, as Fabric does.
 *
 * <p>The Raft log and snapshots are kept in the node's storage directory. The ledger is the state
 * machine: on restart the log after the last snapshot is replayed, blocks already in the ledger
 * are skipped, the rest written, so a restarted orderer catches up. Each SnapshotIntervalSize of
 * blocks (the channel's etcdraft option) a node snapshots the ledger's height and purges its log
 * up to there; a follower that lags behind the leader's purged log installs the leader's snapshot
 * and pulls the blocks it covers from the other orderers, as Fabric's etcdraft does. The leader creates blocks itself and keeps up to five in flight;
 * it starts ordering only once every entry of earlier terms is applied (Ratis' leader-ready
 * notification), and a block is written only if it extends the ledger, so blocks never fork.
 * Messages of a block that was not replicated or did not extend the ledger are ordered again, and
 * messages a deposed leader had not yet cut are handed to the new leader; only while there is no
 * leader are they dropped, and their clients' commit waits time out.
 */
@InternalApi
public final class RaftChain implements Chain {
    private static final Logger log = LoggerFactory.getLogger(RaftChain.class);
    private static final byte NORMAL = 0;
    private static final byte CONFIG = 1;
    private static final Message WRITTEN = Message.valueOf("written");
    private static final Message SKIPPED = Message.valueOf("skipped");

    /**
     * Where this orderer takes part in a channel's Raft group.
     *
     * @param nodeId this orderer's Raft id (its host name)
     * @param members every consenter's Raft id and {@code host:port}, in consenter-id order
     * @param storage the directory for the Raft log of this channel
     * @param tls this orderer's TLS key and certificate and the CAs it trusts: Raft traffic uses mutual TLS
     * @param otherOrderers the other orderers' Deliver endpoints (with this orderer's TLS client
     *     certificate where they require one): a follower that installs the leader's snapshot pulls
     *     the blocks it covers from them
     * @param durable whether an entry counts as logged only once it is on disk (fsync); false for
     *     a network whose ledgers are in memory
     */
    public record Settings(String nodeId, List<RaftPeer> members, Path storage, GrpcTlsConfig tls,
            List<EndpointConfig> otherOrderers, boolean durable) {
        public Settings {
            members = List.copyOf(members);
            otherOrderers = List.copyOf(otherOrderers);
        }

        int port() {
            String address = members.stream().filter(m -> m.getId().toString().equals(nodeId)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(nodeId + " is not a member")).getAddress();
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }
    }

    private final ConsenterSupport support;
    private final Settings settings;
    private final RaftGroup group;
    private final ExecutorService thread;
    private final CompletableFuture<Void> errored = new CompletableFuture<>();
    private final BlockStateMachine stateMachine = new BlockStateMachine();
    private RaftServer server;
    /** The Raft client this node forwards messages to the leader with. */
    private RaftClient client;
    /**
     * The client id of this node's block proposals, which it submits to its own Raft server
     * directly (no loopback RPC); only these may enter the log.
     */
    private final ClientId proposer = ClientId.randomId();
    private final AtomicLong proposals = new AtomicLong();
    private Parameters parameters;
    /** Proposals that failed in a row; the messages of the next failure wait longer before being ordered again. */
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private Forwarder forwarder;
    private volatile boolean halted;
    /** Set once this node leads and has applied every earlier entry; cleared when it stops leading. */
    private volatile boolean leaderReady;
    /** How long a proposed block may take to be committed before its messages are ordered again. */
    private static final Duration PROPOSAL_TIMEOUT = Duration.ofSeconds(10);
    /** Blocks proposed and not yet answered; Fabric's default MaxInflightBlocks. */
    private static final int MAX_IN_FLIGHT = 5;
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_IN_FLIGHT);
    private final Batcher batcher;
    /** Bytes of blocks written after which a snapshot is taken: the channel's SnapshotIntervalSize. */
    private final long snapshotInterval;
    // Written only on the ordering thread.
    /** The header of the last block this leader created, or null to start again from the ledger. */
    private BlockHeader creatorTip;
    /**
     * The header of the config block this leader proposed and has not seen applied, or null. While
     * one is in flight, messages wait in {@link #deferred} (Fabric's etcdraft stops taking them
     * until the config block commits): they must be checked against the config it makes.
     */
    private BlockHeader configInFlight;
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();

    public RaftChain(ConsenterSupport support, Settings settings) {
        this.support = support;
        this.settings = settings;
        this.snapshotInterval = snapshotIntervalSize(support);
        this.group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
                ("weft-raft/" + support.channelId()).getBytes(StandardCharsets.UTF_8))), settings.members());
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "weft-raft-" + settings.nodeId() + "-" + support.channelId());
            t.setDaemon(true);
            return t;
        });
        this.batcher = new Batcher(support, this::submitQuietly, new Batcher.Blocks() {
            @Override
            public void normal(List<Envelope> batch) {
                if (leading()) {
                    propose(NORMAL, nextBlock(batch));
                } else {
                    batch.forEach(envelope -> handOver(envelope, 0));
                }
            }

            @Override
            public void config(Envelope config) {
                Block block = nextBlock(List.of(config));
                configInFlight = block.getHeader();
                propose(CONFIG, block);
            }
        });
    }

    @Override
    public void start() {
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(settings.storage().toFile()));
        GrpcConfigKeys.Server.setPort(properties, settings.port());
        // Elections in well under a second on loopback; Fabric's defaults (ticks of 500 ms) are for WANs.
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        // The ledger is the state; a snapshot records its height and tip at a Raft index. One is taken
        // each time the channel's SnapshotIntervalSize of blocks has been written since the last (as
        // Fabric's etcdraft does), and the log is purged up to it, a closed segment at a time.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, false);
        RaftServerConfigKeys.Snapshot.setCreationGap(properties, 1);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgeGap(properties, 1);
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties,
                SizeInBytes.valueOf(Math.max(MIN_SEGMENT, Math.min(MAX_SEGMENT, snapshotInterval / 4))));
        parameters = new Parameters();
        GrpcConfigKeys.Server.setTlsConf(parameters, settings.tls());
        GrpcConfigKeys.Client.setTlsConf(parameters, settings.tls());
        GrpcConfigKeys.Admin.setTlsConf(parameters, settings.tls());
        boolean existing = Files.isDirectory(settings.storage().resolve(group.getGroupId().getUuid().toString()));
        try {
            Files.createDirectories(settings.storage());
            server = RaftServer.newBuilder()
                    .setServerId(RaftPeerId.valueOf(settings.nodeId()))
                    .setGroup(group)
                    .setStateMachine(stateMachine)
                    .setProperties(properties)
                    .setParameters(parameters)
                    .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Raft server of " + settings.nodeId() + " for channel "
                    + support.channelId() + " on port " + settings.port() + ": " + e.getMessage(), e);
        }
        client = newClient();
        // Unordered: forwards need no order among themselves, and an ordered window closes for good
        // once one of its requests runs out of retries.
        RaftClient forwarding = client;
        forwarder = new Forwarder(support.channelId(), message -> forwarding.async().sendReadOnlyUnordered(message));
        log.debug("raft chain for channel {} started on {} ({} members)", support.channelId(), settings.nodeId(),
                settings.members().size());
    }

    @Override
    public void order(Envelope envelope, long configSequence) {
        awaitAccepted(submit(NORMAL, envelope, configSequence));
    }

    /** On the leader: queued for ordering at once. On a follower: answered once the leader has taken it. */
    @Override
    public CompletableFuture<Void> orderAsync(Envelope envelope, long configSequence) {
        try {
            return submit(NORMAL, envelope, configSequence);
        } catch (OrderingException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void configure(Envelope config, long configSequence) {
        awaitAccepted(submit(CONFIG, config, configSequence));
    }

    /** On the leader: onto the ordering thread. On a follower: to the leader, or refused without one. */
    private CompletableFuture<Void> submit(byte type, Envelope envelope, long configSequence) {
        waitReady();
        if (leading()) {
            enqueue(type, envelope, configSequence);
            return CompletableFuture.completedFuture(null);
        }
        return forwarder.forward(submitRequest(envelope, configSequence));
    }

    /** Waits for a forward, bounded by the Raft client's retries (about ten seconds). */
    private static void awaitAccepted(CompletableFuture<Void> accepted) {
        try {
            accepted.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof OrderingException refused) {
                throw refused;
            }
            throw e;
        }
    }

    private SubmitRequest submitRequest(Envelope envelope, long configSequence) {
        return SubmitRequest.newBuilder().setChannel(support.channelId()).setLastValidationSeq(configSequence)
                .setPayload(envelope).build();
    }

    /**
     * A message this node accepted as leader but can no longer order (it lost leadership before
     * cutting it): forwarded to the new leader if there is one, else dropped (its client's commit
     * wait then times out, as when a Fabric leader changes).
     */
    private void handOver(Envelope envelope, long configSequence) {
        RaftPeerId leader = leaderId();
        if (leader != null && !leader.toString().equals(settings.nodeId())) {
            forwarder.forward(submitRequest(envelope, configSequence)).whenComplete((accepted, error) -> {
                if (error != null) {
                    log.warn("channel {}: {} lost leadership and could not hand a message to {}: {}",
                            support.channelId(), settings.nodeId(), leader, error.getMessage());
                }
            });
            return;
        }
        log.warn("channel {}: {} lost leadership and no leader can take a message it had accepted; it is dropped",
                support.channelId(), settings.nodeId());
    }

    private void enqueue(byte type, Envelope envelope, long configSequence) {
        Runnable order = () -> {
            if (!leading()) {
                handOver(envelope, configSequence);
                return;
            }
            if (type == CONFIG) {
                batcher.config(envelope, configSequence);
            } else {
                batcher.normal(envelope, configSequence);
            }
        };
        try {
            thread.execute(guarded(() -> {
                if (configInFlight != null) {
                    deferred.add(order);
                } else {
                    order.run();
                }
            }));
        } catch (RejectedExecutionException e) {
            throw new OrderingException("the raft chain of channel " + support.channelId() + " has halted");
        }
    }

    @Override
    public void waitReady() {
        if (halted) {
            throw new OrderingException("the raft chain of channel " + support.channelId() + " has halted");
        }
        if (!leading() && leaderId() == null) {
            throw new OrderingException("channel " + support.channelId() + " has no Raft leader now (an election is "
                    + "under way, or fewer than a majority of its " + settings.members().size()
                    + " orderers are reachable); retry");
        }
    }

    /** The current leader's Raft id as this node knows it, or null. */
    private RaftPeerId leaderId() {
        if (server == null) {
            return null;
        }
        try {
            RaftServer.Division division = server.getDivision(group.getGroupId());
            return division.getInfo().getLeaderId();
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether this node leads the channel's group and may order. */
    public boolean isLeader() {
        return leading();
    }

    /**
     * Ready as leader, and still the leader as Ratis sees it: a leader that lost its majority
     * steps down within an election timeout, before it is told of a new leader.
     */
    private boolean leading() {
        if (!leaderReady || server == null) {
            return false;
        }
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public CompletableFuture<Void> errored() {
        return errored;
    }

    @Override
    public void halt() {
        halted = true;
        leaderReady = false;
        batcher.cancelTimer();
        if (forwarder != null) {
            forwarder.close();
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            log.warn("channel {}: closing the Raft server of {}: {}", support.channelId(), settings.nodeId(),
                    e.getMessage());
        }
        errored.completeExceptionally(new OrderingException("the raft chain of channel " + support.channelId()
                + " has halted"));
    }

    /** Fabric's default SnapshotIntervalSize, for a config that sets none. */
    private static final long DEFAULT_SNAPSHOT_INTERVAL = 16L << 20;
    /** Raft log segments are a quarter of the snapshot interval, within these bounds, so purging frees space. */
    private static final long MIN_SEGMENT = 64L << 10;
    private static final long MAX_SEGMENT = 8L << 20;

    /** The channel's {@code etcdraft.Options.snapshot_interval_size}, or Fabric's default of 16 MB. */
    private static long snapshotIntervalSize(ConsenterSupport support) {
        return support.sharedConfig().consensusType().map(type -> {
            try {
                return (long) ConfigMetadata.parseFrom(type.getMetadata()).getOptions().getSnapshotIntervalSize();
            } catch (InvalidProtocolBufferException e) {
                return 0L;
            }
        }).filter(size -> size > 0).orElse(DEFAULT_SNAPSHOT_INTERVAL);
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("raft chain of channel {} on {} failed and halts", support.channelId(), settings.nodeId(), e);
                halted = true;
                errored.completeExceptionally(e);
                thread.shutdownNow();
            }
        };
    }

    /**
     * The next block after the last one this leader created (or, when it starts leading or a
     * proposal failed, after the ledger's last block, once every proposal in flight has ended).
     * The chain creates its own blocks, as Fabric's etcdraft does, so that several can be in flight.
     */
    private Block nextBlock(List<Envelope> batch) {
        if (creatorTip == null) {
            inFlight.acquireUninterruptibly(MAX_IN_FLIGHT); // wait out the proposals still in flight
            inFlight.release(MAX_IN_FLIGHT);
            creatorTip = support.block(support.height() - 1).orElseThrow().getHeader();
        }
        Block block = OrdererChannel.newBlock(creatorTip, batch);
        creatorTip = block.getHeader();
        return block;
    }

    /**
     * The Raft client this node forwards with. A request gives up after about ten seconds (three
     * tries of at most Ratis' 3 s, 100 ms apart); a forward then answers SERVICE_UNAVAILABLE and
     * the application's client retries elsewhere.
     */
    private RaftClient newClient() {
        RaftProperties clientProperties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(clientProperties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return RaftClient.newBuilder()
                .setProperties(clientProperties)
                .setParameters(parameters)
                .setRaftGroup(group)
                .setLeaderId(RaftPeerId.valueOf(settings.nodeId()))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
                        TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }

    /**
     * Replicates a block without waiting for it: up to {@value #MAX_IN_FLIGHT} blocks are in
     * flight (Fabric's MaxInflightBlocks). When a proposal fails (this node lost leadership), the
     * next block is created after the ledger's last one again, and the block's messages are
     * ordered again; blocks proposed after it do not extend the chain, are not written, and their
     * messages are ordered again too.
     */
    private void propose(byte type, Block block) {
        byte[] entry = new byte[1 + block.getSerializedSize()];
        entry[0] = type;
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(entry, 1, entry.length - 1);
            block.writeTo(out);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize block " + block.getHeader().getNumber(), e);
        }
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(proposer)
                .setLeaderId(RaftPeerId.valueOf(settings.nodeId()))
                .setGroupId(group.getGroupId())
                .setCallId(proposals.incrementAndGet())
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry))) // not written to again
                .setType(RaftClientRequest.writeRequestType())
                .build();
        inFlight.acquireUninterruptibly();
        CompletableFuture<RaftClientReply> sent;
        try {
            // Bounded: a leader cut off from its majority steps down and fails its pending entries, but
            // no proposal waits longer than this in any case (its messages are then ordered again).
            sent = server.submitClientRequestAsync(request).orTimeout(PROPOSAL_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((reply, error) -> {
            inFlight.release();
            if (error != null || !reply.isSuccess()) {
                failed(block, error != null ? error : reply.getException());
            } else {
                failuresInARow.set(0);
            }
        });
    }

    /**
     * A block that was not replicated: its messages are ordered again, after a back-off that grows
     * while proposals keep failing (25 ms doubling to 1 s), so a node that cannot replicate does not
     * spin.
     */
    private void failed(Block block, Throwable why) {
        int failures = failuresInARow.incrementAndGet();
        log.warn("channel {}: block {} was not replicated ({}); its {} messages are ordered again",
                support.channelId(), block.getHeader().getNumber(), why, block.getData().getDataCount());
        Duration backOff = Duration.ofMillis(Math.min(1000, 25L << Math.min(failures - 1, 6)));
        support.scheduler().schedule(backOff, () -> submitQuietly(() -> reordered(block)));
    }

    /**
     * On the ordering thread: a block of this leader's that will not be written is ordered again,
     * after the ledger's last block; if it was the config block in flight, the messages that
     * waited for it go on.
     */
    private void reordered(Block block) {
        creatorTip = null;
        if (block.getHeader().equals(configInFlight)) {
            configInFlight = null;
        }
        reorder(block);
        orderDeferred();
    }

    /** On the ordering thread: the messages that waited for a config block, until another config is in flight. */
    private void orderDeferred() {
        while (configInFlight == null && !deferred.isEmpty()) {
            deferred.poll().run();
        }
    }

    /** On the ordering thread: a config block was written (or this node stopped leading); what waited goes on. */
    private void configSettled(long writtenNumber) {
        if (configInFlight != null && configInFlight.getNumber() <= writtenNumber) {
            configInFlight = null;
        }
        orderDeferred();
    }

    /**
     * Orders a block's messages again, here if this node still leads, else on the new leader: a
     * block that was not replicated, or that did not extend the ledger when it was committed. A
     * message that was in fact ordered already is then a duplicate, which peers mark
     * DUPLICATE_TXID, as Fabric's do.
     */
    private void reorder(Block block) {
        for (com.google.protobuf.ByteString data : block.getData().getDataList()) {
            Envelope envelope;
            try {
                envelope = Envelope.parseFrom(data);
            } catch (InvalidProtocolBufferException e) {
                continue; // the leader made this block from parsed envelopes
            }
            if (!leading()) {
                handOver(envelope, 0);
            } else if (isConfig(envelope)) {
                batcher.config(envelope, 0); // made again from its update if the config has moved on
            } else {
                batcher.normal(envelope, 0);
            }
        }
    }

    private static boolean isConfig(Envelope envelope) {
        try {
            return OrdererChannel.channelHeader(envelope).getType() == HeaderType.CONFIG_VALUE;
        } catch (BroadcastRejection e) {
            return false;
        }
    }

    private void submitQuietly(Runnable task) {
        try {
            thread.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // halted
        }
    }

    /** The consenter metadata of a block at a Raft index: Fabric's {@code etcdraft.BlockMetadata}. */
    private byte[] raftMetadata(long raftIndex) {
        BlockMetadata.Builder metadata = BlockMetadata.newBuilder().setRaftIndex(raftIndex)
                .setNextConsenterId(settings.members().size() + 1L);
        for (int i = 1; i <= settings.members().size(); i++) {
            metadata.addConsenterIds(i);
        }
        return metadata.build().toByteArray();
    }

    /**
     * The Raft state machine: the channel's ledger. A snapshot is Fabric's
     * {@code common.BlockchainInfo} of the ledger (height, hash of the last block) at the last
     * applied entry. A follower that lagged behind the leader's purged log installs the leader's
     * snapshot; before any later entry is applied it pulls the blocks the snapshot covers from the
     * other orderers ({@link CatchUp}).
     */
    private final class BlockStateMachine extends BaseStateMachine {
        private final SimpleStateMachineStorage snapshots = new SimpleStateMachineStorage();
        // On Ratis' state-machine thread.
        private long bytesSinceSnapshot;
        private final AtomicBoolean snapshotAsked = new AtomicBoolean();

        @Override
        public void initialize(RaftServer raftServer, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
            getLifeCycle().startAndTransition(() -> {
                super.initialize(raftServer, groupId, raftStorage);
                snapshots.init(raftStorage);
                load(snapshots.loadLatestSnapshot());
            });
        }

        /** Before a snapshot from the leader is installed; Ratis then calls {@link #reinitialize()}. */
        @Override
        public synchronized void pause() {
            if (getLifeCycleState() == LifeCycle.State.RUNNING) {
                getLifeCycle().transition(LifeCycle.State.PAUSING);
                getLifeCycle().transition(LifeCycle.State.PAUSED);
            }
        }

        /** After a snapshot from the leader was installed: on Ratis' state-machine thread, before any later entry. */
        @Override
        public synchronized void reinitialize() throws IOException {
            load(snapshots.loadLatestSnapshot());
            if (getLifeCycleState() == LifeCycle.State.PAUSED) {
                getLifeCycle().transition(LifeCycle.State.STARTING);
                getLifeCycle().transition(LifeCycle.State.RUNNING);
            }
        }

        @Override
        public SimpleStateMachineStorage getStateMachineStorage() {
            return snapshots;
        }

        /** The ledger as a snapshot records it, pulling the blocks it lacks up to the snapshot's height. */
        private void load(SingleFileSnapshotInfo snapshot) throws IOException {
            if (snapshot == null || !Files.exists(snapshot.getFile().getPath())) {
                return;
            }
            if (snapshot.getFile().getFileDigest() != null) {
                MD5FileUtil.verifySavedMD5(snapshot.getFile().getPath().toFile(), snapshot.getFile().getFileDigest());
            }
            BlockchainInfo ledger = BlockchainInfo.parseFrom(Files.readAllBytes(snapshot.getFile().getPath()));
            try {
                CatchUp.toHeight(support, settings.nodeId(), settings.otherOrderers(), ledger.getHeight(),
                        () -> halted);
                // The ledger must hold the very chain the snapshot recorded, not just as many blocks.
                com.google.protobuf.ByteString tip = com.google.protobuf.ByteString.copyFrom(Blocks.headerHash(
                        support.block(ledger.getHeight() - 1).orElseThrow().getHeader()));
                if (!tip.equals(ledger.getCurrentBlockHash())) {
                    throw new OrderingException("channel " + support.channelId() + ": block " + (ledger.getHeight() - 1)
                            + " of " + settings.nodeId() + "'s ledger is not the one its Raft snapshot "
                            + snapshot.getFile().getPath().getFileName() + " records; the ledger and the Raft log "
                            + "disagree and the orderer cannot go on");
                }
            } catch (OrderingException e) {
                halted = true;
                errored.completeExceptionally(e);
                throw new IOException(e.getMessage(), e);
            }
            TermIndex last = snapshot.getTermIndex();
            if (last.compareTo(getLastAppliedTermIndex()) > 0) {
                setLastAppliedTermIndex(last);
            }
        }

        /** The ledger's height and last block hash at the last applied entry. On Ratis' state-machine thread. */
        @Override
        public long takeSnapshot() throws IOException {
            TermIndex last = getLastAppliedTermIndex();
            long height = support.height();
            if (last == null || last.getIndex() < 0 || height == 0) {
                return RaftLog.INVALID_LOG_INDEX;
            }
            BlockchainInfo ledger = BlockchainInfo.newBuilder().setHeight(height)
                    .setCurrentBlockHash(com.google.protobuf.ByteString.copyFrom(Blocks.headerHash(
                            support.block(height - 1).orElseThrow().getHeader())))
                    .build();
            File file = snapshots.getSnapshotFile(last.getTerm(), last.getIndex());
            Path temporary = file.toPath().resolveSibling(file.getName() + ".tmp");
            Files.write(temporary, ledger.toByteArray());
            Files.move(temporary, file.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
            snapshots.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
            log.debug("channel {}: {} took a Raft snapshot at entry {}, height {}", support.channelId(),
                    settings.nodeId(), last.getIndex(), height);
            return last.getIndex();
        }

        /** Asks Ratis for a snapshot once SnapshotIntervalSize bytes of blocks were written since the last. */
        private void snapshotIfDue(int bytes) {
            bytesSinceSnapshot += bytes;
            if (bytesSinceSnapshot < snapshotInterval || !snapshotAsked.compareAndSet(false, true)) {
                return;
            }
            bytesSinceSnapshot = 0;
            try {
                server.snapshotManagementAsync(SnapshotManagementRequest.newCreate(ClientId.randomId(),
                        RaftPeerId.valueOf(settings.nodeId()), group.getGroupId(), 0, 60_000))
                        .whenComplete((reply, error) -> {
                            snapshotAsked.set(false);
                            if (error != null || !reply.isSuccess()) {
                                log.warn("channel {}: {} could not take a Raft snapshot: {}", support.channelId(),
                                        settings.nodeId(), error != null ? error : reply.getException());
                            }
                        });
            } catch (RuntimeException e) {
                snapshotAsked.set(false);
                log.warn("channel {}: {} could not ask for a Raft snapshot: {}", support.channelId(), settings.nodeId(),
                        e.toString());
            }
        }

        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            var logEntry = trx.getLogEntry();
            ByteString data = logEntry.getStateMachineLogEntry().getLogData();
            try {
                ByteBuffer block = data.asReadOnlyByteBuffer();
                byte type = block.get();
                Message result = apply(type, Block.parseFrom(block), logEntry.getIndex());
                updateLastAppliedTermIndex(logEntry.getTerm(), logEntry.getIndex());
                if (result == WRITTEN) {
                    snapshotIfDue(data.size());
                }
                return CompletableFuture.completedFuture(result);
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                log.error("channel {}: Raft entry {} cannot be written on {}", support.channelId(),
                        logEntry.getIndex(), settings.nodeId(), e);
                halted = true;
                errored.completeExceptionally(e);
                return CompletableFuture.failedFuture(e);
            }
        }

        private Message apply(byte type, Block block, long index) {
            long number = block.getHeader().getNumber();
            long height = support.height();
            if (number < height) {
                if (support.block(number).orElseThrow().getHeader().equals(block.getHeader())) {
                    return SKIPPED; // replayed after a restart: the ledger has it
                }
                // Another block got this number first; the leader orders this one's messages again.
                log.warn("channel {}: Raft entry {} holds a block {} other than the one written; its {} messages are "
                        + "ordered again", support.channelId(), index, number, block.getData().getDataCount());
                if (leading()) {
                    submitQuietly(() -> reordered(block));
                }
                return SKIPPED;
            }
            Block tip = support.block(height - 1).orElseThrow();
            if (number > height || !block.getHeader().getPreviousHash().equals(
                    com.google.protobuf.ByteString.copyFrom(Blocks.headerHash(tip.getHeader())))) {
                // Proposed after a block that was never written: it does not extend the chain. The
                // leader orders its messages again.
                log.warn("channel {}: Raft entry {} holds block {} that does not extend the ledger (height {}); its {} "
                        + "messages are ordered again", support.channelId(), index, number, height,
                        block.getData().getDataCount());
                if (leading()) {
                    submitQuietly(() -> reordered(block));
                }
                return SKIPPED;
            }
            if (type == CONFIG) {
                support.writeConfigBlock(block, raftMetadata(index));
                submitQuietly(() -> configSettled(number));
            } else {
                support.writeBlock(block, raftMetadata(index));
            }
            return WRITTEN;
        }

        /**
         * Only this node's own proposals go into the log, and only while it leads (Ratis refuses
         * them otherwise): no other client of the group writes. A deposed leader's proposal fails
         * and its messages are ordered again.
         */
        @Override
        public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
            if (!request.getClientId().equals(proposer)) {
                throw new IOException("only the leader's own blocks are proposed; this one came from "
                        + request.getClientId());
            }
            return super.startTransaction(request);
        }

        /**
         * A batch of messages a follower forwarded ({@link Forwarder}): each ordered here if this
         * node leads, else refused; the answer says which, message by message.
         */
        @Override
        public CompletableFuture<Message> query(Message request) {
            List<SubmitRequest> requests;
            try {
                requests = Forwarder.decode(request.getContent().newInput(),
                        SubmitRequest.parser()::parseDelimitedFrom);
            } catch (IOException e) {
                requests = List.of(); // the follower finds no answers and refuses its messages
            }
            List<SubmitResponse> answers = new ArrayList<>(requests.size());
            for (SubmitRequest forwarded : requests) {
                answers.add(take(forwarded));
            }
            return CompletableFuture.completedFuture(Message.valueOf(Forwarder.answer(answers)));
        }

        private SubmitResponse take(SubmitRequest forwarded) {
            SubmitResponse.Builder answer = SubmitResponse.newBuilder().setChannel(support.channelId());
            if (!forwarded.getChannel().equals(support.channelId())) {
                return answer.setStatus(Status.BAD_REQUEST).setInfo("forwarded for channel " + forwarded.getChannel()
                        + " to the Raft group of channel " + support.channelId()).build();
            }
            if (!leading()) {
                return answer.setStatus(Status.SERVICE_UNAVAILABLE).setInfo(settings.nodeId()
                        + " is not the ready leader").build();
            }
            try {
                byte type = OrdererChannel.channelHeader(forwarded.getPayload()).getType() == HeaderType.CONFIG_VALUE
                        ? CONFIG : NORMAL;
                enqueue(type, forwarded.getPayload(), forwarded.getLastValidationSeq());
                return answer.setStatus(Status.SUCCESS).build();
            } catch (BroadcastRejection e) {
                return answer.setStatus(e.status()).setInfo(e.getMessage()).build();
            } catch (OrderingException e) {
                return answer.setStatus(Status.SERVICE_UNAVAILABLE).setInfo(e.getMessage()).build();
            }
        }

        @Override
        public void notifyLeaderReady() {
            log.info("channel {}: {} leads the Raft group (term {})", support.channelId(), settings.nodeId(),
                    leaderTerm());
            submitQuietly(() -> {
                creatorTip = null; // the next block follows the ledger's last
                configInFlight = null;
            });
            leaderReady = true;
        }

        @Override
        public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId leader) {
            // leader is null while there is none (this node stepped down, an election is on).
            if ((leader == null || !settings.nodeId().equals(leader.toString())) && leaderReady) {
                leaderReady = false;
                submitQuietly(() -> {
                    // Messages not yet cut go to the new leader; validated at sequence 0, it re-checks
                    // them if the config has changed since.
                    for (Envelope envelope : batcher.takePending()) {
                        handOver(envelope, 0);
                    }
                    configInFlight = null;
                    orderDeferred(); // not leading: each goes to the new leader
                });
            }
        }

        private long leaderTerm() {
            try {
                return server.getDivision(group.getGroupId()).getInfo().getCurrentTerm();
            } catch (IOException e) {
                return -1;
            }
        }
    }
}
