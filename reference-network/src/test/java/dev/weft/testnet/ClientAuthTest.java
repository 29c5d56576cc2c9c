package dev.weft.testnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.core.SeekRequest;
import dev.weft.core.TransactionStatus;
import dev.weft.testnet.internal.CapturedLog;
import java.util.List;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Status;
import org.hyperledger.fabric.protos.orderer.SeekInfo;
import org.hyperledger.fabric.protos.peer.DeliverResponse;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A network that requires client certificates (mutual TLS) works end to end: the peers' own
 * block pullers bind their seeks to their TLS sessions as clients must, and a seek that is not
 * bound is refused by every node and logged with its reason.
 */
class ClientAuthTest {
    private static ReferenceNetwork network;
    private static RawClient client;

    @BeforeAll
    static void start() {
        network = ReferenceNetwork.builder().peersPerOrganization(2).clientAuthRequired(true).start();
        client = new RawClient(network, network.user("Org1MSP"));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void submit_clientAuthNetwork_committedValidOnEveryPeer() throws Exception {
        TransactionStatus status = client.submit("basic", "CreateAsset", "mtls-1", "blue", "5", "Tom", "100");

        assertEquals(TxValidationCode.VALID, status.code());
        for (ReferenceNetwork.Peer peer : network.peers()) {
            assertEquals(status, client.waitForStatus(peer, status.transactionId(), status.blockNumber()),
                    "committed on " + peer);
        }
        assertEquals("{\"AppraisedValue\":100,\"Color\":\"blue\",\"ID\":\"mtls-1\",\"Owner\":\"Tom\",\"Size\":5}",
                client.evaluate("basic", "ReadAsset", "mtls-1"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"orderer", "peer"})
    void seek_notBoundToTheTlsSession_badRequestAndLoggedWithReason(String node) throws Exception {
        ReferenceNetwork.Node target = "orderer".equals(node) ? network.orderer() : network.peer("Org2MSP");
        Envelope unbound = SeekRequest.builder().channel(network.channel()).identity(client.user.identity())
                .startAt(0).stopAt(0).build().sign(client.user.signer());

        List<DeliverResponse> responses;
        try (CapturedLog log = CapturedLog.start()) {
            responses = client.deliver(target, unbound);
            List<String> refusals = log.lines("WARN", "DeliverService", "refused with BAD_REQUEST",
                    "seek is not bound to the TLS session", "127.0.0.1:");
            assertEquals(1, refusals.size(), "one WARN line with reason and address: " + log.lines("DeliverService"));
        }

        assertEquals(1, responses.size(), "no block before the status: " + responses);
        assertEquals(Status.BAD_REQUEST, DeliverStream.status(responses));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"orderer", "peer"})
    void seek_boundToTheTlsSession_served(String node) throws Exception {
        ReferenceNetwork.Node target = "orderer".equals(node) ? network.orderer() : network.peer("Org2MSP");

        List<DeliverResponse> responses = client.deliver(target, client.seek(0, 0, SeekInfo.SeekBehavior.BLOCK_UNTIL_READY));

        assertEquals(List.of(0L), DeliverStream.numbers(responses));
        assertEquals(Status.SUCCESS, DeliverStream.status(responses));
    }

    @Test
    void seek_boundToAnotherClientsCertificate_badRequest() throws Exception {
        ReferenceNetwork.User other = network.user("Org2MSP");
        Envelope boundToOther = SeekRequest.builder().channel(network.channel()).identity(client.user.identity())
                .tlsCertHash(network.orderer().endpointConfig(other).clientCertificateHash())
                .startAt(0).stopAt(0).build().sign(client.user.signer());

        List<DeliverResponse> responses = client.deliver(network.orderer(), boundToOther);

        assertEquals(Status.BAD_REQUEST, DeliverStream.status(responses));
        assertFalse(responses.stream().anyMatch(DeliverResponse::hasBlock));
    }
}
