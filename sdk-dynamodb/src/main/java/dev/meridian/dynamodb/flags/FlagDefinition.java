package dev.meridian.dynamodb.flags;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * One flag as the control table holds it (item {@code pk = "flag#<name>"}), and how it is evaluated:
 * <ol>
 *   <li>the override for the region ({@code regions[<region-id>]}) if there is one, else the global default
 *       {@code enabled}; false ends here;</li>
 *   <li>without a rollout the flag is on;</li>
 *   <li>with a rollout of {@code p} percent it is on for the subjects whose bucket is below {@code p}
 *       (see {@link Flags} for the hash); a call without a subject gets it only at 100 %.</li>
 * </ol>
 * Immutable value.
 *
 * @param name           the flag's name (the item key without {@code flag#})
 * @param enabled        the global default
 * @param regions        per-region overrides, region id to on/off
 * @param rolloutPercent the share of subjects (0..100) the flag is on for where it is enabled; empty for everyone
 * @param version        the item's {@code version} (0 when absent)
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record FlagDefinition(String name, boolean enabled, Map<String, Boolean> regions, OptionalDouble rolloutPercent,
        long version) {
    /** Copies the overrides and checks the rollout is a percentage. */
    public FlagDefinition {
        Objects.requireNonNull(name, "name");
        regions = Map.copyOf(Objects.requireNonNull(regions, "regions"));
        Objects.requireNonNull(rolloutPercent, "rolloutPercent");
        if (rolloutPercent.isPresent() && !(rolloutPercent.getAsDouble() >= 0 && rolloutPercent.getAsDouble() <= 100)) {
            throw new IllegalArgumentException("rolloutPercent of flag '" + name + "' must be in 0..100, was "
                    + rolloutPercent.getAsDouble() + "; write a percentage to the flag item");
        }
    }

    /** Whether the flag is on in {@code region} for {@code subjectId} (null: no subject), as described above. */
    public boolean enabledIn(Region region, @Nullable String subjectId) {
        if (!regions.getOrDefault(region.id(), enabled)) {
            return false;
        }
        if (rolloutPercent.isEmpty()) {
            return true;
        }
        double percent = rolloutPercent.getAsDouble();
        return subjectId == null ? percent >= 100 : Rollout.includes(name, subjectId, percent);
    }
}
