package dev.weft.testnet.internal;

import com.google.protobuf.ByteString;
import dev.weft.core.ChannelConfig;
import dev.weft.core.IdentityValidationException;
import dev.weft.core.InternalApi;
import dev.weft.core.MspIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A signature over some data by a serialized identity, as Fabric's policy engine receives it
 * ({@code protoutil.SignedData}), and the check of such a signature against a channel policy.
 *
 * @param identity the serialized {@code msp.SerializedIdentity}
 * @param data the signed bytes
 * @param signature the DER signature
 */
@InternalApi
public record SignedData(ByteString identity, ByteString data, ByteString signature) {

    /**
     * Evaluates a channel policy over this signature: the identity must be valid in one of the
     * channel's MSPs at {@code at}, the signature must verify, and the identity must satisfy the
     * policy. Returns the reason it does not, or empty if it does.
     */
    public Optional<String> check(ChannelConfig config, String policyPath, Instant at, VerifiedSignatures signatures) {
        MspIdentity signer;
        try {
            signer = config.msps().validate(identity, at);
        } catch (IdentityValidationException e) {
            return Optional.of("the creator is not a valid identity of channel " + config.channelId() + ": "
                    + e.getMessage());
        }
        if (!signatures.verify(signer, data, signature)) {
            return Optional.of("the signature of " + signer.mspId() + " identity "
                    + signer.certificate().getSubjectX500Principal().getName() + " is not valid");
        }
        if (!config.evaluate(policyPath, List.of(signer))) {
            return Optional.of("identity " + signer.certificate().getSubjectX500Principal().getName() + " of "
                    + signer.mspId() + " does not satisfy policy " + policyPath + " ("
                    + config.policy(policyPath).map(Object::toString).orElse("?") + ")");
        }
        return Optional.empty();
    }
}
