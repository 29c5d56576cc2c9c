package dev.weft.core;

/**
 * Bytes that should hold a Fabric message do not: a block, envelope, proposal response or
 * config that cannot be parsed, or that lacks a field Fabric always sets. Usually a sign of a
 * misbehaving or incompatible node, never of bad user input.
 */
public class ProtocolException extends WeftException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
