package dev.meridian.core;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingStrategy;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The {@link Router}'s errors for a call no region can take now: an outage, not a residency refusal
 * ({@link ResidencyRefusals}), so that callers tell the two apart. A class of its own, loaded only when planning
 * finds no region: kept off the first read (cold start). Returned as {@link RuntimeException} for the router to
 * throw, so that verifying the router loads no exception class.
 */
final class NoRegionErrors {
    private NoRegionErrors() {
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
}
