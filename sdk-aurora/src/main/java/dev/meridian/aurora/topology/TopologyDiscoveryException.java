package dev.meridian.aurora.topology;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.exception.MeridianException;
import org.apiguardian.api.API;

/**
 * A {@link WriterDiscovery} could not determine the writer and had no earlier topology to fall back on, or was used
 * after {@code close()}. Unchecked (a {@code MeridianException}); thrown from the first use of a connection. The
 * message never contains credentials; the cause, when there is one, is the underlying failure.
 */
@API(status = STABLE, since = "0.1")
public class TopologyDiscoveryException extends MeridianException {
    private static final long serialVersionUID = 1L;

    public TopologyDiscoveryException(String message) {
        super(message);
    }

    public TopologyDiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
