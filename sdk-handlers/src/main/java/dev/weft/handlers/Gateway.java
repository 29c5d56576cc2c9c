package dev.weft.handlers;

import dev.weft.core.ConnectionProfile;
import dev.weft.core.EndorserSelector;
import dev.weft.core.EndpointConfig;
import dev.weft.core.Orderer;
import dev.weft.core.Peer;
import dev.weft.core.Scheduler;
import dev.weft.core.Signer;
import dev.weft.core.X509Identity;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * The application's connection to a Fabric network: one client identity, the peers and orderers
 * it talks to, and the transaction pipeline that carries each transaction from proposal to commit.
 *
 * <pre>{@code
 * X509Identity identity = X509Identity.of("Org1MSP", Credentials.readCertificate(certificatePath));
 * Signer signer = Signers.newPrivateKeySigner(identity, Credentials.readPrivateKey(keyPath));
 *
 * try (Gateway gateway = Gateway.builder()
 *         .identity(identity)
 *         .signer(signer)
 *         .connectionProfile(Path.of("connection-org1.yaml"))
 *         .build()) {
 *     Contract contract = gateway.network("mychannel").contract("basic");
 *
 *     contract.submit("CreateAsset", "asset1", "blue", "5", "Tom", "100");   // waits for the commit
 *     String asset = new String(contract.evaluate("ReadAsset", "asset1"), UTF_8);
 *
 *     CompletableFuture<TxResult> transfer = contract.newTransaction("TransferAsset")
 *             .arguments("asset1", "Ann")
 *             .transientData(Map.of("note", "gift".getBytes(UTF_8)))
 *             .submitAsync();
 *     TxResult result = transfer.join();
 *     System.out.println(result.transactionId() + " committed in block " + result.blockNumber()
 *             + " as " + result.validationCode());
 * } catch (CommitException e) {
 *     // ordered but invalid, e.g. e.validationCode() == MVCC_READ_CONFLICT: e.retryable() is true
 * } catch (TransactionException e) {
 *     // e.stage() says where it failed, e.details() what each peer or orderer answered
 * }
 * }</pre>
 *
 * <h2>The pipeline</h2>
 * A submit runs the handlers added with {@link Builder#addHandler} (in the order added, the first
 * outermost), then the built-in {@link PipelineStep}s: select endorsers → sign proposal → endorse
 * (in parallel) → validate endorsements → verify endorser signatures and certificates → check the
 * endorsement policy → sign the transaction → register for the commit event → broadcast → wait
 * for the commit. An evaluate has its own, shorter list: select candidates → sign proposal → ask
 * one peer at a time → check its answer. Nothing is broadcast once a check has failed. Each
 * built-in step can be wrapped or replaced with {@link Builder#handler}.
 *
 * <h2>Signing elsewhere</h2>
 * A gateway built without a {@link Builder#signer signer} signs nothing itself: the application
 * uses the staged API ({@link Transaction#newProposal()}) and signs each message's digest with a
 * key the gateway never sees; see {@link dev.weft.core.Signable}.
 *
 * <h2>Time</h2>
 * One {@link dev.weft.core.Scheduler} (its own {@link dev.weft.core.SystemScheduler} unless one is
 * given) is the gateway's clock and timer: message timestamps, every timeout and deadline, retry
 * back-offs, event-stream reconnects and peer-health expiry. A test can give it a
 * {@link dev.weft.core.ManualScheduler} and move time by hand. Timeouts are described in
 * {@link Timeouts}.
 *
 * <h2>Threads and resources</h2>
 * The gateway is thread-safe; share one per identity. It owns the gRPC channels it creates (from
 * a connection profile or {@link Builder#addPeer(String, String, EndpointConfig)}), its event
 * streams, and its executor unless one was supplied; {@link #close()} releases them. Peers and
 * orderers given with their own channels, and a supplied executor, stay open. The futures of
 * {@code submitAsync} and {@code evaluateAsync} complete on the gateway's executor; a callback that
 * blocks holds one of its threads, so prefer the async forms there. Cancelling such a future
 * cancels the transaction's endorsement calls and any broadcast not yet made; once broadcast, a
 * transaction may still commit.
 */
public interface Gateway extends AutoCloseable {

    static Builder builder() {
        return new GatewayImpl.BuilderImpl();
    }

    /** The client identity that signs every proposal and transaction. */
    X509Identity identity();

    /** A channel. Networks are created on first use and cached. */
    Network network(String channelId);

    /** Closes event streams, broadcast streams, and the channels and executor the gateway created. */
    @Override
    void close();

    /**
     * Configures a {@link Gateway}. Required: an identity and at least one peer (from a connection
     * profile or added). Defaults: the identity's messages signed by nobody (give a signer, or
     * sign with the staged API), policy-based endorser selection, {@link Timeouts#DEFAULTS} unless
     * the connection profile sets {@code client.connection.timeout.peer.endorser} or
     * {@code .orderer}, a daemon thread pool of {@code max(4, 2 × CPUs)} threads, a
     * {@link dev.weft.core.SystemScheduler} on the system clock. Not thread-safe.
     */
    interface Builder {
        /** The client identity (MSP id and certificate). */
        Builder identity(X509Identity identity);

        /**
         * Signs with the identity's private key; any {@link Signer} (an HSM, a remote signer).
         * Without one, the application signs every message itself (see {@link dev.weft.core.Signable}).
         */
        Builder signer(Signer signer);

        /**
         * Reads peers, orderers and their TLS settings from a connection profile (YAML or JSON).
         *
         * @throws dev.weft.core.ConnectionProfileException if the file cannot be read or is invalid
         */
        Builder connectionProfile(Path file);

        /** Takes peers, orderers and their TLS settings from a parsed connection profile. */
        Builder connectionProfile(ConnectionProfile profile);

        /**
         * The client's TLS certificate and key, presented to every node the gateway connects to
         * (mutual TLS). Without them the gateway presents no client certificate, except on its
         * calls to a peer's discovery service over TLS, which Fabric binds to one: for those it
         * makes a self-signed certificate of its own, as Fabric's SDKs do.
         */
        Builder clientTls(List<X509Certificate> certificateChain, PrivateKey key);

        /** A peer the gateway connects to (and owns the connection of). */
        Builder addPeer(String name, String mspId, EndpointConfig endpoint);

        /** A peer over a gRPC channel the caller owns: closing the gateway leaves it open. */
        Builder addPeer(Peer peer);

        /** An orderer the gateway connects to (and owns the connection of). */
        Builder addOrderer(String name, EndpointConfig endpoint);

        /** An orderer over a gRPC channel the caller owns. */
        Builder addOrderer(Orderer orderer);

        Builder endorseTimeout(Duration timeout);

        Builder evaluateTimeout(Duration timeout);

        Builder submitTimeout(Duration timeout);

        Builder commitTimeout(Duration timeout);

        /** Every transaction's overall time budget, across its stages (default: none); see {@link Timeouts}. */
        Builder timeout(Duration timeout);

        /** Runs gRPC callbacks and the pipeline's continuations; the caller keeps ownership. */
        Builder executor(Executor executor);

        /**
         * How endorsers are chosen (default: {@code EndorserSelectors.policyBased()}). With
         * {@code EndorserSelectors.discovery()} a profile that lists only the client's own peers
         * is enough: discovery finds the other organisations' peers. A channel with no orderers
         * in the profile or builder uses those its config names, whatever the selector.
         */
        Builder endorserSelector(EndorserSelector selector);

        /**
         * How transactions reach the network (default {@link Transport#DIRECT}):
         * {@link Transport#PEER_GATEWAY} through one peer's Gateway service, as Fabric's own
         * gateway clients do, or {@link Transport#HYBRID}, through it where it can be used and
         * directly where not. The application API, local signing and the checks of the
         * endorsements are the same for all; failures carry the Gateway's per-node details.
         */
        Builder transport(Transport transport);

        /** Adds a handler before the built-in steps; handlers run in the order added, the first outermost. */
        Builder addHandler(Handler handler);

        /**
         * Wraps or replaces a built-in step: the function receives the built-in handler and returns
         * the handler to use in its place (which may delegate to it). Given twice for one step,
         * the later function receives what the earlier one returned. The function is applied to
         * the step in each of the gateway's step lists: a submit's, and an evaluate's for the four
         * steps an evaluate has ({@link TxContext#kind()} tells a handler which it is running in).
         * The gateway's own reads of the channel config never go through them.
         */
        Builder handler(PipelineStep step, UnaryOperator<Handler> customizer);

        /**
         * The gateway's clock and timer (see "Time" above); the caller keeps ownership. For tests:
         * a {@link dev.weft.core.ManualScheduler}.
         */
        Builder scheduler(Scheduler scheduler);

        /**
         * @throws IllegalStateException if the identity or every peer is missing
         * @throws dev.weft.core.ConnectionProfileException if the profile lists no peers, or a peer
         *     under no organization
         * @throws dev.weft.core.CredentialException if the identity's or the client TLS certificate
         *     is expired or not yet valid on the gateway's clock
         */
        Gateway build();
    }
}
