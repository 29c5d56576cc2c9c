package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.ChannelConfig;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.TransactionId;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Blocks;
import dev.weft.core.internal.Hashing;
import dev.weft.core.internal.X509Issuer;
import dev.weft.testnet.ChaincodeResponse;
import dev.weft.testnet.internal.VerifiedSignatures;
import dev.weft.testnet.internal.config.GenesisBlocks;
import dev.weft.testnet.internal.crypto.CryptoGenerator;
import dev.weft.testnet.internal.crypto.OrganizationCrypto;
import dev.weft.testnet.internal.ledger.ChannelLedger;
import dev.weft.testnet.internal.ledger.InMemoryBlockStore;
import dev.weft.testnet.internal.ledger.InMemoryStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.LastConfig;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.MetadataSignature;
import org.hyperledger.fabric.protos.common.OrdererBlockMetadata;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVWrite;
import org.hyperledger.fabric.protos.orderer.BatchSize;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.ChaincodeID;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Response;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;

/**
 * Hand-built inputs for the committer's parts, with real crypto: two peer organisations and an
 * orderer organisation generated as the network generates them, a genesis block from the same
 * generator, endorser transactions signed and endorsed by those identities, and blocks cut and
 * signed as {@code OrdererChannel} does it (data as given, so that malformed envelopes can be
 * committed too). The crypto is generated once per test JVM; every {@link #channel()} is a fresh
 * ledger. Thread-safe (immutable after class initialisation).
 */
public final class CommitFixture {
    public static final String CHANNEL = "mychannel";
    /** The channel's default MAJORITY policy: a peer of each organisation. */
    public static final String BASIC = "basic";
    /** Any peer. */
    public static final String OPEN = "open";
    /** A peer of each organisation, as a signature policy. */
    public static final String GUARDED = "guarded";

    private static final OrganizationCrypto ORG1;
    private static final OrganizationCrypto ORG2;
    private static final OrganizationCrypto ORDERERS;
    private static final Block GENESIS;

    public static final Party ORDERER;
    public static final Party USER1;
    public static final Party USER2;
    public static final Party PEER1;
    public static final Party PEER2;

    static {
        CryptoGenerator crypto = new CryptoGenerator(Instant.now());
        ORG1 = crypto.peerOrganization("Org1MSP", 1, List.of("User1"));
        ORG2 = crypto.peerOrganization("Org2MSP", 1, List.of("User1"));
        ORDERERS = crypto.ordererOrganization("OrdererMSP");
        GENESIS = GenesisBlocks.genesisBlock(new GenesisBlocks.ChannelDefinition(CHANNEL,
                List.of(new GenesisBlocks.PeerOrganization("Org1MSP", ORG1.mspConfig(), List.of("127.0.0.1:7051")),
                        new GenesisBlocks.PeerOrganization("Org2MSP", ORG2.mspConfig(), List.of("127.0.0.1:9051"))),
                List.of(new GenesisBlocks.OrdererOrganization("OrdererMSP", ORDERERS.mspConfig(),
                        List.of("127.0.0.1:7050"))),
                BatchSize.newBuilder().setMaxMessageCount(100).setAbsoluteMaxBytes(10 * 1024 * 1024)
                        .setPreferredMaxBytes(512 * 1024).build(),
                Duration.ofMillis(100), Set.of("V2_0"), Set.of("V2_0"), Set.of("V2_5"), "solo", ByteString.EMPTY),
                Instant.now());
        ORDERER = Party.of("OrdererMSP", ORDERERS.nodes().values().iterator().next());
        USER1 = Party.of("Org1MSP", ORG1.user("User1"));
        USER2 = Party.of("Org2MSP", ORG2.user("User1"));
        PEER1 = Party.of("Org1MSP", ORG1.nodes().values().iterator().next());
        PEER2 = Party.of("Org2MSP", ORG2.nodes().values().iterator().next());
    }

    private CommitFixture() {
    }

    /** An identity and its signer. */
    public record Party(X509Identity identity, Signer signer) {
        static Party of(String mspId, OrganizationCrypto.Member member) {
            return new Party(X509Identity.of(mspId, member.signing().certificate()),
                    Signers.newPrivateKeySigner(member.signing().key()));
        }
    }

    /** The channel's genesis block (the same for every {@link #channel()}). */
    public static Block genesis() {
        return GENESIS;
    }

    /** The config of the genesis block. */
    public static ChannelConfig config() {
        return ChannelConfig.fromBlock(GENESIS, Clock.systemUTC());
    }

    /** A client of a CA that no channel MSP knows, claiming {@code mspId}. */
    public static Party foreign(String mspId) {
        X509Issuer.Issued issued = X509Issuer.certificate("C=US,OU=client,CN=intruder")
                .ca(false)
                .issuedBy(X509Issuer.certificate("CN=intruder-ca").ca(true).selfSigned());
        return new Party(X509Identity.of(mspId, issued.certificate()), Signers.newPrivateKeySigner(issued.key()));
    }

    /**
     * A fresh peer channel from the genesis block, with chaincodes {@link #BASIC}, {@link #OPEN}
     * and {@link #GUARDED}; close its stores with {@link #close(PeerChannel)}.
     */
    public static PeerChannel channel() {
        return channel(new InMemoryBlockStore(), new InMemoryStateStore());
    }

    /** A peer channel from the genesis block on these stores (resumed if they hold blocks or state). */
    public static PeerChannel channel(dev.weft.testnet.BlockStore blocks, dev.weft.testnet.StateStore state) {
        return new PeerChannel(GENESIS, new ChannelLedger(blocks), state, chaincodes(), Clock.systemUTC(),
                new VerifiedSignatures());
    }

    /** The chaincode definitions of {@link #channel()}. */
    public static List<ChaincodeDefinition> chaincodes() {
        dev.weft.testnet.Chaincode none = stub -> ChaincodeResponse.error("not invoked in these tests");
        return List.of(new ChaincodeDefinition(BASIC, "1.0", 1, none, ChaincodePolicy.channelDefault()),
                new ChaincodeDefinition(OPEN, "1.0", 1, none, ChaincodePolicy.signature("OR('Org1MSP.peer','Org2MSP.peer')")),
                new ChaincodeDefinition(GUARDED, "1.0", 1, none,
                        ChaincodePolicy.signature("AND('Org1MSP.peer','Org2MSP.peer')")));
    }

    public static void close(PeerChannel channel) {
        channel.state().close();
        channel.ledger().store().close();
    }

    /** The next block of a ledger with these envelopes, signed by the orderer. */
    public static Block cut(ChannelLedger ledger, Envelope... envelopes) {
        List<ByteString> data = new ArrayList<>();
        for (Envelope e : envelopes) {
            data.add(e.toByteString());
        }
        return cut(ledger, data, ORDERER);
    }

    /** The next block of a ledger with this data, with SIGNATURES and LAST_CONFIG metadata signed by a party. */
    public static Block cut(ChannelLedger ledger, List<ByteString> data, Party signer) {
        BlockHeader previous = ledger.block(ledger.height() - 1).getHeader();
        BlockData blockData = BlockData.newBuilder().addAllData(data).build();
        BlockHeader header = BlockHeader.newBuilder()
                .setNumber(previous.getNumber() + 1)
                .setPreviousHash(ByteString.copyFrom(Blocks.headerHash(previous)))
                .setDataHash(ByteString.copyFrom(Blocks.dataHash(blockData)))
                .build();
        return signed(header, blockData, signer);
    }

    /** A block with exactly this header and data, signed by a party (a header may be wrong on purpose). */
    @SuppressWarnings("deprecation") // LAST_CONFIG: deprecated in the protos, still written by Fabric's orderers
    public static Block signed(BlockHeader header, BlockData data, Party signer) {
        ByteString value = OrdererBlockMetadata.newBuilder()
                .setLastConfig(LastConfig.newBuilder().setIndex(0))
                .setConsenterMetadata(Metadata.newBuilder().build().toByteString())
                .build().toByteString();
        ByteString signatureHeader = SignatureHeader.newBuilder()
                .setCreator(signer.identity().serialized())
                .setNonce(TransactionId.newNonce())
                .build().toByteString();
        byte[] signature = signer.signer().sign(value.concat(signatureHeader)
                .concat(ByteString.copyFrom(Blocks.headerBytes(header))).toByteArray());
        BlockMetadata.Builder metadata = BlockMetadata.newBuilder();
        for (int i = 0; i < 5; i++) {
            metadata.addMetadata(ByteString.EMPTY);
        }
        metadata.setMetadata(BlockMetadataIndex.SIGNATURES_VALUE, Metadata.newBuilder()
                        .setValue(value)
                        .addSignatures(MetadataSignature.newBuilder()
                                .setSignatureHeader(signatureHeader)
                                .setSignature(ByteString.copyFrom(signature)))
                        .build().toByteString())
                .setMetadata(BlockMetadataIndex.LAST_CONFIG_VALUE, Metadata.newBuilder()
                        .setValue(LastConfig.newBuilder().setIndex(0).build().toByteString())
                        .build().toByteString());
        return Block.newBuilder().setHeader(header).setData(data).setMetadata(metadata).build();
    }

    public static NsReadWriteSet write(String namespace, String key, String value) {
        return NsReadWriteSet.newBuilder().setNamespace(namespace)
                .setRwset(KVRWSet.newBuilder().addWrites(KVWrite.newBuilder().setKey(key)
                        .setValue(ByteString.copyFromUtf8(value))).build().toByteString())
                .build();
    }

    public static NsReadWriteSet delete(String namespace, String key) {
        return NsReadWriteSet.newBuilder().setNamespace(namespace)
                .setRwset(KVRWSet.newBuilder().addWrites(KVWrite.newBuilder().setKey(key).setIsDelete(true))
                        .build().toByteString())
                .build();
    }

    public static NsReadWriteSet namespace(String namespace, KVRWSet kv) {
        return NsReadWriteSet.newBuilder().setNamespace(namespace).setRwset(kv.toByteString()).build();
    }

    public static TxReadWriteSet rwset(NsReadWriteSet... namespaces) {
        return TxReadWriteSet.newBuilder().setDataModel(TxReadWriteSet.DataModel.KV)
                .addAllNsRwset(List.of(namespaces)).build();
    }

    public static String txId(Envelope envelope) throws InvalidProtocolBufferException {
        return ChannelHeader.parseFrom(Payload.parseFrom(envelope.getPayload()).getHeader().getChannelHeader()).getTxId();
    }

    public static Envelope signed(Payload payload, Signer signer) {
        return Envelope.newBuilder().setPayload(payload.toByteString())
                .setSignature(ByteString.copyFrom(signer.sign(payload.toByteArray()))).build();
    }

    /** A hand-made endorser transaction, consistent unless told otherwise. Not thread-safe. */
    public static final class Tx {
        private Party creator = USER1;
        private Signer envelopeSigner;
        private String channel = CHANNEL;
        private String chaincode = BASIC;
        private List<Party> endorsers = List.of(PEER1, PEER2);
        private TxReadWriteSet rwset = CommitFixture.rwset();
        private ByteString nonce;
        private String txId;

        public Tx creator(Party creator) {
            this.creator = creator;
            return this;
        }

        public Tx channel(String channel) {
            this.channel = channel;
            return this;
        }

        public Tx chaincode(String chaincode) {
            this.chaincode = chaincode;
            return this;
        }

        public Tx endorsers(Party... endorsers) {
            this.endorsers = List.of(endorsers);
            return this;
        }

        public Tx rwset(TxReadWriteSet rwset) {
            this.rwset = rwset;
            return this;
        }

        public Tx writes(NsReadWriteSet... namespaces) {
            return rwset(CommitFixture.rwset(namespaces));
        }

        /** Signs the envelope with another key than the creator's. */
        public Tx envelopeSigner(Signer signer) {
            this.envelopeSigner = signer;
            return this;
        }

        public Tx nonce(ByteString nonce) {
            this.nonce = nonce;
            return this;
        }

        /** A channel-header transaction id other than SHA-256(nonce ‖ creator); endorsed consistently. */
        public Tx txId(String txId) {
            this.txId = txId;
            return this;
        }

        public Envelope build() {
            ChaincodeProposal.Builder builder = ChaincodeProposal.builder().identity(creator.identity())
                    .channel(channel).chaincode(chaincode).function("Direct");
            if (nonce != null) {
                builder.transactionId(TransactionId.of(creator.identity().serialized(), nonce));
            }
            ChaincodeProposal proposal = builder.build();
            ByteString channelHeader = proposal.channelHeader();
            if (txId != null) {
                try {
                    channelHeader = ChannelHeader.parseFrom(channelHeader).toBuilder().setTxId(txId).build()
                            .toByteString();
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("the proposal's own header parses", e);
                }
            }
            byte[] proposalHash = Hashing.sha256(channelHeader, proposal.signatureHeader(),
                    proposal.transientFreePayload());
            ByteString prp = ProposalResponsePayload.newBuilder()
                    .setProposalHash(ByteString.copyFrom(proposalHash))
                    .setExtension(ChaincodeAction.newBuilder()
                            .setResults(rwset.toByteString())
                            .setResponse(Response.newBuilder().setStatus(200))
                            .setChaincodeId(ChaincodeID.newBuilder().setName(chaincode).setVersion("1.0"))
                            .build().toByteString())
                    .build().toByteString();
            ChaincodeEndorsedAction.Builder endorsed = ChaincodeEndorsedAction.newBuilder().setProposalResponsePayload(prp);
            for (Party endorser : endorsers) {
                endorsed.addEndorsements(Endorsement.newBuilder().setEndorser(endorser.identity().serialized())
                        .setSignature(ByteString.copyFrom(endorser.signer().sign(
                                prp.concat(endorser.identity().serialized()).toByteArray()))));
            }
            Transaction transaction = Transaction.newBuilder()
                    .addActions(TransactionAction.newBuilder()
                            .setHeader(proposal.signatureHeader())
                            .setPayload(ChaincodeActionPayload.newBuilder()
                                    .setChaincodeProposalPayload(proposal.transientFreePayload())
                                    .setAction(endorsed)
                                    .build().toByteString()))
                    .build();
            Payload payload = Payload.newBuilder()
                    .setHeader(Header.newBuilder().setChannelHeader(channelHeader)
                            .setSignatureHeader(proposal.signatureHeader()))
                    .setData(transaction.toByteString())
                    .build();
            return signed(payload, envelopeSigner != null ? envelopeSigner : creator.signer());
        }
    }
}
