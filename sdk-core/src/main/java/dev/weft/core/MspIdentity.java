package dev.weft.core;

import com.google.protobuf.ByteString;
import dev.weft.core.internal.Ecdsa;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.hyperledger.fabric.protos.common.MSPRole;

/**
 * An identity whose certificate an {@link Msp} has validated: it chains to one of the MSP's root
 * certificates, and it carries the roles the MSP grants it (MEMBER always; CLIENT, PEER, ADMIN,
 * ORDERER from its node OU or the MSP's admin list).
 *
 * <p>The decoded public key is kept, so {@link #verify} is cheaper than verifying with a bare
 * certificate. Immutable and thread-safe.
 */
public final class MspIdentity implements PolicyIdentity {
    private final String mspId;
    private final X509Certificate certificate;
    private final ByteString serialized;
    private final List<X509Certificate> chain;
    private final Set<MSPRole.MSPRoleType> roles;
    private final Set<String> organizationalUnits;
    private final Instant notBefore;
    private final Instant notAfter;
    private final ECPublicKeyParameters publicKey;

    MspIdentity(String mspId, X509Certificate certificate, ByteString serialized, List<X509Certificate> chain,
            Set<MSPRole.MSPRoleType> roles, Set<String> organizationalUnits, Instant notBefore, Instant notAfter,
            ECPublicKeyParameters publicKey) {
        this.mspId = mspId;
        this.certificate = certificate;
        this.serialized = serialized;
        this.chain = List.copyOf(chain);
        this.roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
        this.organizationalUnits = Set.copyOf(organizationalUnits);
        this.notBefore = notBefore;
        this.notAfter = notAfter;
        this.publicKey = publicKey;
    }

    @Override
    public String mspId() {
        return mspId;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    @Override
    public ByteString serialized() {
        return serialized;
    }

    /** The certificate followed by its issuers, ending with the MSP root certificate. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The MSP roles this identity holds; always contains MEMBER. */
    public Set<MSPRole.MSPRoleType> roles() {
        return roles;
    }

    public boolean hasRole(MSPRole.MSPRoleType role) {
        return roles.contains(role);
    }

    /** The OU values of the certificate subject. */
    public Set<String> organizationalUnits() {
        return organizationalUnits;
    }

    /** The start of the period in which the certificate and its whole chain are valid. */
    public Instant notBefore() {
        return notBefore;
    }

    /** The end of the period in which the certificate and its whole chain are valid. */
    public Instant notAfter() {
        return notAfter;
    }

    /** Whether the certificate and its chain are valid at the given time. */
    public boolean isValidAt(Instant time) {
        return !time.isBefore(notBefore) && !time.isAfter(notAfter);
    }

    /** Whether {@code signature} is this identity's valid low-S ECDSA signature over SHA-256(message). */
    public boolean verify(byte[] message, byte[] signature) {
        return Ecdsa.verify(publicKey, message, signature);
    }

    @Override
    public boolean satisfies(Principal principal) {
        if (!principal.mspId().equals(mspId)) {
            return false;
        }
        if (principal instanceof Principal.Role r) {
            return roles.contains(r.role());
        }
        if (principal instanceof Principal.Unit u) {
            return organizationalUnits.contains(u.organizationalUnit());
        }
        return ((Principal.Identity) principal).serialized().equals(serialized);
    }

    @Override
    public String toString() {
        return mspId + ":" + certificate.getSubjectX500Principal().getName() + roles;
    }
}
