package dev.meridian.core;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.settings.MeridianSettings;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * One region of the topology: its {@link Jurisdiction} (inferred from the region id when not given, see
 * {@link Jurisdiction#inferredFor}), priority (lower is preferred; defaults to declaration order), optional
 * weight (percent, for weighted routing) and optional endpoint override handed to client factories.
 * Immutable: the {@code jurisdiction(..)}, {@code priority(..)}, {@code weight(..)} and {@code endpoint(..)}
 * methods with an argument return a modified copy.
 */
@API(status = STABLE, since = "0.1")
public final class RegionSpec {
    static final int UNSET_PRIORITY = Integer.MIN_VALUE;

    private final Region region;
    private final Jurisdiction jurisdiction;
    private final int priority;
    private final int weight;
    private final @Nullable URI endpoint;

    private RegionSpec(Region region, Jurisdiction jurisdiction, int priority, int weight, @Nullable URI endpoint) {
        this.region = Objects.requireNonNull(region, "region");
        this.jurisdiction = Objects.requireNonNull(jurisdiction, "jurisdiction");
        this.priority = priority;
        this.weight = weight;
        this.endpoint = endpoint;
    }

    public static RegionSpec of(Region region) {
        Objects.requireNonNull(region, "region");
        return new RegionSpec(region, Jurisdiction.inferredFor(region), UNSET_PRIORITY, -1, null);
    }

    public static RegionSpec of(String regionId) {
        return of(Region.of(Objects.requireNonNull(regionId, "regionId")));
    }

    public Region region() {
        return region;
    }

    public Jurisdiction jurisdiction() {
        return jurisdiction;
    }

    public RegionSpec jurisdiction(Jurisdiction jurisdiction) {
        return new RegionSpec(region, Objects.requireNonNull(jurisdiction, "jurisdiction"), priority, weight, endpoint);
    }

    public RegionSpec jurisdiction(String jurisdiction) {
        return jurisdiction(Jurisdiction.of(jurisdiction));
    }

    /** Lower is preferred. Once in a built {@link MultiRegionConfig}, always set (declaration order by default). */
    public int priority() {
        return priority == UNSET_PRIORITY ? 0 : priority;
    }

    boolean hasPriority() {
        return priority != UNSET_PRIORITY;
    }

    public RegionSpec priority(int priority) {
        MeridianSettings.REGION_PRIORITY.check(priority, "RegionSpec.priority of " + region.id());
        return new RegionSpec(region, jurisdiction, priority, weight, endpoint);
    }

    /**
     * A copy with the priority the config gives a region that has none (its position, so never out of range): not
     * checked by {@code region.<region>.priority}'s rule, which would load the settings catalogue at start-up.
     */
    RegionSpec filledPriority(int position) {
        return new RegionSpec(region, jurisdiction, position, weight, endpoint);
    }

    /** Weight in percent for weighted routing; empty when not set. */
    public OptionalInt weight() {
        return weight < 0 ? OptionalInt.empty() : OptionalInt.of(weight);
    }

    public RegionSpec weight(int weight) {
        MeridianSettings.REGION_WEIGHT.check(weight, "RegionSpec.weight of " + region.id());
        return new RegionSpec(region, jurisdiction, priority, weight, endpoint);
    }

    /** Endpoint override for this region's clients (e.g. a local emulator or a VPC endpoint). */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public RegionSpec endpoint(URI endpoint) {
        return new RegionSpec(region, jurisdiction, priority, weight, Objects.requireNonNull(endpoint, "endpoint"));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RegionSpec)) {
            return false;
        }
        RegionSpec s = (RegionSpec) o;
        return region.equals(s.region) && jurisdiction.equals(s.jurisdiction) && priority == s.priority
                && weight == s.weight && Objects.equals(endpoint, s.endpoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(region, jurisdiction, priority, weight, endpoint);
    }

    @Override
    public String toString() {
        return region.id() + "[" + jurisdiction + ", priority " + priority()
                + (weight >= 0 ? ", weight " + weight : "") + (endpoint != null ? ", endpoint " + endpoint : "") + ']';
    }
}
