package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.health.RegionStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import software.amazon.awssdk.regions.Region;

/**
 * {@code /actuator/meridian}: the topology (local and home region, routing, regions with jurisdiction, breaker,
 * drained, latency) and, as a write operation on {@code /actuator/meridian/{region}} with
 * {@code {"action": "drain"}} or {@code "undrain"}, taking a region out of routing plans or back. When the
 * application runs a replication-lag probe, each region also shows the lag into it as last measured, and when its
 * sdk-aurora {@code RoutingDataSource} measures reader lag, the lag of the region's reader, as in
 * {@link MeridianHealthIndicator}. With {@code meridian.flags.enabled}, {@code flags} shows the feature flags as
 * last read from the control table. Exposure and security follow Actuator's rules
 * ({@code management.endpoints.web.exposure.include=meridian}).
 */
@API(status = STABLE, since = "0.1")
@Endpoint(id = "meridian")
public class MeridianEndpoint {
    private final MultiRegion runtime;
    private final @Nullable ReplicationLags lags;
    private final @Nullable Duration maxLag;
    private final @Nullable ReplicaLags replicaLags;
    private final @Nullable FlagsView flags;

    /** The endpoint without replication lag. */
    public MeridianEndpoint(MultiRegion runtime) {
        this(runtime, null, null, null);
    }

    /**
     * @param lags        the probes' last measurements, or null when the application runs none
     * @param maxLag      the bound above which a region's replication lag is reported as exceeded, or null for none
     * @param replicaLags the Aurora data sources' last reader lag measurements, or null when there is no data source
     */
    MeridianEndpoint(MultiRegion runtime, @Nullable ReplicationLags lags, @Nullable Duration maxLag,
            @Nullable ReplicaLags replicaLags) {
        this(runtime, lags, maxLag, replicaLags, null);
    }

    /** As above, and the feature flags ({@code meridian.flags.enabled}), or null when the application has none. */
    MeridianEndpoint(MultiRegion runtime, @Nullable ReplicationLags lags, @Nullable Duration maxLag,
            @Nullable ReplicaLags replicaLags, @Nullable FlagsView flags) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.lags = lags;
        this.maxLag = maxLag;
        this.replicaLags = replicaLags;
        this.flags = flags;
    }

    @ReadOperation
    public Map<String, Object> topology() {
        MultiRegionConfig config = runtime.config();
        Map<String, Object> regions = new LinkedHashMap<>();
        for (RegionStatus s : runtime.regions()) {
            Map<String, Object> view = view(s);
            view.put("priority", config.spec(s.region()).orElseThrow().priority());
            regions.put(s.region().id(), view);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("localRegion", config.localRegion().id());
        m.put("homeRegion", config.homeRegion().id());
        m.put("routing", config.routing().name());
        m.put("maxRegionsPerCall", config.maxRegionsPerCall());
        m.put("regions", regions);
        if (flags != null) {
            m.put("flags", flags.view());
        }
        ControlViews.of(runtime).ifPresent(c -> m.put("control", c));
        return m;
    }

    @ReadOperation
    public Map<String, Object> region(@Selector String region) {
        return view(runtime.status(configured(region, "read")));
    }

    /** {@code action} is {@code drain} or {@code undrain}; answers the region's status afterwards. */
    @WriteOperation
    public Map<String, Object> region(@Selector String region, String action) {
        Region r = configured(region, String.valueOf(action));
        switch (String.valueOf(action).toLowerCase(Locale.ROOT)) {
            case "drain":
                runtime.drain(r);
                break;
            case "undrain":
                runtime.undrain(r);
                break;
            default:
                throw new InvalidEndpointRequestException("action must be drain or undrain but was '" + action + "'",
                        "action must be drain or undrain");
        }
        return view(runtime.status(r));
    }

    private Map<String, Object> view(RegionStatus s) {
        Map<String, Object> view = RegionViews.of(s);
        if (lags != null) {
            RegionViews.putLag(view, s.region(), runtime.config().regionList(), lags, maxLag);
        }
        if (replicaLags != null) {
            RegionViews.putReplicaLag(view, s.region(), replicaLags);
        }
        return view;
    }

    private Region configured(String id, String action) {
        Region r = Region.of(id);
        if (!runtime.config().contains(r)) {
            throw new InvalidEndpointRequestException("cannot " + action + " '" + id
                    + "': not one of the configured regions " + runtime.config().regionList(), "unknown region");
        }
        return r;
    }
}
