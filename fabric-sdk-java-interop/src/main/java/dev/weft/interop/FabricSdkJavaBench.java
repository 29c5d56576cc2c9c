package dev.weft.interop;

import dev.weft.interop.load.ClosedLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
        Map<String, String> options = ClosedLoop.options(args);
        Path profile = Path.of(ClosedLoop.required(options, "--profile"));
        Path msp = Path.of(ClosedLoop.required(options, "--msp-dir"));
        String mspId = ClosedLoop.required(options, "--msp");
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
                ClosedLoop.run(concurrency, warmup, bench::submit);
            }
            System.out.println(ClosedLoop.run(concurrency, duration, bench::submit));
        } finally {
            channel.shutdown(true);
        }
        System.exit(0); // fabric-sdk-java leaves non-daemon threads behind
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

    /** A fabric-sdk-java user from a cryptogen MSP directory (one certificate, one PKCS#8 key). */
    static User user(Path msp, String mspId) throws Exception {
        String cert = Files.readString(ClosedLoop.only(msp.resolve("signcerts")));
        String keyPem = Files.readString(ClosedLoop.only(msp.resolve("keystore")));
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
}
