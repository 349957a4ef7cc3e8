package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One stored idempotency record. Immutable: the result bytes are copied in and out.
 *
 * <p>A {@link IdempotencyStatus#COMPLETED} record normally holds the encoded result. One whose operation ran but whose
 * result could not be kept (too large, not encodable) holds the {@linkplain #resultNotStoredReason() reason} instead:
 * duplicates are refused with {@link IdempotencyResultNotStoredException} rather than running the operation again.
 *
 * <p>A record is <em>live</em> at an instant when it has not expired and, if {@link IdempotencyStatus#IN_PROGRESS},
 * its in-progress claim has not expired either. Stores treat records that are not live as absent, which is how a
 * crashed worker's claim is taken over.
 */
@API(status = STABLE, since = "0.1")
public final class IdempotencyRecord {

    private final String key;
    private final IdempotencyStatus status;
    private final @Nullable String payloadHash;
    private final Instant expiry;
    private final @Nullable Instant inProgressExpiry;
    private final byte @Nullable [] result;
    private final @Nullable String resultNotStoredReason;

    private IdempotencyRecord(String key, IdempotencyStatus status, @Nullable String payloadHash, Instant expiry,
            @Nullable Instant inProgressExpiry, byte @Nullable [] result, @Nullable String resultNotStoredReason) {
        this.key = Objects.requireNonNull(key, "key");
        this.status = Objects.requireNonNull(status, "status");
        this.payloadHash = payloadHash;
        this.expiry = Objects.requireNonNull(expiry, "expiry");
        this.inProgressExpiry = inProgressExpiry;
        this.result = result == null ? null : result.clone();
        this.resultNotStoredReason = resultNotStoredReason;
    }

    /**
     * An {@link IdempotencyStatus#IN_PROGRESS} record.
     *
     * @param payloadHash SHA-256 hex of the payload, or {@code null} when payloads are not validated
     */
    public static IdempotencyRecord inProgress(String key, @Nullable String payloadHash, Instant inProgressExpiry,
            Instant expiry) {
        Objects.requireNonNull(inProgressExpiry, "inProgressExpiry");
        return new IdempotencyRecord(key, IdempotencyStatus.IN_PROGRESS, payloadHash, expiry, inProgressExpiry, null,
                null);
    }

    /**
     * A {@link IdempotencyStatus#COMPLETED} record.
     *
     * @param payloadHash SHA-256 hex of the payload, or {@code null} when payloads are not validated
     */
    public static IdempotencyRecord completed(String key, @Nullable String payloadHash, byte[] result, Instant expiry) {
        Objects.requireNonNull(result, "result");
        return new IdempotencyRecord(key, IdempotencyStatus.COMPLETED, payloadHash, expiry, null, result, null);
    }

    /**
     * A {@link IdempotencyStatus#COMPLETED} record whose operation ran but whose result was not stored.
     *
     * @param payloadHash SHA-256 hex of the payload, or {@code null} when payloads are not validated
     * @param reason why the result was not stored (never the result itself)
     */
    public static IdempotencyRecord completedWithoutResult(String key, @Nullable String payloadHash, String reason,
            Instant expiry) {
        Objects.requireNonNull(reason, "reason");
        return new IdempotencyRecord(key, IdempotencyStatus.COMPLETED, payloadHash, expiry, null, null, reason);
    }

    /** This record completed with {@code result}, keeping key and payload hash. */
    public IdempotencyRecord complete(byte[] result, Instant expiry) {
        return completed(key, payloadHash, result, expiry);
    }

    /** This record completed without its result, keeping key and payload hash. */
    public IdempotencyRecord completeWithoutResult(String reason, Instant expiry) {
        return completedWithoutResult(key, payloadHash, reason, expiry);
    }

    /** The idempotency key. */
    public String key() {
        return key;
    }

    /** The status. */
    public IdempotencyStatus status() {
        return status;
    }

    /** SHA-256 hex of the payload the key was first used with, if validated. */
    public Optional<String> payloadHash() {
        return Optional.ofNullable(payloadHash);
    }

    /** When the record stops protecting the key. */
    public Instant expiry() {
        return expiry;
    }

    /** When an in-progress claim may be taken over; empty for completed records. */
    public Optional<Instant> inProgressExpiry() {
        return Optional.ofNullable(inProgressExpiry);
    }

    /** A copy of the encoded result; empty for in-progress records and for a result that was not stored. */
    public Optional<byte[]> result() {
        return Optional.ofNullable(result).map(byte[]::clone);
    }

    /** Why a completed record holds no result (its operation ran, the result was not stored); else empty. */
    public Optional<String> resultNotStoredReason() {
        return Optional.ofNullable(resultNotStoredReason);
    }

    /** Whether the record still counts at {@code now} (not expired, and not an expired in-progress claim). */
    public boolean isLive(Instant now) {
        if (!expiry.isAfter(now)) {
            return false;
        }
        // inProgress(..) requires the in-progress expiry, so an IN_PROGRESS record always has one.
        return status != IdempotencyStatus.IN_PROGRESS || inProgressExpiry != null && inProgressExpiry.isAfter(now);
    }

    /** Whether {@code otherHash} conflicts with this record's payload hash (both present and different). */
    public boolean payloadDiffers(@Nullable String otherHash) {
        return payloadHash != null && otherHash != null && !payloadHash.equals(otherHash);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof IdempotencyRecord)) {
            return false;
        }
        IdempotencyRecord other = (IdempotencyRecord) o;
        return key.equals(other.key) && status == other.status && Objects.equals(payloadHash, other.payloadHash)
                && expiry.equals(other.expiry) && Objects.equals(inProgressExpiry, other.inProgressExpiry)
                && Arrays.equals(result, other.result)
                && Objects.equals(resultNotStoredReason, other.resultNotStoredReason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, status, payloadHash, expiry, inProgressExpiry, resultNotStoredReason) * 31
                + Arrays.hashCode(result);
    }

    /** Never prints the key or the result bytes (they may hold personal data): the key as its hash. */
    @Override
    public String toString() {
        return "IdempotencyRecord[key=" + Idempotency.keyHash(key) + ", status=" + status + ", expiry=" + expiry
                + (inProgressExpiry == null ? "" : ", inProgressExpiry=" + inProgressExpiry)
                + (result == null ? "" : ", result=" + result.length + " bytes")
                + (resultNotStoredReason == null ? "" : ", result not stored: " + resultNotStoredReason) + "]";
    }
}
