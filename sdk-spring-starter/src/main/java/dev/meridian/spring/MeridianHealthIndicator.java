package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.health.RegionStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import software.amazon.awssdk.regions.Region;

/**
 * The regions' health as routing sees it (breaker state, drained, suspect, latency), one detail entry per region. A
 * multi-region application keeps serving while one region is out, so the roll-up is {@code UP} as long as one region
 * can take calls, with {@code degraded: true} and the unavailable regions listed; {@code DOWN} only when none can.
 *
 * <p>When the application runs a replication-lag probe, each region's entry also shows the lag into it as last
 * measured ({@code replicationLagMillis}, {@code replicationLagMillisFrom}); with {@code meridian.health.max-replication-lag}
 * set, {@code replicationLagExceeded} per region and the regions over the bound in {@code lagging}.
 *
 * <p>When the application's sdk-aurora {@code RoutingDataSource} measures reader lag ({@code maxReplicaLag} set),
 * each region's entry also shows its reader's lag as last measured ({@code replicaLagMillis}), held to the data
 * source's own bound ({@code maxReplicaLagMillis}, {@code replicaLagExceeded}): the bound above which reads already
 * skip that reader, so the flag says what routing does. Regions over it are listed in {@code lagging} too.
 *
 * <p>Lag says how stale a region's copy is, not whether it can take calls, so it does not change the roll-up.
 */
@API(status = STABLE, since = "0.1")
public class MeridianHealthIndicator implements HealthIndicator {
    private final MultiRegion runtime;
    private final @Nullable ReplicationLags lags;
    private final @Nullable Duration maxLag;
    private final @Nullable ReplicaLags replicaLags;

    /** The regions' health without replication lag. */
    public MeridianHealthIndicator(MultiRegion runtime) {
        this(runtime, null, null, null);
    }

    /**
     * @param lags        the probes' last measurements, or null when the application runs none
     * @param maxLag      the bound above which a region's replication lag is reported as exceeded, or null for none
     * @param replicaLags the Aurora data sources' last reader lag measurements, or null when there is no data source
     */
    MeridianHealthIndicator(MultiRegion runtime, @Nullable ReplicationLags lags, @Nullable Duration maxLag,
            @Nullable ReplicaLags replicaLags) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.lags = lags;
        this.maxLag = maxLag;
        this.replicaLags = replicaLags;
    }

    @Override
    public Health health() {
        Map<String, Object> regions = new LinkedHashMap<>();
        List<String> unavailable = new ArrayList<>();
        List<String> lagging = new ArrayList<>();
        boolean bounded = lags != null && maxLag != null;
        List<Region> all = runtime.config().regionList();
        for (RegionStatus s : runtime.regions()) {
            Map<String, Object> view = RegionViews.of(s);
            boolean exceeded = lags != null && RegionViews.putLag(view, s.region(), all, lags, maxLag);
            if (replicaLags != null) {
                exceeded |= RegionViews.putReplicaLag(view, s.region(), replicaLags);
                bounded |= view.containsKey(RegionViews.REPLICA_LAG_EXCEEDED);
            }
            if (exceeded) {
                lagging.add(s.region().id());
            }
            regions.put(s.region().id(), view);
            if (!s.available()) {
                unavailable.add(s.region().id());
            }
        }
        boolean anyAvailable = unavailable.size() < regions.size();
        Health.Builder h = anyAvailable ? Health.up() : Health.down();
        h.withDetail("degraded", !unavailable.isEmpty()).withDetail("unavailable", unavailable);
        if (lags != null && maxLag != null) {
            h.withDetail("maxReplicationLagMillis", maxLag.toMillis());
        }
        if (bounded) {
            h.withDetail("lagging", lagging);
        }
        ControlViews.of(runtime).ifPresent(c -> h.withDetail("control", c));
        return h.withDetail("regions", regions).build();
    }
}
