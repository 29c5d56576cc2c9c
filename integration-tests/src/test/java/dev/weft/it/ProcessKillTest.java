package dev.weft.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.CommitStatusException;
import dev.weft.core.Credentials;
import dev.weft.core.EndorseException;
import dev.weft.core.EventStreamException;
import dev.weft.core.Signers;
import dev.weft.core.TransactionStage;
import dev.weft.core.X509Identity;
import dev.weft.events.CloseableIterator;
import dev.weft.handlers.Contract;
import dev.weft.handlers.EndorsedTransaction;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real process kills: the whole network runs in a child JVM ({@link ChildNetwork}) that a test
 * kills with SIGKILL mid-work. The client must fail with a typed error within its budget, or ride
 * the break out, never hang, and report nothing it did not see committed.
 */
class ProcessKillTest {
    private static final String CHANNEL = "mychannel";

    @TempDir
    Path dir;
    private Process child;
    private Gateway gateway;

    @BeforeEach
    void startChild() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        child = new ProcessBuilder(java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                ChildNetwork.class.getName(), dir.toString())
                .redirectError(dir.resolve("child.err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
                    // skip anything else the child prints
                }
                return line;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).get(60, SECONDS);
        assertTrue(ready != null, "the child network did not start; see " + dir.resolve("child.err"));
        Path profile = Path.of(ready.substring("READY ".length()));
        X509Identity identity = X509Identity.of("Org1MSP", Credentials.readCertificate(dir.resolve("user-cert.pem")));
        PrivateKey key = Credentials.readPrivateKey(dir.resolve("user-key.pem"));
        gateway = Gateway.builder().identity(identity).signer(Signers.newPrivateKeySigner(identity, key))
                .connectionProfile(profile).timeout(Duration.ofSeconds(20)).submitTimeout(Duration.ofSeconds(3))
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (child != null) {
            child.destroyForcibly().waitFor(30, SECONDS);
        }
    }

    private void kill() throws InterruptedException {
        child.destroyForcibly();
        assertTrue(child.waitFor(30, SECONDS), "the child network did not die");
    }

    private static String[] create(String id) {
        return new String[] {id, "blue", "5", "Tom", "100"};
    }

    @Test
    void submit_networkKilled_endorseExceptionWithinItsBudgetSayingItCannotConnect() throws Exception {
        Contract contract = gateway.network(CHANNEL).contract("basic");
        assertEquals(TxValidationCode.VALID, contract.newTransaction("CreateAsset").arguments(create("before-kill"))
                .submit().validationCode());

        kill();

        EndorseException e = assertTimeoutPreemptively(Duration.ofSeconds(40),
                () -> assertThrows(EndorseException.class, () -> contract.submit("CreateAsset", create("after-kill"))));
        assertEquals(TransactionStage.ENDORSE, e.stage());
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
        assertTrue(e.retryable(), "the network may come back");
    }

    @Test
    void submit_networkKilledAfterEndorsement_notBroadcastBecauseNoCommitEventsCanBeReceived() throws Exception {
        EndorsedTransaction endorsed = gateway.network(CHANNEL).contract("basic").newTransaction("CreateAsset")
                .arguments(create("endorsed-then-killed")).newProposal().endorse();

        kill();

        // The commit wait is set before the broadcast: with no peer to hear the commit from, the
        // transaction is not sent, so the application knows it was not ordered.
        CommitStatusException e = assertTimeoutPreemptively(Duration.ofSeconds(40),
                () -> assertThrows(CommitStatusException.class, endorsed::submit));
        assertTrue(e.getMessage().contains("was not broadcast"), e.getMessage());
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
        assertEquals(endorsed.transactionId(), e.transactionId());
    }

    @Test
    void events_networkKilledMidStream_theBreakIsReportedAndNoBlockIsDeliveredTwice() throws Exception {
        TxResult committed = gateway.network(CHANNEL).contract("basic").newTransaction("CreateAsset")
                .arguments(create("streamed")).submit();
        CompletableFuture<EventStreamException> broke = new CompletableFuture<>();
        List<Long> numbers = new ArrayList<>();

        try (CloseableIterator<Block> blocks = gateway.network(CHANNEL).events().startBlock(0)
                .reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(200)).onReconnect(broke::complete).blocks()) {
            CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
                try {
                    while (true) {
                        numbers.add(blocks.next().getHeader().getNumber());
                    }
                } catch (NoSuchElementException closed) {
                    // the test closed the stream
                }
            });
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                while (numbers.size() <= committed.blockNumber()) {
                    Thread.onSpinWait();
                }
            });

            kill();

            EventStreamException why = broke.get(30, SECONDS);
            assertEquals("UNAVAILABLE", why.detail().status());
            assertFalse(reading.isDone(), "the stream waits for the network to come back instead of ending");
            blocks.close();
            reading.get(30, SECONDS);
        }

        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(i, numbers.get(i), "block " + i + " once, in order: " + numbers);
        }
    }
}
