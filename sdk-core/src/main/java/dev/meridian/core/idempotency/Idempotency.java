package dev.meridian.core.idempotency;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an operation at most once per idempotency key (within the record's time to live) and answers duplicates with
 * the first execution's result.
 *
 * <pre>{@code
 * Idempotency idempotency = Idempotency.builder().store(store).ttl(Duration.ofHours(1)).build();
 * Receipt r = idempotency.execute(request.idempotencyKey(), requestJson, () -> charge(request), receiptCodec);
 * }</pre>
 *
 * <p>Semantics of {@code execute(key, payload, supplier, codec)}:
 * <ul>
 *   <li><b>First call</b> (no live record): claims the key ({@link IdempotencyStore#claim}, status IN_PROGRESS with an
 *       in-progress expiry of now + {@code inProgressTimeout}), runs the supplier, stores the encoded result
 *       ({@link IdempotencyStore#complete(IdempotencyClaim, byte[], Instant)}, expiry now + {@code ttl}) with the
 *       claim, so the store writes it where the claim was made, and returns it.</li>
 *   <li><b>Duplicate after completion</b>: does not run the supplier; decodes and returns the stored result.</li>
 *   <li><b>Duplicate during execution</b>: throws {@link IdempotencyInProgressException} (retry later).</li>
 *   <li><b>Same key, different payload</b> (SHA-256 hex of the payload bytes differs from the stored one): throws
 *       {@link IdempotencyKeyReuseException}, whatever the record's status.</li>
 *   <li><b>Crashed worker</b>: an IN_PROGRESS record whose in-progress expiry has passed is taken over by the next
 *       call, which runs the supplier. Choose {@code inProgressTimeout} longer than the operation can take, or a
 *       slow first execution and its takeover may both run.</li>
 *   <li><b>Failure</b>: when the supplier throws, the in-progress record is deleted
 *       ({@link IdempotencyStore#fail(IdempotencyClaim)}) so a retry can run, and the exception is rethrown unchanged.
 *       Only this call's own claim is deleted: if its in-progress expiry had passed and another call took the key
 *       over, that call's claim stays.</li>
 *   <li><b>Result not stored</b>: when {@code complete} fails after the supplier succeeded, the result is still
 *       returned (the work did happen) and a warning is logged; duplicates see IN_PROGRESS until the in-progress
 *       expiry and then run the operation again.</li>
 * </ul>
 *
 * <p>With {@link Builder#localCache(long)} completed records are also kept in this process (Caffeine, bounded, at
 * most until their expiry), so a replay costs no store call. The cache only ever holds completed records, which do
 * not change, so it cannot serve a stale status — but it does not see a record deleted from the store by hand.
 *
 * <p>Thread-safe. Atomicity between concurrent duplicates comes from the store's {@code claim}.
 */
public final class Idempotency {

    private static final Logger log = LoggerFactory.getLogger(Idempotency.class);
    private static final HexFormat HEX = HexFormat.of();

    private final IdempotencyStore store;
    private final Duration ttl;
    private final Duration inProgressTimeout;
    private final InstantSource clock;
    private final boolean validatePayload;
    private final Cache<String, IdempotencyRecord> localCache;

    private Idempotency(Builder builder) {
        this.store = Objects.requireNonNull(builder.store, "store");
        this.ttl = builder.ttl;
        this.inProgressTimeout = builder.inProgressTimeout;
        this.clock = builder.clock;
        this.validatePayload = builder.validatePayload;
        this.localCache = builder.localCacheSize == 0 ? null : Caffeine.newBuilder()
                .maximumSize(builder.localCacheSize)
                .expireAfterWrite(builder.localCacheMaxAge == null ? ttl : builder.localCacheMaxAge)
                .build();
    }

    /** A builder; {@link Builder#store} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Runs {@code supplier} once per {@code key}; the payload is hashed as given. See the class Javadoc. */
    public <T> T execute(String key, byte[] payload, Supplier<T> supplier, ResultCodec<T> codec) {
        return execute(key, payload, inProgressTimeout, supplier, codec);
    }

    /** Runs {@code supplier} once per {@code key}; the payload is hashed as UTF-8. See the class Javadoc. */
    public <T> T execute(String key, String payload, Supplier<T> supplier, ResultCodec<T> codec) {
        return execute(key, utf8(payload), inProgressTimeout, supplier, codec);
    }

    /** Runs a String-returning {@code supplier} once per {@code key}. See the class Javadoc. */
    public String execute(String key, String payload, Supplier<String> supplier) {
        return execute(key, utf8(payload), inProgressTimeout, supplier, ResultCodec.string());
    }

    /**
     * Like {@link #execute(String, byte[], Supplier, ResultCodec)} with this call's own in-progress timeout, e.g. the
     * remaining time of a Lambda invocation, so a takeover happens as soon as the first invocation cannot be running
     * any more.
     */
    public <T> T execute(String key, byte[] payload, Duration inProgressTimeout, Supplier<T> supplier,
            ResultCodec<T> codec) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
        requirePositive("inProgressTimeout", inProgressTimeout);
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(codec, "codec");
        String payloadHash = validatePayload ? sha256Hex(payload) : null;

        Optional<IdempotencyRecord> cached = fromLocalCache(key);
        if (cached.isPresent()) {
            log.debug("Idempotency key {} replayed from the local cache", key);
            return replay(cached.get(), payloadHash, codec);
        }

        Instant now = clock.instant();
        IdempotencyClaim claim = store.claim(key, payloadHash, now.plus(inProgressTimeout), now.plus(ttl));
        Optional<IdempotencyRecord> existing = claim.existing();
        if (existing.isPresent()) {
            IdempotencyRecord record = existing.get();
            if (record.status() == IdempotencyStatus.IN_PROGRESS) {
                if (record.payloadDiffers(payloadHash)) {
                    throw new IdempotencyKeyReuseException(key);
                }
                throw new IdempotencyInProgressException(key, record.inProgressExpiry().orElse(null));
            }
            log.debug("Idempotency key {} replayed from the store", key);
            T result = replay(record, payloadHash, codec);
            cache(record);
            return result;
        }
        return runFirst(claim, payloadHash, supplier, codec);
    }

    /** SHA-256 of {@code payload} as lower-case hex: the payload hash stored with each record. */
    public static String sha256Hex(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** SHA-256 hex of the UTF-8 bytes of {@code payload}. */
    public static String sha256Hex(String payload) {
        return sha256Hex(utf8(payload));
    }

    /** The store records are kept in. */
    public IdempotencyStore store() {
        return store;
    }

    private <T> T runFirst(IdempotencyClaim claim, String payloadHash, Supplier<T> supplier, ResultCodec<T> codec) {
        String key = claim.key();
        T result;
        byte[] encoded;
        try {
            result = supplier.get();
            if (result == null) {
                throw new NullPointerException("idempotent operation for key '" + key
                        + "' returned null; return a value the codec can store (e.g. Optional or a marker)");
            }
            encoded = codec.encode(result);
        } catch (RuntimeException | Error e) {
            releaseClaim(claim, e);
            throw e;
        }
        Instant expiry = clock.instant().plus(ttl);
        try {
            store.complete(claim, encoded, expiry);
            cache(IdempotencyRecord.completed(key, payloadHash, encoded, expiry));
        } catch (RuntimeException e) {
            log.warn("Idempotency key {} executed but its result could not be stored; duplicates will wait for the "
                    + "in-progress expiry and then run again", key, e);
        }
        return result;
    }

    private void releaseClaim(IdempotencyClaim claim, Throwable failure) {
        try {
            store.fail(claim);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private <T> T replay(IdempotencyRecord record, String payloadHash, ResultCodec<T> codec) {
        if (record.payloadDiffers(payloadHash)) {
            throw new IdempotencyKeyReuseException(record.key());
        }
        byte[] bytes = record.result().orElseThrow(() -> new IllegalStateException(
                "completed idempotency record for key '" + record.key() + "' has no result"));
        return codec.decode(bytes);
    }

    private Optional<IdempotencyRecord> fromLocalCache(String key) {
        if (localCache == null) {
            return Optional.empty();
        }
        IdempotencyRecord record = localCache.getIfPresent(key);
        if (record == null) {
            return Optional.empty();
        }
        if (!record.isLive(clock.instant())) {
            localCache.invalidate(key);
            return Optional.empty();
        }
        return Optional.of(record);
    }

    private void cache(IdempotencyRecord record) {
        if (localCache != null && record.status() == IdempotencyStatus.COMPLETED) {
            localCache.put(record.key(), record);
        }
    }

    private static byte[] utf8(String payload) {
        return Objects.requireNonNull(payload, "payload").getBytes(StandardCharsets.UTF_8);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + value);
        }
    }

    /** Builder for {@link Idempotency}; validates each setting as it is given. */
    public static final class Builder {
        private IdempotencyStore store;
        private Duration ttl = Duration.ofHours(1);
        private Duration inProgressTimeout = Duration.ofMinutes(1);
        private InstantSource clock = InstantSource.system();
        private boolean validatePayload = true;
        private long localCacheSize;
        private Duration localCacheMaxAge;

        private Builder() {
        }

        /** Where records live (required). */
        public Builder store(IdempotencyStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** How long a key is protected and its result replayed (default 1 hour). */
        public Builder ttl(Duration ttl) {
            requirePositive("ttl", ttl);
            this.ttl = ttl;
            return this;
        }

        /** How long a claim holds before another call may take it over (default 1 minute). */
        public Builder inProgressTimeout(Duration inProgressTimeout) {
            requirePositive("inProgressTimeout", inProgressTimeout);
            this.inProgressTimeout = inProgressTimeout;
            return this;
        }

        /** Clock for expiries (default the system clock); give the store the same clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether to refuse a key reused with another payload (default true). */
        public Builder validatePayload(boolean validatePayload) {
            this.validatePayload = validatePayload;
            return this;
        }

        /** Keeps up to {@code maximumSize} completed records in this process (for at most the ttl); 0 turns it off. */
        public Builder localCache(long maximumSize) {
            if (maximumSize < 0) {
                throw new IllegalArgumentException("localCache maximumSize must be >= 0 but was " + maximumSize);
            }
            this.localCacheSize = maximumSize;
            return this;
        }

        /** Like {@link #localCache(long)}, keeping each record at most {@code maxAge} (real time). */
        public Builder localCache(long maximumSize, Duration maxAge) {
            localCache(maximumSize);
            requirePositive("localCache maxAge", maxAge);
            this.localCacheMaxAge = maxAge;
            return this;
        }

        /** Builds it. */
        public Idempotency build() {
            if (store == null) {
                throw new IllegalArgumentException("store must be set");
            }
            return new Idempotency(this);
        }
    }
}
