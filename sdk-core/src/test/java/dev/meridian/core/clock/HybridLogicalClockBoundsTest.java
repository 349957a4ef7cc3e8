package dev.meridian.core.clock;

import static dev.meridian.core.clock.HybridLogicalClock.MAX_LOGICAL;
import static dev.meridian.core.clock.HybridLogicalClock.MAX_PHYSICAL_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The inclusive ends of the ranges a {@link HybridLogicalClock} accepts: the first and last millisecond, the bound. */
class HybridLogicalClockBoundsTest {

    @Test
    void theFirstAndLastRepresentableMillisecondsEncodeAndOneBeyondDoesNot() {
        assertThat(HybridLogicalClock.encode(0, 0)).isZero();
        long last = HybridLogicalClock.encode(MAX_PHYSICAL_MILLIS, MAX_LOGICAL);
        assertThat(HybridLogicalClock.physicalMillis(last)).isEqualTo(MAX_PHYSICAL_MILLIS);
        assertThat(HybridLogicalClock.logical(last)).isEqualTo(MAX_LOGICAL);
        assertThatThrownBy(() -> HybridLogicalClock.encode(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HybridLogicalClock.encode(MAX_PHYSICAL_MILLIS + 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPhysicalClockAtEitherEndOfTheRangeIsRead() {
        assertThat(HybridLogicalClock.builder().millis(() -> 0L).build().now()).as("after the initial 0").isEqualTo(1L);
        long lastMillisecond = HybridLogicalClock.encode(MAX_PHYSICAL_MILLIS, 0);
        assertThat(HybridLogicalClock.builder().millis(() -> MAX_PHYSICAL_MILLIS).build().now())
                .isEqualTo(lastMillisecond);
        assertThatThrownBy(() -> HybridLogicalClock.builder().millis(() -> -1L).build().now())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRemoteStampExactlyAtTheDriftBoundIsAdopted() {
        HybridLogicalClock clock = HybridLogicalClock.builder().millis(() -> 1_000_000L)
                .maxDrift(Duration.ofSeconds(1), HybridLogicalClock.DriftPolicy.REJECT).build();
        long bound = clock.maxAcceptableStamp();
        assertThat(bound).isEqualTo(HybridLogicalClock.encode(1_001_000L, MAX_LOGICAL));
        assertThat(clock.observe(bound)).isGreaterThan(bound);
        long tooFar = HybridLogicalClock.encode(1_002_000L, 0);
        assertThatThrownBy(() -> clock.observe(tooFar)).isInstanceOfSatisfying(ClockDriftException.class, e -> {
            assertThat(e.remoteStamp()).isEqualTo(tooFar);
            assertThat(e.aheadMillis()).isEqualTo(2_000L);
            assertThat(e.maxAcceptableStamp()).isEqualTo(bound);
        });
        assertThatThrownBy(() -> clock.observe(bound + 1)).isInstanceOf(ClockDriftException.class);
    }

    @Test
    void aDriftReachingExactlyTheLastMillisecondCapsTheBoundBelowIt() {
        long now = 1_000L;
        HybridLogicalClock clock = HybridLogicalClock.builder().millis(() -> now)
                .maxDrift(Duration.ofMillis(MAX_PHYSICAL_MILLIS - now), HybridLogicalClock.DriftPolicy.REJECT)
                .build();
        assertThat(clock.maxAcceptableStamp()).isEqualTo(HybridLogicalClock.encode(MAX_PHYSICAL_MILLIS, 0) - 1);
        HybridLogicalClock shorter = HybridLogicalClock.builder().millis(() -> now)
                .maxDrift(Duration.ofMillis(MAX_PHYSICAL_MILLIS - now - 1), HybridLogicalClock.DriftPolicy.REJECT)
                .build();
        assertThat(shorter.maxAcceptableStamp()).isEqualTo(HybridLogicalClock.encode(MAX_PHYSICAL_MILLIS - 1,
                MAX_LOGICAL));
    }
}
