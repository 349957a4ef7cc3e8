package dev.meridian.dynamodb.acceptance.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.control.ControlChangeRefusedException;
import dev.meridian.core.control.ControlChangeRules;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.residency.Jurisdiction;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import software.amazon.awssdk.regions.Region;

/**
 * docs/fleet-control.md's safety rule as a property over fleets and changes: {@code ControlChangeRules.check} refuses
 * exactly the changes that leave a jurisdiction they touch (a region of it changes state) with no ON region — a
 * region without an entry counts as ON, a weight alone touches nothing —, {@code force} applies them anyway, and
 * {@code darkenedJurisdictions} gives the same verdict without throwing. The oracle is the sentence itself.
 */
class ControlSafetyRulePropertyTest {
    private static final Map<Region, Jurisdiction> FLEET = new LinkedHashMap<>();

    static {
        FLEET.put(Region.EU_WEST_1, Jurisdiction.EU);
        FLEET.put(Region.EU_CENTRAL_1, Jurisdiction.EU);
        FLEET.put(Region.US_EAST_1, Jurisdiction.US);
        FLEET.put(Region.US_WEST_2, Jurisdiction.US);
        FLEET.put(Region.AP_SOUTHEAST_2, Jurisdiction.APAC);
    }

    /** Per region of the fleet: no entry (null), ON or OFF, with or without a weight. */
    @Provide
    Arbitrary<RegionControlState> states() {
        Arbitrary<RegionControlEntry> entry = Arbitraries.of(ControlState.values())
                .flatMap(s -> Arbitraries.integers().between(0, 100).injectNull(0.5)
                        .map(w -> RegionControlEntry.of(s, w)));
        return entry.injectNull(0.3).list().ofSize(FLEET.size()).map(entries -> {
            Map<Region, RegionControlEntry> m = new HashMap<>();
            List<Region> regions = List.copyOf(FLEET.keySet());
            for (int i = 0; i < regions.size(); i++) {
                if (entries.get(i) != null) {
                    m.put(regions.get(i), entries.get(i));
                }
            }
            return RegionControlState.of(m);
        });
    }

    private static boolean on(RegionControlState s, Region r) {
        return s.entry(r).map(e -> e.state() == ControlState.ON).orElse(true);
    }

    /** The rule as the document words it. */
    private static Set<Jurisdiction> expectedDarkened(RegionControlState current, RegionControlState proposed) {
        return FLEET.values().stream().distinct().filter(j -> {
            List<Region> of = FLEET.keySet().stream().filter(r -> FLEET.get(r).equals(j)).toList();
            boolean touched = of.stream().anyMatch(r -> on(current, r) != on(proposed, r));
            boolean anyOn = of.stream().anyMatch(r -> on(proposed, r));
            return touched && !anyOn;
        }).collect(Collectors.toSet());
    }

    @Property(tries = 500)
    void aChangeIsRefusedExactlyWhenItDarkensAJurisdictionItTouchesUnlessForced(
            @ForAll("states") RegionControlState current, @ForAll("states") RegionControlState proposed) {
        Set<Jurisdiction> expected = expectedDarkened(current, proposed);

        assertThat(ControlChangeRules.darkenedJurisdictions(current, proposed, FLEET)).isEqualTo(expected);
        Throwable refused = catchThrowable(() -> ControlChangeRules.check(current, proposed, FLEET, false));
        if (expected.isEmpty()) {
            assertThat(refused).isNull();
        } else {
            assertThat(refused).isInstanceOf(ControlChangeRefusedException.class);
            expected.forEach(j -> assertThat(refused.getMessage()).contains(j.name()));
        }
        ControlChangeRules.check(current, proposed, FLEET, true);
    }

    @Property(tries = 200)
    void leavingEveryStateAsItIsIsAlwaysAllowedEvenWhenAJurisdictionIsAlreadyDark(
            @ForAll("states") RegionControlState current) {
        ControlChangeRules.check(current, current, FLEET, false);
    }

    @Property(tries = 1)
    void drainingTheEusLastOnRegionIsRefusedNamingTheEu() {
        RegionControlState current = RegionControlState.empty()
                .with(Region.EU_CENTRAL_1, RegionControlEntry.of(ControlState.OFF));
        RegionControlState proposed = current.with(Region.EU_WEST_1, RegionControlEntry.of(ControlState.OFF));

        assertThatThrownBy(() -> ControlChangeRules.check(current, proposed, FLEET, false))
                .isInstanceOf(ControlChangeRefusedException.class).hasMessageContaining("EU");
    }
}
