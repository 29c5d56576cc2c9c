package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import dev.weft.core.ChannelConfig;
import dev.weft.core.InternalApi;
import dev.weft.core.internal.Blocks;
import dev.weft.testnet.StateStore;
import dev.weft.testnet.internal.Capabilities;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.deliver.DeliverService;
import dev.weft.testnet.internal.discovery.DiscoveryService;
import dev.weft.testnet.internal.discovery.EndorsementLayouts;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.peer.lifecycle.StateData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel joined by the reference peer: its committed blocks, world state, current config
 * and chaincode definitions. Simulations hold the state read lock; commits hold the write lock,
 * so a simulation never sees half a block (Fabric's txmgr commit lock).
 */
@InternalApi
public final class PeerChannel implements DeliverService.Source, DiscoveryService.Channel {
    /** The {@code _lifecycle} namespace, where Fabric keeps chaincode definitions. */
    public static final String LIFECYCLE = "_lifecycle";
    private static final Logger log = LoggerFactory.getLogger(PeerChannel.class);

    private final String channelId;
    private final ChannelLedger ledger;
    private final StateStore state;
    private final Map<String, ChaincodeDefinition> chaincodes;
    private final Clock clock;
    private final VerifiedSignatures signatures;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile ChannelConfig config;
    private volatile String stoppedBecause;
    private byte[] commitHash = new byte[0];

    /**
     * Joins a channel from its genesis block (committing it if the ledger is empty), or resumes
     * one from stored blocks and state: state behind the block store (a crash between the two)
     * is brought up to date from the blocks.
     *
     * @throws dev.weft.testnet.UnsupportedCapabilityException if the config needs a capability the peer lacks
     */
    public PeerChannel(Block genesis, ChannelLedger ledger, StateStore state, List<ChaincodeDefinition> chaincodes,
            Clock clock, VerifiedSignatures signatures) {
        this.signatures = signatures;
        this.ledger = ledger;
        this.state = state;
        this.clock = clock;
        this.chaincodes = chaincodes.stream().collect(Collectors.toUnmodifiableMap(
                ChaincodeDefinition::name, c -> c));
        if (ledger.height() == 0) {
            ChannelConfig genesisConfig = ChannelConfig.fromBlock(genesis, clock);
            Capabilities.requireForPeer(genesisConfig);
            // The genesis block is committed as is, with one VALID flag and no commit hash (as Fabric does).
            ledger.append(genesis.toBuilder()
                    .setMetadata(genesis.getMetadata().toBuilder()
                            .setMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE, ByteString.copyFrom(new byte[1])))
                    .build());
        }
        recoverState();
        Block last = ledger.block(ledger.height() - 1);
        this.commitHash = StateCommitter.commitHashOf(last);
        this.config = ChannelConfig.fromBlock(ledger.block(Blocks.lastConfigIndex(last)), clock);
        this.channelId = config.channelId();
        Capabilities.requireForPeer(config);
    }

    /**
     * Brings the state up to the block store's height: the chaincode definitions on a new store,
     * then the valid writes of each block after the state's savepoint, as Fabric's peer recovers
     * its state database from its block files.
     */
    private void recoverState() {
        long savepoint = state.savepoint();
        if (savepoint < 0) {
            defineChaincodes();
            savepoint = 0;
        }
        long height = ledger.height();
        if (savepoint >= height) {
            // Fabric refuses this too: blocks are stored before state, so the block store lost blocks.
            throw new IllegalStateException("channel state is at block " + savepoint + " but the block store holds only "
                    + height + " blocks: blocks were lost or the state belongs to other blocks; remove the state "
                    + "store to rebuild it from the blocks");
        }
        if (savepoint + 1 < height) {
            log.info("replaying blocks {} to {} into a channel state whose savepoint is block {}", savepoint + 1,
                    height - 1, savepoint);
        }
        StateCommitter committer = new StateCommitter(state, ledger);
        for (long n = savepoint + 1; n < height; n++) {
            committer.apply(StateCommitter.updatesOf(ledger.block(n)), n);
        }
    }

    /**
     * Records each chaincode definition's sequence where Fabric's {@code _lifecycle} keeps it, so
     * that endorsements read it (and commits check that read) as on a real peer.
     */
    private void defineChaincodes() {
        for (ChaincodeDefinition cc : chaincodes.values()) {
            state.apply(List.of(new StateStore.Write(LIFECYCLE, sequenceKey(cc.name()),
                    StateData.newBuilder().setInt64(cc.sequence()).build().toByteArray())), 0, 0);
        }
        state.commit(0);
    }

    static String sequenceKey(String chaincode) {
        return "namespaces/fields/" + chaincode + "/Sequence";
    }

    public String channelId() {
        return channelId;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    void setConfig(ChannelConfig config) {
        this.config = config;
    }

    @Override
    public VerifiedSignatures signatures() {
        return signatures;
    }

    @Override
    public ChannelLedger ledger() {
        return ledger;
    }

    public StateStore state() {
        return state;
    }

    public ReadWriteLock lock() {
        return lock;
    }

    public Clock clock() {
        return clock;
    }

    public Optional<ChaincodeDefinition> chaincode(String name) {
        return Optional.ofNullable(chaincodes.get(name));
    }

    public Map<String, ChaincodeDefinition> chaincodes() {
        return chaincodes;
    }

    /** The channel as discovery sees it: its config now and each chaincode's policy and version (its sequence). */
    @Override
    public EndorsementLayouts.ChannelView view() {
        return new EndorsementLayouts.ChannelView(config, name -> chaincode(name).map(d ->
                new EndorsementLayouts.Definition(d.policy(), String.valueOf(d.sequence()))));
    }

    @Override
    public boolean errored() {
        return stoppedBecause != null;
    }

    /** Why the peer stopped the channel (a block it cannot commit), or empty while it runs. */
    public Optional<String> stoppedBecause() {
        return Optional.ofNullable(stoppedBecause);
    }

    /** Stops the channel: no block is committed on it any more, proposals are refused, saying why. */
    void stop(String why) {
        stoppedBecause = why;
    }

    byte[] commitHash() {
        return commitHash;
    }

    void setCommitHash(byte[] commitHash) {
        this.commitHash = commitHash;
    }
}
