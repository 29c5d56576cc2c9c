package dev.weft.testnet.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What the test's logger (slf4j-simple, which writes to whatever {@code System.err} is when it
 * logs) prints while this is open, still passed on to the real stream. Tests filter the lines by
 * fragments unique to them (a channel name, a logger), since other threads may log meanwhile.
 * Thread-safe; close it to restore {@code System.err}.
 */
public final class CapturedLog implements AutoCloseable {
    private final PrintStream original;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private CapturedLog() {
        this.original = System.err;
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                captured.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                captured.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    public static CapturedLog start() {
        return new CapturedLog();
    }

    /** The lines logged so far that contain every fragment. */
    public List<String> lines(String... fragments) {
        return captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> Arrays.stream(fragments).allMatch(line::contains))
                .toList();
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(original);
    }
}
