package dev.weft.core;

/**
 * An identity is not valid for a channel: its MSP is unknown, its certificate does not chain to
 * one of the MSP's root certificates, is outside its validity period, or does not carry the node
 * OU that the MSP requires.
 */
public class IdentityValidationException extends WeftException {
    private static final long serialVersionUID = 1L;

    public IdentityValidationException(String message) {
        super(message);
    }

    public IdentityValidationException(String message, Throwable cause) {
        super(message, cause);
    }
}
