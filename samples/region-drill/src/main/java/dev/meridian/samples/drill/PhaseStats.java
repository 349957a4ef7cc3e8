package dev.meridian.samples.drill;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the application saw during one phase (recorded by the workers, thread-safe) plus what the main thread reads
 * off the regions' journals and Meridian's meters when the phase ends.
 */
final class PhaseStats {
    final String name;
    final LongAdder ops = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder refusals = new LongAdder();
    final LongAdder held = new LongAdder();
    final LongAdder superseded = new LongAdder();
    final Map<String, LongAdder> errorTypes = new ConcurrentHashMap<>();
    /** The first failure of each type, with its causes: what a person needs to find the reason. */
    final Map<String, String> errorSamples = new ConcurrentHashMap<>();
    /** Held calls by reason. */
    final Map<String, LongAdder> heldReasons = new ConcurrentHashMap<>();
    private long[] latencies = new long[1024];
    private int latencyCount;

    /** Set by the main thread at the end of the phase. */
    final Map<String, Long> requestsPerRegion = new LinkedHashMap<>();
    final Map<String, Long> jdbcPerRegion = new LinkedHashMap<>();
    double seconds;
    long failovers;
    long breakerTransitions;
    /** Breaker transitions during the phase by "region FROM->TO" (resource breakers included). */
    final Map<String, Long> breakerTransitionsByKind = new java.util.TreeMap<>();

    PhaseStats(String name) {
        this.name = name;
    }

    void succeeded(long nanos) {
        ops.increment();
        latency(nanos);
    }

    void failed(long nanos, String operation, Throwable error) {
        ops.increment();
        errors.increment();
        String type = operation + " " + error.getClass().getSimpleName();
        errorTypes.computeIfAbsent(type, k -> new LongAdder()).increment();
        errorSamples.computeIfAbsent(type, k -> describe(error));
        latency(nanos);
    }

    void refused(long nanos) {
        ops.increment();
        refusals.increment();
        latency(nanos);
    }

    /** A call the application keeps for later (a STRICT idempotency refusal, a write during a switchover). */
    void held(long nanos, String reason) {
        ops.increment();
        held.increment();
        heldReasons.computeIfAbsent(reason, k -> new LongAdder()).increment();
        latency(nanos);
    }

    private static String describe(Throwable error) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = error; t != null && chain.length() < 600; t = t.getCause() == t ? null : t.getCause()) {
            chain.append(chain.length() == 0 ? "" : " <- ").append(t.getClass().getName()).append(": ")
                    .append(t.getMessage());
        }
        return chain.toString();
    }

    private synchronized void latency(long nanos) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = nanos;
    }

    /** The latency percentile in milliseconds (nearest rank), 0 when nothing ran. */
    synchronized double percentileMillis(double percentile) {
        if (latencyCount == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(rank, sorted.length - 1))] / 1_000_000.0;
    }
}
