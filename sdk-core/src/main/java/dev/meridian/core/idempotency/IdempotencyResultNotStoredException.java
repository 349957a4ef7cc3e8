package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.exception.MeridianException;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The operation of an idempotency key ran, but its result could not be stored (larger than the store keeps, not
 * encodable by the codec, {@code null}, or the store failed). Thrown to the call that ran the operation — whose
 * {@link #result()} still holds what the operation returned — and to every duplicate of the key until its record
 * expires: duplicates are refused rather than running the operation a second time. Not retryable with the same key;
 * fix the cause (a smaller result, e.g. an id instead of a document; a codec that handles the value).
 *
 * <p>When even the record of the failure could not be written (the store was unreachable), the key's record stays
 * IN_PROGRESS until its in-progress expiry, after which a duplicate runs the operation again; the message says so.
 *
 * <p>The message names the key by its {@linkplain Idempotency#keyHash(String) hash} only and never holds the result.
 */
@API(status = STABLE, since = "0.1")
public class IdempotencyResultNotStoredException extends MeridianException {

    private static final long serialVersionUID = 1L;

    private final transient String key;
    private final String reason;
    private final transient @Nullable Object result;

    /**
     * Creates the exception.
     *
     * @param message the whole message (use {@link Idempotency#keyHash(String)} for the key)
     * @param reason why the result was not stored, as recorded with the key
     * @param result what the operation returned to this call, or {@code null} for a duplicate
     * @param cause the failure that kept the result from being stored, or {@code null}
     */
    public IdempotencyResultNotStoredException(String key, @Nullable String message, String reason, @Nullable Object result,
            @Nullable Throwable cause) {
        super(message, cause);
        this.key = Objects.requireNonNull(key, "key");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.result = result;
    }

    /** The idempotency key (not serialized; never in the message). */
    public String key() {
        return key;
    }

    /** Why the result was not stored. */
    public String reason() {
        return reason;
    }

    /**
     * What the operation returned, for the call that ran it (empty for duplicates, and when it returned
     * {@code null}). Not serialized.
     */
    public Optional<Object> result() {
        return Optional.ofNullable(result);
    }
}
