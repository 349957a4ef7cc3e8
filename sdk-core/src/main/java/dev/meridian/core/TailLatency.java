package dev.meridian.core;

import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * Streaming estimates, per region and operation, of the attempt latency at quantile {@code q}: what the adaptive
 * hedge delay is made of. Each estimate moves up by {@code up} (in log space) on a sample above it and down by
 * {@code down} on one at or below it, with {@code up / down = q / (1 − q)}, so it settles where a share
 * {@code 1 − q} of attempts is slower.
 *
 * <p><b>Per operation</b>, because operations of one region have different latencies: a {@code Query} reading a
 * page is slower than a {@code GetItem}; one estimate for both would hedge the slow operation too early and the fast
 * one too late.
 *
 * <p><b>When to hedge</b> ({@link #hedgeAfter}): after the first region's estimate for the operation; but when that
 * is more than {@value #DEGRADED_RATIO} times the next region's (known after {@value #KNOWN_AFTER} samples), the
 * operation is degraded in the first region, and a hedge goes out after the next region's estimate: once the first
 * region has taken longer than the next one takes at its own tail, asking the next region is likely to answer sooner
 * than waiting. That keeps an operation that became slow in the first region (every {@code Query} of a region taking
 * 500 ms while its {@code GetItem}s stay fast) hedged early: its own estimate climbs with each abandoned attempt, the
 * next region's does not. Two regions alike (or a next region farther away) keep the first region's own estimate,
 * so the noise of two estimates of one latency does not hedge more than the target share.
 *
 * <p>It only needs to know whether a sample is above or below it, which makes the attempts the executor abandons
 * usable: a first attempt cancelled because its hedge won, or that timed out, after {@code t} took at least
 * {@code t} ({@link #recordAtLeast}). (A mean or a histogram of finished attempts would only ever see the attempts
 * fast enough to win.) The larger step is at most {@value #MAX_STEP}, so one sample moves the estimate by at most
 * about a fifth, up or down, except that until the estimate is known ({@value #KNOWN_AFTER} samples) a finished
 * attempt faster than it sets it: a p99 estimate that starts low climbs to the tail in a few samples, one that starts
 * at an outlier would come down by a hundredth per sample. Thread-safe; an update locks one estimate only.
 */
final class TailLatency {
    /** The larger of the two log-space steps. */
    static final double MAX_STEP = 0.19;
    /** Samples before a region's estimate may bound another region's hedge delay. */
    static final int KNOWN_AFTER = 5;
    /** How many times the next region's estimate the first region's must be for the operation to be degraded there. */
    static final int DEGRADED_RATIO = 2;
    private static final double DOWN_STEP = 0.01;

    private final double up;
    private final double down;
    private final ConcurrentHashMap<Region, ConcurrentHashMap<String, Estimate>> estimates = new ConcurrentHashMap<>();

    /** Estimates of quantile {@code q}, in (0, 1). */
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

    /** A finished attempt of {@code operation} in {@code region} that took {@code nanos}. */
    void record(Region region, String operation, long nanos) {
        estimate(region, operation).add(nanos, false);
    }

    /** An attempt abandoned (or failed) after {@code nanos}: it would have taken at least that long. */
    void recordAtLeast(Region region, String operation, long nanos) {
        estimate(region, operation).add(nanos, true);
    }

    /** The estimate in nanoseconds, or -1 while there is no sample of {@code operation} in {@code region}. */
    long nanos(Region region, String operation) {
        Estimate e = find(region, operation);
        return e == null ? -1 : e.nanos();
    }

    /**
     * How long an attempt of {@code operation} in {@code first} goes unanswered before a hedge to {@code next} is
     * worth it: the first region's estimate, or the next region's when that one is known and the operation is
     * degraded in the first region (its estimate more than {@value #DEGRADED_RATIO} times the next region's); -1
     * while the first region has no sample (the caller then uses its floor).
     */
    long hedgeAfter(Region first, @Nullable Region next, String operation) {
        long own = nanos(first, operation);
        Estimate other = next == null ? null : find(next, operation);
        if (own < 0 || other == null || !other.known()) {
            return own;
        }
        long theirs = other.nanos();
        return own > DEGRADED_RATIO * theirs ? theirs : own;
    }

    /** Forgets every sample. */
    void reset() {
        estimates.clear();
    }

    private Estimate estimate(Region region, String operation) {
        // Looked up first: computeIfAbsent's function captures this (an Estimate is an inner class), which would
        // allocate a lambda on every recorded attempt of a hedged read.
        Estimate known = find(region, operation);
        return known != null ? known : estimates.computeIfAbsent(region, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(operation, o -> new Estimate());
    }

    private @Nullable Estimate find(Region region, String operation) {
        ConcurrentHashMap<String, Estimate> byOperation = estimates.get(region);
        return byOperation == null ? null : byOperation.get(operation);
    }

    private final class Estimate {
        private double log;
        private int samples;

        synchronized void add(long nanos, boolean atLeast) {
            double sample = Math.log(Math.max(1, nanos));
            if (samples == 0) {
                log = sample;
            } else if (sample > log) {
                log += up;
            } else if (!atLeast) {
                // Until it is known, a finished attempt below the estimate lowers it to its own latency: the estimate
                // starts from the first sample, and one slow first attempt (a cold JVM's, a GC pause) would otherwise
                // hold the delay above a region's slowness for hundreds of reads (a small step down per sample).
                log = samples < KNOWN_AFTER ? sample : log - down;
            } else {
                // An abandoned attempt below the estimate says nothing: it might have been slower.
                return;
            }
            if (samples < KNOWN_AFTER) {
                samples++;
            }
        }

        synchronized long nanos() {
            return (long) Math.exp(log);
        }

        synchronized boolean known() {
            return samples >= KNOWN_AFTER;
        }
    }
}
