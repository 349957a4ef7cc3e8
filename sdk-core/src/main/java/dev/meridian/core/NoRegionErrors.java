package dev.meridian.core;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingStrategy;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The errors for a call no region can take now, as the {@link Router} plans it or once every planned region failed
 * in the {@link RegionalExecutor}: an outage, not a residency refusal ({@link ResidencyRefusals}), so that callers tell
 * the two apart. A class of its own, loaded only when a call finds no region: kept off the first read (cold start).
 * Returned for the caller to throw, so that verifying the router or the executor loads no exception class.
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

    /**
     * The failure of a call whose planned regions all failed. Never a residency refusal: every region tried was
     * allowed, so callers can tell this outage from a policy refusal.
     */
    static Throwable exhausted(Operation op, RoutingPlan plan, Throwable last,
            @Nullable List<Throwable> earlier) {
        Throwable carrier = last;
        if (last instanceof CallNotPermittedException) {
            // A breaker that opened after planning is Meridian's decision, not the service's: say so in our own
            // type. It also carries the earlier failures: Resilience4j's exception does not record suppressed ones.
            carrier = new NoRegionAvailableException("No region could take " + op.name() + ": the regions planned "
                    + plan.regions() + " failed or are behind an open circuit breaker", last);
        }
        if (earlier != null) {
            for (Throwable e : earlier) {
                if (e != carrier) {
                    carrier.addSuppressed(e);
                }
            }
        }
        return carrier;
    }
}
