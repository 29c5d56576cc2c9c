package dev.weft.selection;

import dev.weft.core.ChannelConfig;
import dev.weft.core.EndorserSelector;
import dev.weft.core.NodeError;
import dev.weft.core.Peer;
import dev.weft.core.TransactionException;
import dev.weft.core.WeftException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery where the channel supports it, policy-based selection elsewhere, as fabric-sdk-go's
 * selection provider chooses by capability level (see {@link EndorserSelectors#auto}).
 */
final class AutoSelector implements EndorserSelector {
    private static final Logger log = LoggerFactory.getLogger(AutoSelector.class);
    /** Fabric 1.2 brought the discovery service, with the V1_2 application capability. */
    private static final int[] DISCOVERY_LEVEL = {1, 2};
    private final DiscoveryOptions options;

    AutoSelector(DiscoveryOptions options) {
        this.options = options;
    }

    @Override
    public CompletableFuture<List<Peer>> select(Request request) {
        // Unbound (no gateway to ask discovery with): the policy is all it can use.
        return PolicySelector.INSTANCE.select(request);
    }

    @Override
    public EndorserSelector forGateway(Context gateway) {
        return new Bound(new DiscoverySelector.Bound(options, gateway), gateway, options);
    }

    @Override
    public String toString() {
        return "auto";
    }

    /**
     * Whether a channel's application capability is V1_2 or later: the highest level it
     * enables, compared part by part ({@code V1_4_2} is 1.4.2, {@code V2_5} is 2.5).
     */
    static boolean supportsDiscovery(ChannelConfig config) {
        for (String capability : config.applicationCapabilities()) {
            Optional<int[]> level = level(capability);
            if (level.isPresent() && compare(level.get(), DISCOVERY_LEVEL) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code V2_5} as {2, 5}; empty for a name that is not a version level. */
    static Optional<int[]> level(String capability) {
        if (capability.length() < 2 || capability.charAt(0) != 'V') {
            return Optional.empty();
        }
        String[] parts = capability.substring(1).split("_");
        int[] level = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || !parts[i].chars().allMatch(Character::isDigit) || parts[i].length() > 4) {
                return Optional.empty();
            }
            level[i] = Integer.parseInt(parts[i]);
        }
        return Optional.of(level);
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? a[i] : 0;
            int y = i < b.length ? b[i] : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }

    /** One gateway's: its discovery selector, and whether its peers turned out to lack discovery. */
    static final class Bound implements EndorserSelector {
        private final DiscoverySelector.Bound discovery;
        private final Context gateway;
        private final DiscoveryOptions options;
        /** Until when (scheduler nanos) to select by policy because no peer serves discovery; 0: not known so. */
        private volatile long noDiscoveryUntil;

        Bound(DiscoverySelector.Bound discovery, Context gateway, DiscoveryOptions options) {
            this.discovery = discovery;
            this.gateway = gateway;
            this.options = options;
        }

        @Override
        public CompletableFuture<List<Peer>> select(Request request) {
            boolean capable = request.config().map(AutoSelector::supportsDiscovery).orElse(false);
            if (!capable || gateway.signer().isEmpty() || gateway.scheduler().nanoTime() - noDiscoveryUntil < 0) {
                return PolicySelector.INSTANCE.select(request);
            }
            return discovery.select(request).handle((peers, error) -> {
                if (error == null) {
                    return CompletableFuture.completedFuture(peers);
                }
                if (!noPeerServesDiscovery(error)) {
                    return CompletableFuture.<List<Peer>>failedFuture(error);
                }
                // A peer without the service (an older or a minimal implementation): plan from the policy for a while.
                log.info("no peer of channel {} serves discovery ({}); selecting endorsers by policy for {}",
                        request.channelId(), WeftException.unwrap(error).getMessage(), options.refreshInterval());
                noDiscoveryUntil = gateway.scheduler().nanoTime() + options.refreshInterval().toNanos();
                return PolicySelector.INSTANCE.select(request);
            }).thenCompose(f -> f);
        }

        /** Whether every peer asked answered UNIMPLEMENTED: the service is not there, rather than failing. */
        private static boolean noPeerServesDiscovery(Throwable error) {
            Throwable cause = WeftException.unwrap(error);
            if (!(cause instanceof TransactionException failure) || failure.details().isEmpty()) {
                return false;
            }
            return failure.details().stream().map(NodeError::status).allMatch("UNIMPLEMENTED"::equals);
        }

        @Override
        public String toString() {
            return "auto";
        }
    }
}
