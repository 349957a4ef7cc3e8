package dev.meridian.core.exception;

/**
 * Base type of the exceptions Meridian itself raises (as opposed to the AWS SDK or JDBC exceptions it passes
 * through unchanged). Unchecked, immutable once thrown; safe to log: messages never contain payloads.
 */
public class MeridianException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MeridianException(String message) {
        super(message);
    }

    public MeridianException(String message, Throwable cause) {
        super(message, cause);
    }
}
