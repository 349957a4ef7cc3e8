package dev.meridian.core;

import dev.meridian.core.internal.Metrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * Logs (and meters) the changes of a region's health: drains and undrains, breaker transitions. A class of its own,
 * loaded only at the first such change: kept off the first read (cold start).
 */
final class HealthTransitions {
    private static final Logger LOG = LoggerFactory.getLogger(RegionHealth.class);

    private HealthTransitions() {
    }

    /** Logs that a region was drained ({@code drained}) or undrained. */
    static void drained(Region region, boolean drained) {
        if (drained) {
            LOG.info("Region {} drained: removed from routing plans", region.id());
        } else {
            LOG.info("Region {} undrained: back in routing plans", region.id());
        }
    }

    /** Logs and meters a transition of a region's breaker or a region × resource one. */
    static void changed(Metrics metrics, WatchedBreaker breaker, CircuitBreaker.State from, CircuitBreaker.State to) {
        if (breaker.resource() == null) {
            LOG.info("Circuit breaker for region {}: {} -> {}", breaker.region().id(), from, to);
        } else {
            LOG.info("Circuit breaker for region {}, resource {}: {} -> {}", breaker.region().id(),
                    breaker.resource(), from, to);
        }
        metrics.breakerTransition(breaker.region(), from.name(), to.name());
    }
}
