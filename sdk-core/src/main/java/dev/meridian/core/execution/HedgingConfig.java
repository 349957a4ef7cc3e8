package dev.meridian.core.execution;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Hedged reads: when a READ has not answered after a delay, the same read is also sent to the next region of its
 * plan; the first success wins and the other attempt is cancelled. Only reads are hedged, never writes, nor a read
 * whose operation is {@linkplain dev.meridian.core.routing.Operation#unhedged() unhedged} (a strongly consistent or
 * transactional one).
 *
 * <p><b>The delay</b> is fixed, or adaptive: the operation's observed p99 latency in the first region (learnt per
 * region and operation, as a {@code Query} is slower than a {@code GetItem}; attempts abandoned as hedge losers or
 * timed out count as samples at least that slow, so the estimate follows the real tail and not only the calls that
 * finished), or the next region's p99 for the operation when the operation is degraded in the first region (its
 * p99 there over twice the next region's: once the first region has taken longer than the next one usually does,
 * asking it is likely to answer sooner), never below a floor. So
 * healthy traffic is hedged about 1 % of the time and the budget is kept for the reads that need it; an operation
 * that turns slow in the first region is hedged as early as the next region's tail allows.
 *
 * <p><b>The budget</b> caps the extra requests: a token bucket in which every hedgeable read earns
 * {@link #budgetShare()} of a token (at most {@link #budgetBurst()} tokens held) and each hedge spends one; a hedge
 * finding no token is not sent (asked again after each further hedge delay; {@code meridian.hedge.refused} counts the
 * reads that ended without it). Over any run of {@code n} reads at most {@code burst + share × n + 1} hedges go out
 * (the one: a proof hedge on a borrowed token, sent when a read's region went silent and nothing was heard from the
 * next region either; besides the failover of reads stuck in a region found suspect or ejected), so a region that
 * browns out never sees its load doubled. Default: 10 % of reads, a burst of 10.
 *
 * <p><b>Default: on</b> ({@link #defaults()}: adaptive, floor {@code 50 ms}, budget 10 %). Hedging makes the runtime
 * create daemon threads on demand: one timer, and workers that run the attempts of synchronous hedged reads (at most
 * {@link #maxWorkers()}, default {@value #DEFAULT_MAX_WORKERS}; idle workers exit after 60 s). When every worker is
 * busy a synchronous read runs on the caller's thread without a hedge rather than queueing.
 * {@code MultiRegion.close()} stops them. Immutable and thread-safe.
 *
 * <p>A hedge is one of the call's {@code maxRegionsPerCall} regional attempts, never an extra one: hedging does not
 * raise a call's request budget (see {@code MultiRegionConfig.maxRegionsPerCall}).
 */
@API(status = STABLE, since = "0.1")
public final class HedgingConfig {
    /** Default bound of the hedge worker threads. */
    public static final int DEFAULT_MAX_WORKERS = 128;
    /** Default share of reads the hedge budget lets be hedged: 10 %. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final double DEFAULT_BUDGET_SHARE = 0.1;
    /** Default most hedges the budget lets out at once. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final int DEFAULT_BUDGET_BURST = 10;
    /** The floor of the default adaptive delay. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final Duration DEFAULT_FLOOR = Duration.ofMillis(50);
    private static final HedgingConfig DISABLED = new HedgingConfig(false, null, false, DEFAULT_MAX_WORKERS,
            DEFAULT_BUDGET_SHARE, DEFAULT_BUDGET_BURST);
    private static final HedgingConfig DEFAULTS = adaptive(DEFAULT_FLOOR);

    private final boolean enabled;
    private final @Nullable Duration delay;
    private final boolean adaptive;
    private final int maxWorkers;
    private final double budgetShare;
    private final int budgetBurst;

    private HedgingConfig(boolean enabled, @Nullable Duration delay, boolean adaptive, int maxWorkers,
            double budgetShare, int budgetBurst) {
        this.enabled = enabled;
        this.delay = delay;
        this.adaptive = adaptive;
        this.maxWorkers = maxWorkers;
        this.budgetShare = budgetShare;
        this.budgetBurst = budgetBurst;
    }

    public static HedgingConfig disabled() {
        return DISABLED;
    }

    /**
     * The default: adaptive hedging with a {@code 50 ms} floor under a budget of 10 % of reads (burst 10), what a
     * runtime built without a hedging setting uses.
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static HedgingConfig defaults() {
        return DEFAULTS;
    }

    /** Hedge after a fixed delay (under the default budget). */
    public static HedgingConfig fixed(Duration delay) {
        return new HedgingConfig(true, check(delay, "HedgingConfig.fixed delay"), false, DEFAULT_MAX_WORKERS,
                DEFAULT_BUDGET_SHARE, DEFAULT_BUDGET_BURST);
    }

    /**
     * Hedge after the operation's observed p99 latency in the first region (or the next region's, when the first is
     * over twice that), but never sooner than {@code floor}.
     */
    public static HedgingConfig adaptive(Duration floor) {
        return new HedgingConfig(true, check(floor, "HedgingConfig.adaptive floor"), true, DEFAULT_MAX_WORKERS,
                DEFAULT_BUDGET_SHARE, DEFAULT_BUDGET_BURST);
    }

    /**
     * This configuration with a hedge budget of {@code share} of the hedgeable reads, in (0, 1], of which at most
     * {@code burst} (at least 1) may be spent at once. The adaptive delay targets the p99, or this share's quantile
     * when the share is below 1 %.
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public HedgingConfig withBudget(double share, int burst) {
        SettingRules.check(share > 0 && share <= 1, "HedgingConfig.withBudget share", "must be in (0, 1]", share,
                "pass a share of reads such as " + DEFAULT_BUDGET_SHARE + " (10 %, the default)");
        SettingRules.atLeast(burst, 1, "HedgingConfig.withBudget burst",
                "allow at least one hedge at once, e.g. " + DEFAULT_BUDGET_BURST + " (the default)");
        return new HedgingConfig(enabled, delay, adaptive, maxWorkers, share, burst);
    }

    /**
     * This configuration with at most {@code workers} hedge worker threads (each runs one attempt of a synchronous
     * hedged read; size it to about twice the synchronous reads in flight).
     */
    public HedgingConfig withMaxWorkers(int workers) {
        SettingRules.atLeast(workers, 1, "HedgingConfig.withMaxWorkers",
                "allow at least one worker, e.g. " + DEFAULT_MAX_WORKERS + " (the default)");
        return new HedgingConfig(enabled, delay, adaptive, workers, budgetShare, budgetBurst);
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

    /** The share of hedgeable reads the budget lets be hedged in the long run, in (0, 1]. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public double budgetShare() {
        return budgetShare;
    }

    /** The most hedges the budget lets out at once (the bucket's size). */
    @API(status = EXPERIMENTAL, since = "0.1")
    public int budgetBurst() {
        return budgetBurst;
    }

    /** The fixed delay, or the floor of an adaptive one; empty when disabled. */
    public Optional<Duration> delay() {
        return Optional.ofNullable(delay);
    }

    /**
     * The delay to use given the observed tail latency of the read (the adaptive estimate described above;
     * nanoseconds, or negative when unknown).
     */
    public long delayNanos(long tailNanos) {
        if (delay == null) {
            throw new IllegalStateException("HedgingConfig is disabled: it has no hedge delay; check enabled() first");
        }
        long base = delay.toNanos();
        return adaptive && tailNanos > base ? tailNanos : base;
    }

    @Override
    public String toString() {
        return !enabled ? "HedgingConfig[disabled]"
                : "HedgingConfig[" + (adaptive ? "adaptive, floor " : "fixed ") + delay + ", budget " + budgetShare
                        + " burst " + budgetBurst + ", max workers " + maxWorkers + ']';
    }
}
