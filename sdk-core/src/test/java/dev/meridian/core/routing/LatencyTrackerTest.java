package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class LatencyTrackerTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final long MS = 1_000_000L;

    @Test
    void p95SettlesWhereFivePercentOfAttemptsAreSlower() {
        LatencyTracker tracker = new LatencyTracker();
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            tracker.record(WEST, (1 + random.nextInt(100)) * MS);
        }
        assertThat(tracker.p95Nanos(WEST)).isBetween(80 * MS, 125 * MS); // within one step (19 %) of the true 95 ms
    }

    /**
     * The closed loop of adaptive hedging with 9 % of calls delayed 300-700 ms and a 50 ms floor: a slow call is
     * abandoned when the hedge (5 ms) wins, so the tracker only ever sees "at least delay + 5 ms" for it. The delay
     * must climb to the p95 (about 480 ms: 91 % fast, then 44 % into the slow range) and hedge about 5 % of calls,
     * not every slow call.
     */
    @Test
    void abandonedHedgeLosersLiftTheP95SoAdaptiveHedgingFollowsItNotTheShareOfSlowCalls() {
        LatencyTracker tracker = new LatencyTracker();
        Random random = new Random(7);
        long floor = 50 * MS;
        int hedged = 0;
        int measured = 0;
        for (int i = 0; i < 20_000; i++) {
            long latency = random.nextInt(100) < 9 ? (300 + random.nextInt(401)) * MS : 5 * MS;
            long delay = Math.max(floor, tracker.p95Nanos(WEST));
            boolean hedge = latency > delay;
            if (hedge) {
                tracker.recordAbandoned(WEST, delay + 5 * MS);
            } else {
                tracker.record(WEST, latency);
            }
            if (i >= 10_000) {
                measured++;
                hedged += hedge ? 1 : 0;
            }
        }
        assertThat(tracker.p95Nanos(WEST)).isBetween(350 * MS, 650 * MS);
        assertThat(100.0 * hedged / measured).isBetween(3.0, 7.0);
    }

    @Test
    void anAbandonedAttemptFasterThanTheEstimatesSaysNothing() {
        LatencyTracker tracker = new LatencyTracker();
        tracker.record(WEST, 100 * MS);
        tracker.recordAbandoned(WEST, 10 * MS);
        assertThat(tracker.p95Nanos(WEST)).isEqualTo(100 * MS);
        assertThat(tracker.averageNanos(WEST)).isEqualTo(100 * MS);
        tracker.recordAbandoned(WEST, 200 * MS);
        assertThat(tracker.p95Nanos(WEST)).isGreaterThan(100 * MS);
        assertThat(tracker.averageNanos(WEST)).isGreaterThan(100 * MS);
    }
}
