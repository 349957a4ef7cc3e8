package dev.meridian.core;

import dev.meridian.core.internal.Metrics;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The {@link Router}'s residency refusals: a call no allowed region can take, a call with no declared context where
 * one is required, a store whose replicas reach outside the allowed regions. A class of its own, loaded only when a
 * call is refused or a footprint matters: kept off the first read (cold start). Errors are returned as
 * {@link RuntimeException} for the router to throw, so that verifying the router loads no exception class.
 */
final class ResidencyRefusals {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private ResidencyRefusals() {
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
