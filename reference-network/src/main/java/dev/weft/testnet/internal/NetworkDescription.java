package dev.weft.testnet.internal;

import dev.weft.core.InternalApi;
import dev.weft.testnet.internal.crypto.OrganizationCrypto;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a running reference network consists of, as a plain value for the code that describes it
 * to other processes ({@link NetworkFiles}): its channels, whether nodes require client
 * certificates, its organisations with their crypto material, and its peers and orderers with
 * their addresses. Built by the network when it is asked; a later change to the network (a peer
 * restarted on another port) is not reflected in a description made before it.
 *
 * <p>Immutable and thread-safe (the certificates and crypto records are not modified by anyone).
 *
 * @param channels the channel names, the default first
 * @param clientAuthRequired whether the nodes require clients to present TLS certificates
 * @param peerOrganizations the peer organisations, in configuration order
 * @param ordererOrganizations the orderer organisations
 * @param peers every peer, grouped by organisation in configuration order
 * @param orderers every orderer node
 */
@InternalApi
public record NetworkDescription(List<String> channels, boolean clientAuthRequired,
        List<Organization> peerOrganizations, List<Organization> ordererOrganizations, List<Node> peers,
        List<Node> orderers) {

    public NetworkDescription {
        channels = List.copyOf(channels);
        peerOrganizations = List.copyOf(peerOrganizations);
        ordererOrganizations = List.copyOf(ordererOrganizations);
        peers = List.copyOf(peers);
        orderers = List.copyOf(orderers);
    }

    /**
     * An organisation and its crypto material.
     *
     * @param mspId e.g. {@code Org1MSP}
     * @param domain e.g. {@code org1.example.com}
     * @param crypto its CAs, nodes and users
     */
    public record Organization(String mspId, String domain, OrganizationCrypto crypto) {
        public Organization {
            Objects.requireNonNull(crypto, "crypto");
            if (!crypto.mspId().equals(mspId) || !crypto.domain().equals(domain)) {
                throw new IllegalArgumentException("organization " + mspId + " (" + domain + ") described with the crypto of "
                        + crypto.mspId() + " (" + crypto.domain() + ")");
            }
        }

        public static Organization of(OrganizationCrypto crypto) {
            return new Organization(crypto.mspId(), crypto.domain(), crypto);
        }
    }

    /**
     * A peer or orderer node.
     *
     * @param name the host name in its certificates, e.g. {@code peer0.org1.example.com}
     * @param mspId its organisation
     * @param endpoint {@code host:port} to connect to
     * @param tlsRootCertificate the CA that signs its TLS certificate
     */
    public record Node(String name, String mspId, String endpoint, X509Certificate tlsRootCertificate) {
        public Node {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mspId, "mspId");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(tlsRootCertificate, "tlsRootCertificate");
        }
    }

    /** The MSP ids of the peer organisations, in order. */
    public List<String> peerMspIds() {
        return peerOrganizations.stream().map(Organization::mspId).toList();
    }
}
