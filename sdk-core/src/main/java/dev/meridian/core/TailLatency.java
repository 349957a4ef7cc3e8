package dev.meridian.core;

import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.regions.Region;

/**
 * A streaming estimate, per region, of the attempt latency at quantile {@code q}: the adaptive hedge delay. It moves
 * up by {@code up} (in log space) on a sample above it and down by {@code down} on one at or below it, with
 * {@code up / down = q / (1 − q)}, so it settles where a share {@code 1 − q} of attempts is slower. Hedging after it
 * hedges that share of calls: the slowest ones, which is where the budget buys the most tail.
 *
 * <p>It only needs to know whether a sample is above or below it, which makes the attempts the executor abandons
 * usable: a first attempt cancelled because its hedge won, or that timed out, after {@code t} took at least
 * {@code t} ({@link #recordAtLeast}); as the hedge delay is never below the estimate, such an attempt is always
 * above it, as it should be. (A mean or a histogram of finished attempts would only ever see the attempts fast
 * enough to win.) The larger step is at most {@value #MAX_STEP}, so one sample moves the estimate by at most about a
 * fifth. Thread-safe; updates lock one region's estimate only.
 */
final class TailLatency {
    /** The larger of the two log-space steps. */
    static final double MAX_STEP = 0.19;
    private static final double DOWN_STEP = 0.01;

    private final double up;
    private final double down;
    private final ConcurrentHashMap<Region, Estimate> estimates = new ConcurrentHashMap<>();

    /** An estimate of quantile {@code q}, in (0, 1). */
    TailLatency(double q) {
        double ratio = q / (1 - q);
        if (DOWN_STEP * ratio <= MAX_STEP) {
            this.down = DOWN_STEP;
            this.up = DOWN_STEP * ratio;
        } else {
            this.up = MAX_STEP;
            this.down = MAX_STEP / ratio;
        }
    }

    /** A finished attempt of {@code nanos}. */
    void record(Region region, long nanos) {
        estimates.computeIfAbsent(region, r -> new Estimate()).add(nanos, false);
    }

    /** An attempt abandoned (or failed) after {@code nanos}: it would have taken at least that long. */
    void recordAtLeast(Region region, long nanos) {
        estimates.computeIfAbsent(region, r -> new Estimate()).add(nanos, true);
    }

    /** The estimate in nanoseconds, or -1 while the region has no samples. */
    long nanos(Region region) {
        Estimate e = estimates.get(region);
        return e == null ? -1 : e.nanos();
    }

    /** Forgets every sample. */
    void reset() {
        estimates.clear();
    }

    private final class Estimate {
        private double log;
        private boolean initialized;

        synchronized void add(long nanos, boolean atLeast) {
            double sample = Math.log(Math.max(1, nanos));
            if (!initialized) {
                log = sample;
                initialized = true;
            } else if (sample > log) {
                log += up;
            } else if (!atLeast) {
                // An abandoned attempt below the estimate says nothing: it might have been slower.
                log -= down;
            }
        }

        synchronized long nanos() {
            return (long) Math.exp(log);
        }
    }
}
