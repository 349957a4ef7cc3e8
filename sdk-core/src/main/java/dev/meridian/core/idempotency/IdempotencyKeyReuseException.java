package dev.meridian.core.idempotency;

import dev.meridian.core.exception.MeridianException;

/**
 * The idempotency key was already used with a different payload (SHA-256 of the payloads differ). This is a caller
 * error — usually a client generating keys wrongly — and is never retried; the stored result is not returned.
 */
public class IdempotencyKeyReuseException extends MeridianException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /** Creates the exception for {@code key}. */
    public IdempotencyKeyReuseException(String key) {
        super("Idempotency key '" + key + "' was already used with a different payload");
        this.key = key;
    }

    /** The idempotency key. */
    public String key() {
        return key;
    }
}
