package dev.weft.core;

/**
 * A channel configuration (a config block or {@code common.Config}) lacks something Fabric
 * requires, or holds a value that cannot be decoded. The message names the config path.
 */
public class ChannelConfigException extends WeftException {
    private static final long serialVersionUID = 1L;

    public ChannelConfigException(String message) {
        super(message);
    }

    public ChannelConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
