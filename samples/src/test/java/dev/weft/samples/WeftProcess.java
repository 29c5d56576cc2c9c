package dev.weft.samples;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code weft network start} in a child JVM, as a user runs it, and what it printed until it was ready. */
record WeftProcess(Process process, List<String> lines) {
    /**
     * Starts {@code weft network start ARGS} with stderr into {@code stderr}, and waits (90 s at
     * most) for the line saying it is ready.
     */
    static WeftProcess networkStart(Path stderr, List<String> args) throws Exception {
        String classpath = Files.readString(Path.of(System.getProperty("weft.cli.classpath"))).trim()
                + File.pathSeparator + System.getProperty("weft.cli.classes");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", classpath, "dev.weft.samples.Weft", "network",
                "start"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                    if (line.equals(NetworkCommand.READY)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        if (!ready.get(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("weft network start ended before it was ready: " + lines + "\n"
                    + Files.readString(stderr));
        }
        return new WeftProcess(process, lines);
    }
}
