package dev.meridian.core.health;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Optional active health check of one region (e.g. a cheap {@code DescribeEndpoints} or {@code SELECT 1}).
 * Called by the region health monitor on a schedule only when configured in {@link HealthConfig}; must be thread-safe
 * and should return quickly. A {@code false} result or an exception counts as a failed probe.
 */
@API(status = STABLE, since = "0.1")
@FunctionalInterface
public interface ProbeHook {
    boolean probe(Region region) throws Exception;
}
