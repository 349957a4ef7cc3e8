package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import java.time.Instant;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Storage SPI for {@link Idempotency}: {@link #claim}, {@link #complete} (or {@link #completeWithoutResult}),
 * {@link #fail} and {@link #find}. Implementations must be thread-safe and make {@code claim} atomic per key: of any
 * number of concurrent callers for a key without a live record, exactly one gets an
 * {@linkplain IdempotencyClaim#acquired() acquired} claim.
 *
 * <p>Liveness (see {@link IdempotencyRecord#isLive(Instant)}) is judged with the store's own clock: an expired record,
 * or an in-progress record whose in-progress expiry has passed (its worker presumably crashed), counts as absent and
 * is replaced by {@code claim} — except that an in-progress record whose in-progress expiry has passed but which has
 * not expired is <em>not</em> taken over by a claim with a conflicting payload hash (see
 * {@link IdempotencyRecord#payloadDiffers(String)}): {@code claim} returns it as the record in the way, so the caller
 * reports {@link IdempotencyKeyReuseException} instead of running another payload under the key.
 *
 * <p>The claim's owner token lets the store act on the very record the caller created: {@code fail} must not delete a
 * claim another worker took over after this caller's in-progress expiry passed, and a store that spreads records over
 * regions can finish the record where it was created.
 *
 * <p>Idempotency keys are often personal data: implementations must not log them or put them in exception messages
 * raw; use {@link Idempotency#keyHash(String)}.
 */
@API(status = STABLE, since = "0.1")
public interface IdempotencyStore {

    /**
     * Atomically creates an {@link IdempotencyStatus#IN_PROGRESS} record for {@code key} unless a live one (or a
     * crashed claim with a conflicting payload, see the class Javadoc) is in the way.
     *
     * @param payloadHash SHA-256 hex of the payload, or {@code null} not to validate payloads
     * @return the caller's claim (with the owner token the store issued) when it created the record and must run the
     *         operation, else the record in the way
     */
    IdempotencyClaim claim(String key, @Nullable String payloadHash, Instant inProgressExpiry, Instant expiry);

    /**
     * Marks the claimed key completed with the encoded {@code result}, kept until {@code expiry}, writing it where the
     * claim's record was created when the store can tell. A store that can tell its claim's record apart (an owner
     * token) changes only that record and never creates one: a completed record without the claim's payload hash
     * would replay this result to another payload. When the record is gone or another claim has taken it over, such
     * a store throws {@link IdempotencyResultNotStoredException} and the record there answers duplicates.
     *
     * <p>A result the store cannot keep (longer than {@link #maxResultBytes()}, or over a limit of the underlying
     * database) must not leave the record IN_PROGRESS, where a duplicate would run the operation again after the
     * in-progress expiry: the store completes the record {@linkplain #completeWithoutResult without the result} and
     * throws {@link IdempotencyResultNotStoredException}.
     *
     * @throws IllegalStateException when {@code claim} was not acquired
     * @throws IdempotencyResultNotStoredException when the result is too large for the store
     */
    void complete(IdempotencyClaim claim, byte[] result, Instant expiry);

    /**
     * Marks the claimed key completed <em>without</em> a result, kept until {@code expiry}: the operation ran but its
     * result could not be kept ({@code reason}, e.g. its size; never the result itself). Duplicates then get
     * {@link IdempotencyResultNotStoredException} instead of running the operation again. Only an in-progress record
     * that still belongs to {@code claim} is changed: a completed record (a {@code complete} that was applied although
     * it reported a failure) or a claim another worker took over is left alone.
     *
     * @throws IllegalStateException when {@code claim} was not acquired
     */
    void completeWithoutResult(IdempotencyClaim claim, String reason, Instant expiry);

    /**
     * Deletes the claim's in-progress record so a retry can run — only while it still belongs to {@code claim}: a
     * completed record, or a claim another worker has taken over, is left alone. {@link Idempotency} calls it only
     * for a failure known not to have applied the operation's side effect.
     *
     * @throws IllegalStateException when {@code claim} was not acquired
     */
    void fail(IdempotencyClaim claim);

    /** The key's live record, if any. */
    Optional<IdempotencyRecord> find(String key);

    /**
     * The largest encoded result this store keeps; {@link Idempotency} checks the encoded result against it before
     * calling {@link #complete} and refuses a {@linkplain Idempotency.Builder#maxResultBytes(int) configured limit}
     * above it when it is built. Unlimited by default.
     */
    default int maxResultBytes() {
        return Integer.MAX_VALUE;
    }
}
