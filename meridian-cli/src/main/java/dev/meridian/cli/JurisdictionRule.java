package dev.meridian.cli;

import dev.meridian.core.control.ControlChangeRules;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.residency.Jurisdiction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;

/**
 * The CLI's side of sdk-core's safety rule ({@link ControlChangeRules}): a change may not leave a jurisdiction it
 * touches with no ON region. The rule needs the fleet's full region map, but the control plane holds items only for
 * regions someone wrote: the fleet here is every region the control plane holds, every region the change names and
 * every region named by {@code --jurisdiction} (a region without an item counts as ON, as the fleet treats it).
 * Stateless.
 */
final class JurisdictionRule {
    private JurisdictionRule() {
    }

    /**
     * One line per jurisdiction the change would leave with no ON region; empty when the change is allowed.
     *
     * @param declared regions the operator named with {@code --jurisdiction}, part of the fleet even without an item
     */
    static List<String> violations(Map<String, RegionState> before, Map<String, RegionState> after,
            Collection<String> declared, Function<String, Jurisdiction> jurisdictionOf) {
        Set<String> fleet = new TreeSet<>(before.keySet());
        fleet.addAll(after.keySet());
        fleet.addAll(declared);
        Map<Region, Jurisdiction> jurisdictions = new LinkedHashMap<>();
        fleet.forEach(r -> jurisdictions.put(Region.of(r), jurisdictionOf.apply(r)));
        Set<Jurisdiction> darkened = ControlChangeRules.darkenedJurisdictions(state(before), state(after),
                jurisdictions);
        List<String> violations = new ArrayList<>();
        for (Jurisdiction j : darkened) {
            List<String> regions = new ArrayList<>();
            jurisdictions.forEach((r, of) -> {
                if (of.equals(j)) {
                    RegionState s = after.get(r.id());
                    regions.add(r.id() + " " + (s == null || s.on() ? "ON" : "OFF"));
                }
            });
            violations.add(j.name() + " would have no ON region (" + String.join(", ", regions) + ")");
        }
        return violations;
    }

    private static RegionControlState state(Map<String, RegionState> states) {
        Map<Region, RegionControlEntry> entries = new LinkedHashMap<>();
        states.values().forEach(s -> entries.put(Region.of(s.region()),
                RegionControlEntry.of(s.on() ? ControlState.ON : ControlState.OFF, s.weight())));
        return RegionControlState.of(entries);
    }
}
