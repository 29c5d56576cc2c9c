package dev.weft.core;

/**
 * Endorsement-policy text that does not follow Fabric's syntax. {@link #position()} is the
 * zero-based character offset in the text where the problem was found.
 */
public class PolicyParseException extends WeftException {
    private static final long serialVersionUID = 1L;

    private final String text;
    private final int position;

    public PolicyParseException(String text, int position, String problem) {
        super(problem + " at position " + position + " in policy \"" + text + "\"");
        this.text = text;
        this.position = position;
    }

    /** The policy text that failed to parse. */
    public String text() {
        return text;
    }

    /** Zero-based offset of the offending character in {@link #text()}. */
    public int position() {
        return position;
    }
}
