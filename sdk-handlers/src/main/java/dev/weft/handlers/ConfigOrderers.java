package dev.weft.handlers;

import dev.weft.core.ChannelConfig;
import dev.weft.core.Msp;
import dev.weft.core.NodeError;
import dev.weft.core.Orderer;
import dev.weft.core.OrdererClient;
import dev.weft.core.Scheduler;
import dev.weft.core.SubmitException;
import dev.weft.handlers.internal.ChannelConfigs;
import dev.weft.orderer.OrdererClients;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.hyperledger.fabric.protos.common.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orderers of a channel whose connection profile and gateway name none: those the channel
 * config names, as Fabric's SDKs find them. Each organisation's {@code Endpoints} (or, without
 * any, the channel's deprecated {@code OrdererAddresses}), reached over TLS with the TLS roots
 * of the orderer organisations' MSPs when the gateway's peers use TLS. The orderer list is
 * rebuilt when the channel config changes; connections are the gateway's, kept until it closes.
 *
 * <p>Thread-safe.
 */
final class ConfigOrderers implements OrdererClient {
    private static final Logger log = LoggerFactory.getLogger(ConfigOrderers.class);

    /** Connects to an orderer at an endpoint, trusting these TLS roots, or returns the connection made before. */
    interface Connector {
        Orderer orderer(String endpoint, List<X509Certificate> tlsRoots);
    }

    private final String channelId;
    private final ChannelConfigs configs;
    private final Connector connector;
    private final Scheduler scheduler;
    private Current current;
    /** The client the current one replaced: broadcasts may still be running on it. */
    private OrdererClient previous;
    private boolean closed;

    private record Current(long sequence, List<String> endpoints, OrdererClient client) {
    }

    ConfigOrderers(String channelId, ChannelConfigs configs, Connector connector, Scheduler scheduler) {
        this.channelId = channelId;
        this.configs = configs;
        this.connector = connector;
        this.scheduler = scheduler;
    }

    @Override
    public CompletableFuture<Orderer> broadcast(Envelope envelope, String transactionId, Duration timeout) {
        return configs.get().thenCompose(config -> {
            OrdererClient client;
            try {
                client = clientFor(config, transactionId);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            return client.broadcast(envelope, transactionId, timeout);
        });
    }

    private synchronized OrdererClient clientFor(ChannelConfig config, String transactionId) {
        if (closed) {
            throw new SubmitException("the gateway is closed", transactionId, List.<NodeError>of(), null, false);
        }
        if (current != null && current.sequence() >= config.sequence()) {
            return current.client();
        }
        Map<String, List<X509Certificate>> byEndpoint = endpoints(config);
        if (byEndpoint.isEmpty()) {
            throw new SubmitException("no orderers are configured for channel " + channelId + " and its config names "
                    + "none: add them to the connection profile or with Gateway.Builder.addOrderer", transactionId,
                    List.<NodeError>of(), null, false);
        }
        List<String> endpoints = List.copyOf(byEndpoint.keySet());
        if (current != null && current.endpoints().equals(endpoints)) {
            current = new Current(config.sequence(), endpoints, current.client());
            return current.client();
        }
        List<Orderer> orderers = new ArrayList<>();
        byEndpoint.forEach((endpoint, roots) -> orderers.add(connector.orderer(endpoint, roots)));
        log.info("channel {}: no orderers configured; using those of its config (sequence {}): {}", channelId,
                config.sequence(), endpoints);
        if (previous != null) {
            previous.close();
        }
        previous = current == null ? null : current.client();
        current = new Current(config.sequence(), endpoints, OrdererClients.create(orderers, scheduler));
        return current.client();
    }

    /** Each endpoint the config names, with the TLS roots of the organisation(s) that may serve it. */
    private static Map<String, List<X509Certificate>> endpoints(ChannelConfig config) {
        Map<String, List<X509Certificate>> result = new LinkedHashMap<>();
        config.ordererEndpointsByOrganization().forEach((mspId, endpoints) -> {
            List<X509Certificate> roots = tlsRoots(config, Set.of(mspId));
            endpoints.forEach(e -> result.computeIfAbsent(e, x -> new ArrayList<>()).addAll(roots));
        });
        if (result.isEmpty()) {
            // The channel-level addresses belong to no organisation: any orderer organisation's roots may sign them.
            List<X509Certificate> roots = tlsRoots(config, config.ordererMspIds());
            config.globalOrdererAddresses().forEach(e -> result.put(e, roots));
        }
        result.replaceAll((e, roots) -> List.copyOf(new LinkedHashSet<>(roots)));
        return result;
    }

    private static List<X509Certificate> tlsRoots(ChannelConfig config, Set<String> mspIds) {
        List<X509Certificate> roots = new ArrayList<>();
        for (String mspId : mspIds) {
            config.msps().msp(mspId).ifPresent((Msp msp) -> {
                roots.addAll(msp.tlsRootCertificates());
                roots.addAll(msp.tlsIntermediateCertificates());
            });
        }
        return roots;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.client().close();
        }
        if (previous != null) {
            previous.close();
        }
    }
}
