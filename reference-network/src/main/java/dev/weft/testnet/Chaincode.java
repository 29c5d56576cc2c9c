package dev.weft.testnet;

/**
 * Chaincode that runs inside the reference peer. It gets a {@link ChaincodeStub} for one
 * proposal, reads and writes state through it (the peer records every read and write in the
 * transaction's read-write set) and returns a response. Throwing {@link ChaincodeException} (or any
 * runtime exception) fails the invocation with status 500 and the exception's message.
 *
 * <p>Implementations must be thread-safe and keep no state outside the stub: the peer invokes
 * them concurrently, and all peers must compute the same result.
 *
 * <pre>{@code
 * Chaincode counter = stub -> {
 *     byte[] old = stub.getState("n");
 *     int next = old == null ? 1 : Integer.parseInt(new String(old, UTF_8)) + 1;
 *     stub.putState("n", Integer.toString(next).getBytes(UTF_8));
 *     return ChaincodeResponse.success(Integer.toString(next));
 * };
 * }</pre>
 */
@FunctionalInterface
public interface Chaincode {
    ChaincodeResponse invoke(ChaincodeStub stub);
}
