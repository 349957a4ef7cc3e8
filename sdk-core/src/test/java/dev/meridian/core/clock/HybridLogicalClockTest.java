package dev.meridian.core.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {

    private static final long T0 = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();

    private final AtomicLong physical = new AtomicLong(T0);
    private final HybridLogicalClock clock = new HybridLogicalClock(physical::get);

    @Test
    void stampCarriesPhysicalMillisAndStartsLogicalAtZero() {
        long stamp = clock.now();

        assertThat(HybridLogicalClock.physicalMillis(stamp)).isEqualTo(T0);
        assertThat(HybridLogicalClock.logical(stamp)).isZero();
    }

    @Test
    void staysMonotonicWhenThePhysicalClockJumpsBackwards() {
        long before = clock.now();
        physical.set(T0 - 5_000);

        long after1 = clock.now();
        long after2 = clock.now();

        assertThat(after1).isGreaterThan(before);
        assertThat(after2).isGreaterThan(after1);
        assertThat(HybridLogicalClock.physicalMillis(after2)).isEqualTo(T0);
        assertThat(HybridLogicalClock.logical(after2)).isEqualTo(2);
    }

    @Test
    void returnsToPhysicalTimeOnceTheClockCatchesUp() {
        clock.now();
        physical.set(T0 - 5_000);
        clock.now();
        physical.set(T0 + 1);

        long stamp = clock.now();

        assertThat(HybridLogicalClock.physicalMillis(stamp)).isEqualTo(T0 + 1);
        assertThat(HybridLogicalClock.logical(stamp)).isZero();
    }

    @Test
    void observeOfAFutureRemoteStampOrdersTheReceiveAfterIt() {
        long remote = HybridLogicalClock.encode(T0 + 60_000, 7);

        long received = clock.observe(remote);
        long next = clock.now();

        assertThat(received).isGreaterThan(remote);
        assertThat(HybridLogicalClock.physicalMillis(received)).isEqualTo(T0 + 60_000);
        assertThat(HybridLogicalClock.logical(received)).isEqualTo(8);
        assertThat(next).isGreaterThan(received);
    }

    @Test
    void observeOfAnOldRemoteStampStillAdvancesTheLocalClock() {
        long local = clock.now();

        long received = clock.observe(HybridLogicalClock.encode(T0 - 10_000, 3));

        assertThat(received).isGreaterThan(local);
    }

    @Test
    void logicalOverflowBorrowsIntoTheMillisecondPart() {
        long last = 0;
        for (int i = 0; i <= HybridLogicalClock.MAX_LOGICAL + 1; i++) {
            long stamp = clock.now();
            assertThat(stamp).isGreaterThan(last);
            last = stamp;
        }

        // 65,536 stamps fill millisecond T0; the next one borrows into T0 + 1.
        assertThat(HybridLogicalClock.physicalMillis(last)).isEqualTo(T0 + 1);
        assertThat(HybridLogicalClock.logical(last)).isZero();
    }

    @Test
    void encodingSortsByPhysicalTimeThenLogicalCounter() {
        long a = HybridLogicalClock.encode(T0, HybridLogicalClock.MAX_LOGICAL);
        long b = HybridLogicalClock.encode(T0 + 1, 0);
        long c = HybridLogicalClock.encode(T0 + 1, 1);

        assertThat(List.of(c, a, b).stream().sorted().toList()).containsExactly(a, b, c);
    }

    @Test
    void toStringAndParseRoundTrip() {
        long stamp = HybridLogicalClock.encode(Instant.parse("2024-05-01T10:00:00.123Z").toEpochMilli(), 7);

        assertThat(HybridLogicalClock.toString(stamp)).isEqualTo("2024-05-01T10:00:00.123Z#7");
        assertThat(HybridLogicalClock.parse("2024-05-01T10:00:00.123Z#7")).isEqualTo(stamp);
        assertThatThrownBy(() -> HybridLogicalClock.parse("yesterday"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yesterday");
    }

    @Test
    void rejectPolicyRefusesARemoteStampBeyondTheMaxDriftAndKeepsTheClock() {
        HybridLogicalClock guarded = HybridLogicalClock.builder().millis(physical::get)
                .maxDrift(Duration.ofSeconds(1), HybridLogicalClock.DriftPolicy.REJECT).build();
        long before = guarded.now();

        assertThatThrownBy(() -> guarded.observe(HybridLogicalClock.encode(T0 + 5_000, 0)))
                .isInstanceOf(ClockDriftException.class).hasMessageContaining("5000 ms ahead");
        assertThat(guarded.latest()).isEqualTo(before);
        assertThat(guarded.observe(HybridLogicalClock.encode(T0 + 900, 0))).isGreaterThan(before);
    }

    @Test
    void clampPolicyAdvancesOnlyUpToTheMaxDrift() {
        HybridLogicalClock guarded = HybridLogicalClock.builder().millis(physical::get)
                .maxDrift(Duration.ofSeconds(1), HybridLogicalClock.DriftPolicy.CLAMP).build();

        long received = guarded.observe(HybridLogicalClock.encode(T0 + 3_600_000, 0));

        assertThat(HybridLogicalClock.physicalMillis(received)).isEqualTo(T0 + 1_000);
        assertThat(received).as("clamped stamps stay within the bound").isLessThanOrEqualTo(
                guarded.maxAcceptableStamp());
    }

    @Test
    void theDefaultGuardRefusesAStampMoreThanAMinuteAheadNamingTheStampTheBoundAndTheSetting() {
        long before = clock.now();
        long twoMinutesAhead = HybridLogicalClock.encode(T0 + 120_000, 3);

        assertThat(clock.maxDrift()).isEqualTo(HybridLogicalClock.DEFAULT_MAX_DRIFT).hasSeconds(60);
        assertThat(clock.maxAcceptableStamp()).isEqualTo(HybridLogicalClock.encode(T0 + 60_000,
                HybridLogicalClock.MAX_LOGICAL));
        assertThatThrownBy(() -> clock.observe(twoMinutesAhead))
                .isInstanceOf(ClockDriftException.class)
                .hasMessageContaining(HybridLogicalClock.toString(twoMinutesAhead))
                .hasMessageContaining("120000 ms ahead")
                .hasMessageContaining("max drift of 60000 ms")
                .hasMessageContaining(HybridLogicalClock.toString(clock.maxAcceptableStamp()))
                .hasMessageContaining("maxDrift(Duration, DriftPolicy)");
        assertThat(clock.latest()).isEqualTo(before);
        assertThat(clock.observe(HybridLogicalClock.encode(T0 + 60_000, 0))).isGreaterThan(before);
    }

    @Test
    void aStampOfLongMaxValueIsRefusedWithoutArithmeticOverflowWithOrWithoutTheGuard() {
        HybridLogicalClock unguarded = HybridLogicalClock.builder().millis(physical::get).noDriftGuard().build();
        long before = unguarded.now();

        assertThatThrownBy(() -> clock.observe(Long.MAX_VALUE)).isInstanceOf(ClockDriftException.class);
        assertThatThrownBy(() -> unguarded.observe(Long.MAX_VALUE)).isInstanceOf(ClockDriftException.class)
                .hasMessageContaining("last representable millisecond");
        assertThat(unguarded.latest()).isEqualTo(before);
        assertThat(unguarded.maxDrift()).isNull();
        long dayAhead = HybridLogicalClock.encode(T0 + 86_400_000, 0);
        assertThat(unguarded.observe(dayAhead)).as("without the guard a far stamp is adopted").isGreaterThan(dayAhead);
    }

    @Test
    void everyClockHasItsOwnRandomNodeIdThatCanBeRegeneratedOrFixed() {
        HybridLogicalClock other = new HybridLogicalClock(physical::get);

        assertThat(clock.nodeId()).matches("[0-9a-f]{16}").isNotEqualTo(other.nodeId());
        String old = clock.nodeId();
        assertThat(clock.regenerateNodeId()).isNotEqualTo(old).isEqualTo(clock.nodeId());
        assertThat(HybridLogicalClock.builder().nodeId("pod-7.a_b").build().nodeId()).isEqualTo("pod-7.a_b");
        assertThatThrownBy(() -> HybridLogicalClock.builder().nodeId("has space"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeId")
                .hasMessageContaining("has space");
    }

    @Test
    void concurrentCallersGetDistinctStampsIncreasingPerThread() throws Exception {
        HybridLogicalClock shared = HybridLogicalClock.system();
        int threads = 8;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<long[]> task = () -> {
                    start.await();
                    long[] stamps = new long[perThread];
                    for (int i = 0; i < perThread; i++) {
                        stamps[i] = (i % 10 == 0) ? shared.observe(shared.latest()) : shared.now();
                    }
                    return stamps;
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            Set<Long> all = new HashSet<>();
            for (Future<long[]> future : futures) {
                long[] stamps = future.get(30, TimeUnit.SECONDS);
                for (int i = 0; i < stamps.length; i++) {
                    if (i > 0) {
                        assertThat(stamps[i]).isGreaterThan(stamps[i - 1]);
                    }
                    all.add(stamps[i]);
                }
            }
            assertThat(all).hasSize(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesNegativeRemoteStampsAndBadSettings() {
        assertThatThrownBy(() -> clock.observe(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("remoteStamp");
        assertThatThrownBy(() -> HybridLogicalClock.builder().maxDrift(Duration.ofMillis(-1),
                HybridLogicalClock.DriftPolicy.CLAMP)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDrift");
        assertThatThrownBy(() -> HybridLogicalClock.encode(1, 70_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logical");
    }
}
