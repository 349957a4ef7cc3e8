package dev.meridian.core;

import dev.meridian.core.control.RegionControl;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.routing.LatencyTracker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * {@link MultiRegion}'s health view of a region and its refusal of an unconfigured one. Loaded only by those: kept off
 * the first read (cold start).
 */
final class RuntimeViews {
    private RuntimeViews() {
    }

    static RegionStatus status(MultiRegionConfig config, RegionHealth health, LatencyTracker latency,
            @Nullable RegionControl control, Region region) {
        long avg = latency.averageNanos(region);
        long p95 = latency.p95Nanos(region);
        Jurisdiction jurisdiction = Objects.requireNonNull(config.jurisdictions().get(region), "jurisdiction");
        return RegionStatus.of(region, jurisdiction, breakerState(health.state(region)),
                health.isDrained(region), health.isAvailable(region) && (control == null || control.isOn(region)),
                health.isSuspect(region), avg < 0 ? null : Duration.ofNanos(avg), p95 < 0 ? null : Duration.ofNanos(p95));
    }

    /** The error for a region {@code config} does not name (returned as {@link RuntimeException}: the caller throws). */
    static RuntimeException notConfigured(MultiRegionConfig config, Region region) {
        return SettingRules.invalid("region", "must be one of the configured regions " + config.regionList(),
                SettingRules.quoted(region.id()), "pass a configured region");
    }

    private static RegionStatus.BreakerState breakerState(CircuitBreaker.State state) {
        switch (state) {
            case CLOSED:
                return RegionStatus.BreakerState.CLOSED;
            case OPEN:
                return RegionStatus.BreakerState.OPEN;
            case HALF_OPEN:
                return RegionStatus.BreakerState.HALF_OPEN;
            default:
                return RegionStatus.BreakerState.OTHER;
        }
    }
}
