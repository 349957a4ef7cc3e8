package dev.meridian.core.idempotency;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Storage SPI for {@link Idempotency}. Implementations must be thread-safe and make {@link #begin} (and
 * {@link #claim}) atomic per key: of any number of concurrent callers for a key without a live record, exactly one
 * gets {@link Optional#empty()} (an {@linkplain IdempotencyClaim#acquired() acquired} claim).
 *
 * <p>Liveness (see {@link IdempotencyRecord#isLive(Instant)}) is judged with the store's own clock: an expired record,
 * or an in-progress record whose in-progress expiry has passed (its worker presumably crashed), counts as absent and
 * is replaced by {@code begin}.
 *
 * <p><b>Claims.</b> {@link Idempotency} uses {@link #claim}, {@link #complete(IdempotencyClaim, byte[], Instant)} and
 * {@link #fail(IdempotencyClaim)}: the claim's owner token lets the store act on the very record the caller created —
 * in particular {@code fail} must not delete a claim another worker took over after this caller's in-progress expiry
 * passed, and a store that spreads records over regions can finish the record where it was created. The default
 * methods fall back to the key-only methods, so a store written against them keeps working (without those
 * guarantees).
 */
public interface IdempotencyStore {

    /**
     * Atomically creates an {@link IdempotencyStatus#IN_PROGRESS} record unless a live one exists.
     *
     * @param payloadHash SHA-256 hex of the payload, or {@code null} not to validate payloads
     * @return empty when this caller created the record (and must run the operation), else the live record
     */
    Optional<IdempotencyRecord> begin(String key, String payloadHash, Instant inProgressExpiry, Instant expiry);

    /** Marks the key completed with the encoded {@code result}, kept until {@code expiry}. */
    void complete(String key, byte[] result, Instant expiry);

    /**
     * Deletes the key's in-progress record so a retry can run; leaves a completed record alone. Whoever's claim the
     * record is: prefer {@link #fail(IdempotencyClaim)}.
     */
    void fail(String key);

    /** The key's live record, if any. */
    Optional<IdempotencyRecord> find(String key);

    /**
     * Like {@link #begin}, returning the caller's claim (with the owner token the store issued) when it created the
     * record, else the live record in the way. The default delegates to {@link #begin} and issues an empty owner
     * token.
     *
     * @param payloadHash SHA-256 hex of the payload, or {@code null} not to validate payloads
     */
    default IdempotencyClaim claim(String key, String payloadHash, Instant inProgressExpiry, Instant expiry) {
        return begin(key, payloadHash, inProgressExpiry, expiry)
                .map(IdempotencyClaim::existing)
                .orElseGet(() -> IdempotencyClaim.acquired(key, ""));
    }

    /**
     * Marks the claimed key completed with the encoded {@code result}, kept until {@code expiry}, writing it where
     * the claim's record was created when the store can tell. Completing is not refused when the claim has been
     * taken over meanwhile: the operation did run, and its result is a valid answer to duplicates. The default
     * delegates to {@link #complete(String, byte[], Instant)}.
     *
     * @throws IllegalStateException when {@code claim} was not acquired
     */
    default void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
        requireAcquired(claim);
        complete(claim.key(), result, expiry);
    }

    /**
     * Deletes the claim's in-progress record so a retry can run — only while it still belongs to {@code claim}: a
     * completed record, or a claim another worker has taken over, is left alone. The default delegates to
     * {@link #fail(String)}, which cannot tell owners apart.
     *
     * @throws IllegalStateException when {@code claim} was not acquired
     */
    default void fail(IdempotencyClaim claim) {
        requireAcquired(claim);
        fail(claim.key());
    }

    private static void requireAcquired(IdempotencyClaim claim) {
        Objects.requireNonNull(claim, "claim");
        if (!claim.acquired()) {
            throw new IllegalStateException("claim must be acquired but key '" + claim.key()
                    + "' is held by another record");
        }
    }
}
