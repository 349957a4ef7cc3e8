package dev.meridian.cli;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One region's control state as the control plane holds it.
 *
 * @param region    the region id
 * @param on        ON (serves) or OFF (drained fleet-wide)
 * @param weight    its weight (0..100) for the weighted strategy, or null for none
 * @param version   the stored item's {@code version} (0 when not stored); the next write is conditioned on it
 * @param stored    whether the control plane holds an item for it (a region without one counts as ON)
 * @param updatedAt when it was last written (ISO-8601), or null
 * @param updatedBy who wrote it last, or null
 */
record RegionState(String region, boolean on, @Nullable Integer weight, long version, boolean stored,
        @Nullable String updatedAt, @Nullable String updatedBy) {

    /** A region the control plane holds nothing for: ON, no weight. */
    static RegionState unstored(String region) {
        return new RegionState(region, true, null, 0, false, null, null);
    }

    RegionState withOn(boolean on) {
        return new RegionState(region, on, weight, version, stored, updatedAt, updatedBy);
    }

    RegionState withWeight(@Nullable Integer weight) {
        return new RegionState(region, on, weight, version, stored, updatedAt, updatedBy);
    }

    /** Whether {@code other} sets the same state and weight (what a write would change). */
    boolean sameSetting(@Nullable RegionState other) {
        return other != null && on == other.on && Objects.equals(weight, other.weight);
    }

    String describe() {
        return (on ? "ON" : "OFF") + (weight == null ? "" : " weight " + weight);
    }
}
