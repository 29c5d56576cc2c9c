package dev.weft.interop.gateway;

import dev.weft.interop.load.ClosedLoop;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperledger.fabric.client.Contract;
import org.hyperledger.fabric.client.Gateway;
import org.hyperledger.fabric.client.identity.Identities;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The same load as {@code weft bench}, driven by fabric-gateway (Fabric's recommended client) for
 * the side-by-side benchmark: CreateAsset with unique keys through the first peer of the client's
 * organisation in the connection profile, whose Gateway service endorses, orders and reports the
 * commit status; a closed loop of {@code --concurrency} transactions in flight. Its
 * {@code submitTransaction} blocks until the commit, so it needs one thread per transaction in
 * flight. Prints the same JSON figures as {@code weft bench --json}.
 *
 * <p>Usage: {@code --profile FILE --msp-dir DIR --msp MSPID [--channel mychannel] [--chaincode basic]
 * [--concurrency 16] [--warmup 5] [--duration 10]} (seconds).
 */
public final class FabricGatewayBench {
    private FabricGatewayBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = ClosedLoop.options(args);
        Path profile = Path.of(ClosedLoop.required(options, "--profile"));
        Path msp = Path.of(ClosedLoop.required(options, "--msp-dir"));
        String mspId = ClosedLoop.required(options, "--msp");
        int concurrency = Integer.parseInt(options.getOrDefault("--concurrency", "16"));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--warmup", "5")));
        Duration duration = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--duration", "10")));

        ManagedChannel channel = channel(profile, mspId);
        try (Reader cert = Files.newBufferedReader(ClosedLoop.only(msp.resolve("signcerts")));
                Reader key = Files.newBufferedReader(ClosedLoop.only(msp.resolve("keystore")));
                Gateway gateway = Gateway.newInstance()
                        .identity(new X509Identity(mspId, Identities.readX509Certificate(cert)))
                        .signer(Signers.newPrivateKeySigner(Identities.readPrivateKey(key)))
                        .connection(channel)
                        .endorseOptions(o -> o.withDeadlineAfter(30, TimeUnit.SECONDS))
                        .submitOptions(o -> o.withDeadlineAfter(30, TimeUnit.SECONDS))
                        .commitStatusOptions(o -> o.withDeadlineAfter(60, TimeUnit.SECONDS))
                        .connect()) {
            Contract contract = gateway.getNetwork(options.getOrDefault("--channel", "mychannel"))
                    .getContract(options.getOrDefault("--chaincode", "basic"));
            String prefix = "fgw-" + Long.toString(System.currentTimeMillis(), 36) + "-";
            AtomicLong keys = new AtomicLong();
            ClosedLoop.Transaction createAsset = () -> contract.submitTransaction("CreateAsset",
                    prefix + keys.incrementAndGet(), "blue", "5", "Bench", "1");
            if (!warmup.isZero()) {
                ClosedLoop.run(concurrency, warmup, createAsset);
            }
            System.out.println(ClosedLoop.run(concurrency, duration, createAsset));
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A TLS channel to the first peer of the client's organisation in the profile (its url,
     * tlsCACerts.pem and ssl-target-name-override), built the way fabric-gateway's samples do.
     */
    @SuppressWarnings("unchecked")
    static ManagedChannel channel(Path profile, String mspId) throws IOException {
        Map<String, Object> root;
        try (Reader reader = Files.newBufferedReader(profile)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
        Map<String, Object> organizations = (Map<String, Object>) root.get("organizations");
        String peerName = organizations.values().stream().map(o -> (Map<String, Object>) o)
                .filter(o -> mspId.equals(o.get("mspid"))).findFirst()
                .map(o -> ((List<String>) o.get("peers")).get(0))
                .orElseThrow(() -> new IllegalArgumentException(profile + " has no organisation with mspid " + mspId));
        Map<String, Object> peer = (Map<String, Object>) ((Map<String, Object>) root.get("peers")).get(peerName);
        String url = (String) peer.get("url");
        String pem = (String) ((Map<String, Object>) peer.get("tlsCACerts")).get("pem");
        Map<String, Object> grpc = (Map<String, Object>) peer.getOrDefault("grpcOptions", Map.of());
        String authority = (String) grpc.getOrDefault("ssl-target-name-override", peerName);
        return NettyChannelBuilder.forTarget(url.replaceFirst("^grpcs?://", ""))
                .sslContext(GrpcSslContexts.forClient()
                        .trustManager(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8))).build())
                .overrideAuthority(authority)
                .build();
    }
}
