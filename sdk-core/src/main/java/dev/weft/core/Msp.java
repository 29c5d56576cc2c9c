package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.weft.core.internal.EcCurves;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.CRLException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.msp.FabricMSPConfig;
import org.hyperledger.fabric.protos.msp.FabricNodeOUs;
import org.hyperledger.fabric.protos.msp.FabricOUIdentifier;
import org.hyperledger.fabric.protos.msp.MSPConfig;

/**
 * A Fabric X.509 membership service provider, as a channel defines it in its config
 * ({@code msp.FabricMSPConfig}): root and intermediate CA certificates, revocation lists, admin
 * certificates, node OUs and TLS CA certificates.
 *
 * <p>{@link #validate} checks a certificate as Fabric's MSP does: it must chain through the
 * intermediates to a root, every certificate in the chain must be within its validity period and
 * unrevoked, the certificate itself must not be a CA, and with node OUs enabled it must carry
 * exactly one of the client, peer, admin or orderer OUs. Validation does not cache; use
 * {@link ChannelMsps}, which does.
 *
 * <p>Immutable and thread-safe.
 */
public final class Msp {
    private static final int MAX_CHAIN_LENGTH = 10;
    private static final Provider BC = new BouncyCastleProvider();

    /** One node OU: the OU value and, optionally, the CA certificate that must have issued it. */
    public record NodeOu(String organizationalUnit, X509Certificate certifier) {
    }

    /** Node OU settings: which OU marks clients, peers, admins and orderers. */
    public record NodeOus(boolean enabled, NodeOu client, NodeOu peer, NodeOu admin, NodeOu orderer) {
    }

    private final String id;
    private final FabricMSPConfig config;
    private final List<X509Certificate> roots;
    private final List<X509Certificate> intermediates;
    private final List<X509Certificate> admins;
    private final List<X509Certificate> tlsRoots;
    private final List<X509Certificate> tlsIntermediates;
    private final List<X509CRL> revocationLists;
    private final Set<X509Certificate> internalNodes;
    private final List<NodeOu> organizationalUnitIdentifiers;
    private final NodeOus nodeOus;

    private Msp(FabricMSPConfig config) {
        this.config = config;
        this.id = config.getName();
        if (id.isEmpty()) {
            throw new ChannelConfigException("MSP config has no name (MSP id)");
        }
        String hashFamily = config.getCryptoConfig().getSignatureHashFamily();
        if (!hashFamily.isEmpty() && !hashFamily.equals("SHA2")) {
            throw new ChannelConfigException("MSP " + id + " uses signature hash family " + hashFamily
                    + "; Weft supports SHA2 (the Fabric default)");
        }
        this.roots = caCertificates(config.getRootCertsList(), "root_certs");
        if (roots.isEmpty()) {
            throw new ChannelConfigException("MSP " + id + " has no root certificates");
        }
        this.intermediates = caCertificates(config.getIntermediateCertsList(), "intermediate_certs");
        Set<X509Certificate> parents = new HashSet<>();
        List<X509Certificate> allCas = new ArrayList<>(roots);
        allCas.addAll(intermediates);
        for (X509Certificate intermediate : intermediates) {
            X509Certificate issuer = issuerAmong(intermediate, allCas);
            if (issuer == null || issuer.equals(intermediate)) {
                throw new ChannelConfigException("MSP " + id + " intermediate certificate "
                        + intermediate.getSubjectX500Principal().getName() + " is not issued by one of its CA certificates");
            }
            parents.add(issuer);
        }
        this.internalNodes = Set.copyOf(parents);
        this.admins = certificates(config.getAdminsList(), "admins");
        this.tlsRoots = certificates(config.getTlsRootCertsList(), "tls_root_certs");
        this.tlsIntermediates = certificates(config.getTlsIntermediateCertsList(), "tls_intermediate_certs");
        this.revocationLists = crls(config.getRevocationListList());
        List<NodeOu> ous = new ArrayList<>();
        for (FabricOUIdentifier ou : config.getOrganizationalUnitIdentifiersList()) {
            ous.add(nodeOu(ou, "organizational_unit_identifiers"));
        }
        this.organizationalUnitIdentifiers = List.copyOf(ous);
        FabricNodeOUs n = config.getFabricNodeOus();
        this.nodeOus = new NodeOus(n.getEnable(),
                n.hasClientOuIdentifier() ? nodeOu(n.getClientOuIdentifier(), "client_ou_identifier") : null,
                n.hasPeerOuIdentifier() ? nodeOu(n.getPeerOuIdentifier(), "peer_ou_identifier") : null,
                n.hasAdminOuIdentifier() ? nodeOu(n.getAdminOuIdentifier(), "admin_ou_identifier") : null,
                n.hasOrdererOuIdentifier() ? nodeOu(n.getOrdererOuIdentifier(), "orderer_ou_identifier") : null);
    }

    /**
     * An MSP from its channel-config definition.
     *
     * @throws ChannelConfigException if a certificate or CRL cannot be decoded, or there are no roots
     */
    public static Msp fromConfig(FabricMSPConfig config) {
        return new Msp(config);
    }

    /**
     * An MSP from an {@code msp.MSPConfig} value (as stored under a config group's {@code MSP} key).
     *
     * @throws ChannelConfigException if it is not a FABRIC (X.509) MSP or cannot be decoded
     */
    public static Msp fromConfig(MSPConfig config) {
        if (config.getType() != 0) {
            throw new ChannelConfigException("MSP of type " + config.getType()
                    + " is not supported; Weft supports FABRIC (X.509) MSPs");
        }
        try {
            return new Msp(FabricMSPConfig.parseFrom(config.getConfig()));
        } catch (InvalidProtocolBufferException e) {
            throw new ChannelConfigException("MSP config is not a FabricMSPConfig", e);
        }
    }

    public String id() {
        return id;
    }

    /** The definition this MSP was built from. */
    public FabricMSPConfig config() {
        return config;
    }

    public List<X509Certificate> rootCertificates() {
        return roots;
    }

    public List<X509Certificate> intermediateCertificates() {
        return intermediates;
    }

    public List<X509Certificate> tlsRootCertificates() {
        return tlsRoots;
    }

    public List<X509Certificate> tlsIntermediateCertificates() {
        return tlsIntermediates;
    }

    public NodeOus nodeOus() {
        return nodeOus;
    }

    /**
     * Validates a certificate as a member of this MSP at the given time.
     *
     * <p>Fabric's own MSP ignores validity periods (FAB-3678) and leaves expiry to the endorser's
     * and orderer's request checks; this method checks them, because a client verifying fresh
     * endorsements wants an expired endorser certificate reported.
     *
     * @param serialized the serialized identity to report (and compare IDENTITY principals against)
     * @throws IdentityValidationException saying why the certificate is not a valid member
     */
    public MspIdentity validate(X509Certificate certificate, ByteString serialized, Instant at) {
        return validate(certificate, serialized, Objects.requireNonNull(at, "at"), true);
    }

    /**
     * Validates a certificate as a member of this MSP exactly as Fabric's MSP does, ignoring the
     * validity periods of the certificate and its chain (FAB-3678). Fabric's committer judges
     * creators and endorsers this way, so a transaction stays valid however late it is validated.
     *
     * @throws IdentityValidationException saying why the certificate is not a valid member
     */
    public MspIdentity validateMembership(X509Certificate certificate, ByteString serialized) {
        return validate(certificate, serialized, null, false);
    }

    private MspIdentity validate(X509Certificate certificate, ByteString serialized, Instant at, boolean checkTime) {
        String subject = certificate.getSubjectX500Principal().getName();
        if (certificate.getBasicConstraints() >= 0) {
            throw new IdentityValidationException("certificate " + subject
                    + " is a CA certificate; a CA cannot be used as an identity in MSP " + id);
        }
        List<X509Certificate> chain = chain(certificate);
        X509Certificate parent = chain.get(1);
        if (internalNodes.contains(parent)) {
            throw new IdentityValidationException("certificate " + subject + " is issued by "
                    + parent.getSubjectX500Principal().getName() + ", which issues intermediate CAs of MSP " + id
                    + "; identities must be issued by a CA at the edge of the certification tree");
        }
        Instant notBefore = Instant.MIN;
        Instant notAfter = Instant.MAX;
        for (X509Certificate cert : chain) {
            Instant from = cert.getNotBefore().toInstant();
            Instant until = cert.getNotAfter().toInstant();
            if (checkTime && (at.isBefore(from) || at.isAfter(until))) {
                throw new IdentityValidationException("certificate " + cert.getSubjectX500Principal().getName()
                        + (cert == certificate ? "" : " (issuer of " + subject + ")")
                        + " is valid from " + from + " to " + until + ", not at " + at);
            }
            notBefore = from.isAfter(notBefore) ? from : notBefore;
            notAfter = until.isBefore(notAfter) ? until : notAfter;
        }
        checkRevocation(chain);
        List<String> ous = organizationalUnits(certificate);
        if (!organizationalUnitIdentifiers.isEmpty()
                && organizationalUnitIdentifiers.stream().noneMatch(ou -> ous.contains(ou.organizationalUnit())
                        && certifiedBy(ou, parent))) {
            throw new IdentityValidationException(ous.isEmpty()
                    ? "certificate " + subject + " has no organizational unit, but MSP " + id + " requires one"
                    : "none of the organizational units " + ous + " of certificate " + subject + " are in MSP " + id);
        }
        EnumSet<MSPRole.MSPRoleType> roles = EnumSet.of(MSPRole.MSPRoleType.MEMBER);
        if (nodeOus.enabled()) {
            roles.addAll(nodeRoles(subject, ous, parent));
        }
        if (admins.contains(certificate)) {
            roles.add(MSPRole.MSPRoleType.ADMIN);
        }
        ECPublicKeyParameters key;
        try {
            key = EcCurves.publicKeyParameters(certificate.getPublicKey());
        } catch (CredentialException e) {
            throw new IdentityValidationException("certificate " + subject + " of MSP " + id + ": " + e.getMessage(), e);
        }
        return new MspIdentity(id, certificate, serialized, chain, roles, Set.copyOf(ous), notBefore, notAfter, key);
    }

    /**
     * The node role of a certificate, as Fabric's MSP (v1.4.3+) decides it: each OU that names a
     * node OU counts (duplicates too), its certifier, if configured, must be the certificate's
     * direct issuer, and exactly one must be present.
     */
    private Set<MSPRole.MSPRoleType> nodeRoles(String subject, List<String> ous, X509Certificate parent) {
        Map<String, MSPRole.MSPRoleType> roleByOu = new LinkedHashMap<>();
        Map<String, NodeOu> nodeOuByName = new LinkedHashMap<>();
        register(roleByOu, nodeOuByName, nodeOus.client(), MSPRole.MSPRoleType.CLIENT);
        register(roleByOu, nodeOuByName, nodeOus.peer(), MSPRole.MSPRoleType.PEER);
        register(roleByOu, nodeOuByName, nodeOus.admin(), MSPRole.MSPRoleType.ADMIN);
        register(roleByOu, nodeOuByName, nodeOus.orderer(), MSPRole.MSPRoleType.ORDERER);
        int count = 0;
        EnumSet<MSPRole.MSPRoleType> roles = EnumSet.noneOf(MSPRole.MSPRoleType.class);
        for (String ou : ous) {
            NodeOu nodeOu = nodeOuByName.get(ou);
            if (nodeOu == null) {
                continue;
            }
            if (!certifiedBy(nodeOu, parent)) {
                throw new IdentityValidationException("certificate " + subject + " has node OU '" + ou
                        + "' but is not issued by the CA that MSP " + id + " requires for it ("
                        + nodeOu.certifier().getSubjectX500Principal().getName() + ")");
            }
            roles.add(roleByOu.get(ou));
            count++;
        }
        if (count != 1) {
            throw new IdentityValidationException("certificate " + subject + " must carry exactly one node OU "
                    + "(client, peer, admin or orderer) to be valid in MSP " + id + ", but has " + count
                    + " (OUs: " + ous + ")");
        }
        return roles;
    }

    private static void register(Map<String, MSPRole.MSPRoleType> roleByOu, Map<String, NodeOu> nodeOuByName,
            NodeOu ou, MSPRole.MSPRoleType role) {
        if (ou != null) {
            roleByOu.putIfAbsent(ou.organizationalUnit(), role);
            nodeOuByName.putIfAbsent(ou.organizationalUnit(), ou);
        }
    }

    /** Fabric's certifiers-identifier rule: a configured certifier must be the direct issuer. */
    private static boolean certifiedBy(NodeOu ou, X509Certificate parent) {
        return ou.certifier() == null || ou.certifier().equals(parent);
    }

    /** The certificate followed by its issuers up to a root of this MSP. */
    private List<X509Certificate> chain(X509Certificate certificate) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        X509Certificate current = certificate;
        while (chain.size() <= MAX_CHAIN_LENGTH) {
            X509Certificate root = issuerAmong(current, roots);
            if (root != null) {
                chain.add(root);
                return chain;
            }
            X509Certificate intermediate = issuerAmong(current, intermediates);
            if (intermediate == null || chain.contains(intermediate)) {
                throw new IdentityValidationException("certificate " + certificate.getSubjectX500Principal().getName()
                        + " is not issued by a CA of MSP " + id + " (no CA certificate for issuer "
                        + current.getIssuerX500Principal().getName() + " verifies it)");
            }
            chain.add(intermediate);
            current = intermediate;
        }
        throw new IdentityValidationException("certificate chain of " + certificate.getSubjectX500Principal().getName()
                + " is longer than " + MAX_CHAIN_LENGTH);
    }

    private static X509Certificate issuerAmong(X509Certificate cert, List<X509Certificate> candidates) {
        for (X509Certificate candidate : candidates) {
            if (candidate.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
                    && candidate.getBasicConstraints() >= 0) {
                try {
                    cert.verify(candidate.getPublicKey(), BC);
                    return candidate;
                } catch (GeneralSecurityException e) {
                    // Same name, different key: keep looking; another candidate may be the issuer.
                }
            }
        }
        return null;
    }

    private void checkRevocation(List<X509Certificate> chain) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            for (X509CRL crl : revocationLists) {
                if (crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())
                        && crl.isRevoked(cert)) {
                    try {
                        crl.verify(issuer.getPublicKey(), BC);
                    } catch (GeneralSecurityException e) {
                        continue;
                    }
                    throw new IdentityValidationException("certificate " + cert.getSubjectX500Principal().getName()
                            + " (serial " + cert.getSerialNumber().toString(16) + ") is revoked by MSP " + id);
                }
            }
        }
    }

    /** The OU values of a certificate's subject, unescaped and in order, duplicates included. */
    static List<String> organizationalUnits(X509Certificate certificate) {
        X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        List<String> ous = new ArrayList<>();
        for (RDN rdn : name.getRDNs(BCStyle.OU)) {
            for (var atv : rdn.getTypesAndValues()) {
                if (BCStyle.OU.equals(atv.getType())) {
                    ous.add(atv.getValue() instanceof ASN1String text ? text.getString() : atv.getValue().toString());
                }
            }
        }
        return ous;
    }

    private NodeOu nodeOu(FabricOUIdentifier ou, String field) {
        X509Certificate certifier = null;
        if (!ou.getCertificate().isEmpty()) {
            List<X509Certificate> certs = certificates(List.of(ou.getCertificate()), field);
            certifier = certs.isEmpty() ? null : certs.get(0);
            if (certifier != null && !roots.contains(certifier) && !intermediates.contains(certifier)) {
                throw new ChannelConfigException("MSP " + id + " " + field + " names certificate "
                        + certifier.getSubjectX500Principal().getName() + ", which is not one of its CA certificates");
            }
        }
        return new NodeOu(ou.getOrganizationalUnitIdentifier(), certifier);
    }

    private List<X509Certificate> caCertificates(List<ByteString> pems, String field) {
        List<X509Certificate> certs = certificates(pems, field);
        for (X509Certificate cert : certs) {
            if (cert.getBasicConstraints() < 0) {
                throw new ChannelConfigException("MSP " + id + " " + field + ": certificate "
                        + cert.getSubjectX500Principal().getName() + " is not a CA certificate");
            }
        }
        return certs;
    }

    private List<X509Certificate> certificates(List<ByteString> pems, String field) {
        List<X509Certificate> result = new ArrayList<>();
        for (ByteString pem : pems) {
            try {
                result.addAll(Credentials.readCertificates(pem.toStringUtf8()));
            } catch (CredentialException e) {
                throw new ChannelConfigException("MSP " + id + " " + field + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(result);
    }

    private List<X509CRL> crls(List<ByteString> pems) {
        List<X509CRL> result = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (ByteString pem : pems) {
                for (var crl : factory.generateCRLs(new ByteArrayInputStream(pem.toByteArray()))) {
                    result.add((X509CRL) crl);
                }
            }
        } catch (CRLException | java.security.cert.CertificateException e) {
            throw new ChannelConfigException("MSP " + id + " revocation_list holds an unreadable CRL", e);
        }
        return List.copyOf(result);
    }

    @Override
    public String toString() {
        return "Msp[" + id + "]";
    }
}
