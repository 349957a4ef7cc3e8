package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@link IdempotencyStore#claim}: either this caller now holds the key ({@link #acquired()}, with an
 * {@link #owner() owner token} to hand back to {@link IdempotencyStore#complete(IdempotencyClaim, byte[],
 * java.time.Instant)} or {@link IdempotencyStore#fail(IdempotencyClaim)}), or a live record is in the way
 * ({@link #existing()}).
 *
 * <p>The owner token is opaque and store-defined: a store may encode in it whatever it needs to find the record it
 * created again (an owner id so that a worker whose claim was taken over cannot release the new owner's claim; the
 * region holding the record). It is not secret, but it is only meaningful to the store that issued it. Immutable.
 */
@API(status = STABLE, since = "0.1")
public final class IdempotencyClaim {

    private final String key;
    private final @Nullable String owner;
    private final @Nullable IdempotencyRecord existing;

    private IdempotencyClaim(String key, @Nullable String owner, @Nullable IdempotencyRecord existing) {
        this.key = Objects.requireNonNull(key, "key");
        this.owner = owner;
        this.existing = existing;
    }

    /**
     * This caller created the IN_PROGRESS record of {@code key} and must run the operation.
     *
     * @param owner the store's token for this claim; empty when the store does not tell owners apart
     */
    public static IdempotencyClaim acquired(String key, String owner) {
        return new IdempotencyClaim(key, Objects.requireNonNull(owner, "owner"), null);
    }

    /**
     * A record holds the key (a live one, or a crashed claim with a conflicting payload); this caller must not run
     * the operation.
     */
    public static IdempotencyClaim existing(IdempotencyRecord record) {
        Objects.requireNonNull(record, "record");
        return new IdempotencyClaim(record.key(), null, record);
    }

    /** The idempotency key. */
    public String key() {
        return key;
    }

    /** Whether this caller holds the key. */
    public boolean acquired() {
        return existing == null;
    }

    /**
     * The owner token of an acquired claim.
     *
     * @throws IllegalStateException when the claim was not acquired
     */
    public String owner() {
        if (existing != null) {
            throw new IllegalStateException("idempotency key " + Idempotency.keyHash(key)
                    + " was not acquired: a " + existing.status() + " record holds it");
        }
        // Without a record in the way the claim was acquired, and acquired(..) requires its owner.
        return Objects.requireNonNull(owner, "owner");
    }

    /** The live record that holds the key, when the claim was not acquired. */
    public Optional<IdempotencyRecord> existing() {
        return Optional.ofNullable(existing);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof IdempotencyClaim)) {
            return false;
        }
        IdempotencyClaim other = (IdempotencyClaim) o;
        return key.equals(other.key) && Objects.equals(owner, other.owner)
                && Objects.equals(existing, other.existing);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, owner, existing);
    }

    /** Shows the key as its hash (keys are often personal data). */
    @Override
    public String toString() {
        return existing == null
                ? "IdempotencyClaim[key=" + Idempotency.keyHash(key) + ", acquired, owner=" + owner + "]"
                : "IdempotencyClaim[key=" + Idempotency.keyHash(key) + ", held by " + existing + "]";
    }
}
