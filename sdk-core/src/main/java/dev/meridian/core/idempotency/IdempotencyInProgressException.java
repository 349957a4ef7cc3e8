package dev.meridian.core.idempotency;

import dev.meridian.core.exception.MeridianException;
import java.time.Instant;
import java.util.Optional;

/**
 * A duplicate arrived while another worker is still executing the same idempotency key. Safe to retry later: once
 * the first execution completes its result is replayed; if it fails, or its in-progress claim expires (crashed
 * worker), the retry runs the operation.
 */
public class IdempotencyInProgressException extends MeridianException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final transient Instant inProgressExpiry;

    /** Creates the exception for {@code key} whose claim expires at {@code inProgressExpiry} (may be null). */
    public IdempotencyInProgressException(String key, Instant inProgressExpiry) {
        super("Idempotency key '" + key + "' is already being executed"
                + (inProgressExpiry == null ? "" : " (claim expires at " + inProgressExpiry + ")"));
        this.key = key;
        this.inProgressExpiry = inProgressExpiry;
    }

    /** The idempotency key. */
    public String key() {
        return key;
    }

    /** When the other worker's claim expires and a retry may take over. */
    public Optional<Instant> inProgressExpiry() {
        return Optional.ofNullable(inProgressExpiry);
    }
}
