package dev.meridian.core;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyViolationException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The {@link Router}'s paths a plain call does not take: refusals and outages, home-only plans, operations bound to
 * some regions, replica footprints. Loaded only when one is taken: kept off the first read (cold start). Errors are
 * returned as {@link RuntimeException} for the router to throw, so that verifying the router loads no exception class.
 */
final class RouterRarePaths {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private RouterRarePaths() {
    }

    /** Counts, logs and builds a residency refusal for a call no allowed region can take. */
    static ResidencyViolationException refuse(Optional<Jurisdiction> subject, Metrics metrics, Operation op,
            RoutingContext ctx, String reason, @Nullable Throwable cause) {
        String jurisdiction = subject.map(Jurisdiction::name).orElse("unknown");
        metrics.residencyRefused(ctx.dataClass().name(), jurisdiction);
        LOG.warn("Residency refused {} for data class {} and subject jurisdiction {}: {}", op.name(),
                ctx.dataClass(), jurisdiction, reason);
        String unmapped = "";
        if (subject.isEmpty() && ctx.subjectCountry().isPresent()) {
            String country = ctx.subjectCountry().get();
            unmapped = " (subject country " + country + " is unmapped: no jurisdiction is configured for it; map it"
                    + " with MERIDIAN_RESIDENCY_COUNTRY_" + country + " / meridian.residency.country." + country
                    + ", or give the context a subjectJurisdiction)";
        }
        return new ResidencyViolationException("Refused " + op.name() + " for " + ctx.dataClass()
                + " data of subject jurisdiction " + jurisdiction + unmapped + ": " + reason, ctx.dataClass(),
                subject.orElse(null), cause);
    }

    /** {@link #refuse} without a cause, typed for the router's throw sites. */
    static RuntimeException refusal(Optional<Jurisdiction> subject, Metrics metrics, Operation op, RoutingContext ctx,
            String reason) {
        return refuse(subject, metrics, op, ctx, reason, null);
    }

    /** The refusal of a call made under no declared context while one is required. */
    static RuntimeException contextRequired(Router router, Operation op) {
        return router.refuse(op, RoutingContext.empty(), "no RoutingContext declaring a data class or a data subject"
                + " is open and meridian.require-context (MERIDIAN_REQUIRE_CONTEXT) is true; open one with"
                + " RoutingContext.builder()...open(), or send the request's routing headers", null);
    }

    static RuntimeException noneAvailable(Operation op, boolean residencyLimited, Set<Region> allowed,
            List<Region> byPriority, @Nullable String resource) {
        return new NoRegionAvailableException("No region is available for " + op.name() + ": every region "
                + (residencyLimited ? "residency allows (" + allowed + ")" : "of " + byPriority)
                + " is drained, switched OFF by the region control, behind an open circuit breaker"
                + (resource == null ? "" : " (of the region or of resource " + resource + ")") + " or excluded");
    }

    static RuntimeException noCandidate(RoutingStrategy strategy, Operation op, List<Region> candidates) {
        return new NoRegionAvailableException("Routing strategy " + strategy.name()
                + " returned no candidate region for " + op.name() + " out of " + candidates);
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

    /** Refuses a store whose replica footprint reaches outside {@code allowed}. */
    static void checkFootprint(Router router, Operation op, RoutingContext ctx, Set<Region> allowed,
            Set<Region> replicaFootprint) {
        List<Region> outside = new ArrayList<>();
        for (Region r : replicaFootprint) {
            if (!allowed.contains(r)) {
                outside.add(r);
            }
        }
        if (!outside.isEmpty()) {
            throw router.refuse(op, ctx, "the store replicates to " + outside + " outside the allowed regions "
                    + allowed, null);
        }
    }
}
