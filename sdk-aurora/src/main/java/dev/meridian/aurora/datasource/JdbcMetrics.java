package dev.meridian.aurora.datasource;

import com.zaxxer.hikari.HikariConfig;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * The meters of a {@link RoutingDataSource}. Micrometer is optional: without a registry (or without Micrometer on
 * the class path) every call is a no-op, and no Micrometer type is loaded.
 */
interface JdbcMetrics {
    /** Counter {@code meridian.jdbc.connections{role,region}}: physical connections bound to logical ones. */
    void connectionBound(Role role, Region region);

    /**
     * Counter {@code meridian.jdbc.reroutes{region,reason}}: a read skipped the reader of {@code region} for
     * {@code reason} ({@code unavailable}, {@code breaker-open}, {@code replica-lag}), or, for
     * {@code read-your-writes}, went to the writer in {@code region}.
     */
    void reroute(Region region, String reason);

    /** Counter {@code meridian.jdbc.writer.refreshes{region,changed}}: writer look-ups, tagged with the resulting writer. */
    void writerRefresh(Region writer, boolean changed);

    /** Gauge {@code meridian.jdbc.replica.lag{region}} (seconds): the last measured replica lag. */
    void replicaLag(Region region, Duration lag);

    /** Lets the pool publish its own HikariCP meters. */
    void instrument(HikariConfig poolConfig);

    JdbcMetrics NOOP = new JdbcMetrics() {
        @Override
        public void connectionBound(Role role, Region region) {
        }

        @Override
        public void reroute(Region region, String reason) {
        }

        @Override
        public void writerRefresh(Region writer, boolean changed) {
        }

        @Override
        public void replicaLag(Region region, Duration lag) {
        }

        @Override
        public void instrument(HikariConfig poolConfig) {
        }
    };

    /**
     * Micrometer meters when {@code registry} holds a MeterRegistry, else {@link #NOOP}. Without Micrometer on the class
     * path the runtime can hold no registry, so {@link MicrometerJdbcMetrics} (the only class naming Micrometer types)
     * is never loaded.
     */
    static JdbcMetrics of(Optional<?> registry, String dataSourceName) {
        if (registry.isEmpty()) {
            return NOOP;
        }
        return MicrometerJdbcMetrics.create(registry.get(), dataSourceName);
    }
}
