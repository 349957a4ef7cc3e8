package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/** Lifecycle state of an {@link IdempotencyRecord}. */
@API(status = STABLE, since = "0.1")
public enum IdempotencyStatus {
    /** A worker has claimed the key and is executing; duplicates are refused until it completes or its claim expires. */
    IN_PROGRESS,
    /** The operation finished; duplicates replay the stored result until the record expires. */
    COMPLETED
}
