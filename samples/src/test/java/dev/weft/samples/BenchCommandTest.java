package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code weft bench} against the embedded network: it runs, commits, and reports its figures. */
class BenchCommandTest {

    @Test
    void bench_embeddedClosedLoopForTwoSeconds_reportsCommittedThroughputAndLatencies() throws IOException {
        Cli result = Cli.run("bench", "--embedded", "--duration", "2s", "--concurrency", "8", "--batch-timeout", "20ms",
                "--json");

        assertEquals(0, result.exitCode(), result.toString());
        Map<String, Object> figures = flatten(result.out());
        assertTrue(((Number) figures.get("committed")).longValue() > 0, figures.toString());
        assertTrue(((Number) figures.get("txPerSecond")).doubleValue() > 0, figures.toString());
        assertEquals(0L, ((Number) figures.get("failed")).longValue(), figures.toString());
        assertTrue(((Number) figures.get("latencyMs.p50")).doubleValue() > 0, figures.toString());
        assertTrue(((Number) figures.get("latencyMs.p99")).doubleValue()
                >= ((Number) figures.get("latencyMs.p50")).doubleValue(), figures.toString());
        assertEquals("closed loop, 8 in flight", figures.get("mode"));
    }

    @Test
    void bench_embeddedOpenLoopForACount_runsThatManyAndPrintsATable() {
        Cli result = Cli.run("bench", "--embedded", "--rate", "200", "--count", "100", "--batch-timeout", "20ms");

        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.out().contains("open loop, 200 tx/s offered"), result.toString());
        assertTrue(result.out().contains("committed     100 tx"), result.toString());
        assertTrue(result.out().contains("latency (ms)  p50 "), result.toString());
        assertTrue(result.out().contains("CPU per tx"), result.toString());
    }

    @Test
    void bench_embeddedRaftClusterOfThree_commitsEveryTransaction() throws IOException {
        Cli result = Cli.run("bench", "--embedded", "--orderers", "3", "--count", "60", "--concurrency", "8",
                "--batch-timeout", "20ms", "--json");

        assertEquals(0, result.exitCode(), result.toString());
        Map<String, Object> figures = flatten(result.out());
        assertEquals(60L, ((Number) figures.get("committed")).longValue(), figures.toString());
        assertEquals(0L, ((Number) figures.get("failed")).longValue(), figures.toString());
    }

    @Test
    void bench_embeddedRaftLeaderKilledMidRun_reportsWhoWasStoppedAndTheRecovery() throws IOException {
        // An open loop: transactions the dying leader accepted wait out their budgets, and in a closed
        // loop they could hold every slot, leaving nothing submitted after the kill to measure by.
        Cli result = Cli.run("bench", "--embedded", "--orderers", "3", "--duration", "8s", "--kill-leader-after", "2s",
                "--rate", "40", "--batch-timeout", "20ms", "--allow-failures", "--json");

        assertEquals(0, result.exitCode(), result.toString());
        Map<String, Object> figures = flatten(result.out());
        assertTrue(((Number) figures.get("committed")).longValue() > 0, figures.toString());
        assertTrue(String.valueOf(figures.get("leaderKill.orderer")).matches("orderer\\d?\\.example\\.com"),
                figures.toString());
        assertEquals(2.0, ((Number) figures.get("leaderKill.afterSeconds")).doubleValue(), figures.toString());
        // Commits resumed under a new leader within the run (how fast is the benchmark's business).
        assertTrue(figures.get("leaderKill.recoveryMs") instanceof Number, figures.toString());
    }

    @Test
    void bench_killLeaderWithoutARaftCluster_isRefusedWithWhatToAdd() {
        Cli result = Cli.run("bench", "--embedded", "--duration", "2s", "--kill-leader-after", "1s");

        assertEquals(Weft.USAGE, result.exitCode(), result.toString());
        assertTrue(result.err().contains("--kill-leader-after needs --embedded with --orderers 2 or more"),
                result.toString());
    }

    /** The report's JSON as dotted keys ({@code latencyMs.p50}) to values. */
    static Map<String, Object> flatten(String json) throws IOException {
        Map<String, Object> values = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            String prefix = "";
            String field = null;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case FIELD_NAME -> field = p.currentName();
                    case START_OBJECT -> prefix = field == null ? "" : prefix + field + ".";
                    case END_OBJECT -> prefix = prefix.isEmpty() ? "" : prefix.substring(0, prefix.lastIndexOf('.',
                            prefix.length() - 2) + 1);
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> values.put(prefix + field, p.getNumberValue());
                    case VALUE_STRING -> values.put(prefix + field, p.getText());
                    default -> {
                    }
                }
            }
        }
        return values;
    }
}
