package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.internal.SettingRules;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Observed latency per region, fed by the executor after every attempt. Two estimates:
 * <ul>
 *   <li>the {@linkplain #averageNanos mean}: an exponentially weighted moving average of attempt durations, used by
 *       {@link RoutingStrategy#latency()};</li>
 *   <li>the {@linkplain #p95Nanos p95}, used by adaptive hedging: a streaming quantile estimate that moves up by
 *       0.19 (in log space) on a sample above it and down by 0.01 on one below it, so it
 *       settles where 5 % of attempts are slower. It needs only to know whether a sample is above or below it, which
 *       is what makes abandoned attempts usable: an attempt cancelled as a hedge loser or timed out after {@code t}
 *       took at least {@code t} ({@link #recordAbandoned}), and a mean-plus-deviation estimate of a bimodal
 *       distribution (most calls fast, a few very slow) lands below the slow mode, hedging every slow call.</li>
 * </ul>
 * Failed attempts are recorded with a penalty so that a region failing fast does not look fast. Thread-safe; updates
 * lock one region's stats only.
 */
@API(status = INTERNAL, since = "0.1")
public final class LatencyTracker {
    /** Latency recorded for a failed attempt when it failed faster than this. */
    public static final long FAILURE_PENALTY_NANOS = 1_000_000_000L;
    /** Log-space step of the p95 estimate on a sample above it; 19 times the down step targets the 95th. */
    static final double UP_STEP = 0.19;
    /** Log-space step of the p95 estimate on a sample at or below it. */
    static final double DOWN_STEP = 0.01;
    /**
     * The steps as factors of the estimate kept in nanoseconds: {@code log(x) > log(p)} is {@code x > p}, so a sample
     * needs no logarithm (tens of nanoseconds on every attempt's path).
     */
    private static final double UP_FACTOR = Math.exp(UP_STEP);
    private static final double DOWN_FACTOR = Math.exp(-DOWN_STEP);

    private final double alpha;
    private final ConcurrentHashMap<Region, Stats> stats = new ConcurrentHashMap<>();

    /** A tracker with smoothing factor 0.2 (the last ~10 samples dominate). */
    public LatencyTracker() {
        this(0.2);
    }

    public LatencyTracker(double alpha) {
        SettingRules.check(alpha > 0 && alpha <= 1, "LatencyTracker smoothing factor", "must be in (0, 1]", alpha,
                "pass a factor such as 0.2 (the default)");
        this.alpha = alpha;
    }

    public void record(Region region, long nanos) {
        Objects.requireNonNull(region, "region");
        stats.computeIfAbsent(region, r -> new Stats()).add(Math.max(0, nanos), alpha);
    }

    public void recordFailure(Region region, long nanos) {
        record(region, Math.max(nanos, FAILURE_PENALTY_NANOS));
    }

    /**
     * Records an attempt abandoned after {@code nanos} (a hedge loser cancelled, a timeout): it would have taken at
     * least that long. It raises the estimates when it is above them and says nothing otherwise.
     */
    public void recordAbandoned(Region region, long nanos) {
        Objects.requireNonNull(region, "region");
        stats.computeIfAbsent(region, r -> new Stats()).addAtLeast(Math.max(0, nanos), alpha);
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
        /** The p95 estimate in nanoseconds (at least 1), moved by the log-space steps as factors. */
        private double p95;
        private boolean initialized;

        synchronized void add(long nanos, double alpha) {
            long sample = Math.max(1, nanos);
            if (!initialized) {
                mean = nanos;
                p95 = sample;
                initialized = true;
                return;
            }
            mean += alpha * (nanos - mean);
            p95 *= sample > p95 ? UP_FACTOR : DOWN_FACTOR;
        }

        synchronized void addAtLeast(long nanos, double alpha) {
            if (!initialized) {
                add(nanos, alpha);
                return;
            }
            if (nanos > mean) {
                mean += alpha * (nanos - mean);
            }
            if (Math.max(1, nanos) > p95) {
                p95 *= UP_FACTOR;
            }
        }

        synchronized long mean() {
            return (long) mean;
        }

        synchronized long p95() {
            return (long) p95;
        }
    }
}
