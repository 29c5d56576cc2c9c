package dev.weft.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChaincodePolicy;
import dev.weft.core.EndorsementVerificationException;
import dev.weft.core.InconsistentEndorsementsException;
import dev.weft.core.NodeError;
import dev.weft.core.TransactionStage;
import dev.weft.core.TransactionTimeoutException;
import dev.weft.handlers.Contract;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.PipelineStep;
import dev.weft.handlers.TxResult;
import dev.weft.testnet.ReferenceNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline under faults injected into the reference network: peers that are down, stalled,
 * lying or forging; an unreachable orderer; event streams that break. Every test uses a fresh
 * gateway (no remembered peer failures) and restores the network afterwards.
 */
class FaultToleranceTest {
    private static ReferenceNetwork network;
    private final AtomicInteger broadcasts = new AtomicInteger();

    @BeforeAll
    static void start() {
        network = Networks.start();
    }

    @AfterAll
    static void stop() {
        if (network != null) {
            network.close();
        }
    }

    @AfterEach
    void restore() {
        for (ReferenceNetwork.Peer peer : network.peers()) {
            peer.interceptResponses(null);
            peer.stallEndorsements(false);
            peer.start();
        }
    }

    /** A gateway whose broadcast step counts the transactions it sends. */
    private Gateway countingGateway() {
        return Networks.withOrderer(Networks.gateway(network), network)
                .handler(PipelineStep.BROADCAST, broadcast -> (ctx, chain) -> {
                    broadcasts.incrementAndGet();
                    return broadcast.handle(ctx, chain);
                })
                .build();
    }

    @Test
    void submit_orPolicyWithOwnOrganizationsPeerDown_commitsThroughTheOtherOrganization() {
        network.peer("Org1MSP").stop();
        try (Gateway gateway = countingGateway()) {
            Contract contract = gateway.network("mychannel").contract("or", ChaincodePolicy.signature(Networks.OR_POLICY));
            String id = Networks.assetId("or-down");

            TxResult result = contract.newTransaction("CreateAsset").arguments(id, "blue", "1", "Tom", "1").submit();

            assertEquals(TxValidationCode.VALID, result.validationCode());
            assertTrue(new String(contract.evaluate("ReadAsset", id)).contains(id));
        }
    }

    @Test
    void submit_peerReturnsDifferentResult_inconsistentEndorsementsAndNothingBroadcast() {
        network.peer("Org2MSP").interceptResponses(differentResult());
        try (Gateway gateway = countingGateway()) {
            Contract contract = gateway.network("mychannel").contract("basic");

            InconsistentEndorsementsException e = assertThrows(InconsistentEndorsementsException.class,
                    () -> contract.submit("CreateAsset", Networks.assetId("lie"), "red", "1", "Ann", "1"));

            assertEquals(0, broadcasts.get(), "nothing may be broadcast after a failed validation");
            assertEquals(TransactionStage.VALIDATE, e.stage());
            assertEquals(2, e.details().size(), e.details().toString());
            List<String> addresses = e.details().stream().map(NodeError::address).toList();
            assertTrue(addresses.contains(network.peer("Org1MSP").endpoint()), addresses.toString());
            assertTrue(addresses.contains(network.peer("Org2MSP").endpoint()), addresses.toString());
            assertTrue(!e.details().get(0).status().equals(e.details().get(1).status()),
                    "the two peers are in different result groups: " + e.details());
        }
    }

    @Test
    void submit_tamperedEndorserSignature_verificationErrorAndNothingBroadcast() {
        network.peer("Org2MSP").interceptResponses(r -> {
            byte[] signature = r.getEndorsement().getSignature().toByteArray();
            signature[signature.length - 1] ^= 0x01;
            return r.toBuilder().setEndorsement(r.getEndorsement().toBuilder().setSignature(ByteString.copyFrom(signature)))
                    .build();
        });
        try (Gateway gateway = countingGateway()) {
            Contract contract = gateway.network("mychannel").contract("basic");

            EndorsementVerificationException e = assertThrows(EndorsementVerificationException.class,
                    () -> contract.submit("CreateAsset", Networks.assetId("forged"), "red", "1", "Ann", "1"));

            assertEquals(0, broadcasts.get(), "nothing may be broadcast after a failed verification");
            assertEquals(1, e.details().size(), e.details().toString());
            assertEquals(network.peer("Org2MSP").endpoint(), e.details().get(0).address());
            assertEquals("BAD_SIGNATURE", e.details().get(0).status());
        }
    }

    @Test
    void submit_firstOrdererUnreachable_succeedsThroughTheNext() {
        try (Gateway gateway = Networks.gateway(network)
                .addOrderer("dead-orderer", Networks.unreachable())
                .addOrderer(network.orderer().name(), network.orderer().endpointConfig())
                .build()) {
            Contract contract = gateway.network("mychannel").contract("basic");

            for (int i = 0; i < 3; i++) {
                TxResult result = contract.newTransaction("CreateAsset")
                        .arguments(Networks.assetId("failover"), "teal", "1", "Kim", "1").submit();
                assertEquals(TxValidationCode.VALID, result.validationCode());
            }
        }
    }

    @Test
    void submit_deliverStreamsBrokenWhileSubmitsWait_everySubmitLearnsItsStatus() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger breaks = new AtomicInteger();
        try (Gateway gateway = Networks.withOrderer(Networks.gateway(network), network)
                .handler(PipelineStep.BROADCAST, broadcast -> (ctx, chain) -> broadcast.handle(ctx, chain)
                        .thenApply(result -> {
                            // Every 15th accepted transaction, cut every event stream: the others are waiting.
                            if (accepted.incrementAndGet() % 15 == 0) {
                                breaks.incrementAndGet();
                                network.peers().forEach(ReferenceNetwork.Peer::breakDeliverStreams);
                            }
                            return result;
                        }))
                .build()) {
            Contract contract = gateway.network("mychannel").contract("or", ChaincodePolicy.signature(Networks.OR_POLICY));
            List<CompletableFuture<TxResult>> futures = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                futures.add(contract.newTransaction("CreateAsset")
                        .arguments(Networks.assetId("events"), "gold", "1", "Lee", "1").submitAsync());
            }

            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, SECONDS);

            for (CompletableFuture<TxResult> f : futures) {
                assertEquals(TxValidationCode.VALID, f.join().validationCode());
            }
            assertEquals(4, breaks.get(), "the streams were broken while transactions were waiting");
        }
    }

    @Test
    void submit_stalledPeer_timeoutNamingTheEndorseStageAndThePeer() {
        ReferenceNetwork.Peer stalled = network.peer("Org2MSP");
        try (Gateway gateway = countingGateway()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            contract.evaluate("GetAllAssets"); // read the channel config before the fault
            stalled.stallEndorsements(true);

            TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
                    () -> contract.newTransaction("CreateAsset").arguments(Networks.assetId("stall"), "red", "1", "A", "1")
                            .endorseTimeout(Duration.ofMillis(500)).submit());

            assertEquals(TransactionStage.ENDORSE, e.stage());
            assertEquals(Duration.ofMillis(500), e.timeout());
            assertTrue(e.getMessage().contains("ENDORSE timed out"), e.getMessage());
            assertEquals(List.of(stalled.endpoint()), e.details().stream().map(NodeError::address).toList());
            assertEquals("DEADLINE_EXCEEDED", e.details().get(0).status());
            assertTrue(e.retryable());
            assertEquals(0, broadcasts.get());
        }
    }

    @Test
    void evaluate_ownOrganizationsPeerStalled_answeredByTheOtherWithinTheTimeoutAndAvoidedAfterwards() {
        try (Gateway gateway = countingGateway()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            network.peer("Org1MSP").stallEndorsements(true);

            // Half the time goes to the hung peer, the rest to the next candidate.
            byte[] assets = contract.newTransaction("GetAllAssets").endorseTimeout(Duration.ofSeconds(2)).evaluate();
            assertTrue(new String(assets).startsWith("["), new String(assets));

            // The hung peer was recorded as failed: the next evaluate goes to the other one first,
            // so even a timeout shorter than half the first one's wait is met.
            byte[] again = contract.newTransaction("GetAllAssets").endorseTimeout(Duration.ofMillis(400)).evaluate();
            assertTrue(new String(again).startsWith("["), new String(again));
        }
    }

    @Test
    void evaluate_everyPeerStalled_timeoutNamingTheEndorseStageAndEachPeer() {
        try (Gateway gateway = countingGateway()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            network.peers().forEach(p -> p.stallEndorsements(true));

            TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
                    () -> contract.newTransaction("GetAllAssets").endorseTimeout(Duration.ofMillis(400)).evaluate());

            assertEquals(TransactionStage.ENDORSE, e.stage());
            assertEquals(2, e.details().size(), e.details().toString());
            assertTrue(e.details().stream().allMatch(d -> d.status().equals("DEADLINE_EXCEEDED")), e.details().toString());
        }
    }

    /** A peer whose chaincode is non-deterministic: its result differs from everyone else's. */
    private static UnaryOperator<ProposalResponse> differentResult() {
        return r -> {
            try {
                ProposalResponsePayload payload = ProposalResponsePayload.parseFrom(r.getPayload());
                ChaincodeAction action = ChaincodeAction.parseFrom(payload.getExtension());
                ChaincodeAction changed = action.toBuilder()
                        .setResponse(action.getResponse().toBuilder().setPayload(ByteString.copyFromUtf8("another result")))
                        .build();
                return r.toBuilder().setPayload(payload.toBuilder().setExtension(changed.toByteString()).build()
                        .toByteString()).build();
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
