package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.execution.HedgingConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The hedge delay chosen for a call whose first attempt goes through a warm client (the configured delay) and through
 * a cold one (at least a quarter of {@code first-attempt-timeout}): a cold start is not hedged at the adaptive floor,
 * which its client's start-up alone outlasts. Pure logic.
 */
class ColdHedgeDelayTest {
    private static final long MS = 1_000_000L;
    private static final Duration DEFAULT_FIRST_ATTEMPT = MultiRegionConfig.DEFAULT_FIRST_ATTEMPT_TIMEOUT;
    /** The default adaptive delay before any sample: its floor. */
    private static final long FLOOR = HedgingConfig.defaults().delayNanos(-1);

    @Test
    void aWarmFirstAttemptIsHedgedAfterTheConfiguredDelay() {
        assertThat(FLOOR).isEqualTo(50 * MS);
        assertThat(RegionalExecutor.hedgeDelayNanos(FLOOR, false, DEFAULT_FIRST_ATTEMPT)).isEqualTo(50 * MS);
    }

    @Test
    void aColdFirstAttemptIsHedgedAfterAQuarterOfTheFirstAttemptTimeout() {
        assertThat(DEFAULT_FIRST_ATTEMPT).isEqualTo(Duration.ofSeconds(10));
        assertThat(RegionalExecutor.hedgeDelayNanos(FLOOR, true, DEFAULT_FIRST_ATTEMPT)).isEqualTo(2_500 * MS);
        assertThat(RegionalExecutor.hedgeDelayNanos(FLOOR, true, Duration.ofSeconds(2))).isEqualTo(500 * MS);
    }

    @Test
    void aColdFirstAttemptIsNeverHedgedSoonerThanAWarmOne() {
        assertThat(RegionalExecutor.hedgeDelayNanos(800 * MS, true, Duration.ofSeconds(2))).isEqualTo(800 * MS);
    }
}
