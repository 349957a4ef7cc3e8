package dev.meridian.core.idempotency;

/** Lifecycle state of an {@link IdempotencyRecord}. */
public enum IdempotencyStatus {
    /** A worker has claimed the key and is executing; duplicates are refused until it completes or its claim expires. */
    IN_PROGRESS,
    /** The operation finished; duplicates replay the stored result until the record expires. */
    COMPLETED
}
