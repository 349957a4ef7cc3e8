package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.exception.MeridianException;
import java.time.Instant;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A duplicate arrived while another worker holds the same idempotency key: it is still executing, or its attempt
 * failed in a way that may have applied the operation (a timeout after the request was sent) and the claim is kept
 * until its in-progress expiry. Safe to retry later: once the first execution completes its result is replayed; if its
 * claim is released, or expires (crashed worker, ambiguous failure), the retry runs the operation.
 *
 * <p>The message names the key by its {@linkplain Idempotency#keyHash(String) hash} only (keys are often personal
 * data); {@link #key()} gives the key itself to code that handles the exception.
 */
@API(status = STABLE, since = "0.1")
public class IdempotencyInProgressException extends MeridianException {

    private static final long serialVersionUID = 1L;

    private final transient String key;
    private final transient @Nullable Instant inProgressExpiry;

    /** Creates the exception for {@code key} whose claim expires at {@code inProgressExpiry} (may be null). */
    public IdempotencyInProgressException(String key, @Nullable Instant inProgressExpiry) {
        super("Idempotency key " + Idempotency.keyHash(key) + " is held by another execution that is running or"
                + " may have applied it" + (inProgressExpiry == null ? "" : " (claim expires at " + inProgressExpiry
                + ")") + "; retry later");
        this.key = key;
        this.inProgressExpiry = inProgressExpiry;
    }

    /** The idempotency key (not serialized; never in the message). */
    public String key() {
        return key;
    }

    /** When the other worker's claim expires and a retry may take over. */
    public Optional<Instant> inProgressExpiry() {
        return Optional.ofNullable(inProgressExpiry);
    }
}
