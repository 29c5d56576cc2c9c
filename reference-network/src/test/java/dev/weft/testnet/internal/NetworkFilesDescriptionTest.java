package dev.weft.testnet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.testnet.internal.crypto.CryptoGenerator;
import dev.weft.testnet.internal.crypto.OrganizationCrypto;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connection profiles from a hand-made {@link NetworkDescription}, with no network running: in
 * particular one with several orderers, which the running network does not have yet.
 */
class NetworkFilesDescriptionTest {
    private static final CryptoGenerator CRYPTO = new CryptoGenerator(Instant.now());
    private static final OrganizationCrypto ORG1 = CRYPTO.peerOrganization("Org1MSP", 2, List.of("User1"));
    private static final OrganizationCrypto ORDERERS = CRYPTO.ordererOrganization("OrdererMSP");

    private static NetworkDescription twoOrderers() {
        var tlsRoot = ORDERERS.tlsCa().certificate();
        return new NetworkDescription(List.of("a", "b"), false,
                List.of(NetworkDescription.Organization.of(ORG1)),
                List.of(NetworkDescription.Organization.of(ORDERERS)),
                List.of(new NetworkDescription.Node("peer0.org1.example.com", "Org1MSP", "127.0.0.1:7051",
                                ORG1.tlsCa().certificate()),
                        new NetworkDescription.Node("peer1.org1.example.com", "Org1MSP", "127.0.0.1:7052",
                                ORG1.tlsCa().certificate())),
                List.of(new NetworkDescription.Node("orderer.example.com", "OrdererMSP", "127.0.0.1:7050", tlsRoot),
                        new NetworkDescription.Node("orderer2.example.com", "OrdererMSP", "127.0.0.1:8050", tlsRoot)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void connectionProfile_twoOrderers_everyOrdererListedAndOnEveryChannel() {
        Map<String, Object> profile = NetworkFiles.connectionProfile(twoOrderers(), "Org1MSP");

        Map<String, Object> orderers = (Map<String, Object>) profile.get("orderers");
        assertEquals(List.of("orderer.example.com", "orderer2.example.com"), List.copyOf(orderers.keySet()));
        assertEquals("grpcs://127.0.0.1:8050", ((Map<String, Object>) orderers.get("orderer2.example.com")).get("url"));
        Map<String, Object> channels = (Map<String, Object>) profile.get("channels");
        for (String channel : List.of("a", "b")) {
            assertEquals(List.of("orderer.example.com", "orderer2.example.com"),
                    ((Map<String, Object>) channels.get(channel)).get("orderers"));
        }
        Map<String, Object> org = (Map<String, Object>) ((Map<String, Object>) profile.get("organizations")).get("Org1");
        assertEquals(List.of("peer0.org1.example.com", "peer1.org1.example.com"), org.get("peers"));
    }

    @Test
    void connectionProfileYaml_channelsShareNoListObject_noYamlAliases() {
        String yaml = NetworkFiles.connectionProfileYaml(twoOrderers(), "Org1MSP");

        assertFalse(yaml.contains("&id") || yaml.contains("*id"), yaml);
    }

    @Test
    void organization_cryptoOfAnotherOrganization_refused() {
        assertThrows(IllegalArgumentException.class,
                () -> new NetworkDescription.Organization("Org2MSP", "org2.example.com", ORG1));
    }
}
