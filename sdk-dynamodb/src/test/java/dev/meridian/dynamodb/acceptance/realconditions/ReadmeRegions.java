package dev.meridian.dynamodb.acceptance.realconditions;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.routing.RoutingStrategy;
import software.amazon.awssdk.regions.Region;

/** The README's three regions, eu-west-1 and eu-central-1 in the EU, us-east-1 in the US. */
final class ReadmeRegions {
    private ReadmeRegions() {
    }

    /** Local first from {@code local}, with the documented defaults: hedging on, breakers as configured by default. */
    static MultiRegionConfig.Builder documented(Region local) {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US"))
                .localRegion(local).routing(RoutingStrategy.localFirst())
                .hedging(HedgingConfig.defaults());
    }
}
