package dev.meridian.core;

import dev.meridian.core.execution.HedgingConfig;
import software.amazon.awssdk.regions.Region;

/**
 * The three-region topology most tests use: eu-west-1 (local), eu-central-1, us-east-1. Without hedging (reads are
 * hedged by default): the failover loop's tests see one attempt at a time on the caller's thread unless they turn
 * hedging on themselves; the default is exercised by {@code HedgedReadsIT} and {@code FastEjectionIT}.
 */
public final class TestTopology {
    public static final Region EU_WEST = Region.EU_WEST_1;
    public static final Region EU_CENTRAL = Region.EU_CENTRAL_1;
    public static final Region US_EAST = Region.US_EAST_1;

    private TestTopology() {
    }

    public static MultiRegionConfig.Builder threeRegions() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(EU_CENTRAL).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(US_EAST).jurisdiction("US").priority(2))
                .localRegion(EU_WEST)
                .hedging(HedgingConfig.disabled())
                .environment(name -> null);
    }
}
