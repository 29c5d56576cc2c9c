package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.weft.core.BlockView;
import dev.weft.core.EndpointConfig;
import dev.weft.core.TransactionView;
import dev.weft.events.CloseableIterator;
import dev.weft.handlers.Gateway;
import dev.weft.handlers.TxResult;
import dev.weft.testnet.AssetTransferChaincode;
import dev.weft.testnet.ReferenceNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/** The reference network the suites run on, and gateways onto it. */
final class Networks {
    /** Asset transfer needing both organisations' peers. */
    static final String AND_POLICY = "AND('Org1MSP.peer','Org2MSP.peer')";
    /** Asset transfer needing either organisation's peer. */
    static final String OR_POLICY = "OR('Org1MSP.peer','Org2MSP.peer')";

    private static final AtomicInteger ids = new AtomicInteger();

    private Networks() {
    }

    /**
     * Two organisations with one peer each; chaincode {@code basic} under the channel default
     * (MAJORITY Endorsement), {@code and} and {@code or} under explicit signature policies, and
     * {@code events} (asset transfer setting chaincode events) under the OR policy.
     */
    static ReferenceNetwork start() {
        return ReferenceNetwork.builder()
                .chaincode("basic", new AssetTransferChaincode())
                .chaincode("and", new AssetTransferChaincode(), AND_POLICY)
                .chaincode("or", new AssetTransferChaincode(), OR_POLICY)
                .chaincode("events", AssetTransferChaincode.withEvents(), OR_POLICY)
                .start();
    }

    /** A gateway for an Org1 user with every peer and the orderer added explicitly; the gateway owns the channels. */
    static Gateway.Builder gateway(ReferenceNetwork network) {
        ReferenceNetwork.User user = network.user("Org1MSP");
        Gateway.Builder builder = Gateway.builder().identity(user.identity()).signer(user.signer());
        for (ReferenceNetwork.Peer peer : network.peers()) {
            builder.addPeer(peer.name(), peer.mspId(), peer.endpointConfig());
        }
        return builder;
    }

    static Gateway.Builder withOrderer(Gateway.Builder builder, ReferenceNetwork network) {
        return builder.addOrderer(network.orderer().name(), network.orderer().endpointConfig());
    }

    /**
     * The names of the network's peers whose endorsements a committed transaction carries, read
     * from its block through the gateway.
     */
    static Set<String> endorsers(ReferenceNetwork network, Gateway gateway, String channel, TxResult result) {
        Set<String> names = new HashSet<>();
        try (CloseableIterator<Block> blocks = gateway.network(channel).events().startBlock(result.blockNumber())
                .stopBlock(result.blockNumber()).blocks()) {
            for (TransactionView tx : BlockView.of(blocks.next()).transactions()) {
                if (!tx.transactionId().equals(result.transactionId())) {
                    continue;
                }
                for (Endorsement endorsement : tx.endorsements()) {
                    network.peers().stream().filter(p -> p.identity().serialized().equals(endorsement.getEndorser()))
                            .forEach(p -> names.add(p.name()));
                }
            }
        }
        return names;
    }

    /**
     * Waits (up to 20 s) until every running peer has committed the block of a transaction: the
     * submit returned when one peer of the client's organisation had, and a later transaction's
     * endorsers must all see its writes.
     */
    static void awaitEveryPeer(ReferenceNetwork network, String channel, TxResult result) {
        for (ReferenceNetwork.Peer peer : network.peers()) {
            try {
                if (peer.isRunning() && !peer.awaitHeight(channel, result.blockNumber() + 1, Duration.ofSeconds(20))) {
                    throw new AssertionError(peer.name() + " has not committed block " + result.blockNumber() + " in 20 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A fresh asset id, unique in the test run. */
    static String assetId(String prefix) {
        return prefix + "-" + ids.incrementAndGet();
    }

    /** An address where nothing listens: a port that was just bound and released. */
    static EndpointConfig unreachable() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return EndpointConfig.builder("127.0.0.1:" + socket.getLocalPort()).plaintext().build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many times each transaction id is VALID in blocks 0 to {@code height - 1} as one peer
     * delivers them (read as Org1's user), within a minute.
     */
    static Map<String, Integer> validCounts(ReferenceNetwork network, ReferenceNetwork.Peer peer, String channel,
            long height) {
        ReferenceNetwork.User user = network.user("Org1MSP");
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Map<String, Integer> valid = new HashMap<>();
            try (Gateway one = Gateway.builder().identity(user.identity()).signer(user.signer())
                    .addPeer(peer.name(), peer.mspId(), peer.endpointConfig()).build();
                    CloseableIterator<Block> blocks = one.network(channel).events().startBlock(0)
                            .stopBlock(height - 1).blocks()) {
                while (blocks.hasNext()) {
                    for (TransactionView tx : BlockView.of(blocks.next()).transactions()) {
                        if (tx.validationCode().orElse(null) == TxValidationCode.VALID) {
                            valid.merge(tx.transactionId(), 1, Integer::sum);
                        }
                    }
                }
            }
            return valid;
        }, peer.name() + " did not deliver blocks 0 to " + (height - 1));
    }
}
