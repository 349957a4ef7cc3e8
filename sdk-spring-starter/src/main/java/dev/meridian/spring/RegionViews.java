package dev.meridian.spring;

import dev.meridian.core.health.RegionStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/** A region's health as plain values, for the health details and the {@code meridian} endpoint. */
final class RegionViews {
    /** The key of a region's Aurora reader lag flag, present once its lag was measured. */
    static final String REPLICA_LAG_EXCEEDED = "replicaLagExceeded";

    private RegionViews() {
    }

    static Map<String, Object> of(RegionStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jurisdiction", s.jurisdiction().toString());
        m.put("breaker", s.breaker().name());
        m.put("drained", s.drained());
        m.put("available", s.available());
        m.put("suspect", s.suspect());
        s.latencyAverage().ifPresent(d -> m.put("latencyAverageMillis", millis(d)));
        s.latencyP95().ifPresent(d -> m.put("latencyP95Millis", millis(d)));
        return m;
    }

    /**
     * Adds the replication lag into {@code region} as last measured: {@code replicationLagMillis} (the worst over the
     * other regions) and {@code replicationLagMillisFrom} (per source region), and with a {@code bound},
     * {@code replicationLagExceeded}. Adds nothing before the first measurement.
     *
     * @return whether the lag exceeds {@code bound} (never without a bound)
     */
    static boolean putLag(Map<String, Object> view, Region region, List<Region> regions, ReplicationLags lags,
            @Nullable Duration bound) {
        Map<String, Long> from = new LinkedHashMap<>();
        Duration worst = null;
        for (Region source : regions) {
            if (source.equals(region)) {
                continue;
            }
            Optional<Duration> lag = lags.lag(source, region);
            if (lag.isPresent()) {
                from.put(source.id(), lag.get().toMillis());
                if (worst == null || lag.get().compareTo(worst) > 0) {
                    worst = lag.get();
                }
            }
        }
        if (worst == null) {
            return false;
        }
        view.put("replicationLagMillis", worst.toMillis());
        view.put("replicationLagMillisFrom", from);
        boolean exceeded = bound != null && worst.compareTo(bound) > 0;
        if (bound != null) {
            view.put("replicationLagExceeded", exceeded);
        }
        return exceeded;
    }

    /**
     * Adds the Aurora reader lag of {@code region} as its data source last measured it: {@code replicaLagMillis},
     * {@code maxReplicaLagMillis} (the data source's {@code maxReplicaLag}) and {@code replicaLagExceeded}. Adds
     * nothing before the first measurement.
     *
     * @return whether the lag exceeds the data source's bound
     */
    static boolean putReplicaLag(Map<String, Object> view, Region region, ReplicaLags lags) {
        Optional<ReplicaLags.ReplicaLag> lag = lags.lag(region);
        if (lag.isEmpty()) {
            return false;
        }
        view.put("replicaLagMillis", lag.get().lag().toMillis());
        view.put("maxReplicaLagMillis", lag.get().bound().toMillis());
        view.put(REPLICA_LAG_EXCEEDED, lag.get().exceeded());
        return lag.get().exceeded();
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1_000_000.0;
    }
}
