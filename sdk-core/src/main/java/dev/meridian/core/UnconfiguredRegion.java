package dev.meridian.core;

import dev.meridian.core.internal.SettingRules;
import java.util.Set;
import software.amazon.awssdk.regions.Region;

/**
 * The error for a region {@link RegionHealth} is asked about that is not configured. A class of its own, loaded only
 * by that mistake: kept off the first read (cold start).
 */
final class UnconfiguredRegion {
    private UnconfiguredRegion() {
    }

    /** The error for a region that is not configured (returned for the caller to throw). */
    static RuntimeException error(Set<Region> configured, Region region) {
        return SettingRules.invalid("region", "must be one of the configured regions " + configured,
                SettingRules.quoted(region), "name a configured region");
    }
}
