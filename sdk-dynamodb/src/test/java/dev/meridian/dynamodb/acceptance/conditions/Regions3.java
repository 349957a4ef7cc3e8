package dev.meridian.dynamodb.acceptance.conditions;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.RoutingStrategy;
import software.amazon.awssdk.regions.Region;

/** The three regions of sdk-dynamodb's README, eu-west-1 local and first. */
final class Regions3 {
    static final String LOCAL = "eu-west-1";
    static final String NEXT = "eu-central-1";
    static final String OUTSIDE = "us-east-1";
    static final String[] ALL = {LOCAL, NEXT, OUTSIDE};

    private Regions3() {
    }

    static MultiRegionConfig.Builder config() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").priority(2))
                .localRegion(Region.EU_WEST_1)
                .routing(RoutingStrategy.localFirst());
    }

    /**
     * Breakers that never open and no fast ejection: every try starts from a healthy eu-west-1, so the only decision
     * under test is where the call goes after this one failure.
     */
    static HealthConfig breakersThatStayClosed() {
        return HealthConfig.builder().slidingWindowSize(10_000).minimumNumberOfCalls(10_000).ejectAfterStalls(0)
                .build();
    }
}
