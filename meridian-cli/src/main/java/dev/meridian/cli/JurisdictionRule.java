package dev.meridian.cli;

import dev.meridian.core.residency.Jurisdiction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The safety rule of region changes, as ARC's "at least one ON" rules: a change may not leave a jurisdiction that has
 * an ON region with none (its RESTRICTED data would have nowhere to go: Meridian fails closed). Only the regions the
 * control plane knows count. A jurisdiction with no ON region before the change is not made worse by it and is not
 * reported. Stateless.
 *
 * <p>The fleet-control work adds the same rule to sdk-core ({@code dev.meridian.core.control}); once it is there this
 * class should delegate to it (or be replaced by it).
 */
final class JurisdictionRule {
    private JurisdictionRule() {
    }

    /** One line per jurisdiction the change would leave with no ON region; empty when the change is allowed. */
    static List<String> violations(Map<String, RegionState> before, Map<String, RegionState> after,
            Function<String, Jurisdiction> jurisdictionOf) {
        Map<String, List<RegionState>> afterByJurisdiction = group(after, jurisdictionOf);
        Map<String, List<RegionState>> beforeByJurisdiction = group(before, jurisdictionOf);
        List<String> violations = new ArrayList<>();
        afterByJurisdiction.forEach((jurisdiction, states) -> {
            boolean noneOnAfter = states.stream().noneMatch(RegionState::on);
            boolean someOnBefore = beforeByJurisdiction.getOrDefault(jurisdiction, List.of()).stream()
                    .anyMatch(RegionState::on);
            if (noneOnAfter && someOnBefore) {
                List<String> regions = states.stream().map(s -> s.region() + " " + (s.on() ? "ON" : "OFF")).toList();
                violations.add(jurisdiction + " would have no ON region (" + String.join(", ", regions) + ")");
            }
        });
        return violations;
    }

    private static Map<String, List<RegionState>> group(Map<String, RegionState> states,
            Function<String, Jurisdiction> jurisdictionOf) {
        Map<String, List<RegionState>> byJurisdiction = new TreeMap<>();
        states.values().forEach(s -> byJurisdiction
                .computeIfAbsent(jurisdictionOf.apply(s.region()).name(), j -> new ArrayList<>()).add(s));
        return byJurisdiction;
    }
}
