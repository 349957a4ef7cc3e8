package dev.meridian.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/** Edges of {@link Idempotency}'s decisions: the result size limit, the local cache, a store that fails to release. */
class IdempotencyEdgesTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final CountingStore store = new CountingStore(new InMemoryIdempotencyStore(clock));
    private final AtomicInteger runs = new AtomicInteger();

    /** Counts claims and can fail releasing a claim; everything else is the in-memory store's. */
    private static final class CountingStore implements IdempotencyStore {
        private final IdempotencyStore delegate;
        final AtomicInteger claims = new AtomicInteger();
        volatile boolean failToRelease;
        /** Applies {@code complete}, then loses its answer: the SDK's call timeout, which may have applied it. */
        volatile boolean loseCompleteAnswer;
        /** Loses {@code complete}'s answer before applying it (the write still in flight). */
        volatile boolean completeInFlight;

        CountingStore(IdempotencyStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public IdempotencyClaim claim(String key, String payloadHash, Instant inProgressExpiry, Instant expiry) {
            claims.incrementAndGet();
            return delegate.claim(key, payloadHash, inProgressExpiry, expiry);
        }

        @Override
        public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
            if (!completeInFlight) {
                delegate.complete(claim, result, expiry);
            }
            if (loseCompleteAnswer || completeInFlight) {
                throw ApiCallTimeoutException.create(2000);
            }
        }

        @Override
        public void completeWithoutResult(IdempotencyClaim claim, String reason, Instant expiry) {
            delegate.completeWithoutResult(claim, reason, expiry);
        }

        @Override
        public void fail(IdempotencyClaim claim) {
            if (failToRelease) {
                throw new IllegalStateException("store unreachable");
            }
            delegate.fail(claim);
        }

        @Override
        public Optional<IdempotencyRecord> find(String key) {
            return delegate.find(key);
        }
    }

    private Idempotency.Builder idempotency() {
        return Idempotency.builder().store(store).clock(clock);
    }

    private String run(String result) {
        runs.incrementAndGet();
        return result;
    }

    @Test
    void aResultOfExactlyMaxResultBytesIsStoredAndOneByteMoreIsNot() {
        Idempotency limited = idempotency().maxResultBytes(4).build();
        assertThat(limited.execute("k-4", "p", () -> run("abcd"))).isEqualTo("abcd");
        assertThat(limited.execute("k-4", "p", () -> run("other"))).as("replayed").isEqualTo("abcd");
        assertThatThrownBy(() -> limited.execute("k-5", "p", () -> run("abcde")))
                .isInstanceOf(IdempotencyResultNotStoredException.class).hasMessageContaining("maxResultBytes 4");
        assertThat(runs).hasValue(2);
    }

    @Test
    void aNonPositiveTimeoutOfOneCallIsRejectedBeforeAnythingRuns() {
        Idempotency i = idempotency().build();
        byte[] payload = "p".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> i.execute("k", payload, Duration.ZERO, () -> run("x"), ResultCodec.string()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inProgressTimeout of this call");
        assertThat(runs).hasValue(0);
        assertThat(store.claims).hasValue(0);
    }

    @Test
    void aResultReplayedFromTheStoreIsThenServedFromTheLocalCache() {
        idempotency().build().execute("k", "p", () -> run("first"));
        Idempotency cached = idempotency().localCache(10).build();
        int claimsBefore = store.claims.get();
        assertThat(cached.execute("k", "p", () -> run("again"), ResultCodec.string())).isEqualTo("first");
        assertThat(store.claims.get()).isEqualTo(claimsBefore + 1);
        assertThat(cached.execute("k", "p", () -> run("again"), ResultCodec.string())).isEqualTo("first");
        assertThat(store.claims.get()).as("served from the local cache").isEqualTo(claimsBefore + 1);
        assertThat(runs).hasValue(1);
        assertThat(cached.store()).isSameAs(store);
    }

    @Test
    void aStoreThatFailsToReleaseTheClaimIsReportedWithTheCallersFailure() {
        store.failToRelease = true;
        Idempotency i = idempotency().build();
        IllegalArgumentException callerError = new IllegalArgumentException("bad order");
        assertThatThrownBy(() -> i.execute("k", "p", () -> {
            throw callerError;
        })).isSameAs(callerError);
        assertThat(callerError.getSuppressed()).singleElement()
                .satisfies(s -> assertThat(s).hasMessage("store unreachable"));
    }

    @Test
    void aCompleteWhoseAnswerWasLostButWhichWasAppliedReturnsTheResultAndDuplicatesReplayIt() {
        store.loseCompleteAnswer = true;
        Idempotency i = idempotency().build();
        assertThat(i.execute("lost-answer", "p", () -> run("receipt"))).isEqualTo("receipt");
        store.loseCompleteAnswer = false;
        assertThat(i.execute("lost-answer", "p", () -> run("other"))).as("replayed").isEqualTo("receipt");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aCompleteStillInFlightIsNotTakenForStoredAndTheMessageSaysItMayLandLater() {
        store.completeInFlight = true;
        Idempotency i = idempotency().build();
        assertThatThrownBy(() -> i.execute("in-flight", "p", () -> run("receipt")))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("duplicates are refused with this error")
                .hasMessageContaining("given the result instead if the failed complete");
        store.completeInFlight = false;
        assertThatThrownBy(() -> i.execute("in-flight", "p", () -> run("other")))
                .isInstanceOf(IdempotencyResultNotStoredException.class);
        assertThat(runs).hasValue(1);
    }
}
