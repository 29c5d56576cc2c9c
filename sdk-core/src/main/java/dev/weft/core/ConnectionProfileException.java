package dev.weft.core;

/**
 * A connection profile is missing, unreadable or malformed. The message names the file, the
 * field (as a path such as {@code peers['peer0.org1.example.com'].url}; keys containing dots are
 * bracketed) and what was expected
 * there.
 */
public class ConnectionProfileException extends WeftException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String field;

    public ConnectionProfileException(String source, String field, String problem) {
        this(source, field, problem, null);
    }

    public ConnectionProfileException(String source, String field, String problem, Throwable cause) {
        super(source + (field == null || field.isEmpty() ? "" : ": " + field) + ": " + problem, cause);
        this.source = source;
        this.field = field;
    }

    /** The file (or other source name) the profile was read from. */
    public String source() {
        return source;
    }

    /** The dotted path of the offending field, or an empty string for file-level problems. */
    public String field() {
        return field == null ? "" : field;
    }
}
