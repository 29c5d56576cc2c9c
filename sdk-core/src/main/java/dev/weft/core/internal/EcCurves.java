package dev.weft.core.internal;

import dev.weft.core.CredentialException;
import dev.weft.core.InternalApi;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The two curves Fabric's MSP accepts for ECDSA identities, P-256 and P-384, backed by Bouncy
 * Castle's specialised field arithmetic ({@link CustomNamedCurves}), which is several times
 * faster than the generic curve code and than the JDK's SunEC provider.
 *
 * <p>One {@link ECDomainParameters} instance per curve is shared process-wide: Bouncy Castle
 * caches its fixed-base precomputation on the generator point of that instance, so every signer
 * must use the same object.
 */
@InternalApi
public enum EcCurves {
    P256("P-256", SECObjectIdentifiers.secp256r1),
    P384("P-384", SECObjectIdentifiers.secp384r1);

    private final String displayName;
    private final ASN1ObjectIdentifier oid;
    private final ECDomainParameters domain;
    private final BigInteger halfOrder;

    EcCurves(String displayName, ASN1ObjectIdentifier oid) {
        X9ECParameters x9 = CustomNamedCurves.getByOID(oid);
        this.displayName = displayName;
        this.oid = oid;
        this.domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
        this.halfOrder = x9.getN().shiftRight(1);
    }

    public String displayName() {
        return displayName;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    public ECDomainParameters domain() {
        return domain;
    }

    public BigInteger order() {
        return domain.getN();
    }

    /** n/2: Fabric rejects any ECDSA signature whose s is above it. */
    public BigInteger halfOrder() {
        return halfOrder;
    }

    /** The curve of a JCA EC key, matched by group order. */
    public static EcCurves of(java.security.spec.ECParameterSpec params) {
        BigInteger n = params.getOrder();
        for (EcCurves c : values()) {
            if (c.order().equals(n) && c.domain.getCurve().getFieldSize() == params.getCurve().getField().getFieldSize()) {
                return c;
            }
        }
        throw new CredentialException("unsupported elliptic curve (field size "
                + params.getCurve().getField().getFieldSize() + " bits): Fabric identities use P-256 or P-384");
    }

    public static EcCurves byOid(ASN1ObjectIdentifier oid) {
        for (EcCurves c : values()) {
            if (c.oid.equals(oid)) {
                return c;
            }
        }
        return null;
    }

    public static List<String> supportedNames() {
        return List.of(P256.displayName, P384.displayName);
    }

    public static ECPublicKeyParameters publicKeyParameters(PublicKey key) {
        if (!(key instanceof ECPublicKey ec)) {
            throw new CredentialException("not an EC public key (" + key.getAlgorithm()
                    + "): Fabric identities use ECDSA P-256 or P-384");
        }
        EcCurves curve = of(ec.getParams());
        ECPoint q = curve.domain.getCurve()
                .createPoint(ec.getW().getAffineX(), ec.getW().getAffineY());
        if (!q.isValid()) {
            throw new CredentialException("EC public key point is not on " + curve.displayName);
        }
        return new ECPublicKeyParameters(q, curve.domain);
    }

    public static ECPrivateKeyParameters privateKeyParameters(PrivateKey key) {
        if (!(key instanceof ECPrivateKey ec)) {
            throw new CredentialException("not an EC private key (" + key.getAlgorithm()
                    + "): Fabric identities use ECDSA P-256 or P-384");
        }
        EcCurves curve = of(ec.getParams());
        return new ECPrivateKeyParameters(ec.getS(), curve.domain);
    }

    public static EcCurves of(ECDomainParameters domain) {
        for (EcCurves c : values()) {
            if (c.domain == domain || c.order().equals(domain.getN())) {
                return c;
            }
        }
        throw new CredentialException("unsupported elliptic curve: Fabric identities use P-256 or P-384");
    }
}
