package dev.meridian.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryIdempotencyStoreTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(clock);

    private IdempotencyClaim claim(String key) {
        return store.claim(key, "hash", clock.instant().plusSeconds(10), clock.instant().plusSeconds(100));
    }

    private Optional<IdempotencyRecord> begin(String key) {
        return claim(key).existing();
    }

    @Test
    void exactlyOneConcurrentClaimWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<IdempotencyRecord>>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return begin("k");
                }));
            }
            start.countDown();
            int winners = 0;
            for (Future<Optional<IdempotencyRecord>> call : calls) {
                if (call.get(5, TimeUnit.SECONDS).isEmpty()) {
                    winners++;
                }
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void completedRecordIsReturnedToLaterClaimsUntilItExpires() {
        store.complete(claim("k"), new byte[] {42}, clock.instant().plusSeconds(100));

        assertThat(begin("k")).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(IdempotencyStatus.COMPLETED);
            assertThat(r.result()).hasValueSatisfying(b -> assertThat(b).containsExactly(42));
            assertThat(r.payloadHash()).contains("hash");
        });
        clock.advance(Duration.ofSeconds(100));
        assertThat(store.find("k")).isEmpty();
        assertThat(begin("k")).isEmpty();
    }

    @Test
    void failDeletesOnlyInProgressRecords() {
        IdempotencyClaim running = claim("running");
        IdempotencyClaim done = claim("done");
        store.complete(done, new byte[0], clock.instant().plusSeconds(100));

        store.fail(running);
        store.fail(done);

        assertThat(store.find("running")).isEmpty();
        assertThat(store.find("done")).isPresent();
    }

    @Test
    void failOfAClaimThatWasTakenOverLeavesTheNewOwnersClaim() {
        IdempotencyClaim slow = claim("k");
        clock.advance(Duration.ofSeconds(10));
        IdempotencyClaim takeover = claim("k");

        store.fail(slow);

        assertThat(slow.acquired()).isTrue();
        assertThat(takeover.acquired()).isTrue();
        assertThat(takeover.owner()).isNotEqualTo(slow.owner());
        assertThat(store.find("k")).get().extracting(IdempotencyRecord::status)
                .isEqualTo(IdempotencyStatus.IN_PROGRESS);
        store.fail(takeover);
        assertThat(store.find("k")).isEmpty();
    }

    @Test
    void failOfAClaimLeavesTheCompletedRecord() {
        IdempotencyClaim claim = claim("k");
        store.complete(claim, new byte[] {7}, clock.instant().plusSeconds(100));

        store.fail(claim);

        assertThat(store.find("k")).get().extracting(IdempotencyRecord::status)
                .isEqualTo(IdempotencyStatus.COMPLETED);
    }

    @Test
    void claimOfAHeldKeyReturnsTheRecordAndHasNoOwner() {
        claim("k");

        IdempotencyClaim duplicate = claim("k");

        assertThat(duplicate.acquired()).isFalse();
        assertThat(duplicate.existing()).get().extracting(IdempotencyRecord::status)
                .isEqualTo(IdempotencyStatus.IN_PROGRESS);
        assertThatThrownBy(duplicate::owner).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Idempotency.keyHash("k"));
        assertThatThrownBy(() -> store.fail(duplicate)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void expiredInProgressClaimCountsAsAbsent() {
        begin("k");
        clock.advance(Duration.ofSeconds(10));

        assertThat(store.find("k")).isEmpty();
        assertThat(begin("k")).isEmpty();
    }

    @Test
    void crashedClaimIsReturnedToAClaimWithAnotherPayloadAndTakenOverByTheSamePayload() {
        begin("k");
        clock.advance(Duration.ofSeconds(10));

        IdempotencyClaim other = store.claim("k", "other-hash", clock.instant().plusSeconds(10),
                clock.instant().plusSeconds(100));
        IdempotencyClaim same = claim("k");

        assertThat(other.acquired()).isFalse();
        assertThat(other.existing()).get().satisfies(r -> assertThat(r.payloadDiffers("other-hash")).isTrue());
        assertThat(same.acquired()).isTrue();
    }

    @Test
    void completeWithoutResultClosesOnlyTheClaimsOwnInProgressRecord() {
        IdempotencyClaim slow = claim("k");
        clock.advance(Duration.ofSeconds(10));
        IdempotencyClaim takeover = claim("k");

        store.completeWithoutResult(slow, "too large", clock.instant().plusSeconds(100));
        assertThat(store.find("k")).get().extracting(IdempotencyRecord::status)
                .isEqualTo(IdempotencyStatus.IN_PROGRESS);

        store.completeWithoutResult(takeover, "too large", clock.instant().plusSeconds(100));
        assertThat(store.find("k")).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(IdempotencyStatus.COMPLETED);
            assertThat(r.resultNotStoredReason()).contains("too large");
            assertThat(r.toString()).doesNotContain("=k,").contains(Idempotency.keyHash("k"));
        });
        store.complete(takeover, new byte[] {1}, clock.instant().plusSeconds(100));
        store.completeWithoutResult(takeover, "late", clock.instant().plusSeconds(100));
        assertThat(store.find("k")).get().satisfies(r -> assertThat(r.result()).isPresent());
    }
}
