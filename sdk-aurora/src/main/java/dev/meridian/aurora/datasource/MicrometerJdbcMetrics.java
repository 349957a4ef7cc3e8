package dev.meridian.aurora.datasource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.regions.Region;

/** {@link JdbcMetrics} on Micrometer; loaded only when Micrometer is on the class path. Thread-safe. */
final class MicrometerJdbcMetrics implements JdbcMetrics {
    private final MeterRegistry registry;
    private final String dataSource;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Region, AtomicLong> lagMillis = new ConcurrentHashMap<>();

    private MicrometerJdbcMetrics(MeterRegistry registry, String dataSource) {
        this.registry = registry;
        this.dataSource = dataSource;
    }

    static JdbcMetrics create(Object registry, String dataSource) {
        return new MicrometerJdbcMetrics((MeterRegistry) registry, dataSource);
    }

    @Override
    public void connectionBound(Role role, Region region) {
        counter("meridian.jdbc.connections", "role", role.tag(), region).increment();
    }

    @Override
    public void reroute(Region region, String reason) {
        counter("meridian.jdbc.reroutes", "reason", reason, region).increment();
    }

    @Override
    public void writerRefresh(Region writer, boolean changed) {
        counter("meridian.jdbc.writer.refreshes", "changed", Boolean.toString(changed), writer).increment();
    }

    @Override
    public void replicaLag(Region region, Duration lag) {
        lagMillis.computeIfAbsent(region, r -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder("meridian.jdbc.replica.lag", holder, h -> h.get() / 1000.0)
                    .description("Last measured replica lag of a region's reader endpoint")
                    .baseUnit("seconds")
                    .tag("region", r.id())
                    .tag("datasource", dataSource)
                    .register(registry);
            return holder;
        }).set(lag.toMillis());
    }

    @Override
    public void instrument(HikariConfig poolConfig) {
        if (poolConfig.getMetricsTrackerFactory() == null && poolConfig.getMetricRegistry() == null) {
            poolConfig.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
    }

    private Counter counter(String name, String tagKey, String tagValue, Region region) {
        String key = name + '|' + tagKey + '=' + tagValue + '|' + region.id();
        Counter c = counters.get(key);
        if (c == null) {
            c = counters.computeIfAbsent(key, k -> Counter.builder(name)
                    .tag(tagKey, tagValue)
                    .tag("region", region.id())
                    .tag("datasource", dataSource)
                    .register(registry));
        }
        return c;
    }
}
