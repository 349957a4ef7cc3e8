package dev.meridian.core.execution;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Hedged reads: when a READ has not answered after a delay, the same read is also sent to the next region of its
 * plan; the first success wins and the other attempt is cancelled. The delay is fixed, or adaptive: the first
 * region's observed p95 latency, never below a floor. Disabled by default; enabling it makes the runtime create
 * daemon threads on demand: one timer, and workers that run the attempts of synchronous hedged reads (as many as
 * attempts in flight; idle workers exit after 60 s). {@code MultiRegion.close()} stops them. Immutable and
 * thread-safe.
 */
public final class HedgingConfig {
    private static final HedgingConfig DISABLED = new HedgingConfig(false, null, false);

    private final boolean enabled;
    private final Duration delay;
    private final boolean adaptive;

    private HedgingConfig(boolean enabled, Duration delay, boolean adaptive) {
        this.enabled = enabled;
        this.delay = delay;
        this.adaptive = adaptive;
    }

    public static HedgingConfig disabled() {
        return DISABLED;
    }

    /** Hedge after a fixed delay. */
    public static HedgingConfig fixed(Duration delay) {
        return new HedgingConfig(true, check(delay), false);
    }

    /** Hedge after the region's observed p95 latency, but never sooner than {@code floor}. */
    public static HedgingConfig adaptive(Duration floor) {
        return new HedgingConfig(true, check(floor), true);
    }

    private static Duration check(Duration d) {
        Objects.requireNonNull(d, "meridian.hedge.delay");
        if (d.isNegative()) {
            throw new IllegalArgumentException("meridian.hedge.delay must not be negative but was " + d);
        }
        return d;
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean adaptive() {
        return adaptive;
    }

    /** The fixed delay, or the floor of an adaptive one; empty when disabled. */
    public Optional<Duration> delay() {
        return Optional.ofNullable(delay);
    }

    /** The delay to use given the first region's observed p95 (nanoseconds, or negative when unknown). */
    public long delayNanos(long p95Nanos) {
        long base = delay.toNanos();
        return adaptive && p95Nanos > base ? p95Nanos : base;
    }

    @Override
    public String toString() {
        return !enabled ? "HedgingConfig[disabled]"
                : "HedgingConfig[" + (adaptive ? "adaptive p95, floor " : "fixed ") + delay + ']';
    }
}
