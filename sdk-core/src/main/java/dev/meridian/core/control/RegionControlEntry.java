package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.internal.SettingRules;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One region's control: its state, an optional routing weight (0..100) for the weighted strategy, and when and by
 * whom it was last changed (for the change-to-effect meter and for operators). Immutable.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class RegionControlEntry {
    private final ControlState state;
    private final @Nullable Integer weight;
    private final @Nullable Instant updatedAt;
    private final @Nullable String updatedBy;
    private final long version;

    private RegionControlEntry(ControlState state, @Nullable Integer weight, @Nullable Instant updatedAt,
            @Nullable String updatedBy, long version) {
        this.state = Objects.requireNonNull(state, "state");
        if (weight != null) {
            SettingRules.inRange(weight, 0, 100, "weight", "give a weight from 0 to 100");
        }
        this.weight = weight;
        this.updatedAt = updatedAt;
        this.updatedBy = updatedBy;
        this.version = version;
    }

    /** A state without weight or change information. */
    public static RegionControlEntry of(ControlState state) {
        return new RegionControlEntry(state, null, null, null, 0);
    }

    /** A state with an optional weight. */
    public static RegionControlEntry of(ControlState state, @Nullable Integer weight) {
        return new RegionControlEntry(state, weight, null, null, 0);
    }

    /** Every field, as the control table stores them; {@code version} 0 when the source has none. */
    public static RegionControlEntry of(ControlState state, @Nullable Integer weight, @Nullable Instant updatedAt,
            @Nullable String updatedBy, long version) {
        return new RegionControlEntry(state, weight, updatedAt, updatedBy, version);
    }

    public ControlState state() {
        return state;
    }

    public boolean isOn() {
        return state == ControlState.ON;
    }

    /** The routing weight, when the source gives one. */
    public OptionalInt weight() {
        return weight == null ? OptionalInt.empty() : OptionalInt.of(weight);
    }

    /** When the entry was last changed, when the source says. */
    public Optional<Instant> updatedAt() {
        return Optional.ofNullable(updatedAt);
    }

    /** Who changed the entry last, when the source says. */
    public Optional<String> updatedBy() {
        return Optional.ofNullable(updatedBy);
    }

    /** The writers' optimistic-locking version (0 when the source has none). */
    public long version() {
        return version;
    }

    /** The same entry in another state (change information kept). */
    public RegionControlEntry withState(ControlState newState) {
        return new RegionControlEntry(newState, weight, updatedAt, updatedBy, version);
    }

    /** Whether the state and weight are those of {@code other} (what routing sees; change information aside). */
    public boolean sameEffect(RegionControlEntry other) {
        return state == other.state && Objects.equals(weight, other.weight);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegionControlEntry e && state == e.state && Objects.equals(weight, e.weight)
                && Objects.equals(updatedAt, e.updatedAt) && Objects.equals(updatedBy, e.updatedBy)
                && version == e.version;
    }

    @Override
    public int hashCode() {
        return Objects.hash(state, weight, updatedAt, updatedBy, version);
    }

    @Override
    public String toString() {
        return state + (weight == null ? "" : " weight " + weight);
    }
}
