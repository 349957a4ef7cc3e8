package dev.meridian.aurora.datasource;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.RoutingStrategy;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import software.amazon.awssdk.regions.Region;

/** The three simulated regions used across tests: two in the EU, one in the US. */
final class TestRegions {
    static final Region EU_WEST = Region.EU_WEST_1;
    static final Region EU_CENTRAL = Region.EU_CENTRAL_1;
    static final Region US_EAST = Region.US_EAST_1;

    private TestRegions() {
    }

    static MultiRegionConfig config(Region local) {
        return config(local, HealthConfig.defaults());
    }

    static MultiRegionConfig config(Region local, HealthConfig health) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(EU_CENTRAL).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(US_EAST).jurisdiction("US").priority(2))
                .localRegion(local)
                .routing(RoutingStrategy.localFirst())
                .health(health)
                .build();
    }

    static MultiRegion multiRegion(Region local) {
        return MultiRegion.builder(config(local)).build();
    }

    static MultiRegion multiRegion(Region local, MeterRegistry registry) {
        return MultiRegion.builder(config(local)).meterRegistry(registry).build();
    }

    /**
     * Breakers that open after two failures out of the last two connection attempts and let one trial through after
     * {@code waitInOpenState}, so tests see them open within a few calls.
     */
    static HealthConfig touchyBreakers(Duration waitInOpenState) {
        return HealthConfig.builder().slidingWindowSize(2).minimumNumberOfCalls(2).failureRateThreshold(50)
                .waitInOpenState(waitInOpenState).permittedCallsInHalfOpenState(1).build();
    }
}
