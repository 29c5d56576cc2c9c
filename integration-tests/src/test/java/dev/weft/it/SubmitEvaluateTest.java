package dev.weft.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.CommitException;
import dev.weft.core.EndorseException;
import dev.weft.core.TransactionStage;
import dev.weft.handlers.Contract;
import dev.weft.events.ChaincodeEvent;
import dev.weft.events.CloseableIterator;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.Network;
import dev.weft.handlers.PipelineStep;
import dev.weft.handlers.TxResult;
import dev.weft.testnet.ReferenceNetwork;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submit and evaluate end to end through the public API on the reference network: policies,
 * concurrency, read conflicts, chaincode errors, transient data and the per-transaction options.
 */
class SubmitEvaluateTest {
    private static ReferenceNetwork network;
    private static Gateway gateway;
    private static Path profile;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() {
        network = Networks.start();
        profile = network.writeTo(files).get("Org1MSP");
        ReferenceNetwork.User user = network.user("Org1MSP");
        gateway = Gateway.builder().identity(user.identity()).signer(user.signer()).connectionProfile(profile).build();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void submit_andPolicyOfTwoOrganizations_commitsValidAndEvaluateReadsIt() {
        Contract contract = gateway.network("mychannel").contract("and", ChaincodePolicy.signature(Networks.AND_POLICY));
        String id = Networks.assetId("and");

        TxResult result = contract.newTransaction("CreateAsset").arguments(id, "blue", "5", "Tom", "100").submit();

        // The committing peers judged the endorsements against AND(Org1, Org2): VALID proves both endorsed.
        assertEquals(TxValidationCode.VALID, result.validationCode());
        assertEquals(64, result.transactionId().length());
        assertTrue(result.blockNumber() > 0);
        String asset = new String(contract.evaluate("ReadAsset", id), UTF_8);
        assertTrue(asset.contains("\"Owner\":\"Tom\""), asset);
    }

    @Test
    void submit_channelDefaultPolicy_commitsValid() {
        Contract contract = gateway.network("mychannel").contract("basic");
        String id = Networks.assetId("basic");

        byte[] created = contract.submit("CreateAsset", id, "red", "3", "Ann", "50");

        assertTrue(new String(created, UTF_8).contains(id));
        assertEquals("true", new String(contract.evaluate("AssetExists", id), UTF_8));
    }

    @Test
    void submitAsync_500Concurrent_allCommitValidWithBoundedThreads() throws Exception {
        Contract contract = gateway.network("mychannel").contract("or", ChaincodePolicy.signature(Networks.OR_POLICY));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int before = threads.getThreadCount();
        threads.resetPeakThreadCount();

        List<CompletableFuture<TxResult>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(contract.newTransaction("CreateAsset")
                    .arguments(Networks.assetId("load"), "green", "1", "Bob", String.valueOf(i))
                    .submitAsync());
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, SECONDS);

        Set<String> txIds = new HashSet<>();
        for (CompletableFuture<TxResult> f : futures) {
            TxResult result = f.join();
            assertEquals(TxValidationCode.VALID, result.validationCode(), result.toString());
            txIds.add(result.transactionId());
        }
        assertEquals(500, txIds.size());
        // 500 transactions in flight must not mean 500 threads: the gateway's pool and gRPC's
        // event loops carry them all. The network itself runs in this JVM, so allow for its threads.
        int grown = threads.getPeakThreadCount() - before;
        assertTrue(grown < 64, "thread count grew by " + grown + " during 500 concurrent submits");
    }

    @Test
    void submit_twoConflictingTransfers_oneValidOneMvccReadConflict() throws Exception {
        ReferenceNetwork.User user = network.user("Org1MSP");
        String id = Networks.assetId("mvcc");
        gateway.network("mychannel").contract("basic").submit("CreateAsset", id, "white", "2", "Tom", "10");

        // Hold both transactions after endorsement until both are endorsed, so both read the same version.
        CompletableFuture<Void> bothEndorsed = new CompletableFuture<>();
        AtomicInteger endorsed = new AtomicInteger();
        try (Gateway racing = Gateway.builder().identity(user.identity()).signer(user.signer())
                .connectionProfile(profile)
                .handler(PipelineStep.SIGN_ENVELOPE, signEnvelope -> (ctx, chain) -> {
                    if (endorsed.incrementAndGet() == 2) {
                        bothEndorsed.complete(null);
                    }
                    return bothEndorsed.thenCompose(v -> signEnvelope.handle(ctx, chain));
                })
                .build()) {
            Contract contract = racing.network("mychannel").contract("basic");
            CompletableFuture<TxResult> toAnn = contract.newTransaction("TransferAsset").arguments(id, "Ann").submitAsync();
            CompletableFuture<TxResult> toBob = contract.newTransaction("TransferAsset").arguments(id, "Bob").submitAsync();

            List<TxResult> valid = new ArrayList<>();
            List<CommitException> conflicts = new ArrayList<>();
            for (CompletableFuture<TxResult> f : List.of(toAnn, toBob)) {
                try {
                    valid.add(f.get(30, SECONDS));
                } catch (ExecutionException e) {
                    conflicts.add(assertInstanceOf(CommitException.class, e.getCause()));
                }
            }
            assertEquals(1, valid.size(), "exactly one transfer commits");
            assertEquals(1, conflicts.size(), "exactly one transfer is invalidated");
            CommitException conflict = conflicts.get(0);
            assertEquals(TxValidationCode.MVCC_READ_CONFLICT, conflict.validationCode());
            assertEquals(TransactionStage.COMMIT, conflict.stage());
            assertTrue(conflict.retryable());
            assertFalse(conflict.transactionId().isEmpty());
            assertTrue(conflict.getMessage().contains("MVCC_READ_CONFLICT"), conflict.getMessage());
        }
    }

    @Test
    void chaincodeEvents_submitWhileListening_eventArrivesWithTheTransactionsIdAndBlock() throws Exception {
        Network channel = gateway.network("mychannel");
        Contract contract = channel.contract("events", ChaincodePolicy.signature(Networks.OR_POLICY));
        String id = Networks.assetId("event");

        try (CloseableIterator<ChaincodeEvent> events = channel.events().chaincodeEvents("events")) {
            TxResult result = contract.newTransaction("CreateAsset").arguments(id, "blue", "5", "Tom", "100").submit();

            ChaincodeEvent event = CompletableFuture.supplyAsync(events::next).get(20, SECONDS);
            assertEquals(result.transactionId(), event.transactionId());
            assertEquals(result.blockNumber(), event.blockNumber());
            assertEquals("CreateAsset", event.eventName());
            assertTrue(event.payloadAsString().contains(id), event.payloadAsString());
        }
    }

    @Test
    void submit_result_namesTheOrdererThatAcceptedIt() {
        TxResult result = gateway.network("mychannel").contract("basic").newTransaction("CreateAsset")
                .arguments(Networks.assetId("orderer"), "blue", "5", "Tom", "100").submit();

        assertEquals(network.orderer().name(), result.orderer().orElseThrow().name());
    }

    @Test
    void submit_chaincodeError_endorseExceptionCarriesTheChaincodeMessage() {
        Contract contract = gateway.network("mychannel").contract("basic");
        String id = Networks.assetId("dup");
        contract.submit("CreateAsset", id, "black", "1", "Tom", "1");

        EndorseException e = assertThrows(EndorseException.class,
                () -> contract.submit("CreateAsset", id, "black", "1", "Tom", "1"));

        assertTrue(e.getMessage().contains("The asset " + id + " already exists"), e.getMessage());
        assertEquals(TransactionStage.ENDORSE, e.stage());
        assertFalse(e.details().isEmpty());
        assertTrue(e.details().get(0).message().contains("already exists"), e.details().toString());
        assertEquals("500", e.details().get(0).status());
        assertFalse(e.retryable());
    }

    @Test
    void evaluate_chaincodeError_endorseExceptionCarriesTheChaincodeMessage() {
        Contract contract = gateway.network("mychannel").contract("basic");

        EndorseException e = assertThrows(EndorseException.class, () -> contract.evaluate("ReadAsset", "no-such-asset"));

        assertTrue(e.getMessage().contains("The asset no-such-asset does not exist"), e.getMessage());
    }

    @Test
    void submit_transientData_reachesTheChaincodeButNotTheLedger() {
        Contract contract = gateway.network("mychannel").contract("basic");
        String id = Networks.assetId("transient");

        // The asset-transfer chaincode ignores transient data; the transaction must still commit
        // with it attached (it is hashed into the proposal, not written into the envelope).
        TxResult result = contract.newTransaction("CreateAsset")
                .arguments(id, "pink", "4", "Eve", "7")
                .transientData(Map.of("secret", "not-on-the-ledger".getBytes(UTF_8)))
                .submit();

        assertEquals(TxValidationCode.VALID, result.validationCode());
    }

    @Test
    void submit_endorsingOrganizationsOrg2Only_commitsUnderOrPolicy() {
        Contract contract = gateway.network("mychannel").contract("or", ChaincodePolicy.signature(Networks.OR_POLICY));
        String id = Networks.assetId("org2");

        TxResult result = contract.newTransaction("CreateAsset").arguments(id, "grey", "6", "Sam", "3")
                .endorsingOrganizations("Org2MSP").submit();

        assertEquals(TxValidationCode.VALID, result.validationCode());
    }

    @Test
    void submit_endorsingOrganizationsOrg2OnlyUnderAndPolicy_policyNotSatisfiedBeforeBroadcast() {
        Contract contract = gateway.network("mychannel").contract("and", ChaincodePolicy.signature(Networks.AND_POLICY));

        dev.weft.core.PolicyNotSatisfiedException e = assertThrows(dev.weft.core.PolicyNotSatisfiedException.class,
                () -> contract.newTransaction("CreateAsset").arguments(Networks.assetId("half"), "grey", "6", "Sam", "3")
                        .endorsingOrganizations("Org2MSP").submit());

        assertTrue(e.getMessage().contains(ChaincodePolicy.signature(Networks.AND_POLICY).toString()), e.getMessage());
        assertEquals(TransactionStage.VALIDATE, e.stage());
    }

    private static <T> T assertInstanceOf(Class<T> type, Throwable t) {
        return org.junit.jupiter.api.Assertions.assertInstanceOf(type, t, () -> String.valueOf(t));
    }
}
