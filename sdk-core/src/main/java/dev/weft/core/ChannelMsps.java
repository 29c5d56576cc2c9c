package dev.weft.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.Endorsement;

/**
 * The MSPs of a channel, and the check that turns serialized identity bytes into a validated
 * {@link MspIdentity}: the identity's MSP must be one of the channel's, and its certificate must be
 * valid in that MSP (see {@link Msp#validate}).
 *
 * <p>Validated identities are cached by their serialized bytes (a bounded cache), so checking the
 * same creators and endorsers again costs a map lookup and a validity-period comparison, not a
 * certificate parse and chain verification. Thread-safe.
 */
public final class ChannelMsps {
    private static final int CACHE_LIMIT = 4096;

    private final Map<String, Msp> msps;
    private final Clock clock;
    private final ConcurrentHashMap<ByteString, MspIdentity> cache = new ConcurrentHashMap<>();

    private ChannelMsps(Map<String, Msp> msps, Clock clock) {
        this.msps = msps;
        this.clock = clock;
    }

    /** The given MSPs, judged against the system clock. */
    public static ChannelMsps of(Collection<Msp> msps) {
        return of(msps, Clock.systemUTC());
    }

    /**
     * The given MSPs, judged against a clock (a fixed clock makes tests of certificate validity periods
     * repeatable).
     *
     * @throws IllegalArgumentException if two MSPs share an id
     */
    public static ChannelMsps of(Collection<Msp> msps, Clock clock) {
        Map<String, Msp> byId = new LinkedHashMap<>();
        for (Msp msp : msps) {
            if (byId.put(msp.id(), msp) != null) {
                throw new IllegalArgumentException("two MSPs named " + msp.id());
            }
        }
        return new ChannelMsps(Map.copyOf(byId), Objects.requireNonNull(clock, "clock"));
    }

    public Optional<Msp> msp(String mspId) {
        return Optional.ofNullable(msps.get(mspId));
    }

    public Set<String> ids() {
        return msps.keySet();
    }

    public Collection<Msp> all() {
        return msps.values();
    }

    /**
     * Validates a serialized {@code msp.SerializedIdentity} now, by this instance's clock.
     *
     * @throws IdentityValidationException if the bytes are not an identity, its MSP is not in the
     *     channel, or its certificate is not valid in that MSP
     */
    public MspIdentity validate(ByteString serializedIdentity) {
        return validate(serializedIdentity, clock.instant());
    }

    /** Validates a serialized identity at a given time. */
    public MspIdentity validate(ByteString serializedIdentity, Instant at) {
        Objects.requireNonNull(serializedIdentity, "serializedIdentity");
        MspIdentity identity = cache.get(serializedIdentity);
        if (identity == null) {
            identity = validateUncached(serializedIdentity, at);
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(serializedIdentity, identity);
        } else if (!identity.isValidAt(at)) {
            throw new IdentityValidationException("certificate " + identity.certificate().getSubjectX500Principal().getName()
                    + " of MSP " + identity.mspId() + " (or its issuer) is valid from " + identity.notBefore()
                    + " to " + identity.notAfter() + ", not at " + at);
        }
        return identity;
    }

    /**
     * Validates a serialized identity as Fabric's MSP does, ignoring certificate validity periods
     * (see {@link Msp#validateMembership}); for judging committed transactions.
     *
     * @throws IdentityValidationException if the bytes are not an identity, its MSP is not in the
     *     channel, or its certificate is not a member of that MSP
     */
    public MspIdentity validateMembership(ByteString serializedIdentity) {
        Objects.requireNonNull(serializedIdentity, "serializedIdentity");
        MspIdentity identity = cache.get(serializedIdentity);
        if (identity == null) {
            identity = validateUncached(serializedIdentity, null);
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(serializedIdentity, identity);
        }
        return identity;
    }

    private MspIdentity validateUncached(ByteString serializedIdentity, Instant at) {
        SerializedIdentity proto;
        try {
            proto = SerializedIdentity.parseFrom(serializedIdentity);
        } catch (InvalidProtocolBufferException e) {
            throw new IdentityValidationException("identity bytes are not a serialized msp.SerializedIdentity", e);
        }
        Msp msp = msps.get(proto.getMspid());
        if (msp == null) {
            throw new IdentityValidationException("MSP '" + proto.getMspid() + "' is not a member of the channel"
                    + " (channel MSPs: " + String.join(", ", msps.keySet()) + ")");
        }
        X509Certificate certificate;
        try {
            certificate = Credentials.readCertificate(proto.getIdBytes().toStringUtf8());
        } catch (CredentialException e) {
            throw new IdentityValidationException("identity of MSP " + proto.getMspid()
                    + " does not hold a PEM certificate: " + e.getMessage(), e);
        }
        return at == null ? msp.validateMembership(certificate, serializedIdentity)
                : msp.validate(certificate, serializedIdentity, at);
    }

    /**
     * Checks an endorsement as a committer does: the endorser must be a valid identity of a channel
     * MSP, and its signature over {@code proposalResponsePayload ‖ endorser} must verify.
     *
     * @return the endorser, if the signature is valid
     * @throws IdentityValidationException if the endorser is not a valid channel identity
     */
    public Optional<MspIdentity> verifyEndorsement(ByteString proposalResponsePayload, Endorsement endorsement) {
        MspIdentity endorser = validate(endorsement.getEndorser());
        byte[] signed = proposalResponsePayload.concat(endorsement.getEndorser()).toByteArray();
        return endorser.verify(signed, endorsement.getSignature().toByteArray())
                ? Optional.of(endorser) : Optional.empty();
    }
}
