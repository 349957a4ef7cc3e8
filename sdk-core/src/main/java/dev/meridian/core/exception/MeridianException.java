package dev.meridian.core.exception;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Base type of the exceptions Meridian itself raises (as opposed to the AWS SDK or JDBC exceptions it passes
 * through unchanged). Unchecked, immutable once thrown; safe to log: messages never contain payloads.
 */
@API(status = STABLE, since = "0.1")
public class MeridianException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MeridianException(String message) {
        super(message);
    }

    public MeridianException(@Nullable String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
