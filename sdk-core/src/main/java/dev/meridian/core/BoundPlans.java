package dev.meridian.core;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingStrategy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The {@link Router}'s plans of operations bound to regions: a {@link Operation#homeOnly()} operation's home, an
 * operation whose resource exists only in some regions ({@link Operation#within()}). A class of its own, loaded only
 * when such an operation is planned: kept off the first read (cold start).
 */
final class BoundPlans {
    private BoundPlans() {
    }

    /**
     * The single-region plan of a {@link Operation#homeOnly()} operation: residency decides whether its home may be
     * used (never which region is home), health only whether it runs now.
     */
    static RoutingPlan homePlan(Router router, Operation op, RoutingContext ctx, Optional<Jurisdiction> subject,
            Set<Region> allowed, boolean residencyLimited, @Nullable String resource) {
        Region home = home(router, op, ctx, allowed);
        if (!allowed.contains(home)) {
            throw router.refuse(op, ctx, "its home region " + home + " is outside the allowed regions " + allowed
                    + "; the operation is pinned to its home region (Operation.homeOnly) and never moves", null);
        }
        RegionHealth health = router.health();
        boolean available = !ctx.excludedRegions().contains(home) && router.controlOn(home)
                && (resource == null ? health.isAvailable(home) : health.isAvailable(home, resource));
        if (!available) {
            throw new NoRegionAvailableException("Home region " + home + " of " + op.name()
                    + " is drained, switched OFF by the region control, behind an open circuit breaker or excluded;"
                    + " the operation is pinned to its"
                    + " home region (Operation.homeOnly) and does not move to another region");
        }
        return RoutingPlan.of(List.of(home), allowed, residencyLimited, ctx.dataClass(), subject.orElse(null));
    }

    /** See {@link Router#home}. */
    static Region home(Router router, Operation op, RoutingContext ctx, Set<Region> allowed) {
        MultiRegionConfig config = router.config();
        Set<Region> pool = op.within().orElse(allowed);
        List<Region> eligible = new ArrayList<>(pool.size());
        for (Region r : config.regionsByPriority()) {
            if (pool.contains(r)) {
                eligible.add(r);
            }
        }
        if (eligible.isEmpty()) {
            throw new NoRegionAvailableException(op.name() + " has no configured region to be homed in: it exists only"
                    + " in " + pool + ", the configured regions are " + config.regionList());
        }
        RoutingStrategy strategy = op.strategy().orElse(config.routing());
        List<Region> ordered = eligible.size() == 1 ? eligible : strategy.order(eligible, router.request(op, ctx));
        return ordered.stream().filter(eligible::contains).findFirst()
                .orElseThrow(() -> new NoRegionAvailableException("Routing strategy " + strategy.name()
                        + " returned no home region for " + op.name() + " out of " + eligible));
    }

    /** The allowed regions the operation's resource exists in; fails closed when there is none. */
    static Set<Region> within(Router router, Operation op, RoutingContext ctx, Set<Region> allowed,
            boolean residencyLimited) {
        Set<Region> bound = op.within().get();
        if (bound.containsAll(allowed)) {
            return allowed;
        }
        Set<Region> both = new LinkedHashSet<>(allowed);
        both.retainAll(bound);
        if (both.isEmpty()) {
            String reason = op.resource().map(r -> "resource " + r).orElse("the operation") + " exists only in "
                    + bound + ", none of them allowed " + allowed;
            if (residencyLimited) {
                throw router.refuse(op, ctx, reason, null);
            }
            throw new NoRegionAvailableException("No region can take " + op.name() + ": " + reason);
        }
        return both;
    }
}
