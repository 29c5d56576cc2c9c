package dev.weft.core.internal;

import dev.weft.core.InternalApi;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * ECDSA as Fabric's MSP does it: the message is hashed with SHA-256 whatever the curve, the
 * signature is DER {@code SEQUENCE {INTEGER r, INTEGER s}}, and s is always in the lower half of
 * the group order ("low-S"); Fabric rejects high-S signatures before it checks them.
 *
 * <p>Signing uses deterministic nonces (RFC 6979, HMAC-SHA256), so it never contends on a shared
 * random source and never depends on its quality. Verification accepts only canonical DER.
 * Both use Bouncy Castle's low-level API on {@link EcCurves}' shared domain parameters.
 */
@InternalApi
public final class Ecdsa {
    private Ecdsa() {
    }

    /** Signs SHA-256(message) and returns a low-S DER signature. */
    public static byte[] sign(ECPrivateKeyParameters key, byte[] message) {
        return signDigest(key, Hashing.sha256(message));
    }

    /** Signs a SHA-256 digest computed by the caller and returns a low-S DER signature. */
    public static byte[] signDigest(ECPrivateKeyParameters key, byte[] digest) {
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, key);
        BigInteger[] rs = signer.generateSignature(digest);
        BigInteger s = toLowS(rs[1], EcCurves.of(key.getParameters()));
        return encode(rs[0], s);
    }

    /**
     * Verifies a signature over SHA-256(message) exactly as a Fabric peer does: the DER must be
     * canonical, r and s in range and s low.
     */
    public static boolean verify(ECPublicKeyParameters key, byte[] message, byte[] signature) {
        return verifyDigest(key, Hashing.sha256(message), signature);
    }

    public static boolean verifyDigest(ECPublicKeyParameters key, byte[] digest, byte[] signature) {
        BigInteger[] rs = decode(signature);
        if (rs == null) {
            return false;
        }
        EcCurves curve = EcCurves.of(key.getParameters());
        BigInteger r = rs[0];
        BigInteger s = rs[1];
        if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(curve.order()) >= 0
                || s.compareTo(curve.halfOrder()) > 0) {
            return false;
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, key);
        return verifier.verifySignature(digest, r, s);
    }

    public static BigInteger toLowS(BigInteger s, EcCurves curve) {
        return s.compareTo(curve.halfOrder()) > 0 ? curve.order().subtract(s) : s;
    }

    /** Whether a DER signature's s is at most n/2 on the given curve; false if not canonical DER. */
    public static boolean isLowS(byte[] signature, EcCurves curve) {
        BigInteger[] rs = decode(signature);
        return rs != null && rs[1].signum() > 0 && rs[1].compareTo(curve.halfOrder()) <= 0;
    }

    /**
     * Rewrites a DER signature so that s is low; returns the input unchanged when it already is.
     *
     * @throws IllegalArgumentException if the input is not a canonical DER ECDSA signature
     */
    public static byte[] normalize(byte[] signature, EcCurves curve) {
        BigInteger[] rs = decode(signature);
        if (rs == null) {
            throw new IllegalArgumentException("not a DER-encoded ECDSA signature");
        }
        BigInteger low = toLowS(rs[1], curve);
        return low.equals(rs[1]) ? signature : encode(rs[0], low);
    }

    public static byte[] encode(BigInteger r, BigInteger s) {
        byte[] rb = r.toByteArray();
        byte[] sb = s.toByteArray();
        int bodyLength = 2 + rb.length + 2 + sb.length;
        int headerLength = bodyLength < 0x80 ? 2 : 3;
        byte[] out = new byte[headerLength + bodyLength];
        int i = 0;
        out[i++] = 0x30;
        if (headerLength == 3) {
            out[i++] = (byte) 0x81;
        }
        out[i++] = (byte) bodyLength;
        out[i++] = 0x02;
        out[i++] = (byte) rb.length;
        System.arraycopy(rb, 0, out, i, rb.length);
        i += rb.length;
        out[i++] = 0x02;
        out[i++] = (byte) sb.length;
        System.arraycopy(sb, 0, out, i, sb.length);
        return out;
    }

    /**
     * Decodes {@code SEQUENCE {INTEGER r, INTEGER s}} in canonical DER (minimal lengths, minimal
     * positive integers, no trailing bytes), or returns null. Go's encoding/asn1, which Fabric
     * uses, is as strict.
     */
    public static BigInteger[] decode(byte[] der) {
        if (der == null || der.length < 8 || der[0] != 0x30) {
            return null;
        }
        int pos = 1;
        int length;
        int first = der[pos++] & 0xFF;
        if (first < 0x80) {
            length = first;
        } else if (first == 0x81) {
            length = der[pos++] & 0xFF;
            if (length < 0x80) {
                return null;
            }
        } else {
            return null;
        }
        if (pos + length != der.length) {
            return null;
        }
        BigInteger r = readInteger(der, pos);
        if (r == null) {
            return null;
        }
        pos += 2 + (der[pos + 1] & 0xFF);
        BigInteger s = readInteger(der, pos);
        if (s == null || pos + 2 + (der[pos + 1] & 0xFF) != der.length) {
            return null;
        }
        return new BigInteger[] {r, s};
    }

    private static BigInteger readInteger(byte[] der, int pos) {
        if (pos + 2 > der.length || der[pos] != 0x02) {
            return null;
        }
        int len = der[pos + 1] & 0xFF;
        if (len == 0 || len >= 0x80 || pos + 2 + len > der.length) {
            return null;
        }
        int start = pos + 2;
        if ((der[start] & 0x80) != 0) {
            return null;
        }
        if (len > 1 && der[start] == 0 && (der[start + 1] & 0x80) == 0) {
            return null;
        }
        return new BigInteger(1, Arrays.copyOfRange(der, start, start + len));
    }
}
