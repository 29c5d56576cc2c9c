package dev.weft.core;

import com.google.protobuf.ByteString;

/**
 * An identity as a signature policy sees it: which MSP it belongs to, its serialized form (two
 * signatures by the same identity count once), and which principals it satisfies.
 *
 * <p>{@link MspIdentity} is the implementation for real, validated certificates; endorser
 * selection can supply its own to ask "would peers of these organisations satisfy the policy".
 */
public interface PolicyIdentity {
    String mspId();

    /** The serialized {@code msp.SerializedIdentity}; identities with equal bytes are one signer. */
    ByteString serialized();

    /** Whether this identity satisfies the principal (MSP id and role, unit or exact identity). */
    boolean satisfies(Principal principal);
}
