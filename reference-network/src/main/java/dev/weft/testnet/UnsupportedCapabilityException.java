package dev.weft.testnet;

import dev.weft.core.WeftException;

/**
 * A reference node was asked to serve a channel whose config requires a capability it does not
 * implement. Like a real Fabric node, it refuses to start rather than process blocks it might
 * judge differently from the rest of the network.
 */
public class UnsupportedCapabilityException extends WeftException {
    private static final long serialVersionUID = 1L;

    public UnsupportedCapabilityException(String message) {
        super(message);
    }
}
