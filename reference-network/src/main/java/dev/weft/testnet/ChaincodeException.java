package dev.weft.testnet;

/**
 * Thrown by chaincode to fail the invocation with status 500 and this message, as a Fabric
 * contract does when it throws an error.
 */
public class ChaincodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChaincodeException(String message) {
        super(message);
    }
}
