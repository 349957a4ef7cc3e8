package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.internal.SettingRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
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
 *       ({@link IdempotencyStore#complete}, expiry now + {@code ttl}) with the claim, so the store writes it where the
 *       claim was made, and returns it.</li>
 *   <li><b>Duplicate after completion</b>: does not run the supplier; decodes and returns the stored result.</li>
 *   <li><b>Duplicate during execution</b>: throws {@link IdempotencyInProgressException} (retry later).</li>
 *   <li><b>Same key, different payload</b> (SHA-256 hex of the payload bytes differs from the stored one): throws
 *       {@link IdempotencyKeyReuseException}, whatever the record's status — also when the record is a crashed
 *       claim whose in-progress expiry has passed: another payload never runs under a key that is still
 *       recorded.</li>
 *   <li><b>Crashed worker</b>: an IN_PROGRESS record whose in-progress expiry has passed is taken over by the next
 *       call with the same payload, which runs the supplier. Choose {@code inProgressTimeout} longer than the
 *       operation can take, or a slow first execution and its takeover may both run.</li>
 *   <li><b>Failure</b> (the supplier throws; the exception is rethrown unchanged). The claim is released — deleted, so
 *       an immediate retry runs — <em>only</em> when the failure is known not to have applied the operation's side
 *       effect: a caller error thrown by the operation, or a failure the {@link Builder#failureClassifier failure
 *       classifier} calls {@link FailureDecision#REGIONAL_NOT_APPLIED} (connection refused, throttling, 503). A
 *       failure that may have been applied — {@link FailureDecision#REGIONAL_MAYBE_APPLIED} anywhere in its causes or
 *       suppressed exceptions (a timeout after the request was sent, a 500, a reset mid-call), an interrupted or
 *       cancelled call ({@link FailureDecision#ABORTED}: {@code Future.cancel(true)} or a time limiter while the
 *       request was in flight; the thread's interrupt status is left as it is), or any {@link Error} —
 *       keeps the claim: a retry gets {@link IdempotencyInProgressException} until the in-progress expiry and only
 *       then runs the operation again, as after a crash. An operation that applies its effect and then throws an
 *       exception the classifier calls a caller error must guard the effect itself, or classify that exception as
 *       maybe-applied with its own {@link FailureClassifier}. Only this call's own claim is released: if its
 *       in-progress expiry had passed and another call took the key over, that call's claim stays.</li>
 *   <li><b>Result not stored</b>: when the operation ran but its result cannot be stored — the supplier returned
 *       {@code null}, the codec failed, the encoded result is longer than {@link Builder#maxResultBytes(int)} (by
 *       default the store's {@link IdempotencyStore#maxResultBytes()}), or {@code complete} failed — the record is
 *       completed without the result ({@link IdempotencyStore#completeWithoutResult}) and
 *       {@link IdempotencyResultNotStoredException} is thrown, carrying the operation's result. Duplicates get the
 *       same exception until the record expires; the operation does not run again. Nothing is swallowed: if even
 *       that record cannot be written (store unreachable), the exception says that the key stays IN_PROGRESS until
 *       its in-progress expiry, after which a duplicate runs the operation again. A {@code complete} that failed in a
 *       way that may have applied it (its answer lost) is read back ({@link IdempotencyStore#find}) first: when the
 *       store holds the result after all, duplicates replay it, and the call returns it.</li>
 * </ul>
 *
 * <p>With {@link Builder#localCache(long)} completed records are also kept in this process (Caffeine, bounded, at
 * most until their expiry), so a replay costs no store call. The cache only ever holds completed records, which do
 * not change, so it cannot serve a stale status — but it does not see a record deleted from the store by hand.
 *
 * <p>Keys are often personal data: logs and exception messages name a key only by {@link #keyHash(String)}.
 *
 * <p>Thread-safe. Atomicity between concurrent duplicates comes from the store's {@code claim}.
 */
@API(status = STABLE, since = "0.1")
public final class Idempotency {

    private static final Logger log = LoggerFactory.getLogger(Idempotency.class);
    private static final HexFormat HEX = HexFormat.of();
    /** Hex characters of a key's SHA-256 shown in logs and messages: enough to tell keys apart, not to recover one. */
    private static final int KEY_HASH_HEX_CHARS = 12;

    private final IdempotencyStore store;
    private final Duration ttl;
    private final Duration inProgressTimeout;
    private final InstantSource clock;
    private final boolean validatePayload;
    private final FailureClassifier classifier;
    private final int maxResultBytes;
    private final @Nullable Cache<String, IdempotencyRecord> localCache;

    private Idempotency(Builder builder) {
        this.store = Objects.requireNonNull(builder.store, "store");
        this.ttl = builder.ttl;
        this.inProgressTimeout = builder.inProgressTimeout;
        this.clock = builder.clock;
        this.validatePayload = builder.validatePayload;
        this.classifier = builder.classifier;
        this.maxResultBytes = builder.maxResultBytes == 0 ? store.maxResultBytes() : builder.maxResultBytes;
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
        requirePositive("inProgressTimeout of this call", inProgressTimeout);
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(codec, "codec");
        String payloadHash = validatePayload ? sha256Hex(payload) : null;

        Optional<IdempotencyRecord> cached = fromLocalCache(key);
        if (cached.isPresent()) {
            log.debug("Idempotency key {} replayed from the local cache", keyHash(key));
            return replay(cached.get(), payloadHash, codec);
        }

        Instant now = clock.instant();
        Instant inProgressExpiry = now.plus(inProgressTimeout);
        IdempotencyClaim claim = store.claim(key, payloadHash, inProgressExpiry, now.plus(ttl));
        Optional<IdempotencyRecord> existing = claim.existing();
        if (existing.isPresent()) {
            IdempotencyRecord record = existing.get();
            if (record.status() == IdempotencyStatus.IN_PROGRESS) {
                if (record.payloadDiffers(payloadHash)) {
                    throw new IdempotencyKeyReuseException(key);
                }
                throw new IdempotencyInProgressException(key, record.inProgressExpiry().orElse(null));
            }
            log.debug("Idempotency key {} replayed from the store", keyHash(key));
            T result = replay(record, payloadHash, codec);
            cache(record);
            return result;
        }
        return runFirst(claim, inProgressExpiry, payloadHash, supplier, codec);
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

    /**
     * How logs and exception messages name an idempotency key, which is often personal data: {@code sha256:} and the
     * first 12 hex characters of the SHA-256 of its UTF-8 bytes — stable, so a key can be found in logs by hashing
     * it the same way, and too short to recover it.
     */
    public static String keyHash(String key) {
        return "sha256:" + sha256Hex(Objects.requireNonNull(key, "key")).substring(0, KEY_HASH_HEX_CHARS);
    }

    /** The store records are kept in. */
    public IdempotencyStore store() {
        return store;
    }

    private <T> T runFirst(IdempotencyClaim claim, Instant inProgressExpiry, @Nullable String payloadHash,
            Supplier<T> supplier, ResultCodec<T> codec) {
        T result;
        try {
            result = supplier.get();
        } catch (RuntimeException | Error e) {
            settleFailedRun(claim, inProgressExpiry, e);
            throw e;
        }
        Instant expiry = clock.instant().plus(ttl);
        byte[] encoded = encode(claim, inProgressExpiry, expiry, result, codec);
        try {
            store.complete(claim, encoded, expiry);
        } catch (IdempotencyResultNotStoredException e) {
            // The store refused the result and recorded that itself: hand this call what the operation returned.
            throw new IdempotencyResultNotStoredException(claim.key(), e.getMessage(), e.reason(), result, e);
        } catch (RuntimeException e) {
            boolean mayHaveLanded = ClaimRelease.mayHaveBeenApplied(e, classifier);
            if (mayHaveLanded && storedAfterAll(claim, encoded, e)) {
                log.info("Idempotency key {}: the store's answer to complete was lost ({}), but the result is stored",
                        keyHash(claim.key()), e.getClass().getName());
            } else {
                throw resultNotStored(claim, inProgressExpiry, expiry,
                        "the store failed to keep it (" + e.getClass().getName() + ")", result, e, mayHaveLanded);
            }
        }
        cache(IdempotencyRecord.completed(claim.key(), payloadHash, encoded, expiry));
        return result;
    }

    /**
     * Whether the store holds this run's result although its {@code complete} failed in a way that may have applied
     * it (an answer lost after the write): then duplicates replay the result, and so this call returns it. A read
     * that fails is added to {@code failure} and counts as "not stored".
     */
    private boolean storedAfterAll(IdempotencyClaim claim, byte[] encoded, RuntimeException failure) {
        try {
            Optional<IdempotencyRecord> record = store.find(claim.key());
            return record.isPresent() && record.get().status() == IdempotencyStatus.COMPLETED
                    && record.get().result().filter(stored -> Arrays.equals(stored, encoded)).isPresent();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            return false;
        }
    }

    /** Releases the claim of a failed run only when the failure cannot have applied the operation (see above). */
    private void settleFailedRun(IdempotencyClaim claim, Instant inProgressExpiry, Throwable failure) {
        if (ClaimRelease.mayHaveBeenApplied(failure, classifier)) {
            log.warn("Idempotent operation for key {} failed with {}, which may have applied it; its claim is kept"
                    + " until {}: a retry is refused until then, and runs the operation again after that",
                    keyHash(claim.key()), failure.getClass().getName(), inProgressExpiry);
            return;
        }
        try {
            store.fail(claim);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private <T> byte[] encode(IdempotencyClaim claim, Instant inProgressExpiry, Instant expiry, T result,
            ResultCodec<T> codec) {
        if (result == null) {
            throw resultNotStored(claim, inProgressExpiry, expiry, "the operation returned null; return a value the"
                    + " codec can store (e.g. Optional or a marker)", null, null, false);
        }
        byte[] encoded;
        try {
            encoded = Objects.requireNonNull(codec.encode(result), "the codec encoded the result as null");
        } catch (RuntimeException e) {
            throw resultNotStored(claim, inProgressExpiry, expiry,
                    "the codec failed to encode it (" + e.getClass().getName() + ")", result, e, false);
        }
        if (encoded.length > maxResultBytes) {
            throw resultNotStored(claim, inProgressExpiry, expiry, "its encoded size of " + encoded.length
                    + " bytes is over maxResultBytes " + maxResultBytes + "; store less (e.g. an id, not the whole"
                    + " document)", result, null, false);
        }
        return encoded;
    }

    /**
     * Records that the claim's operation ran without a stored result, so duplicates are refused instead of running
     * it again, and builds the exception for this call (saying what duplicates will see).
     */
    private IdempotencyResultNotStoredException resultNotStored(IdempotencyClaim claim, Instant inProgressExpiry,
            Instant expiry, String reason, @Nullable Object result, @Nullable Throwable cause, boolean mayLandLater) {
        String keyHash = keyHash(claim.key());
        String consequence;
        RuntimeException recordFailure = null;
        try {
            store.completeWithoutResult(claim, reason, expiry);
            consequence = "duplicates are refused with this error until " + expiry + " and do not run it again"
                    + (mayLandLater ? " (they are given the result instead if the failed complete, still in flight,"
                            + " lands after this)" : "");
        } catch (RuntimeException e) {
            recordFailure = e;
            consequence = "recording that failed too (" + e.getClass().getName() + "), so the key stays IN_PROGRESS"
                    + " until " + inProgressExpiry + " and a duplicate after that runs the operation again"
                    + (mayLandLater ? " (unless the failed complete, still in flight, lands first: duplicates are then"
                            + " given the result)" : "");
        }
        String message = "Idempotency key " + keyHash + ": the operation ran but its result was not stored: "
                + reason + "; " + consequence;
        log.warn(message);
        IdempotencyResultNotStoredException e =
                new IdempotencyResultNotStoredException(claim.key(), message, reason, result, cause);
        if (recordFailure != null) {
            e.addSuppressed(recordFailure);
        }
        return e;
    }

    private <T> T replay(IdempotencyRecord record, @Nullable String payloadHash, ResultCodec<T> codec) {
        if (record.payloadDiffers(payloadHash)) {
            throw new IdempotencyKeyReuseException(record.key());
        }
        Optional<String> notStored = record.resultNotStoredReason();
        if (notStored.isPresent()) {
            throw new IdempotencyResultNotStoredException(record.key(), "Idempotency key " + keyHash(record.key())
                    + " already ran its operation but its result was not stored: " + notStored.get()
                    + "; it does not run again under this key until " + record.expiry(), notStored.get(), null, null);
        }
        byte[] bytes = record.result().orElseThrow(() -> new IllegalStateException(
                "completed idempotency record for key " + keyHash(record.key()) + " has no result"));
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

    private static void requirePositive(String setting, Duration value) {
        SettingRules.positive(value, setting, "pass a duration such as 1 min");
    }

    /** Builder for {@link Idempotency}; validates each setting as it is given. */
    public static final class Builder {
        private @Nullable IdempotencyStore store;
        private Duration ttl = Duration.ofHours(1);
        private Duration inProgressTimeout = Duration.ofMinutes(1);
        private InstantSource clock = InstantSource.system();
        private boolean validatePayload = true;
        private FailureClassifier classifier = FailureClassifier.aws();
        private int maxResultBytes;
        private long localCacheSize;
        private @Nullable Duration localCacheMaxAge;

        private Builder() {
        }

        /** Where records live (required). */
        public Builder store(IdempotencyStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** How long a key is protected and its result replayed (default 1 hour). */
        public Builder ttl(Duration ttl) {
            requirePositive("Idempotency.ttl", ttl);
            this.ttl = ttl;
            return this;
        }

        /** How long a claim holds before another call may take it over (default 1 minute). */
        public Builder inProgressTimeout(Duration inProgressTimeout) {
            requirePositive("Idempotency.inProgressTimeout", inProgressTimeout);
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

        /**
         * Decides whether a failure of the operation may have applied it (default {@link FailureClassifier#aws()}):
         * the claim is released only for failures it does not call {@link FailureDecision#REGIONAL_MAYBE_APPLIED} or
         * {@link FailureDecision#ABORTED} (see the class Javadoc). Return MAYBE_APPLIED for your own exceptions thrown
         * after a side effect.
         */
        public Builder failureClassifier(FailureClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "failureClassifier");
            return this;
        }

        /**
         * The largest encoded result to store (default: the store's {@link IdempotencyStore#maxResultBytes()}).
         * {@link #build()} refuses a value above the store's limit, so a configuration that cannot work fails before
         * any operation runs; a larger result at run time is not stored and fails the call clearly (see the class
         * Javadoc).
         */
        public Builder maxResultBytes(int maxResultBytes) {
            this.maxResultBytes = SettingRules.atLeast(maxResultBytes, 1, "Idempotency.maxResultBytes",
                    "pass a size in bytes, or leave it unset to use the store's limit");
            return this;
        }

        /** Keeps up to {@code maximumSize} completed records in this process (for at most the ttl); 0 turns it off. */
        public Builder localCache(long maximumSize) {
            SettingRules.atLeast(maximumSize, 0, "Idempotency.localCache maximumSize",
                    "pass a number of records such as 10000, or 0 to turn the cache off");
            this.localCacheSize = maximumSize;
            return this;
        }

        /** Like {@link #localCache(long)}, keeping each record at most {@code maxAge} (real time). */
        public Builder localCache(long maximumSize, Duration maxAge) {
            localCache(maximumSize);
            requirePositive("Idempotency.localCache maxAge", maxAge);
            this.localCacheMaxAge = maxAge;
            return this;
        }

        /** Builds it. */
        public Idempotency build() {
            // An IllegalArgumentException like every other bad setting of this builder, not a NullPointerException.
            IdempotencyStore store = this.store;
            if (store == null) {
                throw SettingRules.invalid("Idempotency.store", "is required", null,
                        "pass the IdempotencyStore that keeps the records, e.g. a DynamoDbIdempotencyStore");
            }
            SettingRules.check(maxResultBytes <= store.maxResultBytes(), "Idempotency.maxResultBytes",
                    "must be at most the " + store.maxResultBytes() + " bytes per result that "
                            + store.getClass().getSimpleName() + " keeps", maxResultBytes,
                    "lower it, or store large results elsewhere and keep a reference");
            return new Idempotency(this);
        }
    }
}
