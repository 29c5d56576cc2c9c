package dev.weft.testnet.internal.peer;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.ChannelPolicy;
import dev.weft.core.GoDurations;
import dev.weft.core.IdentityValidationException;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import dev.weft.core.Signer;
import dev.weft.core.TransactionId;
import dev.weft.core.X509Identity;
import dev.weft.core.internal.Hashing;
import dev.weft.core.internal.Hex;
import dev.weft.testnet.ChaincodeException;
import dev.weft.testnet.ChaincodeResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.ledger.rwset.NsReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxReadWriteSet;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeCall;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.ChaincodeHeaderExtension;
import org.hyperledger.fabric.protos.peer.ChaincodeID;
import org.hyperledger.fabric.protos.peer.ChaincodeInterest;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Proposal;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Response;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference peer's {@code protos.Endorser/ProcessProposal}, following Fabric 2.5/3.x:
 *
 * <ul>
 *   <li>a proposal that cannot be unpacked, or fails the checks (header type, epoch, nonce and
 *       creator present, transaction id, timestamp window, creator valid and signature verifying,
 *       transaction id not yet committed, channel Writers policy) is answered with a gRPC error
 *       (status UNKNOWN) and its message, and no ProposalResponse;
 *   <li>an unknown channel or chaincode, and chaincode failures, are answered with a
 *       ProposalResponse of status 500;
 *   <li>a chaincode status of 400-499 gives the response only, 500 and up the response and payload
 *       without endorsement, below 400 an endorsed response signed over {@code payload ‖ endorser}.
 * </ul>
 */
@InternalApi
public final class Endorser {
    private static final Logger log = LoggerFactory.getLogger(Endorser.class);
    /** Fabric 3.x's {@code peer.authentication.timewindow}. */
    static final Duration TIME_WINDOW = Duration.ofMinutes(15);

    private final Function<String, Optional<PeerChannel>> channels;
    private final Supplier<List<PeerChannel>> channelList;
    private final X509Identity identity;
    private final Signer signer;
    private volatile UnaryOperator<ProposalResponse> responseHook = UnaryOperator.identity();

    public Endorser(Function<String, Optional<PeerChannel>> channels, Supplier<List<PeerChannel>> channelList,
            X509Identity identity, Signer signer) {
        this.channels = channels;
        this.channelList = channelList;
        this.identity = identity;
        this.signer = signer;
    }

    /** Rewrites every response this peer sends (fault injection for tests); identity by default. */
    public void setResponseHook(UnaryOperator<ProposalResponse> hook) {
        this.responseHook = hook == null ? UnaryOperator.identity() : hook;
    }

    /**
     * Processes a signed proposal.
     *
     * @throws StatusRuntimeException with status UNKNOWN when the proposal fails validation
     */
    public ProposalResponse process(SignedProposal signed) {
        return responseHook.apply(processUnhooked(signed));
    }

    private ProposalResponse processUnhooked(SignedProposal signed) {
        Unpacked up = unpack(signed);
        String channelId = up.channelHeader.getChannelId();
        if (channelId.isEmpty() && SystemChaincodes.CSCC.equals(up.chaincodeName)) {
            return channelsQuery(up, signed);
        }
        Optional<PeerChannel> found = channels.apply(channelId);
        if (found.isEmpty()) {
            return error(500, "channel '" + channelId + "' not found");
        }
        PeerChannel channel = found.get();
        Optional<String> stopped = channel.stoppedBecause();
        if (stopped.isPresent()) {
            return error(500, "channel '" + channelId + "' is stopped on this peer: " + stopped.get());
        }
        if (SystemChaincodes.isSystem(up.chaincodeName)) {
            // System chaincodes skip peer/Propose; their query functions need the channel's Readers.
            MspIdentity creator = preProcess(up, signed, channel, "/Channel/Application/Readers");
            ChaincodeResponse result;
            try {
                result = SystemChaincodes.invoke(up.chaincodeName, up.invocation.getChaincodeSpec().getInput().getArgsList(),
                        channel);
            } catch (ChaincodeException e) {
                result = ChaincodeResponse.error(e.getMessage());
            }
            log.debug("system chaincode {} called by {}", up.chaincodeName, creator.mspId());
            return respond(up, result, TxReadWriteSet.newBuilder().setDataModel(TxReadWriteSet.DataModel.KV).build(),
                    null, ChaincodeID.newBuilder().setName(up.chaincodeName).setVersion(SystemChaincodes.VERSION).build());
        }
        MspIdentity creator = preProcess(up, signed, channel, "/Channel/Application/Writers");
        Optional<ChaincodeDefinition> definition = channel.chaincode(up.chaincodeName);
        if (definition.isEmpty()) {
            return error(500, "make sure the chaincode " + up.chaincodeName + " has been successfully defined on channel "
                    + channel.channelId() + " and try again: chaincode " + up.chaincodeName + " not found");
        }
        return endorse(up, channel, definition.get(), creator);
    }

    /** {@code cscc GetChannels}: allowed to members of the peer's own organisation. */
    private ProposalResponse channelsQuery(Unpacked up, SignedProposal signed) {
        checkHeaders(up);
        List<PeerChannel> joined = channelList.get();
        Optional<MspIdentity> creator = joined.stream()
                .map(c -> {
                    try {
                        return Optional.of(c.config().msps().validate(up.signatureHeader.getCreator(), c.clock().instant()));
                    } catch (IdentityValidationException e) {
                        return Optional.<MspIdentity>empty();
                    }
                })
                .flatMap(Optional::stream)
                .filter(id -> id.mspId().equals(identity.mspId()))
                .findFirst();
        if (creator.isEmpty() || !creator.get().verify(signed.getProposalBytes().toByteArray(),
                signed.getSignature().toByteArray())) {
            throw fail("access denied for [GetChannels]: the creator is not a member of " + identity.mspId());
        }
        return respond(up, SystemChaincodes.channels(joined),
                TxReadWriteSet.newBuilder().setDataModel(TxReadWriteSet.DataModel.KV).build(), null,
                ChaincodeID.newBuilder().setName(SystemChaincodes.CSCC).setVersion(SystemChaincodes.VERSION).build());
    }

    private ProposalResponse endorse(Unpacked up, PeerChannel channel, ChaincodeDefinition definition,
            MspIdentity creator) {
        TxSimulator simulator = new TxSimulator(channel.state());
        Stub stub = new Stub(channel.channelId(), up.channelHeader.getTxId(), up.timestamp, definition.name(),
                up.invocation.getChaincodeSpec().getInput().getArgsList().stream().map(ByteString::toByteArray).toList(),
                creator.serialized(), up.transientData, simulator);
        ChaincodeResponse result;
        TxReadWriteSet rwset;
        channel.lock().readLock().lock();
        try {
            // A real peer reads the chaincode definition from _lifecycle during every simulation.
            simulator.get(PeerChannel.LIFECYCLE, PeerChannel.sequenceKey(definition.name()));
            result = invoke(definition, stub);
            rwset = simulator.results();
        } finally {
            channel.lock().readLock().unlock();
        }
        return respond(up, result, rwset, stub.event(),
                ChaincodeID.newBuilder().setName(definition.name()).setVersion(definition.version()).build());
    }

    /** Fabric's status rules: 400-499 response only; 500+ response and payload; below 400 endorsed. */
    private ProposalResponse respond(Unpacked up, ChaincodeResponse result, TxReadWriteSet rwset, ChaincodeEvent event,
            ChaincodeID chaincodeId) {
        Response response = Response.newBuilder()
                .setStatus(result.status())
                .setMessage(result.message())
                .setPayload(ByteString.copyFrom(result.payload()))
                .build();
        if (result.status() >= ChaincodeResponse.ERROR_THRESHOLD && result.status() < ChaincodeResponse.ERROR) {
            return ProposalResponse.newBuilder().setResponse(response).build();
        }
        ChaincodeAction.Builder action = ChaincodeAction.newBuilder()
                .setResults(rwset.toByteString())
                .setResponse(response)
                .setChaincodeId(chaincodeId);
        if (event != null && result.status() < ChaincodeResponse.ERROR_THRESHOLD) {
            action.setEvents(event.toByteString());
        }
        ByteString payload = ProposalResponsePayload.newBuilder()
                .setProposalHash(ByteString.copyFrom(up.proposalHash()))
                .setExtension(action.build().toByteString())
                .build().toByteString();
        ChaincodeInterest interest = interest(rwset);
        if (result.status() >= ChaincodeResponse.ERROR) {
            return ProposalResponse.newBuilder().setResponse(response).setPayload(payload).setInterest(interest).build();
        }
        byte[] signature = signer.sign(payload.concat(identity.serialized()).toByteArray());
        return ProposalResponse.newBuilder()
                .setVersion(1)
                .setResponse(response)
                .setPayload(payload)
                .setInterest(interest)
                .setEndorsement(Endorsement.newBuilder()
                        .setEndorser(identity.serialized())
                        .setSignature(ByteString.copyFrom(signature)))
                .build();
    }

    /**
     * The chaincodes a transaction touched, which Fabric reports so that a gateway can plan
     * endorsement: every namespace of the read-write set except system ones ({@code _lifecycle}).
     */
    private static ChaincodeInterest interest(TxReadWriteSet rwset) {
        ChaincodeInterest.Builder interest = ChaincodeInterest.newBuilder();
        for (NsReadWriteSet ns : rwset.getNsRwsetList()) {
            if (!ns.getNamespace().startsWith("_") && !SystemChaincodes.isSystem(ns.getNamespace())) {
                interest.addChaincodes(ChaincodeCall.newBuilder().setName(ns.getNamespace()));
            }
        }
        return interest.build();
    }

    private static ChaincodeResponse invoke(ChaincodeDefinition definition, Stub stub) {
        try {
            ChaincodeResponse response = definition.chaincode().invoke(stub);
            return response == null ? ChaincodeResponse.error("chaincode returned no response") : response;
        } catch (ChaincodeException e) {
            return ChaincodeResponse.error(e.getMessage());
        } catch (RuntimeException e) {
            log.debug("chaincode {} failed", definition.name(), e);
            return ChaincodeResponse.error(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** The structural header checks of Fabric's endorser. */
    private static void checkHeaders(Unpacked up) {
        ChannelHeader ch = up.channelHeader;
        if (ch.getType() != HeaderType.ENDORSER_TRANSACTION_VALUE) {
            throw invalid("invalid header type " + HeaderType.forNumber(ch.getType()));
        }
        if (ch.getEpoch() != 0) {
            throw invalid("epoch is non-zero");
        }
        if (up.signatureHeader.getNonce().isEmpty()) {
            throw invalid("nonce is empty");
        }
        if (up.signatureHeader.getCreator().isEmpty()) {
            throw invalid("creator is empty");
        }
        String expected = TransactionId.compute(up.signatureHeader.getNonce(),
                up.signatureHeader.getCreator());
        if (!expected.equals(ch.getTxId())) {
            throw invalid("incorrectly computed txid '" + ch.getTxId() + "' -- expected '" + expected + "'");
        }
    }

    /**
     * The checks Fabric's endorser makes before running chaincode; failures are gRPC errors.
     *
     * @param policy the channel policy the creator must satisfy for this chaincode
     */
    private MspIdentity preProcess(Unpacked up, SignedProposal signed, PeerChannel channel, String policy) {
        checkHeaders(up);
        ChannelHeader ch = up.channelHeader;
        Instant now = channel.clock().instant();
        if (Duration.between(up.timestamp, now).abs().compareTo(TIME_WINDOW) > 0) {
            throw fail("request unauthorized due to incorrect timestamp " + rfc3339(up.timestamp) + ", peer time "
                    + rfc3339(now) + ", peer.authentication.timewindow " + GoDurations.format(TIME_WINDOW));
        }
        ChannelConfig config = channel.config();
        MspIdentity creator;
        try {
            creator = config.msps().validate(up.signatureHeader.getCreator(), now);
        } catch (IdentityValidationException e) {
            // Fabric names only the MSP to the client and logs why; the detail is at debug level here too.
            log.debug("proposal {} rejected: {}", ch.getTxId(), e.getMessage());
            String msp = mspIdOf(up.signatureHeader.getCreator());
            throw fail(msp == null
                    ? "access denied: channel [" + channel.channelId() + "] creator org unknown, creator is malformed"
                    : "access denied: channel [" + channel.channelId() + "] creator org [" + msp + "]");
        }
        if (!channel.signatures().verify(creator, signed.getProposalBytes(), signed.getSignature())) {
            throw fail("access denied: channel [" + channel.channelId() + "] creator org [" + creator.mspId() + "]");
        }
        if (channel.ledger().store().blockOf(ch.getTxId()).isPresent()) {
            throw fail("duplicate transaction found [" + ch.getTxId() + "]. Creator ["
                    + Hex.encode(up.signatureHeader.getCreator().toByteArray()) + "]");
        }
        if (!config.evaluate(policy, List.of(creator))) {
            throw fail("Failed evaluating policy on signed data during check policy on channel ["
                    + channel.channelId() + "] with policy [" + policy + "]: [" + policyFailure(config, policy) + "]");
        }
        return creator;
    }

    /** Fabric's wording for an implicit-meta policy a single signer fails. */
    private static String policyFailure(ChannelConfig config, String path) {
        return config.policy(path)
                .filter(p -> p instanceof ChannelPolicy.ImplicitMeta)
                .map(p -> (ChannelPolicy.ImplicitMeta) p)
                .map(m -> "implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires "
                        + m.threshold(groupCount(config, path)) + " of the '" + m.subPolicy()
                        + "' sub-policies to be satisfied")
                .orElse("signature set did not satisfy policy");
    }

    private static int groupCount(ChannelConfig config, String path) {
        String group = path.substring(0, path.lastIndexOf('/'));
        return (int) config.policies().keySet().stream()
                .filter(p -> p.startsWith(group + "/") && p.substring(group.length() + 1).indexOf('/') > 0)
                .map(p -> p.substring(0, p.indexOf('/', group.length() + 1)))
                .distinct().count();
    }

    private static String mspIdOf(ByteString creator) {
        try {
            String msp = SerializedIdentity.parseFrom(creator).getMspid();
            return msp.isEmpty() ? null : msp;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private static String rfc3339(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** A proposal that fails Fabric's structural validation: gRPC UNKNOWN with Fabric's prefix. */
    private static StatusRuntimeException invalid(String message) {
        return fail("error validating proposal: " + message);
    }

    private static StatusRuntimeException fail(String message) {
        return Status.UNKNOWN.withDescription(message).asRuntimeException();
    }

    private static ProposalResponse error(int status, String message) {
        return ProposalResponse.newBuilder()
                .setResponse(Response.newBuilder().setStatus(status).setMessage(message))
                .build();
    }

    /** The decoded parts of a signed proposal. */
    private static final class Unpacked {
        Header header;
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        ChaincodeInvocationSpec invocation;
        String chaincodeName;
        Instant timestamp;
        Map<String, byte[]> transientData;
        ByteString transientFreePayload;

        byte[] proposalHash() {
            return Hashing.sha256(header.getChannelHeader(), header.getSignatureHeader(), transientFreePayload);
        }
    }

    private static Unpacked unpack(SignedProposal signed) {
        Unpacked up = new Unpacked();
        try {
            Proposal proposal = Proposal.parseFrom(signed.getProposalBytes());
            up.header = Header.parseFrom(proposal.getHeader());
            up.channelHeader = ChannelHeader.parseFrom(up.header.getChannelHeader());
            up.signatureHeader = SignatureHeader.parseFrom(up.header.getSignatureHeader());
            ChaincodeHeaderExtension extension = ChaincodeHeaderExtension.parseFrom(up.channelHeader.getExtension());
            if (!extension.hasChaincodeId() || extension.getChaincodeId().getName().isEmpty()) {
                throw fail("ChaincodeHeaderExtension.ChaincodeId.Name is empty");
            }
            up.chaincodeName = extension.getChaincodeId().getName();
            ChaincodeProposalPayload payload = ChaincodeProposalPayload.parseFrom(proposal.getPayload());
            up.invocation = ChaincodeInvocationSpec.parseFrom(payload.getInput());
            if (!up.invocation.hasChaincodeSpec() || !up.invocation.getChaincodeSpec().hasInput()) {
                throw fail("chaincode invocation spec did not contain chaincode spec input");
            }
            up.transientFreePayload = ChaincodeProposalPayload.newBuilder().setInput(payload.getInput())
                    .build().toByteString();
            Map<String, byte[]> transientData = new LinkedHashMap<>();
            payload.getTransientMapMap().forEach((k, v) -> transientData.put(k, v.toByteArray()));
            up.transientData = transientData;
            up.timestamp = Instant.ofEpochSecond(up.channelHeader.getTimestamp().getSeconds(),
                    up.channelHeader.getTimestamp().getNanos());
        } catch (InvalidProtocolBufferException e) {
            throw fail("error unmarshalling proposal: " + e.getMessage());
        }
        return up;
    }
}
