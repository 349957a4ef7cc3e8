package dev.meridian.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class StaticControlSourceTest {
    @Test
    void parsesStatesAndWeights() {
        RegionControlState s = StaticControlSource.parse(" eu-west-1=off , eu-central-1=ON:90", "MERIDIAN_CONTROL_STATIC")
                .read();
        assertThat(s.isOn(Region.EU_WEST_1)).isFalse();
        assertThat(s.weight(Region.EU_CENTRAL_1)).isEqualTo(OptionalInt.of(90));
        assertThat(s.isOn(Region.US_EAST_1)).isTrue();
        assertThat(StaticControlSource.parseState(" ", "x")).isEqualTo(RegionControlState.empty());
    }

    @Test
    void badTextNamesTheSettingAndTheElement() {
        assertThatThrownBy(() -> StaticControlSource.parse("eu-west-1=MAYBE", "MERIDIAN_CONTROL_STATIC"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("MERIDIAN_CONTROL_STATIC must be ON or OFF, was 'MAYBE'");
        assertThatThrownBy(() -> StaticControlSource.parse("eu-west-1=ON:120", "MERIDIAN_CONTROL_STATIC"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("120");
        assertThatThrownBy(() -> StaticControlSource.parse("eu-west-1", "MERIDIAN_CONTROL_STATIC"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'eu-west-1'");
    }
}
