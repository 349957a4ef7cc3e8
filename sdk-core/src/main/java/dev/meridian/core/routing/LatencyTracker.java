package dev.meridian.core.routing;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.regions.Region;

/**
 * Observed latency per region, fed by the executor after every attempt: an exponentially weighted moving average
 * (and variance) of attempt durations. Used by {@link RoutingStrategy#latency()} and by adaptive hedging, whose
 * p95 is estimated as {@code mean + 1.645 σ}. Failed attempts are recorded with a penalty so that a region
 * failing fast does not look fast. Thread-safe; updates lock one region's stats only.
 */
public final class LatencyTracker {
    /** Latency recorded for a failed attempt when it failed faster than this. */
    public static final long FAILURE_PENALTY_NANOS = 1_000_000_000L;

    private final double alpha;
    private final ConcurrentHashMap<Region, Stats> stats = new ConcurrentHashMap<>();

    /** A tracker with smoothing factor 0.2 (the last ~10 samples dominate). */
    public LatencyTracker() {
        this(0.2);
    }

    public LatencyTracker(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("latency smoothing factor must be in (0, 1] but was " + alpha);
        }
        this.alpha = alpha;
    }

    public void record(Region region, long nanos) {
        Objects.requireNonNull(region, "region");
        stats.computeIfAbsent(region, r -> new Stats()).add(Math.max(0, nanos), alpha);
    }

    public void recordFailure(Region region, long nanos) {
        record(region, Math.max(nanos, FAILURE_PENALTY_NANOS));
    }

    /** The moving average in nanoseconds, or -1 when the region has no samples yet. */
    public long averageNanos(Region region) {
        Stats s = stats.get(region);
        return s == null ? -1 : s.mean();
    }

    /** The estimated 95th percentile in nanoseconds, or -1 when the region has no samples yet. */
    public long p95Nanos(Region region) {
        Stats s = stats.get(region);
        return s == null ? -1 : s.p95();
    }

    /** Forgets every sample (e.g. after a topology change). */
    public void reset() {
        stats.clear();
    }

    private static final class Stats {
        private double mean;
        private double variance;
        private boolean initialized;

        synchronized void add(long nanos, double alpha) {
            if (!initialized) {
                mean = nanos;
                variance = 0;
                initialized = true;
                return;
            }
            double diff = nanos - mean;
            double incr = alpha * diff;
            mean += incr;
            variance = (1 - alpha) * (variance + diff * incr);
        }

        synchronized long mean() {
            return (long) mean;
        }

        synchronized long p95() {
            return (long) (mean + 1.645 * Math.sqrt(variance));
        }
    }
}
