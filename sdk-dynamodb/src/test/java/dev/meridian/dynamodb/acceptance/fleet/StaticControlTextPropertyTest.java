package dev.meridian.dynamodb.acceptance.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.control.StaticControlSource;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import software.amazon.awssdk.regions.Region;

/**
 * docs/fleet-control.md's static source text, {@code region=ON|OFF[:weight],...} with weights 0..100: what it reads,
 * and a weight out of range refused with an error naming the setting and the value.
 */
class StaticControlTextPropertyTest {

    @Property(tries = 200)
    void aWeightFromZeroToOneHundredIsReadWithItsState(@ForAll @IntRange(min = 0, max = 100) int weight,
            @ForAll ControlState state) {
        RegionControlState read = StaticControlSource.parseState("eu-west-1=" + state + ":" + weight
                + ",us-east-1=OFF", "meridian.control.static-state");

        assertThat(read.entry(Region.EU_WEST_1).orElseThrow().state()).isEqualTo(state);
        assertThat(read.weight(Region.EU_WEST_1)).hasValue(weight);
        assertThat(read.isOn(Region.US_EAST_1)).isFalse();
        assertThat(read.isOn(Region.EU_CENTRAL_1)).as("a region without an entry is ON").isTrue();
    }

    @Property(tries = 100)
    void aWeightOutOfRangeIsRefusedNamingTheSettingAndTheValue(@ForAll @IntRange(min = 101, max = 100_000) int over,
            @ForAll boolean negative) {
        int weight = negative ? -over : over;
        assertThatThrownBy(() -> StaticControlSource.parseState("eu-west-1=ON:" + weight,
                "meridian.control.static-state"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("meridian.control.static-state").hasMessageContaining(String.valueOf(weight));
    }
}
