package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * The adaptive hedge delay's estimate, fed deterministic latency sequences (pure logic, no clock): it settles where
 * the configured share of attempts is slower, also when the attempts it hedges are only known to be "at least"
 * as slow as when they were abandoned, so adaptive hedging at a budget never hedges later than a fixed delay at the
 * floor would for the calls that need it.
 */
class TailLatencyTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long FLOOR = 50 * MS;
    private static final long REMOTE = 20 * MS;

    /** 9 of every 100 reads slow (300..700 ms, spread out), the rest 4..8 ms: the "10 % slow" shape. */
    private static long nineInAHundredSlow(int i) {
        boolean slow = i % 11 == 0 && i % 100 < 99;
        return slow ? (300 + (i * 37L) % 401) * MS : (4 + i % 5) * MS;
    }

    /**
     * Runs {@code calls} reads hedged after {@code max(floor, estimate)} and returns how many were hedged; a hedged
     * read's first attempt is abandoned when the hedge answers, so the estimate only learns it took at least that long.
     */
    private static int hedgedReads(TailLatency tail, int calls, java.util.function.IntToLongFunction latency) {
        int hedged = 0;
        for (int i = 0; i < calls; i++) {
            long delay = Math.max(FLOOR, tail.nanos(WEST));
            long took = latency.applyAsLong(i);
            if (took > delay) {
                hedged++;
                tail.recordAtLeast(WEST, delay + REMOTE);
            } else {
                tail.record(WEST, took);
            }
        }
        return hedged;
    }

    @Test
    void atATenPercentBudgetTheEstimateStaysInTheFastModeWhenNinePercentAreSlow() {
        TailLatency tail = new TailLatency(0.9);
        int hedged = hedgedReads(tail, 10_000, TailLatencyTest::nineInAHundredSlow);

        assertThat(tail.nanos(WEST)).as("p90 of the fast mode, below the floor").isLessThan(FLOOR);
        // Every slow read hedged after the floor, as a fixed 50 ms delay would: the same extra load, the same tail.
        long slow = java.util.stream.IntStream.range(0, 10_000).filter(i -> nineInAHundredSlow(i) > FLOOR).count();
        assertThat(hedged).isEqualTo((int) slow);
    }

    @Test
    void theOldP95TargetClimbsIntoTheSlowModeAndHedgesTheSlowReadsLate() {
        TailLatency p95 = new TailLatency(0.95);
        hedgedReads(p95, 10_000, TailLatencyTest::nineInAHundredSlow);

        assertThat(p95.nanos(WEST)).as("a p95 with 9 %% slow reads is a slow read").isGreaterThan(300 * MS);
    }

    @Test
    void whenEveryReadIsSlowTheEstimateHedgesAboutTheTargetShare() {
        TailLatency tail = new TailLatency(0.9);
        // 100..199 ms in a scrambled order: every read is above the floor.
        java.util.function.IntToLongFunction uniform = i -> (100 + (i * 37L) % 100) * MS;
        hedgedReads(tail, 2_000, uniform); // settle
        int hedged = hedgedReads(tail, 10_000, uniform);

        assertThat(hedged).isBetween(700, 1_300);
        assertThat(tail.nanos(WEST)).isBetween(170 * MS, 200 * MS);
    }

    @Test
    void anAttemptAbandonedBelowTheEstimateDoesNotLowerIt() {
        TailLatency tail = new TailLatency(0.9);
        tail.record(WEST, 100 * MS);
        tail.recordAtLeast(WEST, 10 * MS);
        assertThat(tail.nanos(WEST)).isEqualTo(100 * MS);
        tail.record(WEST, 10 * MS);
        assertThat(tail.nanos(WEST)).isLessThan(100 * MS);
        tail.recordAtLeast(WEST, 500 * MS);
        assertThat(tail.nanos(WEST)).isGreaterThan(100 * MS);
    }

    @Test
    void unknownUntilTheFirstSample() {
        assertThat(new TailLatency(0.9).nanos(WEST)).isEqualTo(-1);
    }
}
