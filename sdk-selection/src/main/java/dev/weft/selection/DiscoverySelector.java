package dev.weft.selection;

import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorseException;
import dev.weft.core.EndorserSelector;
import dev.weft.core.InvokedChaincode;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.Signer;
import dev.weft.core.TransactionStage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endorsers from the peers' discovery service: the layouts and endorsers a known peer gives for
 * the chaincode (see {@link EndorserSelectors#discovery(DiscoveryOptions)}). Unbound, it only
 * says it needs a gateway; {@link #forGateway} gives the selector a gateway uses.
 */
final class DiscoverySelector implements EndorserSelector {
    private static final Logger log = LoggerFactory.getLogger(DiscoverySelector.class);
    private final DiscoveryOptions options;

    DiscoverySelector(DiscoveryOptions options) {
        this.options = options;
    }

    @Override
    public CompletableFuture<List<Peer>> select(Request request) {
        return CompletableFuture.failedFuture(new IllegalStateException("discovery selection asks peers as the "
                + "gateway's identity: give it to Gateway.Builder.endorserSelector, which binds it to the gateway"));
    }

    @Override
    public EndorserSelector forGateway(Context gateway) {
        return new Bound(options, gateway);
    }

    @Override
    public String toString() {
        return "discovery";
    }

    /** The selector of one gateway: its cached plans and its connections to the peers they name. */
    static final class Bound implements EndorserSelector {
        private final DiscoveryOptions options;
        private final Context gateway;
        private final Map<String, Entry> plans = new ConcurrentHashMap<>();

        /** A plan (being) fetched, when, and the config sequence the request that fetched it knew. */
        private record Entry(CompletableFuture<DiscoveryClient.Plan> plan, long fetchedNanos, long configSequence) {
        }

        Bound(DiscoveryOptions options, Context gateway) {
            this.options = options;
            this.gateway = gateway;
        }

        @Override
        public CompletableFuture<List<Peer>> select(Request request) {
            try {
                List<Peer> explicit = Candidates.explicitOrEvaluate(request);
                if (explicit != null) {
                    return CompletableFuture.completedFuture(explicit);
                }
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            Optional<Signer> signer = gateway.signer();
            if (signer.isEmpty()) {
                // Discovery requests must be signed; a gateway that signs nothing itself plans from the policy.
                log.debug("no signer to ask discovery with; selecting endorsers for {} by policy", request.chaincode());
                return PolicySelector.INSTANCE.select(request);
            }
            return plan(request, signer.get()).thenApply(plan -> choose(plan, request));
        }

        /** The cached plan, unless it is older than the refresh interval, failed, or predates the request's config. */
        private CompletableFuture<DiscoveryClient.Plan> plan(Request request, Signer signer) {
            String key = request.channelId() + "\n" + interestKey(request.interest());
            long sequence = request.config().map(ChannelConfig::sequence).orElse(-1L);
            long now = gateway.scheduler().nanoTime();
            Entry entry = plans.compute(key, (k, old) -> {
                if (old != null && !old.plan().isCompletedExceptionally()
                        && now - old.fetchedNanos() < options.refreshInterval().toNanos()
                        && sequence <= old.configSequence()) {
                    return old;
                }
                return new Entry(fetch(request, signer), now, sequence);
            });
            return entry.plan().copy();
        }

        /**
         * The interest as a cache key, the same for the same chaincodes and collections in any
         * order (the invoked chaincode is first already).
         */
        private static String interestKey(List<InvokedChaincode> interest) {
            List<String> rest = interest.stream().skip(1).map(Bound::chaincodeKey).sorted().toList();
            return chaincodeKey(interest.get(0)) + "|" + String.join("|", rest);
        }

        /** One chaincode's part of a key: its name, its collections sorted, and the reads flag. */
        private static String chaincodeKey(InvokedChaincode c) {
            return c.name() + c.collections().stream().sorted().toList() + c.noPrivateReads();
        }

        /** Asks the known peers one at a time, healthiest and own organisation's first, until one answers. */
        private CompletableFuture<DiscoveryClient.Plan> fetch(Request request, Signer signer) {
            // One health reading per peer, as in Candidates.usable: the order must stay consistent mid-sort.
            Map<Peer, Boolean> failed = new HashMap<>();
            request.candidates().forEach(p -> failed.put(p, request.health().recentlyFailed(p)));
            List<Peer> askable = new ArrayList<>(request.candidates());
            askable.sort(Comparator.<Peer, Boolean>comparing(failed::get)
                    .thenComparing(p -> !p.mspId().equals(request.clientMspId())));
            if (askable.isEmpty()) {
                return CompletableFuture.failedFuture(Candidates.unavailable(request, "no known peer to ask discovery"));
            }
            return ask(request, signer, askable, 0, new ArrayList<>());
        }

        private CompletableFuture<DiscoveryClient.Plan> ask(Request request, Signer signer, List<Peer> peers, int index,
                List<NodeError> errors) {
            if (index == peers.size()) {
                return CompletableFuture.failedFuture(new EndorseException("cannot select endorsers for chaincode "
                        + request.chaincode() + " on channel " + request.channelId() + ": no peer answered discovery ("
                        + errors.stream().map(NodeError::message).collect(Collectors.joining("; ")) + ")", "",
                        TransactionStage.SELECT, errors, null, true));
            }
            Peer peer = peers.get(index);
            return DiscoveryClient.plan(gateway.withClientCertificate(peer), gateway, signer, request.channelId(),
                    request.interest(), options.timeout())
                    .handle((plan, error) -> {
                        if (error == null) {
                            log.debug("discovery on {} for {} on {}: layouts {}", peer.name(), request.chaincode(),
                                    request.channelId(), plan.layouts());
                            return CompletableFuture.completedFuture(plan);
                        }
                        Throwable cause = error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                ? c.getCause() : error;
                        String status = cause instanceof DiscoveryClient.DiscoveryFailure f ? f.status : "ERROR";
                        log.debug("discovery on {} failed: {}", peer.name(), cause.getMessage());
                        errors.add(new NodeError(peer.target(), peer.mspId(), status, cause.getMessage()));
                        return ask(request, signer, peers, index + 1, errors);
                    })
                    .thenCompose(f -> f);
        }

        /**
         * The endorsers of the best layout: each group's peers ordered (not failed recently, not
         * already failed for this transaction, own organisation, highest ledger, name) and as many
         * distinct ones taken as the layout needs; among the layouts that can be filled, the one
         * with fewest recently failed peers, then fewest peers, then the first.
         */
        private List<Peer> choose(DiscoveryClient.Plan plan, Request request) {
            List<Peer> best = null;
            long bestFailed = Long.MAX_VALUE;
            for (Map<String, Integer> layout : plan.layouts()) {
                Set<Peer> chosen = new LinkedHashSet<>();
                boolean filled = true;
                for (Map.Entry<String, Integer> group : new java.util.TreeMap<>(layout).entrySet()) {
                    List<Peer> ordered = ordered(plan, group.getKey(), request);
                    int taken = 0;
                    for (Peer peer : ordered) {
                        if (taken == group.getValue()) {
                            break;
                        }
                        if (chosen.add(peer)) {
                            taken++;
                        }
                    }
                    if (taken < group.getValue()) {
                        filled = false;
                        break;
                    }
                }
                if (!filled) {
                    continue;
                }
                long failed = chosen.stream().filter(request.health()::recentlyFailed).count();
                if (best == null || failed < bestFailed || (failed == bestFailed && chosen.size() < best.size())) {
                    best = List.copyOf(chosen);
                    bestFailed = failed;
                }
            }
            if (best == null) {
                throw Candidates.unavailable(request, "the peers that discovery names cannot fill any layout of the "
                        + "endorsement policy (layouts " + plan.layouts() + ", groups " + describe(plan) + ")");
            }
            return best;
        }

        private List<Peer> ordered(DiscoveryClient.Plan plan, String group, Request request) {
            record Option(Peer peer, boolean failed, long height) {
            }
            List<Option> options = new ArrayList<>();
            for (DiscoveryClient.Endorser e : plan.groups().getOrDefault(group, List.of())) {
                Peer peer = gateway.peer(e.name(), e.mspId(), e.endpoint(), plan.tlsRoots().getOrDefault(e.mspId(), List.of()));
                if (!request.excluded().contains(peer)) {
                    options.add(new Option(peer, request.health().recentlyFailed(peer), e.ledgerHeight()));
                }
            }
            options.sort(Comparator.comparing(Option::failed)
                    .thenComparing(o -> !o.peer().mspId().equals(request.clientMspId()))
                    .thenComparing(Option::height, Comparator.reverseOrder())
                    .thenComparing(o -> o.peer().name()));
            return options.stream().map(Option::peer).toList();
        }

        private static String describe(DiscoveryClient.Plan plan) {
            return new java.util.TreeMap<>(plan.groups()).entrySet().stream()
                    .map(g -> g.getKey() + "=" + g.getValue().stream().map(DiscoveryClient.Endorser::name).toList())
                    .collect(Collectors.joining(", ", "{", "}"));
        }

        @Override
        public String toString() {
            return "discovery";
        }
    }
}
