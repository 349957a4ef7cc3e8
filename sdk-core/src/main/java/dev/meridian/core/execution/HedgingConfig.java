package dev.meridian.core.execution;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Hedged reads: when a READ has not answered after a delay, the same read is also sent to the next region of its
 * plan; the first success wins and the other attempt is cancelled. The delay is fixed, or adaptive: the first
 * region's observed p95 latency (attempts abandoned as hedge losers or timed out count as slow samples, so the
 * estimate follows the real p95 and not only the calls that finished), never below a floor. Disabled by default;
 * enabling it makes the runtime create daemon threads on demand: one timer, and workers that run the attempts of
 * synchronous hedged reads (at most {@link #maxWorkers()}, default {@value #DEFAULT_MAX_WORKERS}; idle workers exit
 * after 60 s). When every worker is busy a synchronous read runs on the caller's thread without a hedge rather than
 * queueing. {@code MultiRegion.close()} stops them. Immutable and thread-safe.
 *
 * <p>A hedge is one of the call's {@code maxRegionsPerCall} regional attempts, never an extra one: hedging does not
 * raise a call's request budget (see {@code MultiRegionConfig.maxRegionsPerCall}).
 */
@API(status = STABLE, since = "0.1")
public final class HedgingConfig {
    /** Default bound of the hedge worker threads. */
    public static final int DEFAULT_MAX_WORKERS = 128;
    private static final HedgingConfig DISABLED = new HedgingConfig(false, null, false, DEFAULT_MAX_WORKERS);

    private final boolean enabled;
    private final @Nullable Duration delay;
    private final boolean adaptive;
    private final int maxWorkers;

    private HedgingConfig(boolean enabled, @Nullable Duration delay, boolean adaptive, int maxWorkers) {
        this.enabled = enabled;
        this.delay = delay;
        this.adaptive = adaptive;
        this.maxWorkers = maxWorkers;
    }

    public static HedgingConfig disabled() {
        return DISABLED;
    }

    /** Hedge after a fixed delay. */
    public static HedgingConfig fixed(Duration delay) {
        return new HedgingConfig(true, check(delay, "HedgingConfig.fixed delay"), false, DEFAULT_MAX_WORKERS);
    }

    /** Hedge after the region's observed p95 latency, but never sooner than {@code floor}. */
    public static HedgingConfig adaptive(Duration floor) {
        return new HedgingConfig(true, check(floor, "HedgingConfig.adaptive floor"), true, DEFAULT_MAX_WORKERS);
    }

    /**
     * This configuration with at most {@code workers} hedge worker threads (each runs one attempt of a synchronous
     * hedged read; size it to about twice the synchronous reads in flight).
     */
    public HedgingConfig withMaxWorkers(int workers) {
        SettingRules.atLeast(workers, 1, "HedgingConfig.withMaxWorkers",
                "allow at least one worker, e.g. " + DEFAULT_MAX_WORKERS + " (the default)");
        return new HedgingConfig(enabled, delay, adaptive, workers);
    }

    private static Duration check(Duration d, String setting) {
        return SettingRules.notNegative(d, setting, "pass a delay such as 50 ms, or use HedgingConfig.disabled()");
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean adaptive() {
        return adaptive;
    }

    /** The most hedge worker threads alive at once. */
    public int maxWorkers() {
        return maxWorkers;
    }

    /** The fixed delay, or the floor of an adaptive one; empty when disabled. */
    public Optional<Duration> delay() {
        return Optional.ofNullable(delay);
    }

    /** The delay to use given the first region's observed p95 (nanoseconds, or negative when unknown). */
    public long delayNanos(long p95Nanos) {
        if (delay == null) {
            throw new IllegalStateException("HedgingConfig is disabled: it has no hedge delay; check enabled() first");
        }
        long base = delay.toNanos();
        return adaptive && p95Nanos > base ? p95Nanos : base;
    }

    @Override
    public String toString() {
        return !enabled ? "HedgingConfig[disabled]"
                : "HedgingConfig[" + (adaptive ? "adaptive p95, floor " : "fixed ") + delay + ", max workers " + maxWorkers
                        + ']';
    }
}
