package dev.meridian.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.residency.Jurisdiction;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class ControlChangeRulesTest {
    private static final Map<Region, Jurisdiction> FLEET = new LinkedHashMap<>();

    static {
        FLEET.put(Region.EU_WEST_1, Jurisdiction.EU);
        FLEET.put(Region.EU_CENTRAL_1, Jurisdiction.EU);
        FLEET.put(Region.US_EAST_1, Jurisdiction.US);
    }

    private static RegionControlState state(String text) {
        return StaticControlSource.parseState(text, "test");
    }

    @Test
    void drainingOneOfTwoEuRegionsIsAllowed() {
        assertThatCode(() -> ControlChangeRules.check(state(""), state("eu-west-1=OFF"), FLEET, false))
                .doesNotThrowAnyException();
    }

    @Test
    void leavingTheEuWithNoOnRegionIsRefusedUnlessForced() {
        RegionControlState current = state("eu-west-1=OFF");
        RegionControlState proposed = state("eu-west-1=OFF,eu-central-1=OFF");
        assertThatThrownBy(() -> ControlChangeRules.check(current, proposed, FLEET, false))
                .isInstanceOf(ControlChangeRefusedException.class)
                .hasMessageContaining("[EU]").hasMessageContaining("eu-central-1").hasMessageContaining("--force")
                .satisfies(e -> assertThat(((ControlChangeRefusedException) e).jurisdictions())
                        .containsExactly(Jurisdiction.EU));
        assertThatCode(() -> ControlChangeRules.check(current, proposed, FLEET, true)).doesNotThrowAnyException();
    }

    @Test
    void aSingleRegionJurisdictionCannotBeTurnedOffUnforced() {
        assertThat(ControlChangeRules.darkenedJurisdictions(state(""), state("us-east-1=OFF"), FLEET))
                .containsExactly(Jurisdiction.US);
    }

    @Test
    void aChangeElsewhereIsNotBlockedByAJurisdictionAlreadyDark() {
        RegionControlState dark = state("eu-west-1=OFF,eu-central-1=OFF");
        assertThat(ControlChangeRules.darkenedJurisdictions(dark, dark.with(Region.US_EAST_1,
                RegionControlEntry.of(ControlState.ON, 50)), FLEET)).isEmpty();
        assertThat(ControlChangeRules.darkenedJurisdictions(dark, state("eu-west-1=ON,eu-central-1=OFF"), FLEET))
                .isEmpty();
    }
}
