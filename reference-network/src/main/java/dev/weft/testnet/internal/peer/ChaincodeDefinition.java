package dev.weft.testnet.internal.peer;

import dev.weft.core.ChaincodePolicy;
import dev.weft.core.InternalApi;
import dev.weft.testnet.Chaincode;
import java.util.Objects;

/**
 * A chaincode defined on a channel, as {@code _lifecycle} would hold it: name, version, sequence,
 * the implementation and the endorsement policy.
 */
@InternalApi
public record ChaincodeDefinition(String name, String version, long sequence, Chaincode chaincode,
        ChaincodePolicy policy) {

    public ChaincodeDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(chaincode, "chaincode");
        Objects.requireNonNull(policy, "policy");
    }
}
