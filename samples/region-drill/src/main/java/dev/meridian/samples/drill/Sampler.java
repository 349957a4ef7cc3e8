package dev.meridian.samples.drill;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.health.RegionStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.regions.Region;

/**
 * Takes the timeline's {@link Sample}s on the main thread: request journal counts, JDBC statements per server,
 * the application's outcomes, breaker states (SUSPECT for a suspect region behind a closed breaker), pending
 * replication and Aurora replica lag. A phase's numbers (per region, and the calls by outcome) are the sums of its
 * samples, so the summary table and the picture agree by construction; the calls' totals are handed in by the
 * caller, read at the same moment the workload switched phases ({@link Workload#phase}), so every call falls in
 * exactly one sample. Not thread-safe.
 */
final class Sampler {
    /** The state drawn for a region whose breaker is closed but which is suspect ({@link RegionStatus#suspect()}). */
    static final String SUSPECT = "SUSPECT";
    private final Phase.Targets targets;
    private final MultiRegion runtime;
    private final JdbcWorkload jdbc;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, Long> journalsAtStart = new HashMap<>();
    private Map<String, Long> lastJournals = new HashMap<>();
    private Map<String, Long> lastJdbc = new HashMap<>();
    private long timelineStart;
    private long lastTick;
    private int phase;
    private Workload.Totals lastTotals = Workload.Totals.NONE;

    Sampler(Phase.Targets targets, MultiRegion runtime, JdbcWorkload jdbc) {
        this.targets = targets;
        this.runtime = runtime;
        this.jdbc = jdbc;
    }

    /** The timeline starts: {@code totals} are the calls ended before it (warm-up), not drawn. */
    void start(long timelineStartNanos, Workload.Totals totals) {
        timelineStart = timelineStartNanos;
        lastTotals = totals;
        lastTick = timelineStartNanos;
        lastJournals = journals();
        journalsAtStart.putAll(lastJournals);
        lastJdbc = jdbc.statementsByRegion();
    }

    /** Subsequent ticks belong to phase {@code index}. */
    void phase(int index) {
        phase = index;
    }

    /** Takes a sample: what happened since the last tick, with {@code totals} the calls ended up to now. */
    void tick(Workload.Totals totals) {
        long now = System.nanoTime();
        Map<String, Long> journals = journals();
        Map<String, Long> statements = jdbc.statementsByRegion();
        Map<String, String> breakers = new TreeMap<>();
        for (String region : Phase.REGIONS) {
            RegionStatus status = runtime.status(Region.of(region));
            // A suspect region's breaker is still closed; its reads already start elsewhere while a trial decides.
            boolean suspect = status.suspect() && status.breaker() == RegionStatus.BreakerState.CLOSED;
            breakers.put(region, suspect ? SUSPECT : status.breaker().name());
        }
        Map<String, Long> lag = new TreeMap<>();
        for (String region : Phase.REGIONS) {
            lag.put(region, auroraLagMillis(region));
        }
        samples.add(new Sample(phase, (lastTick - timelineStart) / 1e9, (now - lastTick) / 1e9,
                difference(journals, lastJournals), difference(statements, lastJdbc), totals.calls() - lastTotals.calls(),
                totals.refused() - lastTotals.refused(), totals.held() - lastTotals.held(),
                totals.errors() - lastTotals.errors(), breakers,
                targets.regions().replicationProgress().pendingChanges(), lag));
        lastTick = now;
        lastJournals = journals;
        lastJdbc = statements;
        lastTotals = totals;
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** DynamoDB requests per region in phase {@code index}: the sum of its samples. */
    Map<String, Long> dynamoRequests(int index) {
        return sum(index, true);
    }

    /** How long phase {@code index} lasted: the sum of its samples' lengths. */
    double seconds(int index) {
        return samples.stream().filter(s -> s.phase() == index).mapToDouble(Sample::seconds).sum();
    }

    /** JDBC statements per region in phase {@code index}: the sum of its samples. */
    Map<String, Long> jdbcStatements(int index) {
        return sum(index, false);
    }

    /**
     * Requests each region's journal recorded from the first phase's start to the last tick (the end of the
     * timeline), read off the journals at those two moments; later requests (convergence scans) are not drawn.
     */
    Map<String, Long> journalTotals() {
        return difference(lastJournals, journalsAtStart);
    }

    private Map<String, Long> sum(int index, boolean dynamo) {
        Map<String, Long> total = new TreeMap<>();
        for (String region : Phase.REGIONS) {
            total.put(region, 0L);
        }
        for (Sample s : samples) {
            if (s.phase() == index) {
                (dynamo ? s.dynamoRequests() : s.jdbcStatements()).forEach((r, n) -> total.merge(r, n, Long::sum));
            }
        }
        return total;
    }

    private long auroraLagMillis(String region) {
        try {
            return targets.aurora().isRunning(region) ? targets.aurora().replicaLag(region).toMillis() : -1;
        } catch (IllegalStateException unreachable) {
            return -1;
        }
    }

    private Map<String, Long> journals() {
        Map<String, Long> counts = new TreeMap<>();
        for (String region : Phase.REGIONS) {
            counts.put(region, (long) targets.regions().journal(region).count());
        }
        return counts;
    }

    private static Map<String, Long> difference(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> diff = new TreeMap<>();
        for (String region : Phase.REGIONS) {
            diff.put(region, now.getOrDefault(region, 0L) - before.getOrDefault(region, 0L));
        }
        return diff;
    }
}
