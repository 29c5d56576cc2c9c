package dev.weft.selection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorserSelector;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Fixtures;
import dev.weft.core.InvokedChaincode;
import dev.weft.core.ManualScheduler;
import dev.weft.core.Peer;
import dev.weft.core.PeerHealth;
import dev.weft.core.TransactionStage;
import dev.weft.core.internal.PeerHealthRecord;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** Peers, requests, a peer-health record on a manual clock and the real channel config shared by the selection tests. */
final class SelectionTesting {
    static final String CHANNEL = "mychannel";
    static final String CHAINCODE = "basic";
    static final Duration MEMORY = Duration.ofSeconds(30);

    /** Selection never calls a peer; any call would be a bug in the selector. */
    static final Channel UNUSED = new Channel() {
        @Override
        public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
            throw new UnsupportedOperationException("endorser selection must not call peers");
        }

        @Override
        public String authority() {
            return "unused";
        }
    };

    private SelectionTesting() {
    }

    /** A peer named {@code peer<n>.<org>}, e.g. {@code peer("peer0.org1", "Org1MSP")}. */
    static Peer peer(String name, String mspId) {
        return Peer.of(name, mspId, EndpointConfig.builder("127.0.0.1:7051").plaintext().build(), UNUSED);
    }

    /** {@code count} peers of each organisation {@code OrgNMSP} (n = 1..orgs), named peerI.orgN. */
    static List<Peer> grid(int orgs, int count) {
        List<Peer> peers = new ArrayList<>();
        for (int org = 1; org <= orgs; org++) {
            for (int i = 0; i < count; i++) {
                peers.add(peer("peer" + i + ".org" + org, "Org" + org + "MSP"));
            }
        }
        return peers;
    }

    static List<String> names(List<Peer> peers) {
        return peers.stream().map(Peer::name).toList();
    }

    static Set<String> nameSet(List<Peer> peers) {
        return peers.stream().map(Peer::name).collect(Collectors.toSet());
    }

    static Set<String> orgSet(List<Peer> peers) {
        return peers.stream().map(Peer::mspId).collect(Collectors.toSet());
    }

    static Peer named(List<Peer> peers, String name) {
        return peers.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no test peer " + name));
    }

    static RequestBuilder request(List<Peer> candidates) {
        return new RequestBuilder(candidates);
    }

    /** The selection, which must succeed. */
    static List<Peer> selected(EndorserSelector selector, EndorserSelector.Request request) {
        CompletableFuture<List<Peer>> future = selector.select(request);
        try {
            return future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("selection failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("selection did not complete", e);
        }
    }

    /**
     * The failure of a selection, which must complete exceptionally with an EndorseException at
     * stage SELECT whose message names the chaincode and the channel.
     */
    static EndorseException selectFailure(EndorserSelector selector, EndorserSelector.Request request) {
        CompletableFuture<List<Peer>> future = selector.select(request);
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS),
                "selection should fail");
        EndorseException failure = assertInstanceOf(EndorseException.class, e.getCause());
        assertEquals(TransactionStage.SELECT, failure.stage());
        assertTrue(failure.getMessage().contains("chaincode " + request.chaincode()), failure.getMessage());
        assertTrue(failure.getMessage().contains("channel " + request.channelId()), failure.getMessage());
        return failure;
    }

    static void assertMessageContains(EndorseException failure, String... parts) {
        for (String part : parts) {
            assertTrue(failure.getMessage().contains(part),
                    () -> "expected '" + part + "' in: " + failure.getMessage());
        }
    }

    /** The config of the real Fabric 2.5.12 channel mychannel (genesis block): Org1MSP and Org2MSP. */
    static ChannelConfig realConfig() {
        return ChannelConfig.fromBlock(Fixtures.peerBlock(0), Fixtures.VALID_CLOCK);
    }

    static PeerHealthRecord health(ManualScheduler time) {
        return new PeerHealthRecord(MEMORY, time::nanoTime);
    }

    /** Builds a Request with defaults: submit of basic on mychannel by Org1MSP, nothing named or excluded. */
    static final class RequestBuilder {
        private final List<Peer> candidates;
        private boolean evaluate;
        private String clientMspId = "Org1MSP";
        private Set<String> organizations = Set.of();
        private Set<String> peers = Set.of();
        private Set<Peer> excluded = Set.of();
        private ChaincodePolicy policy;
        private ChannelConfig config;
        private PeerHealth health = PeerHealth.ALL_HEALTHY;
        private List<InvokedChaincode> interest = List.of();

        private RequestBuilder(List<Peer> candidates) {
            this.candidates = candidates;
        }

        RequestBuilder evaluate() {
            this.evaluate = true;
            return this;
        }

        RequestBuilder client(String mspId) {
            this.clientMspId = mspId;
            return this;
        }

        RequestBuilder organizations(String... mspIds) {
            this.organizations = Set.of(mspIds);
            return this;
        }

        RequestBuilder peers(String... names) {
            this.peers = Set.of(names);
            return this;
        }

        RequestBuilder excluded(Peer... failed) {
            this.excluded = Set.copyOf(Arrays.asList(failed));
            return this;
        }

        RequestBuilder policy(String signaturePolicy) {
            return policy(ChaincodePolicy.signature(signaturePolicy));
        }

        RequestBuilder policy(ChaincodePolicy policy) {
            this.policy = policy;
            return this;
        }

        RequestBuilder config(ChannelConfig config) {
            this.config = config;
            return this;
        }

        RequestBuilder health(PeerHealth health) {
            this.health = health;
            return this;
        }

        RequestBuilder interest(InvokedChaincode... chaincodes) {
            this.interest = List.of(chaincodes);
            return this;
        }

        EndorserSelector.Request build() {
            return new EndorserSelector.Request(CHANNEL, CHAINCODE, evaluate, candidates, clientMspId, organizations,
                    peers, excluded, Optional.ofNullable(policy), Optional.ofNullable(config), health, interest);
        }
    }
}
