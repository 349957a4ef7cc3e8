package dev.meridian.core.health;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.residency.Jurisdiction;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * A point-in-time view of one configured region's health, as routing sees it: its jurisdiction, the state of its
 * circuit breaker, whether it is drained, whether calls may be planned there now, whether it is suspect, and its
 * observed latency. For health endpoints and dashboards; immutable.
 */
@API(status = STABLE, since = "0.1")
public final class RegionStatus {
    /** The state of a region's circuit breaker, as routing reads it. */
    public enum BreakerState {
        /** Calls flow; failures are being counted. */
        CLOSED,
        /** Calls are refused until the wait in the open state elapses. */
        OPEN,
        /** A few trial calls decide whether the breaker closes again. */
        HALF_OPEN,
        /** Any other state of the underlying breaker (disabled, forced open, metrics only). */
        OTHER
    }

    private final Region region;
    private final Jurisdiction jurisdiction;
    private final BreakerState breaker;
    private final boolean drained;
    private final boolean available;
    private final boolean suspect;
    private final @Nullable Duration latencyAverage;
    private final @Nullable Duration latencyP95;

    private RegionStatus(Region region, Jurisdiction jurisdiction, BreakerState breaker, boolean drained,
            boolean available, boolean suspect, @Nullable Duration latencyAverage, @Nullable Duration latencyP95) {
        this.region = Objects.requireNonNull(region, "region");
        this.jurisdiction = Objects.requireNonNull(jurisdiction, "jurisdiction");
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.drained = drained;
        this.available = available;
        this.suspect = suspect;
        this.latencyAverage = latencyAverage;
        this.latencyP95 = latencyP95;
    }

    /**
     * A status; {@code latencyAverage} and {@code latencyP95} are {@code null} when no call was measured yet.
     */
    public static RegionStatus of(Region region, Jurisdiction jurisdiction, BreakerState breaker, boolean drained,
            boolean available, @Nullable Duration latencyAverage, @Nullable Duration latencyP95) {
        return new RegionStatus(region, jurisdiction, breaker, drained, available, false, latencyAverage, latencyP95);
    }

    /**
     * A status that also says whether the region is {@linkplain #suspect() suspect}; {@code latencyAverage} and
     * {@code latencyP95} are {@code null} when no call was measured yet.
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static RegionStatus of(Region region, Jurisdiction jurisdiction, BreakerState breaker, boolean drained,
            boolean available, boolean suspect, @Nullable Duration latencyAverage, @Nullable Duration latencyP95) {
        return new RegionStatus(region, jurisdiction, breaker, drained, available, suspect, latencyAverage,
                latencyP95);
    }

    public Region region() {
        return region;
    }

    public Jurisdiction jurisdiction() {
        return jurisdiction;
    }

    public BreakerState breaker() {
        return breaker;
    }

    /** Whether an operator took the region out of routing plans. */
    public boolean drained() {
        return drained;
    }

    /** Whether calls may be planned to the region now (not drained, breaker lets calls through). */
    public boolean available() {
        return available;
    }

    /**
     * Whether the region is suspect: its circuit breaker is still closed, but a run of hedged reads it left unanswered
     * while another region answered them ({@code HealthConfig.ejectAfterStalls} in a row) makes reads, and writes that
     * have another region to go to, start elsewhere until a detached trial read either answers within the hedge delay
     * (the suspicion is cleared) or does not (the breaker opens). Also true when one of the region's resource breakers
     * ({@code HealthConfig.perResourceBreakers}) is suspect. Metered as {@code meridian.region.suspicion}.
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public boolean suspect() {
        return suspect;
    }

    /** The moving average latency of calls there (failures count as slow), if any was measured. */
    public Optional<Duration> latencyAverage() {
        return Optional.ofNullable(latencyAverage);
    }

    /** The estimated 95th percentile latency there, if any call was measured. */
    public Optional<Duration> latencyP95() {
        return Optional.ofNullable(latencyP95);
    }

    @Override
    public String toString() {
        return "RegionStatus[" + region.id() + ' ' + jurisdiction + " breaker=" + breaker
                + (suspect ? " suspect" : "") + (drained ? " drained" : "") + (available ? " available" : " unavailable") + ']';
    }
}
