package dev.weft.core;

/**
 * A key, certificate or identity could not be loaded or does not fit its use: unreadable PEM,
 * an unsupported key type or curve, an encrypted key, or a certificate that does not belong to
 * the private key it is paired with. The message says what was found and what to do.
 */
public class CredentialException extends WeftException {
    private static final long serialVersionUID = 1L;

    public CredentialException(String message) {
        super(message);
    }

    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
