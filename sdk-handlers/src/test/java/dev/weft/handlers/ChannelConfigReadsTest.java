package dev.weft.handlers;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.ChannelConfig;
import dev.weft.core.GrpcChannels;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import dev.weft.testnet.ReferenceNetwork;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ProposalResponse;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway reads a channel's config on its own: never through the application's handlers or
 * step customizations, once for many transactions.
 */
class ChannelConfigReadsTest {
    private static ReferenceNetwork network;
    private static final List<ManagedChannel> channels = new ArrayList<>();
    private static Peer org1;
    private static Peer org2;
    private static Orderer orderer;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().start();
        org1 = peer(network.peer("Org1MSP"));
        org2 = peer(network.peer("Org2MSP"));
        ManagedChannel channel = GrpcChannels.create(network.orderer().endpointConfig());
        channels.add(channel);
        orderer = Orderer.of(network.orderer().name(), network.orderer().endpointConfig(), channel);
    }

    private static Peer peer(ReferenceNetwork.Peer peer) {
        ManagedChannel channel = GrpcChannels.create(peer.endpointConfig());
        channels.add(channel);
        return Peer.of(peer.name(), peer.mspId(), peer.endpointConfig(), channel);
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (network != null) {
            network.close();
        }
    }

    @Test
    void submitsAndEvaluates_customizedEndorseAndAddedHandlerSeeOnlyTheApplicationsTransactions() throws Exception {
        List<String> seenByHandler = new CopyOnWriteArrayList<>();
        List<String> seenByEndorseWrapper = new CopyOnWriteArrayList<>();
        ReferenceNetwork.User user = network.user("Org1MSP");
        try (Gateway gateway = Gateway.builder().identity(user.identity()).signer(user.signer())
                .addPeer(org1).addPeer(org2).addOrderer(orderer)
                .addHandler((ctx, chain) -> {
                    seenByHandler.add(ctx.chaincode() + "." + ctx.function());
                    return chain.proceed(ctx);
                })
                .handler(PipelineStep.ENDORSE, endorse -> (ctx, chain) -> {
                    seenByEndorseWrapper.add(ctx.chaincode() + "." + ctx.function());
                    return endorse.handle(ctx, chain);
                })
                .build()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            List<CompletableFuture<TxResult>> submits = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                submits.add(contract.newTransaction("CreateAsset")
                        .arguments("asset-" + UUID.randomUUID(), "blue", "5", "Tom", "100").submitAsync());
            }
            for (CompletableFuture<TxResult> submit : submits) {
                assertEquals(org.hyperledger.fabric.protos.peer.TxValidationCode.VALID,
                        submit.get(30, SECONDS).validationCode());
            }
            contract.evaluate("AssetExists", "x");
            ChannelConfig config = gateway.network("mychannel").channelConfig();

            assertEquals("mychannel", config.channelId());
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                expected.add("basic.CreateAsset");
            }
            expected.add("basic.AssetExists");
            assertEquals(expected, seenByHandler, "the added handler saw something other than the application's calls");
            assertEquals(expected, seenByEndorseWrapper, "the ENDORSE customization saw the gateway's own reads");
            assertFalse(seenByEndorseWrapper.stream().anyMatch(s -> s.startsWith("cscc")));
        }
    }

    @Test
    void channelConfig_manyTransactions_readFromAPeerOnce() throws Exception {
        ReferenceNetwork.User user = network.user("Org1MSP");
        // The peers answer cscc like any proposal; count the config reads they are sent.
        List<String> reads = new CopyOnWriteArrayList<>();
        for (ReferenceNetwork.Peer peer : network.peers()) {
            peer.interceptResponses(response -> {
                if (chaincodeOf(response).equals("cscc")) {
                    reads.add(peer.name());
                }
                return response;
            });
        }
        try (Gateway gateway = Gateway.builder().identity(user.identity()).signer(user.signer())
                .addPeer(org1).addPeer(org2).addOrderer(orderer).build()) {
            Contract contract = gateway.network("mychannel").contract("basic");
            for (int i = 0; i < 5; i++) {
                contract.submit("CreateAsset", "asset-" + UUID.randomUUID(), "blue", "5", "Tom", "100");
            }
            gateway.network("mychannel").channelConfig();

            assertEquals(List.of(network.peer("Org1MSP").name()), reads,
                    "one read, from the client's own organisation, cached for every transaction");
        } finally {
            network.peers().forEach(peer -> peer.interceptResponses(null));
        }
    }

    private static String chaincodeOf(ProposalResponse response) {
        try {
            return ChaincodeAction.parseFrom(ProposalResponsePayload.parseFrom(response.getPayload()).getExtension())
                    .getChaincodeId().getName();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("a peer sent an unreadable response payload", e);
        }
    }
}
