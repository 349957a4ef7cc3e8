package dev.meridian.core.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The hedge delay: fixed, or the observed p95 when that is above the adaptive floor. */
class HedgingConfigTest {

    @Test
    void anAdaptiveDelayFollowsTheP95OnlyAboveItsFloor() {
        HedgingConfig adaptive = HedgingConfig.adaptive(Duration.ofNanos(100));
        assertThat(adaptive.adaptive()).isTrue();
        assertThat(adaptive.delayNanos(101)).isEqualTo(101);
        assertThat(adaptive.delayNanos(100)).isEqualTo(100);
        assertThat(adaptive.delayNanos(-1)).as("unknown p95").isEqualTo(100);
    }

    @Test
    void aFixedDelayIgnoresTheP95() {
        HedgingConfig fixed = HedgingConfig.fixed(Duration.ofNanos(100));
        assertThat(fixed.adaptive()).isFalse();
        assertThat(fixed.delayNanos(5_000)).isEqualTo(100);
    }

    @Test
    void aDisabledConfigHasNoDelayAndSaysSo() {
        assertThatThrownBy(() -> HedgingConfig.disabled().delayNanos(100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("check enabled() first");
    }
}
