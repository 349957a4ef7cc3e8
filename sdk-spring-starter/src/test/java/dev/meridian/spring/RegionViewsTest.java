package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.residency.Jurisdiction;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** A region's view in the health details and the {@code meridian} endpoint. */
class RegionViewsTest {
    @Test
    void aSuspectRegionIsShownSuspectWithItsBreakerStillClosedAndAvailable() {
        RegionStatus suspect = RegionStatus.of(Region.EU_WEST_1, Jurisdiction.of("EU"),
                RegionStatus.BreakerState.CLOSED, false, true, true, Duration.ofMillis(4), null);

        assertThat(RegionViews.of(suspect)).containsEntry("breaker", "CLOSED").containsEntry("available", true)
                .containsEntry("suspect", true).containsEntry("latencyAverageMillis", 4.0)
                .doesNotContainKey("latencyP95Millis");
    }

    @Test
    void aStatusMadeWithoutSuspicionIsNotSuspect() {
        RegionStatus status = RegionStatus.of(Region.EU_WEST_1, Jurisdiction.of("EU"),
                RegionStatus.BreakerState.OPEN, false, false, null, null);

        assertThat(RegionViews.of(status)).containsEntry("suspect", false).containsEntry("breaker", "OPEN");
    }
}
