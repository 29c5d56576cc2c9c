package dev.weft.interop;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.hyperledger.fabric.sdk.BlockEvent;
import org.hyperledger.fabric.sdk.Channel;
import org.hyperledger.fabric.sdk.Enrollment;
import org.hyperledger.fabric.sdk.HFClient;
import org.hyperledger.fabric.sdk.NetworkConfig;
import org.hyperledger.fabric.sdk.ProposalResponse;
import org.hyperledger.fabric.sdk.TransactionProposalRequest;
import org.hyperledger.fabric.sdk.User;
import org.hyperledger.fabric.sdk.security.CryptoSuite;

/**
 * The same load as {@code weft bench}, driven by fabric-sdk-java 2.2 for the side-by-side
 * benchmark: CreateAsset with unique keys, endorsed by every endorsing peer of the channel, waiting
 * for the commit event, as a closed loop of {@code --concurrency} transactions in flight. Its
 * blocking API needs one thread per transaction in flight. Prints the same JSON figures as
 * {@code weft bench --json}.
 *
 * <p>Usage: {@code --profile FILE --msp-dir DIR --msp MSPID [--channel mychannel] [--chaincode basic]
 * [--concurrency 16] [--warmup 5] [--duration 10]} (seconds).
 */
public final class FabricSdkJavaBench {
    private final Channel channel;
    private final HFClient client;
    private final String chaincode;
    private final AtomicLong keys = new AtomicLong();
    private final String prefix = "fsj-" + Long.toString(System.currentTimeMillis(), 36) + "-";

    private FabricSdkJavaBench(HFClient client, Channel channel, String chaincode) {
        this.client = client;
        this.channel = channel;
        this.chaincode = chaincode;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path profile = Path.of(required(options, "--profile"));
        Path msp = Path.of(required(options, "--msp-dir"));
        String mspId = required(options, "--msp");
        int concurrency = Integer.parseInt(options.getOrDefault("--concurrency", "16"));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--warmup", "5")));
        Duration duration = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--duration", "10")));

        HFClient client = HFClient.createNewInstance();
        client.setCryptoSuite(CryptoSuite.Factory.getCryptoSuite());
        client.setUserContext(user(msp, mspId));
        Channel channel = client.loadChannelFromConfig(options.getOrDefault("--channel", "mychannel"),
                NetworkConfig.fromYamlFile(profile.toFile()));
        channel.initialize();
        try {
            FabricSdkJavaBench bench = new FabricSdkJavaBench(client, channel, options.getOrDefault("--chaincode", "basic"));
            if (!warmup.isZero()) {
                bench.run(concurrency, warmup);
            }
            System.out.println(bench.run(concurrency, duration));
        } finally {
            channel.shutdown(true);
        }
        System.exit(0); // fabric-sdk-java leaves non-daemon threads behind
    }

    /** One closed-loop run; returns the figures as JSON. */
    private String run(int concurrency, Duration duration) throws InterruptedException {
        Recorder latencies = new Recorder(3);
        LongAdder committed = new LongAdder();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        ManagementFactory.getThreadMXBean().resetPeakThreadCount();
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        for (int i = 0; i < concurrency; i++) {
            workers.execute(() -> {
                while (System.nanoTime() < deadline) {
                    long began = System.nanoTime();
                    try {
                        submit();
                        latencies.recordValue(Math.max(1, (System.nanoTime() - began) / 1000));
                        committed.increment();
                    } catch (Exception e) {
                        failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
                    }
                }
            });
        }
        workers.shutdown();
        workers.awaitTermination(duration.toSeconds() + 120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = processCpuNanos() - cpuStart;
        Histogram h = latencies.getIntervalHistogram();
        Map<String, Long> failed = new TreeMap<>();
        failures.forEach((k, v) -> failed.put(k, v.sum()));
        long n = committed.sum();
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"mode\":\"closed loop, %d in flight\",\"concurrency\":%d,"
                        + "\"committed\":%d,\"failed\":%d,\"failures\":{", concurrency, concurrency, n,
                failed.values().stream().mapToLong(Long::longValue).sum()));
        json.append(String.join(",", failed.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":" + e.getValue()).toList()));
        json.append(String.format(Locale.ROOT, "},\"skipped\":0,\"seconds\":%.3f,\"txPerSecond\":%.2f,"
                        + "\"latencyMs\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p99.9\":%.3f,\"max\":%.3f},"
                        + "\"cpuMicrosPerTx\":%d,\"peakThreads\":%d}",
                seconds, n / seconds, ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9),
                h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0, n == 0 ? -1 : cpu / 1000 / n,
                ManagementFactory.getThreadMXBean().getPeakThreadCount()));
        return json.toString();
    }

    private void submit() throws Exception {
        TransactionProposalRequest request = client.newTransactionProposalRequest();
        request.setChaincodeName(chaincode);
        request.setFcn("CreateAsset");
        request.setArgs(prefix + keys.incrementAndGet(), "blue", "5", "Bench", "1");
        request.setProposalWaitTime(30_000);
        Collection<ProposalResponse> responses = channel.sendTransactionProposal(request);
        for (ProposalResponse response : responses) {
            if (response.getStatus() != ProposalResponse.Status.SUCCESS) {
                throw new IllegalStateException("endorsement failed: " + response.getMessage());
            }
        }
        BlockEvent.TransactionEvent event = channel.sendTransaction(responses).get(60, TimeUnit.SECONDS);
        if (!event.isValid()) {
            throw new IllegalStateException("validation code " + event.getValidationCode());
        }
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got " + List.of(args));
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    /** A fabric-sdk-java user from a cryptogen MSP directory (one certificate, one PKCS#8 key). */
    static User user(Path msp, String mspId) throws Exception {
        String cert = Files.readString(only(msp.resolve("signcerts")));
        String keyPem = Files.readString(only(msp.resolve("keystore")));
        String base64 = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        Enrollment enrollment = new Enrollment() {
            @Override
            public PrivateKey getKey() {
                return key;
            }

            @Override
            public String getCert() {
                return cert;
            }
        };
        return new User() {
            @Override
            public String getName() {
                return msp.getParent().getFileName().toString();
            }

            @Override
            public Set<String> getRoles() {
                return Set.of();
            }

            @Override
            public String getAccount() {
                return null;
            }

            @Override
            public String getAffiliation() {
                return null;
            }

            @Override
            public Enrollment getEnrollment() {
                return enrollment;
            }

            @Override
            public String getMspId() {
                return mspId;
            }
        };
    }

    private static Path only(Path directory) throws java.io.IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> list = files.filter(Files::isRegularFile).toList();
            if (list.size() != 1) {
                throw new IllegalArgumentException(directory + " must hold exactly one file, holds " + list.size());
            }
            return list.get(0);
        }
    }
}
