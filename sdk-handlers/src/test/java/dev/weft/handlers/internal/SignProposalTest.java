package dev.weft.handlers.internal;

import static dev.weft.handlers.internal.StepFixtures.FIXTURE_IDENTITY;
import static dev.weft.handlers.internal.StepFixtures.FIXTURE_SIGNER;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.ChaincodeProposal;
import dev.weft.core.ManualScheduler;
import dev.weft.core.Signatures;
import dev.weft.core.TransactionId;
import dev.weft.handlers.TxContext;
import dev.weft.handlers.TxResult;
import dev.weft.handlers.internal.StepFixtures.FakeOrderers;
import dev.weft.handlers.internal.StepFixtures.Terminal;
import dev.weft.handlers.internal.StepFixtures.UnusedCommits;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Proposal;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.junit.jupiter.api.Test;

class SignProposalTest {
    private static final Instant NOW = Instant.parse("2027-03-01T10:15:30.123456789Z");

    private final SignProposal step = new SignProposal(StepFixtures.services(FIXTURE_IDENTITY, FIXTURE_SIGNER,
            List.of(), FakeOrderers.unused(), new UnusedCommits(), StepFixtures.unusedConfigs(),
            new ManualScheduler(NOW)));

    private static TxContext context() {
        return TxContext.builder(TxContext.Kind.SUBMIT, "mychannel", "basic", "TransferAsset")
                .arguments(List.of(ByteString.copyFromUtf8("asset7"), ByteString.copyFromUtf8("Ann"),
                        ByteString.copyFrom(new byte[] {0, (byte) 0xff, 1})))
                .build();
    }

    private TxContext signed(TxContext context) throws Exception {
        Terminal next = Terminal.returning("ok");
        StepFixtures.run(context, step, next).get(20, SECONDS);
        return next.only();
    }

    @Test
    void handle_runTwiceOnSameContext_newTransactionIdEachTime() throws Exception {
        TxContext context = context();

        TxContext first = signed(context);
        TxContext second = signed(context);

        assertTrue(first.transactionId().matches("[0-9a-f]{64}"), first.transactionId());
        assertNotEquals(first.transactionId(), second.transactionId());
        assertNotEquals(first.proposal().id().nonce(), second.proposal().id().nonce());
        assertEquals("", context.transactionId(), "the caller's context is not changed");
    }

    @Test
    void handle_signedProposal_isTheProposalSignedByTheIdentity() throws Exception {
        TxContext signed = signed(context());
        SignedProposal signedProposal = signed.signedProposal();
        ChaincodeProposal proposal = signed.proposal();

        assertEquals(proposal.proposalBytes(), signedProposal.getProposalBytes());
        assertTrue(Signatures.verify(FIXTURE_IDENTITY.certificate(), signedProposal.getProposalBytes().toByteArray(),
                signedProposal.getSignature().toByteArray()), "the proposal signature does not verify");

        Header header = Header.parseFrom(Proposal.parseFrom(signedProposal.getProposalBytes()).getHeader());
        SignatureHeader signatureHeader = SignatureHeader.parseFrom(header.getSignatureHeader());
        assertEquals(FIXTURE_IDENTITY.serialized(), signatureHeader.getCreator());
        assertEquals(signed.transactionId(),
                TransactionId.compute(signatureHeader.getNonce(), signatureHeader.getCreator()));
        ChannelHeader channelHeader = ChannelHeader.parseFrom(header.getChannelHeader());
        assertEquals("mychannel", channelHeader.getChannelId());
        assertEquals(signed.transactionId(), channelHeader.getTxId());
        assertEquals(NOW.getEpochSecond(), channelHeader.getTimestamp().getSeconds(), "timestamp from the services' clock");
    }

    @Test
    void handle_arguments_reachProposalInOrderAfterFunction() throws Exception {
        TxContext signed = signed(context());

        ChaincodeProposalPayload payload = ChaincodeProposalPayload.parseFrom(
                Proposal.parseFrom(signed.signedProposal().getProposalBytes()).getPayload());
        ChaincodeInvocationSpec invocation = ChaincodeInvocationSpec.parseFrom(payload.getInput());

        assertEquals("basic", invocation.getChaincodeSpec().getChaincodeId().getName());
        assertEquals(List.of(ByteString.copyFromUtf8("TransferAsset"), ByteString.copyFromUtf8("asset7"),
                ByteString.copyFromUtf8("Ann"), ByteString.copyFrom(new byte[] {0, (byte) 0xff, 1})),
                invocation.getChaincodeSpec().getInput().getArgsList());
    }

    @Test
    void handle_transientData_reachesProposalButNotItsHash() throws Exception {
        Map<String, ByteString> transientData = new LinkedHashMap<>();
        transientData.put("price", ByteString.copyFromUtf8("100"));
        transientData.put("note", ByteString.copyFromUtf8("gift"));
        TxContext signed = signed(context().toBuilder().transientData(transientData).build());

        ChaincodeProposalPayload payload = ChaincodeProposalPayload.parseFrom(
                Proposal.parseFrom(signed.signedProposal().getProposalBytes()).getPayload());

        assertEquals(transientData, payload.getTransientMapMap());
        assertTrue(signed.proposal().hasTransientData());
        assertTrue(ChaincodeProposalPayload.parseFrom(signed.proposal().transientFreePayload()).getTransientMapMap().isEmpty());
    }

    @Test
    void handle_noTransientData_proposalHasNone() throws Exception {
        TxContext signed = signed(context());

        ChaincodeProposalPayload payload = ChaincodeProposalPayload.parseFrom(
                Proposal.parseFrom(signed.signedProposal().getProposalBytes()).getPayload());

        assertTrue(payload.getTransientMapMap().isEmpty());
        assertFalse(signed.proposal().hasTransientData());
    }

    @Test
    void handle_retryOfContextWithOldOutputs_dropsResponsesAndEnvelopeOfOldProposal() throws Exception {
        TxContext firstAttempt = signed(context()).toBuilder()
                .responses(List.of())
                .verifiedEndorsers(List.of())
                .envelope(Envelope.getDefaultInstance())
                .build();

        TxContext retry = signed(firstAttempt);

        assertNotEquals(firstAttempt.transactionId(), retry.transactionId());
        assertThrows(IllegalStateException.class, retry::responses);
        assertThrows(IllegalStateException.class, retry::verifiedEndorsers);
        assertThrows(IllegalStateException.class, retry::envelope);
    }

    @Test
    void handle_resultOfNextHandler_isReturnedUnchanged() throws Exception {
        TxResult result = StepFixtures.run(context(), step, Terminal.returning("from next")).get(20, SECONDS);

        assertEquals("from next", result.resultAsString());
    }
}
