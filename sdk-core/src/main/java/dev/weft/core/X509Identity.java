package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;

/**
 * An X.509 identity in a Fabric MSP: an MSP id and a certificate, and their serialized form
 * ({@code msp.SerializedIdentity{mspid, id_bytes = PEM}}) that goes into every header, endorsement
 * and policy check.
 *
 * <p>The serialized bytes are computed once and reused, because transaction ids and signatures
 * are computed over those exact bytes. {@link #of} encodes the certificate the way Fabric's Go
 * code does; {@link #fromSerialized} keeps bytes received from the network untouched.
 *
 * <p>Immutable and thread-safe; equality is equality of the serialized bytes.
 *
 * <pre>{@code
 * X509Identity identity = X509Identity.of("Org1MSP", Credentials.readCertificate(certPath));
 * }</pre>
 */
public final class X509Identity {
    private final String mspId;
    private final X509Certificate certificate;
    private final ByteString serialized;

    private X509Identity(String mspId, X509Certificate certificate, ByteString serialized) {
        this.mspId = mspId;
        this.certificate = certificate;
        this.serialized = serialized;
    }

    /**
     * Creates an identity from an MSP id and a certificate.
     *
     * @throws IllegalArgumentException if the MSP id is empty
     */
    public static X509Identity of(String mspId, X509Certificate certificate) {
        Objects.requireNonNull(mspId, "mspId");
        Objects.requireNonNull(certificate, "certificate");
        if (mspId.isBlank()) {
            throw new IllegalArgumentException("mspId must not be empty");
        }
        ByteString bytes = SerializedIdentity.newBuilder()
                .setMspid(mspId)
                .setIdBytes(ByteString.copyFrom(Credentials.toPem(certificate), StandardCharsets.US_ASCII))
                .build()
                .toByteString();
        return new X509Identity(mspId, certificate, bytes);
    }

    /** Creates an identity from an MSP id and PEM certificate text. */
    public static X509Identity fromPem(String mspId, String certificatePem) {
        return of(mspId, Credentials.readCertificate(certificatePem));
    }

    /**
     * Parses a serialized {@code msp.SerializedIdentity} (as found in a signature header or an
     * endorsement), keeping its bytes exactly as given.
     *
     * @throws ProtocolException if the bytes are not a serialized identity with a PEM certificate
     */
    public static X509Identity fromSerialized(ByteString serializedIdentity) {
        Objects.requireNonNull(serializedIdentity, "serializedIdentity");
        SerializedIdentity proto;
        try {
            proto = SerializedIdentity.parseFrom(serializedIdentity);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("bytes are not a serialized msp.SerializedIdentity", e);
        }
        if (proto.getMspid().isEmpty()) {
            throw new ProtocolException("serialized identity has no MSP id");
        }
        X509Certificate cert;
        try {
            cert = Credentials.readCertificate(proto.getIdBytes().toStringUtf8());
        } catch (CredentialException e) {
            throw new ProtocolException("serialized identity of " + proto.getMspid()
                    + " does not hold a PEM certificate: " + e.getMessage(), e);
        }
        return new X509Identity(proto.getMspid(), cert, serializedIdentity);
    }

    public String mspId() {
        return mspId;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The serialized {@code msp.SerializedIdentity}: the creator/endorser bytes on the wire. */
    public ByteString serialized() {
        return serialized;
    }

    public SerializedIdentity toProto() {
        try {
            return SerializedIdentity.parseFrom(serialized);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("serialized identity was validated at construction", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof X509Identity other && serialized.equals(other.serialized);
    }

    @Override
    public int hashCode() {
        return serialized.hashCode();
    }

    @Override
    public String toString() {
        return mspId + ":" + certificate.getSubjectX500Principal().getName();
    }
}
