package dev.meridian.core.routing;

import static dev.meridian.core.TestTopology.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Exact single steps of the latency estimates: the moving average, the p95's log steps and the failure penalty. */
class LatencyTrackerStepsTest {
    private static long p95After(long first, long second) {
        LatencyTracker t = new LatencyTracker(0.5);
        t.record(EU_WEST, first);
        t.record(EU_WEST, second);
        return t.p95Nanos(EU_WEST);
    }

    @Test
    void theAverageMovesByTheSmoothingFactor() {
        LatencyTracker t = new LatencyTracker(0.5);
        t.record(EU_WEST, 100_000);
        t.record(EU_WEST, 200_000);
        assertThat(t.averageNanos(EU_WEST)).isEqualTo(150_000);
        assertThat(new LatencyTracker(1).averageNanos(EU_WEST)).isEqualTo(-1);
        assertThatThrownBy(() -> new LatencyTracker(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LatencyTracker smoothing factor");
        assertThatThrownBy(() -> new LatencyTracker(1.01)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theP95StepsUpOnASampleAboveItAndDownOnOneAtOrBelowIt() {
        assertThat(p95After(100_000, 200_000)).isEqualTo((long) Math.exp(Math.log(100_000) + LatencyTracker.UP_STEP));
        assertThat(p95After(100_000, 100_000)).isEqualTo((long) Math.exp(Math.log(100_000)
                - LatencyTracker.DOWN_STEP));
    }

    @Test
    void aFailureCountsAsAtLeastThePenalty() {
        LatencyTracker t = new LatencyTracker(1);
        t.recordFailure(EU_WEST, 5);
        assertThat(t.averageNanos(EU_WEST)).isEqualTo(LatencyTracker.FAILURE_PENALTY_NANOS);
        t.recordFailure(EU_WEST, 2 * LatencyTracker.FAILURE_PENALTY_NANOS);
        assertThat(t.averageNanos(EU_WEST)).isEqualTo(2 * LatencyTracker.FAILURE_PENALTY_NANOS);
    }

    @Test
    void anAbandonedAttemptLiftsOnlyTheEstimatesItExceedsAndStartsThemWhenThereAreNone() {
        LatencyTracker t = new LatencyTracker(0.5);
        t.recordAbandoned(EU_WEST, 100_000);
        assertThat(t.averageNanos(EU_WEST)).isEqualTo(100_000);
        assertThat(t.p95Nanos(EU_WEST)).isEqualTo(100_000);
        t.recordAbandoned(EU_WEST, 100_000);
        assertThat(t.averageNanos(EU_WEST)).isEqualTo(100_000);
        assertThat(t.p95Nanos(EU_WEST)).as("not above: no step").isEqualTo(100_000);
        t.recordAbandoned(EU_WEST, 300_000);
        assertThat(t.averageNanos(EU_WEST)).isEqualTo(200_000);
        assertThat(t.p95Nanos(EU_WEST)).isEqualTo((long) Math.exp(Math.log(100_000) + LatencyTracker.UP_STEP));
    }
}
