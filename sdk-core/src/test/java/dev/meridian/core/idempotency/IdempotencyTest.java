package dev.meridian.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdempotencyTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final CountingStore store = new CountingStore(new InMemoryIdempotencyStore(clock));
    private final Idempotency idempotency = Idempotency.builder().store(store).clock(clock)
            .ttl(Duration.ofHours(1)).inProgressTimeout(Duration.ofSeconds(30)).build();
    private final AtomicInteger executions = new AtomicInteger();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private String charge() {
        return "receipt-" + executions.incrementAndGet();
    }

    @Test
    void firstCallRunsTheOperationAndStoresItsResult() {
        String result = idempotency.execute("order-1", "{\"amount\":10}", this::charge);

        assertThat(result).isEqualTo("receipt-1");
        assertThat(store.find("order-1")).get()
                .satisfies(r -> assertThat(r.status()).isEqualTo(IdempotencyStatus.COMPLETED))
                .satisfies(r -> assertThat(r.payloadHash()).contains(Idempotency.sha256Hex("{\"amount\":10}")));
    }

    @Test
    void duplicateAfterCompletionReplaysTheStoredResultWithoutRunningAgain() {
        idempotency.execute("order-1", "{\"amount\":10}", this::charge);

        String replayed = idempotency.execute("order-1", "{\"amount\":10}", this::charge);

        assertThat(replayed).isEqualTo("receipt-1");
        assertThat(executions).hasValue(1);
    }

    @Test
    void replayDecodesThroughTheCodec() {
        ResultCodec<Integer> codec = ResultCodec.text(String::valueOf, Integer::valueOf);
        byte[] payload = {1, 2, 3};

        int first = idempotency.execute("k", payload, executions::incrementAndGet, codec);
        int second = idempotency.execute("k", payload, executions::incrementAndGet, codec);

        assertThat(first).isEqualTo(1);
        assertThat(second).isEqualTo(1);
    }

    @Test
    void concurrentDuplicateIsToldTheKeyIsInProgress() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> idempotency.execute("order-1", "p", () -> {
            running.countDown();
            await(release);
            return charge();
        }));
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class)
                .satisfies(e -> assertThat(((IdempotencyInProgressException) e).inProgressExpiry())
                        .contains(clock.instant().plusSeconds(30)));
        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("receipt-1");
        assertThat(idempotency.execute("order-1", "p", this::charge)).isEqualTo("receipt-1");
        assertThat(executions).hasValue(1);
    }

    @Test
    void manyConcurrentDuplicatesExecuteOnce() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Optional<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(pool.submit(() -> {
                await(start);
                try {
                    return Optional.of(idempotency.execute("order-1", "p", this::charge));
                } catch (IdempotencyInProgressException e) {
                    return Optional.<String>empty();
                }
            }));
        }
        start.countDown();
        for (Future<Optional<String>> call : calls) {
            call.get(5, TimeUnit.SECONDS).ifPresent(r -> assertThat(r).isEqualTo("receipt-1"));
        }
        assertThat(executions).hasValue(1);
    }

    @Test
    void sameKeyWithAnotherPayloadIsRefused() {
        idempotency.execute("order-1", "{\"amount\":10}", this::charge);

        assertThatThrownBy(() -> idempotency.execute("order-1", "{\"amount\":99}", this::charge))
                .isInstanceOf(IdempotencyKeyReuseException.class)
                .hasMessageContaining(Idempotency.keyHash("order-1")).hasMessageNotContaining("order-1")
                .hasMessageNotContaining("99");
        assertThat(executions).hasValue(1);
    }

    @Test
    void sameKeyWithAnotherPayloadIsRefusedWhileInProgressToo() {
        store.claim("order-1", Idempotency.sha256Hex("a"), clock.instant().plusSeconds(30),
                clock.instant().plusSeconds(3600));

        assertThatThrownBy(() -> idempotency.execute("order-1", "b", this::charge))
                .isInstanceOf(IdempotencyKeyReuseException.class);
    }

    @Test
    void failureReleasesTheKeySoARetryRuns() {
        assertThatThrownBy(() -> idempotency.execute("order-1", "p", () -> {
            executions.incrementAndGet();
            throw new IllegalStateException("card declined");
        })).isInstanceOf(IllegalStateException.class).hasMessage("card declined");
        assertThat(store.find("order-1")).isEmpty();

        assertThat(idempotency.execute("order-1", "p", this::charge)).isEqualTo("receipt-2");
    }

    @Test
    void crashedWorkersClaimIsTakenOverAfterTheInProgressExpiry() {
        store.claim("order-1", Idempotency.sha256Hex("p"), clock.instant().plusSeconds(30),
                clock.instant().plusSeconds(3600));
        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class);

        clock.advance(Duration.ofSeconds(31));

        assertThat(idempotency.execute("order-1", "p", this::charge)).isEqualTo("receipt-1");
    }

    @Test
    void crashedClaimIsNotTakenOverByAnotherPayload() {
        store.claim("order-1", Idempotency.sha256Hex("amount=10"), clock.instant().plusSeconds(30),
                clock.instant().plusSeconds(3600));

        clock.advance(Duration.ofSeconds(31));

        assertThatThrownBy(() -> idempotency.execute("order-1", "amount=99", this::charge))
                .isInstanceOf(IdempotencyKeyReuseException.class);
        assertThat(executions).hasValue(0);
        assertThat(idempotency.execute("order-1", "amount=10", this::charge))
                .as("the same payload still takes the crashed claim over").isEqualTo("receipt-1");
    }

    @Test
    void keyIsForgottenAfterTheTtlAndRunsAgain() {
        idempotency.execute("order-1", "p", this::charge);

        clock.advance(Duration.ofHours(1).plusSeconds(1));

        assertThat(store.find("order-1")).isEmpty();
        assertThat(idempotency.execute("order-1", "p", this::charge)).isEqualTo("receipt-2");
    }

    @Test
    void localCacheAnswersReplaysWithoutAStoreCall() {
        Idempotency cached = Idempotency.builder().store(store).clock(clock).localCache(100).build();
        cached.execute("order-1", "p", this::charge);
        int callsAfterFirst = store.calls.get();

        assertThat(cached.execute("order-1", "p", this::charge)).isEqualTo("receipt-1");
        assertThatThrownBy(() -> cached.execute("order-1", "other", this::charge))
                .isInstanceOf(IdempotencyKeyReuseException.class);
        assertThat(store.calls).hasValue(callsAfterFirst);
        assertThat(executions).hasValue(1);
    }

    @Test
    void localCacheDoesNotReplayPastTheRecordsExpiry() {
        Idempotency cached = Idempotency.builder().store(store).clock(clock).ttl(Duration.ofMinutes(5))
                .localCache(100).build();
        cached.execute("order-1", "p", this::charge);

        clock.advance(Duration.ofMinutes(6));

        assertThat(cached.execute("order-1", "p", this::charge)).isEqualTo("receipt-2");
    }

    @Test
    void slowWorkerFailingAfterItsClaimWasTakenOverLeavesTheNewClaim() throws Exception {
        CountDownLatch slowRunning = new CountDownLatch(1);
        CountDownLatch slowMayFail = new CountDownLatch(1);
        Future<String> slow = pool.submit(() -> idempotency.execute("order-1", "p", () -> {
            slowRunning.countDown();
            await(slowMayFail);
            throw new IllegalStateException("timed out downstream");
        }));
        assertThat(slowRunning.await(5, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofSeconds(31));
        CountDownLatch takeoverRunning = new CountDownLatch(1);
        CountDownLatch takeoverMayFinish = new CountDownLatch(1);
        Future<String> takeover = pool.submit(() -> idempotency.execute("order-1", "p", () -> {
            takeoverRunning.countDown();
            await(takeoverMayFinish);
            return charge();
        }));
        assertThat(takeoverRunning.await(5, TimeUnit.SECONDS)).isTrue();

        slowMayFail.countDown();
        assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("timed out downstream");

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .as("the takeover's claim survived the slow worker's failure")
                .isInstanceOf(IdempotencyInProgressException.class);
        takeoverMayFinish.countDown();
        assertThat(takeover.get(5, TimeUnit.SECONDS)).isEqualTo("receipt-1");
        assertThat(idempotency.execute("order-1", "p", this::charge)).isEqualTo("receipt-1");
        assertThat(executions).hasValue(1);
    }

    @Test
    void failedCompletionIsNotSwallowedAndDuplicatesDoNotRunAgain() {
        IdempotencyStore broken = new CountingStore(store) {
            @Override
            public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
                throw new IllegalStateException("store unavailable");
            }
        };
        Idempotency withBrokenStore = Idempotency.builder().store(broken).clock(clock)
                .inProgressTimeout(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> withBrokenStore.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("the store failed to keep it (java.lang.IllegalStateException)")
                .hasMessageContaining("duplicates are refused")
                .satisfies(e -> assertThat(((IdempotencyResultNotStoredException) e).result()).contains("receipt-1"));
        clock.advance(Duration.ofSeconds(31));

        assertThatThrownBy(() -> withBrokenStore.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .satisfies(e -> assertThat(((IdempotencyResultNotStoredException) e).result()).isEmpty());
        assertThat(executions).hasValue(1);
    }

    @Test
    void storeThatCannotEvenRecordTheFailureSaysTheKeyStaysInProgress() {
        IdempotencyStore unreachable = new CountingStore(store) {
            @Override
            public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
                throw new IllegalStateException("store unavailable");
            }

            @Override
            public void completeWithoutResult(IdempotencyClaim claim, String reason, Instant expiry) {
                throw new IllegalStateException("store unavailable");
            }
        };
        Idempotency withUnreachableStore = Idempotency.builder().store(unreachable).clock(clock)
                .inProgressTimeout(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> withUnreachableStore.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("stays IN_PROGRESS until " + clock.instant().plusSeconds(30))
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
        assertThatThrownBy(() -> withUnreachableStore.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyInProgressException.class);
    }

    @Test
    void resultOverMaxResultBytesIsRecordedAsNotStoredAndNeverRunsAgain() {
        Idempotency small = Idempotency.builder().store(store).clock(clock).maxResultBytes(8)
                .inProgressTimeout(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> small.execute("order-1", "p", () -> charge() + "-with-a-long-tail"))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("encoded size of 26 bytes is over maxResultBytes 8")
                .satisfies(e -> assertThat(((IdempotencyResultNotStoredException) e).result())
                        .contains("receipt-1-with-a-long-tail"));
        assertThat(store.find("order-1")).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(IdempotencyStatus.COMPLETED);
            assertThat(r.result()).isEmpty();
            assertThat(r.resultNotStoredReason()).get().asString().contains("over maxResultBytes 8");
        });
        clock.advance(Duration.ofMinutes(5));

        assertThatThrownBy(() -> small.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("already ran its operation");
        assertThat(executions).hasValue(1);
    }

    @Test
    void nullResultAndCodecFailureAreNotStoredResultsNotReleasedClaims() {
        assertThatThrownBy(() -> idempotency.execute("order-1", "p", () -> {
            charge();
            return null;
        })).isInstanceOf(IdempotencyResultNotStoredException.class).hasMessageContaining("returned null");
        ResultCodec<String> failing = ResultCodec.of(v -> {
            throw new IllegalArgumentException("cannot encode");
        }, b -> "never");
        assertThatThrownBy(() -> idempotency.execute("order-2", "p".getBytes(StandardCharsets.UTF_8),
                this::charge, failing)).isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("the codec failed to encode it").hasRootCauseMessage("cannot encode");

        assertThatThrownBy(() -> idempotency.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyResultNotStoredException.class);
        assertThatThrownBy(() -> idempotency.execute("order-2", "p", this::charge))
                .isInstanceOf(IdempotencyResultNotStoredException.class);
        assertThat(executions).hasValue(2);
    }

    @Test
    void maxResultBytesAboveTheStoresLimitIsRefusedWhenBuilt() {
        IdempotencyStore limited = new CountingStore(store) {
            @Override
            public int maxResultBytes() {
                return 100;
            }
        };

        assertThatThrownBy(() -> Idempotency.builder().store(limited).maxResultBytes(101).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Idempotency.maxResultBytes must be at most the 100 bytes per result that")
                .hasMessageContaining(", was 101; ");
        assertThat(Idempotency.builder().store(limited).maxResultBytes(100).build()).isNotNull();
    }

    @Test
    void storesLimitAppliesWhenNoneIsConfigured() {
        IdempotencyStore limited = new CountingStore(store) {
            @Override
            public int maxResultBytes() {
                return 4;
            }
        };
        Idempotency overLimited = Idempotency.builder().store(limited).clock(clock).build();

        assertThatThrownBy(() -> overLimited.execute("order-1", "p", this::charge))
                .isInstanceOf(IdempotencyResultNotStoredException.class)
                .hasMessageContaining("over maxResultBytes 4");
    }

    @Test
    void builderNamesTheBadSetting() {
        assertThatThrownBy(() -> Idempotency.builder().ttl(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Idempotency.ttl must be positive,"
                        + " was PT0S; ");
        assertThatThrownBy(() -> Idempotency.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Idempotency.store is required,"
                        + " was null; ");
    }

    @Test
    void payloadHashIsSha256Hex() {
        assertThat(Idempotency.sha256Hex("abc".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts calls to the wrapped store. */
    static class CountingStore implements IdempotencyStore {
        final IdempotencyStore delegate;
        final AtomicInteger calls = new AtomicInteger();

        CountingStore(IdempotencyStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public IdempotencyClaim claim(String key, String payloadHash, Instant inProgressExpiry, Instant expiry) {
            calls.incrementAndGet();
            return delegate.claim(key, payloadHash, inProgressExpiry, expiry);
        }

        @Override
        public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
            calls.incrementAndGet();
            delegate.complete(claim, result, expiry);
        }

        @Override
        public void completeWithoutResult(IdempotencyClaim claim, String reason, Instant expiry) {
            calls.incrementAndGet();
            delegate.completeWithoutResult(claim, reason, expiry);
        }

        @Override
        public void fail(IdempotencyClaim claim) {
            calls.incrementAndGet();
            delegate.fail(claim);
        }

        @Override
        public Optional<IdempotencyRecord> find(String key) {
            calls.incrementAndGet();
            return delegate.find(key);
        }
    }
}
