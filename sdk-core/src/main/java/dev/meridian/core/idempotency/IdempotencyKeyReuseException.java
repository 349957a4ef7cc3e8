package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.exception.MeridianException;
import org.apiguardian.api.API;

/**
 * The idempotency key was already used with a different payload (SHA-256 of the payloads differ) — by a completed
 * call, a running one, or one whose claim expired without completing. This is a caller error — usually a client
 * generating keys wrongly — and is never retried; the stored result is not returned and the operation does not run.
 *
 * <p>The message names the key by its {@linkplain Idempotency#keyHash(String) hash} only (keys are often personal
 * data); {@link #key()} gives the key itself to code that handles the exception.
 */
@API(status = STABLE, since = "0.1")
public class IdempotencyKeyReuseException extends MeridianException {

    private static final long serialVersionUID = 1L;

    private final transient String key;

    /** Creates the exception for {@code key}. */
    public IdempotencyKeyReuseException(String key) {
        super("Idempotency key " + Idempotency.keyHash(key) + " was already used with a different payload;"
                + " use a new key for a new request");
        this.key = key;
    }

    /** The idempotency key (not serialized; never in the message). */
    public String key() {
        return key;
    }
}
