package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * One snapshot of the fleet's region controls, as a {@link RegionControlSource} read it. A region the snapshot does
 * not name has no control: it is ON and has no weight from here (the configuration's weight applies). Immutable.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class RegionControlState {
    private static final RegionControlState EMPTY = new RegionControlState(Map.of());

    private final Map<Region, RegionControlEntry> entries;

    private RegionControlState(Map<Region, RegionControlEntry> entries) {
        this.entries = entries;
    }

    /** A snapshot of these entries (copied, in the map's iteration order). */
    public static RegionControlState of(Map<Region, RegionControlEntry> entries) {
        Objects.requireNonNull(entries, "entries");
        return entries.isEmpty() ? EMPTY
                : new RegionControlState(Collections.unmodifiableMap(new LinkedHashMap<>(entries)));
    }

    /** A snapshot naming no region: every region ON, no weights. */
    public static RegionControlState empty() {
        return EMPTY;
    }

    /** Every region this snapshot names, with its entry. */
    public Map<Region, RegionControlEntry> entries() {
        return entries;
    }

    /** The entry of one region, when the snapshot names it. */
    public Optional<RegionControlEntry> entry(Region region) {
        return Optional.ofNullable(entries.get(region));
    }

    /** Whether {@code region} may be planned: ON, or not named. */
    public boolean isOn(Region region) {
        RegionControlEntry e = entries.get(region);
        return e == null || e.isOn();
    }

    /** The weight the snapshot gives {@code region}, if any. */
    public OptionalInt weight(Region region) {
        RegionControlEntry e = entries.get(region);
        return e == null ? OptionalInt.empty() : e.weight();
    }

    /** This snapshot with {@code region}'s entry replaced (or added). */
    public RegionControlState with(Region region, RegionControlEntry entry) {
        Map<Region, RegionControlEntry> copy = new LinkedHashMap<>(entries);
        copy.put(Objects.requireNonNull(region, "region"), Objects.requireNonNull(entry, "entry"));
        return new RegionControlState(Collections.unmodifiableMap(copy));
    }

    /** The latest {@link RegionControlEntry#updatedAt()} of any entry. */
    public Optional<Instant> latestUpdate() {
        Instant latest = null;
        for (RegionControlEntry e : entries.values()) {
            Instant at = e.updatedAt().orElse(null);
            if (at != null && (latest == null || at.isAfter(latest))) {
                latest = at;
            }
        }
        return Optional.ofNullable(latest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegionControlState s && s.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
