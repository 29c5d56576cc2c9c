package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code weft demo} runs to completion and shows every stage, VALID commits and the read conflict. */
class DemoCommandTest {

    @Test
    void demo_onAFreshEmbeddedNetwork_showsEveryStageAndTheConflictAndExitsZero() {
        Cli result = Cli.run("demo");

        assertEquals(0, result.exitCode(), result.toString());
        String out = result.out();
        for (String stage : new String[] {"select", "sign", "endorse", "validate", "verify", "policy", "envelope",
            "listen", "broadcast", "commit"}) {
            assertTrue(Pattern.compile("^   (A |B )?" + stage + " +[0-9.]+ ms ", Pattern.MULTILINE).matcher(out).find(),
                    "no timed line for stage " + stage + ":\n" + out);
        }
        assertTrue(out.contains("endorsers peer0.org1.example.com (Org1MSP), peer0.org2.example.com (Org2MSP)"), out);
        assertTrue(out.contains("signed by peer0.org1.example.com (Org1MSP), peer0.org2.example.com (Org2MSP)"), out);
        assertTrue(out.contains("accepted by orderer.example.com"), out);
        assertTrue(Pattern.compile("commit +[0-9.]+ ms  block \\d+, VALID").matcher(out).find(), out);
        assertTrue(out.contains("MVCC_READ_CONFLICT"), out);
        assertTrue(out.contains("\"Owner\":\"Ann\""), "ReadAsset shows the transfer:\n" + out);
        assertFalse(result.err().contains("Exception"), result.err());
    }
}
