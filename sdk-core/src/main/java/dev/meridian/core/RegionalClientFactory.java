package dev.meridian.core;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Builds the client of one region, given its {@link RegionSpec} (jurisdiction, endpoint override). Called at most
 * once per region, lazily, on the first call routed there; may be called from any thread.
 *
 * <pre>{@code
 * (region, spec) -> {
 *     DynamoDbClientBuilder b = DynamoDbClient.builder().region(region)
 *             .overrideConfiguration(RegionalClientDefaults.overrideConfiguration());
 *     spec.endpoint().ifPresent(b::endpointOverride);
 *     return b.build();
 * }
 * }</pre>
 */
@API(status = STABLE, since = "0.1")
@FunctionalInterface
public interface RegionalClientFactory<C> {
    C create(Region region, RegionSpec spec);
}
