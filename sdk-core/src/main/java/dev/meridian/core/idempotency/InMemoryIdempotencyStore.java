package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * An {@link IdempotencyStore} in one process's memory, on a Caffeine cache: for tests and single-process use (it
 * protects nothing across processes or regions).
 *
 * <p>Thread-safe; {@link #claim} is atomic per key ({@code asMap().compute}). Records are evicted
 * at their expiry (measured with the given {@link InstantSource}, so a test clock drives eviction too) and are judged
 * live with the same clock. With {@link #InMemoryIdempotencyStore(InstantSource, long)} the least recently used
 * records beyond the size bound are evicted early, which forgets their keys.
 *
 * <p>Each claim gets a random owner token; {@link #fail(IdempotencyClaim)} and {@link #completeWithoutResult} change
 * the in-progress record only while it carries that token, so a worker whose claim was taken over cannot release or
 * close its successor's claim. A crashed claim (in-progress expiry passed) is taken over only by a claim with a
 * matching payload hash; one with a conflicting hash gets the crashed record back.
 */
@API(status = STABLE, since = "0.1")
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    /** A record and the owner token of the claim that created it (null for records completed without a live claim). */
    private static final class Entry {
        final IdempotencyRecord record;
        final String owner;

        Entry(IdempotencyRecord record, String owner) {
            this.record = record;
            this.owner = owner;
        }
    }

    private final InstantSource clock;
    private final ConcurrentMap<String, Entry> records;

    /** An unbounded store on the system clock. */
    public InMemoryIdempotencyStore() {
        this(InstantSource.system());
    }

    /** An unbounded store on {@code clock}. */
    public InMemoryIdempotencyStore(InstantSource clock) {
        this(clock, Long.MAX_VALUE);
    }

    /** A store on {@code clock} holding at most {@code maximumSize} records. */
    public InMemoryIdempotencyStore(InstantSource clock, long maximumSize) {
        this.clock = Objects.requireNonNull(clock, "clock");
        SettingRules.atLeast(maximumSize, 1, "InMemoryIdempotencyStore maximumSize",
                "pass a number of records such as 100000, or use the unbounded constructor");
        Caffeine<Object, Object> builder = Caffeine.newBuilder()
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()));
        if (maximumSize != Long.MAX_VALUE) {
            builder.maximumSize(maximumSize);
        }
        Cache<String, Entry> cache = builder
                .expireAfter(Expiry.<String, Entry>writing((key, entry) -> untilExpiry(entry.record)))
                .build();
        this.records = cache.asMap();
    }

    @Override
    public IdempotencyClaim claim(String key, @Nullable String payloadHash, Instant inProgressExpiry, Instant expiry) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(inProgressExpiry, "inProgressExpiry");
        Objects.requireNonNull(expiry, "expiry");
        String owner = UUID.randomUUID().toString();
        AtomicReference<IdempotencyRecord> existing = new AtomicReference<>();
        records.compute(key, (k, current) -> {
            if (current != null && holds(current.record, payloadHash, clock.instant())) {
                existing.set(current.record);
                return current;
            }
            return new Entry(IdempotencyRecord.inProgress(k, payloadHash, inProgressExpiry, expiry), owner);
        });
        IdempotencyRecord held = existing.get();
        return held == null ? IdempotencyClaim.acquired(key, owner) : IdempotencyClaim.existing(held);
    }

    /** Whether {@code record} keeps a claim with {@code payloadHash} out: live, or a crashed claim of another payload. */
    private static boolean holds(IdempotencyRecord record, @Nullable String payloadHash, Instant now) {
        if (record.isLive(now)) {
            return true;
        }
        return record.expiry().isAfter(now) && record.status() == IdempotencyStatus.IN_PROGRESS
                && record.payloadDiffers(payloadHash);
    }

    @Override
    public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(expiry, "expiry");
        String owner = claim.owner();
        records.compute(claim.key(), (k, current) -> current == null
                ? new Entry(IdempotencyRecord.completed(k, null, result, expiry), owner)
                : new Entry(current.record.complete(result, expiry), current.owner));
    }

    @Override
    public void completeWithoutResult(IdempotencyClaim claim, String reason, Instant expiry) {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(expiry, "expiry");
        String owner = claim.owner();
        records.computeIfPresent(claim.key(), (k, current) -> ownedInProgress(current, owner)
                ? new Entry(current.record.completeWithoutResult(reason, expiry), owner) : current);
    }

    @Override
    public void fail(IdempotencyClaim claim) {
        Objects.requireNonNull(claim, "claim");
        String owner = claim.owner();
        records.computeIfPresent(claim.key(), (k, current) -> ownedInProgress(current, owner) ? null : current);
    }

    private static boolean ownedInProgress(Entry entry, String owner) {
        return entry.record.status() == IdempotencyStatus.IN_PROGRESS && owner.equals(entry.owner);
    }

    @Override
    public Optional<IdempotencyRecord> find(String key) {
        Objects.requireNonNull(key, "key");
        Entry entry = records.get(key);
        return entry != null && entry.record.isLive(clock.instant()) ? Optional.of(entry.record) : Optional.empty();
    }

    private Duration untilExpiry(IdempotencyRecord record) {
        Duration left = Duration.between(clock.instant(), record.expiry());
        return left.isNegative() ? Duration.ZERO : left;
    }
}
