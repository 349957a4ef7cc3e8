package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.exception.MeridianException;
import org.apiguardian.api.API;

/**
 * An {@link Idempotent} method was called without a key: no {@code Idempotency-Key} on the request (default key), or
 * a {@link Idempotent#key()} expression that evaluated to null or blank. Thrown before the method runs; a web
 * application usually answers it with 400.
 */
@API(status = STABLE, since = "0.1")
public class IdempotencyKeyMissingException extends MeridianException {
    private static final long serialVersionUID = 1L;

    public IdempotencyKeyMissingException(String message) {
        super(message);
    }
}
