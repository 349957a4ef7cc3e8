package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The ordered regions one call may use: the first is tried first, the rest in order on failover or hedging.
 * Every region in it is allowed by residency and was available when the plan was made. Immutable.
 */
@API(status = STABLE, since = "0.1")
public final class RoutingPlan {
    private final List<Region> regions;
    private final Set<Region> allowed;
    private final boolean residencyLimited;
    private final DataClass dataClass;
    private final @Nullable Jurisdiction jurisdiction;

    private RoutingPlan(List<Region> regions, Set<Region> allowed, boolean residencyLimited, DataClass dataClass,
            @Nullable Jurisdiction jurisdiction) {
        this.regions = List.copyOf(regions);
        this.allowed = allowed;
        this.residencyLimited = residencyLimited;
        this.dataClass = dataClass;
        this.jurisdiction = jurisdiction;
    }

    /**
     * A plan: {@code regions} in the order to try, {@code allowed} every region residency allows, {@code
     * residencyLimited} whether residency excluded a configured region, {@code jurisdiction} the subject's
     * ({@code null} when unknown).
     */
    public static RoutingPlan of(List<Region> regions, Set<Region> allowed, boolean residencyLimited,
            DataClass dataClass, @Nullable Jurisdiction jurisdiction) {
        Objects.requireNonNull(regions, "regions");
        SettingRules.check(!regions.isEmpty(), "RoutingPlan regions", "must name at least one region", regions,
                "pass the regions to try, in order");
        return new RoutingPlan(regions, Set.copyOf(allowed), residencyLimited,
                Objects.requireNonNull(dataClass, "dataClass"), jurisdiction);
    }

    /** A plan over exactly these regions (no residency limit); for tests and custom executors. */
    public static RoutingPlan of(List<Region> regions) {
        return new RoutingPlan(regions, Set.copyOf(regions), false, DataClass.INTERNAL, null);
    }

    /** The regions in the order to try; never empty. */
    public List<Region> regions() {
        return regions;
    }

    public Region first() {
        return regions.get(0);
    }

    /** Every region residency allows for this call (healthy or not). */
    public Set<Region> allowed() {
        return allowed;
    }

    /**
     * True when residency excluded at least one configured region. Exhausting such a plan is an outage of the allowed
     * regions, reported as the regional failure, not as a residency refusal (the call never left them).
     */
    public boolean residencyLimited() {
        return residencyLimited;
    }

    public DataClass dataClass() {
        return dataClass;
    }

    public Optional<Jurisdiction> jurisdiction() {
        return Optional.ofNullable(jurisdiction);
    }

    @Override
    public String toString() {
        return "RoutingPlan" + regions;
    }
}
