package dev.weft.core;

import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Chooses the peers a proposal is sent to (SPI; implementations in sdk-selection). For a submit it
 * returns the set of peers to endorse in parallel; for an evaluate, candidates in order of
 * preference, of which the first that answers is used.
 *
 * <p>Implementations are thread-safe and may complete asynchronously (a discovery-based selector
 * asks a peer). A selection that cannot be made completes exceptionally with an
 * {@link EndorseException} (stage SELECT) that says why.
 */
@FunctionalInterface
public interface EndorserSelector {

    CompletableFuture<List<Peer>> select(Request request);

    /**
     * The selector a gateway uses, bound to it: each gateway built with this selector calls this
     * once. A selector that needs the gateway (to sign requests to peers and connect to peers it
     * learns of, as discovery does) returns a new instance that uses {@code gateway}; the default
     * is this selector. If the result is {@link AutoCloseable}, the gateway closes it when it closes.
     */
    default EndorserSelector forGateway(Context gateway) {
        return this;
    }

    /** What a gateway lends the selectors bound to it. Implementations are thread-safe. */
    interface Context {
        /** The gateway's client identity. */
        X509Identity identity();

        /** The gateway's signer; empty when the application signs every message itself. */
        Optional<Signer> signer();

        /** The gateway's clock and timer. */
        Scheduler scheduler();

        /**
         * The gateway's connection to a peer it has learnt of: its own peer of that name (from
         * the connection profile or the builder), else a connection the gateway makes, owns and
         * keeps for later calls, verifying the peer's TLS certificate against {@code tlsRoots}
         * and presenting the gateway's client certificate.
         *
         * @param name the peer's name, as in its certificates ({@code peer0.org2.example.com})
         * @param endpoint {@code host:port}
         */
        Peer peer(String name, String mspId, String endpoint, List<X509Certificate> tlsRoots);

        /**
         * {@code peer} over a connection that presents a TLS client certificate, for requests
         * bound to that certificate (discovery's {@code client_tls_cert_hash}): {@code peer}
         * itself when its connection presents one or runs without TLS, else the gateway's own
         * second connection to it, with a self-signed certificate the gateway makes once, as
         * Fabric's SDKs do when the application gives none.
         */
        Peer withClientCertificate(Peer peer);
    }

    /**
     * Everything a selector may use.
     *
     * @param channelId the channel
     * @param chaincode the chaincode being invoked
     * @param evaluate true for an evaluate (one peer needed), false for a submit
     * @param candidates the channel's endorsing peers known to the client
     * @param clientMspId the caller's organisation, preferred where the policy allows
     * @param organizations if not empty, endorse on exactly one peer of each of these organisations
     * @param peers if not empty, endorse on exactly these peers
     * @param excluded peers that already failed for this transaction
     * @param policy the chaincode's endorsement policy, when the client knows it
     * @param config the channel config, when it is available
     * @param health recent peer failures
     * @param interest the chaincodes and collections the transaction touches, {@code chaincode}
     *     first (given empty: {@code chaincode} alone); discovery plans for all of them
     */
    record Request(String channelId, String chaincode, boolean evaluate, List<Peer> candidates, String clientMspId,
            Set<String> organizations, Set<String> peers, Set<Peer> excluded, Optional<ChaincodePolicy> policy,
            Optional<ChannelConfig> config, PeerHealth health, List<InvokedChaincode> interest) {
        public Request {
            Objects.requireNonNull(channelId, "channelId");
            Objects.requireNonNull(chaincode, "chaincode");
            candidates = List.copyOf(candidates);
            Objects.requireNonNull(clientMspId, "clientMspId");
            organizations = Set.copyOf(organizations);
            peers = Set.copyOf(peers);
            excluded = Set.copyOf(excluded);
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(health, "health");
            interest = InvokedChaincode.interest(chaincode, interest);
        }

        /** The same request with more peers excluded (after they failed). */
        public Request excluding(Set<Peer> failed) {
            Set<Peer> all = new LinkedHashSet<>(excluded);
            all.addAll(failed);
            return new Request(channelId, chaincode, evaluate, candidates, clientMspId, organizations, peers, all,
                    policy, config, health, interest);
        }
    }
}
