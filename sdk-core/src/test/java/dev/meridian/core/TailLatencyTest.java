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
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final String GET = "GetItem";
    private static final String QUERY = "Query";
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
            long delay = Math.max(FLOOR, tail.nanos(WEST, GET));
            long took = latency.applyAsLong(i);
            if (took > delay) {
                hedged++;
                tail.recordAtLeast(WEST, GET, delay + REMOTE);
            } else {
                tail.record(WEST, GET, took);
            }
        }
        return hedged;
    }

    @Test
    void atATenPercentBudgetTheEstimateStaysInTheFastModeWhenNinePercentAreSlow() {
        TailLatency tail = new TailLatency(0.9);
        int hedged = hedgedReads(tail, 10_000, TailLatencyTest::nineInAHundredSlow);

        assertThat(tail.nanos(WEST, GET)).as("p90 of the fast mode, below the floor").isLessThan(FLOOR);
        // Every slow read hedged after the floor, as a fixed 50 ms delay would: the same extra load, the same tail.
        long slow = java.util.stream.IntStream.range(0, 10_000).filter(i -> nineInAHundredSlow(i) > FLOOR).count();
        assertThat(hedged).isEqualTo((int) slow);
    }

    @Test
    void theOldP95TargetClimbsIntoTheSlowModeAndHedgesTheSlowReadsLate() {
        TailLatency p95 = new TailLatency(0.95);
        hedgedReads(p95, 10_000, TailLatencyTest::nineInAHundredSlow);

        assertThat(p95.nanos(WEST, GET)).as("a p95 with 9 %% slow reads is a slow read").isGreaterThan(300 * MS);
    }

    @Test
    void whenEveryReadIsSlowTheEstimateHedgesAboutTheTargetShare() {
        TailLatency tail = new TailLatency(0.9);
        // 100..199 ms in a scrambled order: every read is above the floor.
        java.util.function.IntToLongFunction uniform = i -> (100 + (i * 37L) % 100) * MS;
        hedgedReads(tail, 2_000, uniform); // settle
        int hedged = hedgedReads(tail, 10_000, uniform);

        assertThat(hedged).isBetween(700, 1_300);
        assertThat(tail.nanos(WEST, GET)).isBetween(170 * MS, 200 * MS);
    }

    @Test
    void anAttemptAbandonedBelowTheEstimateDoesNotLowerIt() {
        TailLatency tail = new TailLatency(0.9);
        tail.record(WEST, GET, 100 * MS);
        tail.recordAtLeast(WEST, GET, 10 * MS);
        assertThat(tail.nanos(WEST, GET)).isEqualTo(100 * MS);
        tail.record(WEST, GET, 10 * MS);
        long lowered = tail.nanos(WEST, GET);
        assertThat(lowered).isLessThan(100 * MS);
        tail.recordAtLeast(WEST, GET, 500 * MS);
        assertThat(tail.nanos(WEST, GET)).isGreaterThan(lowered);
    }

    /**
     * One slow first attempt (a cold JVM's, a GC pause) does not hold the estimate up: before, it started there and
     * came down by a hundredth per faster sample, so a region slowing to 400 ms after a 1 s first sample kept a p99
     * delay above 400 ms for some 300 reads — none hedged (seen in CI: an async read through a slow region never left it).
     */
    @Test
    void aSlowFirstSampleDoesNotHoldTheEstimateAboveWhatFollows() {
        TailLatency tail = new TailLatency(0.99);
        tail.record(WEST, GET, 1_000 * MS);
        for (int i = 0; i < TailLatency.KNOWN_AFTER - 1; i++) {
            tail.record(WEST, GET, 5 * MS);
        }
        assertThat(tail.nanos(WEST, GET)).isLessThanOrEqualTo(5 * MS);
        for (int i = 0; i < 30; i++) {
            tail.record(WEST, GET, 400 * MS);
        }
        assertThat(tail.nanos(WEST, GET)).as("climbs to a slow region's latency in a few samples")
                .isGreaterThanOrEqualTo(400 * MS);
    }

    @Test
    void unknownUntilTheFirstSample() {
        TailLatency tail = new TailLatency(0.99);
        assertThat(tail.nanos(WEST, GET)).isEqualTo(-1);
        assertThat(tail.hedgeAfter(WEST, CENTRAL, GET)).isEqualTo(-1);
    }

    /** GetItem 4..8 ms with one in 100 at 60 ms; Query 40..79 ms with one in 100 at 200 ms: two healthy shapes. */
    private static long healthy(String operation, int i) {
        boolean tail = i % 100 == 50;
        if (operation.equals(GET)) {
            return tail ? 60 * MS : (4 + i % 5) * MS;
        }
        return tail ? 200 * MS : (40 + (i * 7L) % 40) * MS;
    }

    /**
     * Healthy traffic of two operations with different latencies: each operation's p99 is learnt on its own, so a
     * p99 target hedges about 1 % of each. One estimate for both (the same key) sits between them and hedges most
     * of the Queries' slower half while leaving the GetItems' tail unhedged.
     */
    @Test
    void eachOperationGetsItsOwnTailSoHealthyTrafficIsHedgedAboutOnePercent() {
        TailLatency tail = new TailLatency(0.99);
        double[] perOperation = hedgedShares(tail, false);
        assertThat(tail.nanos(WEST, QUERY)).as("the Query p99 is a Query's").isGreaterThan(70 * MS);
        assertThat(tail.nanos(WEST, GET)).as("the GetItem p99 is a GetItem's").isLessThan(40 * MS);
        assertThat(perOperation[0]).as("GetItems hedged").isLessThan(0.03);
        assertThat(perOperation[1]).as("Queries hedged").isLessThan(0.03);

        double[] shared = hedgedShares(new TailLatency(0.99), true);
        assertThat(shared[1]).as("Queries hedged with one estimate for both operations").isGreaterThan(0.05);
    }

    /** Shares of GetItems and Queries hedged (after a settling quarter) at a 5 ms floor, 9 GetItems per Query. */
    private static double[] hedgedShares(TailLatency tail, boolean oneEstimate) {
        int[] hedged = new int[2];
        int[] counted = new int[2];
        int[] seen = new int[2];
        for (int i = 0; i < 20_000; i++) {
            int kind = i % 10 == 0 ? 1 : 0;
            String op = kind == 0 ? GET : QUERY;
            String key = oneEstimate ? GET : op;
            long delay = Math.max(FLOOR / 10, tail.hedgeAfter(WEST, CENTRAL, key));
            long took = healthy(op, seen[kind]++);
            boolean hedge = took > delay;
            if (i >= 5_000) {
                counted[kind]++;
                hedged[kind] += hedge ? 1 : 0;
            }
            if (hedge) {
                // Abandoned when the hedge answered, a few milliseconds later.
                tail.recordAtLeast(WEST, key, delay + 3 * MS);
            } else {
                tail.record(WEST, key, took);
            }
        }
        return new double[] {(double) hedged[0] / counted[0], (double) hedged[1] / counted[1]};
    }

    /**
     * Every Query of the first region slow (300..700 ms), its GetItems fast: the Query estimate of the first region
     * climbs into the slow mode, but the next region's Query estimate bounds the delay, so the slow Queries are
     * hedged after the next region's tail, not after their own; the GetItems' delay does not move.
     */
    @Test
    void anOperationSlowInTheFirstRegionIsHedgedAfterTheNextRegionsTail() {
        TailLatency tail = new TailLatency(0.99);
        long getDelay = slowQueries(tail, CENTRAL);
        assertThat(Math.max(FLOOR, tail.hedgeAfter(WEST, CENTRAL, QUERY))).as("hedged at the floor, as fixed would")
                .isEqualTo(FLOOR);
        assertThat(tail.hedgeAfter(WEST, CENTRAL, GET)).as("the GetItems' delay did not move").isEqualTo(getDelay);

        TailLatency alone = new TailLatency(0.99);
        slowQueries(alone, null);
        assertThat(alone.hedgeAfter(WEST, null, QUERY)).as("without the next region's bound the slow Queries' own"
                + " estimate climbs with every hedge abandoned, and they are hedged late").isGreaterThan(300 * MS);
    }

    /**
     * Warm fast traffic, then 200 slow Queries (300..700 ms) in the first region, each hedged to {@code next} (its
     * Queries 10..14 ms) and abandoned when the hedge answers; returns the GetItems' delay before the slow Queries.
     */
    private static long slowQueries(TailLatency tail, Region next) {
        for (int i = 0; i < 2_000; i++) {
            tail.record(WEST, GET, (4 + i % 5) * MS);
            tail.record(WEST, QUERY, (8 + i % 5) * MS);
        }
        long getDelay = tail.hedgeAfter(WEST, next, GET);
        for (int i = 0; i < 200; i++) {
            long delay = Math.max(FLOOR, tail.hedgeAfter(WEST, next, QUERY));
            long took = (300 + (i * 37L) % 401) * MS;
            if (took > delay) {
                long remote = (10 + i % 5) * MS;
                tail.recordAtLeast(WEST, QUERY, delay + remote);
                tail.record(next == null ? Region.US_EAST_1 : next, QUERY, remote);
            } else {
                tail.record(WEST, QUERY, took);
            }
        }
        return getDelay;
    }

    @Test
    void theNextRegionBoundsTheDelayOnlyOnceItsEstimateIsKnown() {
        TailLatency tail = new TailLatency(0.99);
        tail.record(WEST, QUERY, 500 * MS);
        tail.record(CENTRAL, QUERY, 10 * MS);
        assertThat(tail.hedgeAfter(WEST, CENTRAL, QUERY)).as("one sample is no estimate").isEqualTo(500 * MS);
        for (int i = 1; i < TailLatency.KNOWN_AFTER; i++) {
            tail.record(CENTRAL, QUERY, 10 * MS);
        }
        assertThat(tail.hedgeAfter(WEST, CENTRAL, QUERY)).isLessThan(20 * MS);
        assertThat(tail.hedgeAfter(WEST, null, QUERY)).isEqualTo(500 * MS);
        assertThat(tail.hedgeAfter(CENTRAL, WEST, QUERY)).as("a slower next region never delays a hedge")
                .isLessThan(20 * MS);
        for (int i = 0; i < 20; i++) {
            tail.record(CENTRAL, GET, 20 * MS);
        }
        tail.record(WEST, GET, 35 * MS);
        assertThat(tail.hedgeAfter(WEST, CENTRAL, GET)).as("alike regions: the first region's own estimate")
                .isEqualTo(35 * MS);
    }

    /**
     * Recording into a known estimate allocates nothing: it runs on every attempt of a hedged read (the test JVM runs
     * without escape analysis, so an allocation per call, like a capturing {@code computeIfAbsent} function, shows).
     */
    @Test
    void recordingIntoAKnownEstimateAllocatesNothing() {
        TailLatency tail = new TailLatency(0.95);
        tail.record(WEST, GET, 5 * MS);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 1_000; i++) {
            tail.record(WEST, GET, (4 + i % 5) * MS);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(allocated).as("bytes allocated by 1,000 records into a known estimate").isLessThan(1_000);
    }
}
