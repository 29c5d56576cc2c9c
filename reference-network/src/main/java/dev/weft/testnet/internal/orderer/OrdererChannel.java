package dev.weft.testnet.internal.orderer;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.InternalApi;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.TransactionId;
import dev.weft.core.WeftException;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Blocks;
import dev.weft.core.internal.Envelopes;
import dev.weft.testnet.BlockCutter;
import dev.weft.testnet.Chain;
import dev.weft.testnet.Consenter;
import dev.weft.testnet.ConsenterSupport;
import dev.weft.testnet.OrderingException;
import dev.weft.testnet.internal.Capabilities;
import dev.weft.testnet.internal.SignedData;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.config.ConfigUpdates;
import dev.weft.testnet.internal.deliver.DeliverService;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.peer.validation.BlockVerifier;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.ConfigEnvelope;
import org.hyperledger.fabric.protos.common.ConfigGroup;
import org.hyperledger.fabric.protos.common.ConfigValue;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.LastConfig;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.MetadataSignature;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.msp.FabricMSPConfig;
import org.hyperledger.fabric.protos.msp.MSPConfig;
import org.hyperledger.fabric.protos.orderer.ConsensusType;
import org.hyperledger.fabric.protos.orderer.etcdraft.ConfigMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel on the reference orderer: its ledger and current config, the checks Broadcast
 * makes on a normal message (Fabric's {@code msgprocessor} filters: empty, size, expiration,
 * {@code /Channel/Writers} signature policy), and block creation and signing as Fabric's
 * {@code BlockWriter} does them. Implements {@link ConsenterSupport} for the channel's chain.
 */
@InternalApi
public final class OrdererChannel implements ConsenterSupport, DeliverService.Source {
    private static final Logger log = LoggerFactory.getLogger(OrdererChannel.class);

    private final String channelId;
    private final ChannelLedger ledger;
    private final X509Identity identity;
    private final Signer signer;
    private final Scheduler scheduler;
    private final Clock clock;
    private final BlockCutter cutter;
    private final Chain chain;
    private final VerifiedSignatures signatures;
    private volatile ChannelConfig config;
    private long lastConfigIndex;
    private BlockHeader lastHeader;

    /**
     * Opens a channel from its ledger (appending the genesis block if the ledger is empty) and
     * starts its chain.
     *
     * @throws dev.weft.testnet.UnsupportedCapabilityException if the config needs a capability the orderer lacks
     */
    public OrdererChannel(Block genesis, ChannelLedger ledger, X509Identity identity, Signer signer,
            Consenter consenter, Scheduler scheduler, Clock clock, VerifiedSignatures signatures) {
        this.signatures = signatures;
        this.ledger = ledger;
        this.identity = identity;
        this.signer = signer;
        this.scheduler = scheduler;
        this.clock = clock;
        if (ledger.height() == 0) {
            ledger.append(genesis);
        }
        Block last = ledger.block(ledger.height() - 1);
        this.lastHeader = last.getHeader();
        this.lastConfigIndex = Blocks.lastConfigIndex(last);
        this.config = ChannelConfig.fromBlock(ledger.block(lastConfigIndex), clock);
        this.channelId = config.channelId();
        Capabilities.requireForOrderer(config);
        this.cutter = new DefaultBlockCutter(() -> config.batchSize().orElseThrow());
        this.chain = consenter.handleChain(this, consenterMetadataOf(last));
        chain.start();
    }

    public Chain chain() {
        return chain;
    }

    @Override
    public ChannelLedger ledger() {
        return ledger;
    }

    @Override
    public VerifiedSignatures signatures() {
        return signatures;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean errored() {
        return chain.errored().isDone();
    }

    @Override
    public String channelId() {
        return channelId;
    }

    @Override
    public BlockCutter blockCutter() {
        return cutter;
    }

    @Override
    public ChannelConfig sharedConfig() {
        return config;
    }

    @Override
    public long sequence() {
        return config.sequence();
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public long height() {
        return ledger.height();
    }

    /**
     * Broadcast's checks on a normal message, in Fabric's order. Returns the config sequence the
     * message was validated at.
     */
    public long processNormalMessage(Envelope envelope) throws BroadcastRejection {
        ChannelConfig current = config;
        checkFilters(envelope, current);
        return current.sequence();
    }

    /** A config message ready to order: the orderer's CONFIG envelope and the config sequence it was made at. */
    public record ConfigMessage(Envelope config, long sequence) {
    }

    /**
     * Broadcast's processing of a {@code CONFIG_UPDATE}, as Fabric's {@code ProcessConfigUpdateMsg}:
     * the checks of a normal message; the update applied to the current config (read-set versions,
     * the mod_policies of what it changes, satisfied by its signatures); the new config checked as
     * one this orderer can run (known capabilities, the same consensus type, consenters and MSP
     * IDs); and the result wrapped in a {@code CONFIG} envelope this orderer signs.
     *
     * @throws BroadcastRejection with Fabric's status and message when the update is refused
     */
    public ConfigMessage processConfigUpdate(Envelope update) throws BroadcastRejection {
        ChannelConfig current = config;
        try {
            checkFilters(update, current);
        } catch (BroadcastRejection e) {
            throw new BroadcastRejection(e.status(), "config update for existing channel did not pass initial checks: "
                    + e.getMessage());
        }
        ConfigEnvelope proposed;
        try {
            proposed = ConfigUpdates.propose(current, update, signatures);
            ChannelConfig next = ChannelConfig.fromConfig(channelId, proposed.getConfig(), clock);
            checkNew(current, next);
        } catch (WeftException e) {
            throw new BroadcastRejection(Status.BAD_REQUEST, "error applying config update to existing channel '"
                    + channelId + "': " + e.getMessage());
        }
        Envelope configEnvelope = Envelopes.signed(HeaderType.CONFIG, channelId, identity, signer, proposed.toByteString(),
                clock.instant());
        try {
            checkFilters(configEnvelope, current);
        } catch (BroadcastRejection e) {
            throw new BroadcastRejection(e.status(), "config update for existing channel did not pass final checks: "
                    + e.getMessage());
        }
        return new ConfigMessage(configEnvelope, current.sequence());
    }

    /**
     * A config message validated at an older sequence, made again from its update against the
     * config now (Fabric's {@code ProcessConfigMsg}).
     */
    @Override
    public Envelope reprocessConfig(Envelope config) {
        try {
            ConfigEnvelope envelope = ConfigEnvelope.parseFrom(Payload.parseFrom(config.getPayload()).getData());
            return processConfigUpdate(envelope.getLastUpdate()).config();
        } catch (InvalidProtocolBufferException e) {
            throw new WeftException("not a config envelope: " + e.getMessage());
        } catch (BroadcastRejection e) {
            throw new WeftException(e.getMessage());
        }
    }

    /**
     * Fabric's checks of a new config against the current one ({@code checkResources},
     * {@code ValidateNew}, the consensus metadata): capabilities this node supports (the
     * application's too, so that no peer of this network has to stop the channel), the
     * consensus type, the consenter set and every organisation's MSP ID unchanged.
     */
    private static void checkNew(ChannelConfig current, ChannelConfig next) {
        try {
            Capabilities.requireForOrderer(next);
            Capabilities.requireForPeer(next);
        } catch (WeftException e) {
            throw new WeftException("config update is not compatible: " + e.getMessage());
        }
        String type = current.consensusType().map(ConsensusType::getType).orElse("");
        String nextType = next.consensusType().map(ConsensusType::getType).orElse("");
        if (!type.equals(nextType)) {
            throw new WeftException("attempted to change consensus type from " + type + " to " + nextType);
        }
        if (!consenters(current).equals(consenters(next))) {
            throw new WeftException("consensus metadata update for channel config update is invalid: the reference "
                    + "network cannot change a channel's consenter set yet (the consenters of channel "
                    + current.channelId() + " stay as they are)");
        }
        for (String section : List.of(ChannelConfig.ORDERER, ChannelConfig.APPLICATION)) {
            if (current.config().getChannelGroup().containsGroups(section)
                    && !next.config().getChannelGroup().containsGroups(section)) {
                throw new WeftException("current config has " + section.toLowerCase(Locale.ROOT)
                        + " section, but new config does not");
            }
            Map<String, String> before = mspIds(current, section);
            Map<String, String> after = mspIds(next, section);
            for (Map.Entry<String, String> org : before.entrySet()) {
                String nextId = after.get(org.getKey());
                if (nextId != null && !nextId.equals(org.getValue())) {
                    throw new WeftException(section.toLowerCase(Locale.ROOT) + " org " + org.getKey()
                            + " attempted to change MSP ID from " + org.getValue() + " to " + nextId);
                }
            }
        }
    }

    /** The etcdraft consenters of a config, or an empty list for another consensus type. */
    private static List<org.hyperledger.fabric.protos.orderer.etcdraft.Consenter> consenters(ChannelConfig config) {
        return config.consensusType().filter(type -> type.getType().equals("etcdraft")).map(type -> {
            try {
                return ConfigMetadata.parseFrom(type.getMetadata()).getConsentersList();
            } catch (InvalidProtocolBufferException e) {
                throw new WeftException("the etcdraft metadata of channel " + config.channelId() + " is malformed");
            }
        }).orElse(List.of());
    }

    /** Each organisation of a section (Orderer or Application) by group name, with its MSP ID. */
    private static Map<String, String> mspIds(ChannelConfig config, String section) {
        Map<String, String> ids = new TreeMap<>();
        ConfigGroup group = config.config().getChannelGroup().getGroupsOrDefault(section, ConfigGroup.getDefaultInstance());
        group.getGroupsMap().forEach((name, org) -> {
            ConfigValue msp = org.getValuesMap().get("MSP");
            if (msp != null) {
                try {
                    ids.put(name, FabricMSPConfig.parseFrom(MSPConfig.parseFrom(msp.getValue()).getConfig()).getName());
                } catch (InvalidProtocolBufferException e) {
                    throw new WeftException("the MSP of organisation " + name + " is malformed");
                }
            }
        });
        return ids;
    }

    /** Fabric's standard channel filters: not empty, within AbsoluteMaxBytes, creator not expired, a Writer's signature. */
    private void checkFilters(Envelope envelope, ChannelConfig current) throws BroadcastRejection {
        if (envelope.getPayload().isEmpty()) {
            throw new BroadcastRejection(Status.BAD_REQUEST, "message was empty");
        }
        long size = DefaultBlockCutter.sizeOf(envelope);
        long max = Integer.toUnsignedLong(current.batchSize().orElseThrow().getAbsoluteMaxBytes());
        if (size > max) {
            throw new BroadcastRejection(Status.BAD_REQUEST, "message payload is " + size
                    + " bytes and exceeds maximum allowed " + max + " bytes");
        }
        SignatureHeader signatureHeader = signatureHeader(envelope);
        Instant now = clock.instant();
        Optional<X509Certificate> creatorCert = certificateOf(signatureHeader.getCreator());
        if (creatorCert.isPresent() && now.isAfter(creatorCert.get().getNotAfter().toInstant())) {
            throw new BroadcastRejection(Status.BAD_REQUEST, "broadcast client identity expired");
        }
        Optional<String> denied = new SignedData(signatureHeader.getCreator(), envelope.getPayload(),
                envelope.getSignature()).check(current, "/Channel/Writers", now, signatures);
        if (denied.isPresent()) {
            throw new BroadcastRejection(Status.FORBIDDEN, "SigFilter evaluation failed: " + denied.get());
        }
    }

    @Override
    public void revalidate(Envelope envelope) {
        try {
            processNormalMessage(envelope);
        } catch (BroadcastRejection e) {
            throw new WeftException(e.getMessage());
        }
    }

    @Override
    public synchronized Block createNextBlock(List<Envelope> batch) {
        Block block = newBlock(lastHeader, batch);
        lastHeader = block.getHeader();
        return block;
    }

    /**
     * A block of a batch after {@code parent}: number, previous hash, data hash, and Fabric's five
     * empty metadata slots (the writer fills SIGNATURES, LAST_CONFIG and the committer's).
     */
    public static Block newBlock(BlockHeader parent, List<Envelope> batch) {
        BlockData.Builder data = BlockData.newBuilder();
        for (Envelope envelope : batch) {
            data.addData(envelope.toByteString());
        }
        BlockData blockData = data.build();
        BlockHeader header = BlockHeader.newBuilder()
                .setNumber(parent.getNumber() + 1)
                .setPreviousHash(ByteString.copyFrom(Blocks.headerHash(parent)))
                .setDataHash(ByteString.copyFrom(Blocks.dataHash(blockData)))
                .build();
        BlockMetadata.Builder metadata = BlockMetadata.newBuilder();
        for (int i = 0; i < 5; i++) {
            metadata.addMetadata(ByteString.EMPTY);
        }
        return Block.newBuilder().setHeader(header).setData(blockData).setMetadata(metadata).build();
    }

    @Override
    public Optional<Block> block(long number) {
        return number >= 0 && number < ledger.height() ? Optional.of(ledger.block(number)) : Optional.empty();
    }

    @Override
    public X509Identity identity() {
        return identity;
    }

    @Override
    public byte[] sign(byte[] message) {
        return signer.sign(message);
    }

    @Override
    public void verifyBlockSignature(Block block) {
        if (!BlockVerifier.signedAsBlockValidationRequires(block, config, clock.instant(), signatures)) {
            throw new WeftException("block " + block.getHeader().getNumber() + " of channel " + channelId
                    + " is not signed as " + BlockVerifier.BLOCK_VALIDATION + " requires");
        }
    }

    /** The consenter metadata in a block's SIGNATURES slot, or empty (the genesis block has none). */
    static byte[] consenterMetadataOf(Block block) {
        if (block.getMetadata().getMetadataCount() == 0) {
            return new byte[0];
        }
        try {
            Metadata signatures = Metadata.parseFrom(block.getMetadata().getMetadata(0));
            return Metadata.parseFrom(OrdererBlockMetadata.parseFrom(signatures.getValue()).getConsenterMetadata())
                    .getValue().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            return new byte[0];
        }
    }

    @Override
    public void writeBlock(Block block, byte[] consenterMetadata) {
        synchronized (this) {
            lastHeader = block.getHeader(); // a block another orderer of a cluster created
        }
        ledger.append(sign(block, consenterMetadata));
        log.debug("channel {}: wrote block {} with {} transactions", channelId, block.getHeader().getNumber(),
                block.getData().getDataCount());
    }

    @Override
    public void writeConfigBlock(Block block, byte[] consenterMetadata) {
        ChannelConfig next = ChannelConfig.fromBlock(block, clock);
        if (next.sequence() != config.sequence() + 1) {
            // Two config blocks made from one sequence: writing it would fork the config (Fabric panics here).
            throw new OrderingException("channel " + channelId + ": config block " + block.getHeader().getNumber()
                    + " carries config sequence " + next.sequence() + ", but the channel is at sequence "
                    + config.sequence() + "; it cannot be written");
        }
        Capabilities.requireForOrderer(next);
        synchronized (this) {
            lastConfigIndex = block.getHeader().getNumber();
            lastHeader = block.getHeader();
        }
        ledger.append(sign(block, consenterMetadata));
        config = next;
        log.debug("channel {}: wrote config block {} (sequence {})", channelId, block.getHeader().getNumber(),
                next.sequence());
    }

    /** Adds the SIGNATURES and LAST_CONFIG metadata as Fabric's BlockWriter does. */
    private Block sign(Block block, byte[] consenterMetadata) {
        long lastConfig;
        synchronized (this) {
            lastConfig = lastConfigIndex;
        }
        ByteString value = OrdererBlockMetadata.newBuilder()
                .setLastConfig(LastConfig.newBuilder().setIndex(lastConfig))
                .setConsenterMetadata(Metadata.newBuilder().setValue(ByteString.copyFrom(consenterMetadata))
                        .build().toByteString())
                .build().toByteString();
        ByteString signatureHeader = SignatureHeader.newBuilder()
                .setCreator(identity.serialized())
                .setNonce(TransactionId.newNonce())
                .build().toByteString();
        ByteString headerBytes = ByteString.copyFrom(Blocks.headerBytes(block.getHeader()));
        byte[] signature = signer.sign(value.concat(signatureHeader).concat(headerBytes).toByteArray());
        BlockMetadata.Builder metadata = block.getMetadata().toBuilder()
                .setMetadata(0, Metadata.newBuilder()
                        .setValue(value)
                        .addSignatures(MetadataSignature.newBuilder()
                                .setSignatureHeader(signatureHeader)
                                .setSignature(ByteString.copyFrom(signature)))
                        .build().toByteString())
                .setMetadata(1, Metadata.newBuilder()
                        .setValue(LastConfig.newBuilder().setIndex(lastConfig).build().toByteString())
                        .build().toByteString());
        return block.toBuilder().setMetadata(metadata).build();
    }

    /** The channel header of a Broadcast envelope, or a BAD_REQUEST rejection. */
    public static ChannelHeader channelHeader(Envelope envelope) throws BroadcastRejection {
        try {
            Payload payload = Payload.parseFrom(envelope.getPayload());
            if (!payload.hasHeader()) {
                throw new BroadcastRejection(Status.BAD_REQUEST, "bad header: missing header");
            }
            return ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
        } catch (InvalidProtocolBufferException e) {
            throw new BroadcastRejection(Status.BAD_REQUEST, "bad header: " + e.getMessage());
        }
    }

    private static SignatureHeader signatureHeader(Envelope envelope) throws BroadcastRejection {
        try {
            return SignatureHeader.parseFrom(Payload.parseFrom(envelope.getPayload()).getHeader().getSignatureHeader());
        } catch (InvalidProtocolBufferException e) {
            throw new BroadcastRejection(Status.BAD_REQUEST, "bad signature header: " + e.getMessage());
        }
    }

    private static Optional<X509Certificate> certificateOf(ByteString creator) {
        try {
            return Optional.of(X509Identity.fromSerialized(creator).certificate());
        } catch (WeftException e) {
            return Optional.empty();
        }
    }

    /** Whether a header type is accepted by Broadcast as a normal message. */
    public static boolean isNormalMessage(int headerType) {
        return headerType == HeaderType.ENDORSER_TRANSACTION_VALUE;
    }

    /** Stops the channel's chain. */
    public void halt() {
        chain.halt();
    }
}
