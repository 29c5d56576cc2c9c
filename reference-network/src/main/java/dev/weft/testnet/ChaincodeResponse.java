package dev.weft.testnet;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a chaincode invocation returns: a status (Fabric's shim uses 200 for success, 500 for an
 * error; anything from 400 up is an error and is not endorsed), a message and a payload.
 *
 * @param status the status code
 * @param message a message, usually set for errors
 * @param payload the return value (empty for none)
 */
public record ChaincodeResponse(int status, String message, byte[] payload) {
    public static final int OK = 200;
    public static final int ERROR_THRESHOLD = 400;
    public static final int ERROR = 500;

    public ChaincodeResponse {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(payload, "payload");
    }

    public static ChaincodeResponse success(byte[] payload) {
        return new ChaincodeResponse(OK, "", payload);
    }

    public static ChaincodeResponse success(String payload) {
        return success(payload.getBytes(StandardCharsets.UTF_8));
    }

    public static ChaincodeResponse success() {
        return success(new byte[0]);
    }

    public static ChaincodeResponse error(String message) {
        return new ChaincodeResponse(ERROR, message, new byte[0]);
    }
}
