package dev.meridian.aurora;

import dev.meridian.core.MeridianException;

/** A {@link WriterDiscovery} could not determine the writer and had no earlier topology to fall back on. */
public class TopologyDiscoveryException extends MeridianException {
    private static final long serialVersionUID = 1L;

    public TopologyDiscoveryException(String message) {
        super(message);
    }

    public TopologyDiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
