package dev.meridian.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The drill's -D settings: defaults, and clear errors naming the property for bad values. */
class DrillSettingsTest {

    @AfterEach
    void clearProperties() {
        System.clearProperty("drill.phaseSeconds");
        System.clearProperty("drill.workers");
    }

    @Test
    void defaultsAreFiveSecondPhasesFourWorkersAHundredCallsPerSecond() {
        assertThat(DrillSettings.fromSystemProperties())
                .isEqualTo(new DrillSettings(Duration.ofSeconds(5), 4, 100, 42L));
    }

    @Test
    void aValueThatIsNotANumberIsRefusedNamingTheProperty() {
        System.setProperty("drill.workers", "four");
        assertThatThrownBy(DrillSettings::fromSystemProperties)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("drill.workers must be a number but was 'four'");
    }

    @Test
    void aPhaseTooShortIsRefusedInSeconds() {
        System.setProperty("drill.phaseSeconds", "0.1");
        assertThatThrownBy(DrillSettings::fromSystemProperties)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("drill.phaseSeconds must be at least 0.2 but was 0.1");
    }
}
