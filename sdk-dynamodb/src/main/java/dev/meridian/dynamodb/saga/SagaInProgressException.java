package dev.meridian.dynamodb.saga;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.exception.MeridianException;
import java.time.Instant;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Another run holds the saga: its lease on the saga log item is live, it took the lease over while this run was
 * working, or a step's idempotency claim is still held by a run that may be executing it. Nothing was run twice;
 * retry {@link Sagas#resume(String)} later (after {@link #retryAfter()} when known).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SagaInProgressException extends MeridianException {
    private static final long serialVersionUID = 1L;

    private final String sagaId;
    private final @Nullable Instant retryAfter;

    SagaInProgressException(String sagaId, String message, @Nullable Instant retryAfter,
            @Nullable Throwable cause) {
        super(message, cause);
        this.sagaId = sagaId;
        this.retryAfter = retryAfter;
    }

    /** The saga's id. */
    public String sagaId() {
        return sagaId;
    }

    /** When the holder's lease or claim expires, if known. */
    public Optional<Instant> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
