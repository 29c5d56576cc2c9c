package dev.weft.core;

/**
 * A channel needs a capability level this version of Weft does not support: Weft refuses the
 * channel rather than build or check transactions by rules it does not know. Not retryable:
 * upgrade Weft, or lower the channel's level.
 */
public class CapabilityException extends ChannelConfigException {
    private static final long serialVersionUID = 1L;

    public CapabilityException(String message) {
        super(message);
    }
}
