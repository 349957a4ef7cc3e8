package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.residency.Jurisdiction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * The safety rule every writer of region controls applies (the CLI, the mirror), like an ARC assertion rule: a
 * change that would leave a jurisdiction with no ON region is refused unless forced. Only jurisdictions the change
 * touches are judged, so an unrelated change is not blocked by a jurisdiction already dark. A region the state does
 * not name counts as ON ({@link RegionControlState#isOn}). Stateless.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ControlChangeRules {
    private ControlChangeRules() {
    }

    /**
     * The jurisdictions that {@code proposed} would leave with no ON region, among those whose regions' state differs
     * between {@code current} and {@code proposed}; empty when the change is allowed.
     *
     * @param jurisdictions every region of the fleet with its jurisdiction (e.g. {@code MultiRegionConfig.jurisdictions()})
     */
    public static Set<Jurisdiction> darkenedJurisdictions(RegionControlState current, RegionControlState proposed,
            Map<Region, Jurisdiction> jurisdictions) {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(proposed, "proposed");
        Map<Jurisdiction, List<Region>> byJurisdiction = new LinkedHashMap<>();
        jurisdictions.forEach((r, j) -> byJurisdiction.computeIfAbsent(j, k -> new ArrayList<>()).add(r));
        Set<Jurisdiction> darkened = new LinkedHashSet<>();
        byJurisdiction.forEach((j, regions) -> {
            boolean touched = regions.stream().anyMatch(r -> current.isOn(r) != proposed.isOn(r));
            boolean anyOn = regions.stream().anyMatch(proposed::isOn);
            if (touched && !anyOn) {
                darkened.add(j);
            }
        });
        return darkened;
    }

    /**
     * Checks a change: returns normally when it is allowed or {@code force} is set.
     *
     * @throws ControlChangeRefusedException when it would leave a jurisdiction it touches with no ON region and is
     *         not forced
     */
    public static void check(RegionControlState current, RegionControlState proposed,
            Map<Region, Jurisdiction> jurisdictions, boolean force) {
        Set<Jurisdiction> darkened = darkenedJurisdictions(current, proposed, jurisdictions);
        if (!darkened.isEmpty() && !force) {
            throw new ControlChangeRefusedException("Refused: the change would leave " + darkened
                    + " with no ON region (" + regionsOf(darkened, jurisdictions) + " would all be OFF), so every"
                    + " call for data that must stay there would be refused; turn another region of it ON first,"
                    + " or force the change (--force) if that outage is intended", darkened);
        }
    }

    private static List<String> regionsOf(Set<Jurisdiction> darkened, Map<Region, Jurisdiction> jurisdictions) {
        List<String> out = new ArrayList<>();
        jurisdictions.forEach((r, j) -> {
            if (darkened.contains(j)) {
                out.add(r.id());
            }
        });
        return out;
    }
}
