package dev.meridian.aurora.datasource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HikariCP pool per endpoint, created on first use from the user's template.
 *
 * <p>Pools are created with {@code initializationFailTimeout = -1} so that creating a pool for an endpoint that is
 * down never fails; the failure shows up as a {@link SQLException} on {@code getConnection()} after the template's
 * {@code connectionTimeout}, which is what failover reacts to. A pool that cannot even be created (no driver accepts
 * the URL) throws HikariCP's {@link RuntimeException}, which masks password parameters of the URL it quotes.
 * Thread-safe.
 */
final class EndpointPools implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndpointPools.class);

    private final HikariConfig template;
    private final String name;
    private final JdbcMetrics metrics;
    private final Map<Endpoint, HikariDataSource> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    EndpointPools(HikariConfig template, String name, JdbcMetrics metrics) {
        this.template = template;
        this.name = name;
        this.metrics = metrics;
    }

    /** A connection from the endpoint's pool; SQLState 08003 once {@link #close()} has run. */
    Connection connection(Endpoint endpoint) throws SQLException {
        checkOpen();
        HikariDataSource pool = pools.get(endpoint);
        if (pool == null) {
            pool = pools.computeIfAbsent(endpoint, this::create);
            if (closed) {
                // close() ran while this pool was being created and may not have seen it.
                pools.remove(endpoint, pool);
                pool.close();
                checkOpen();
            }
        }
        return pool.getConnection();
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("RoutingDataSource " + name + " is closed", "08003");
        }
    }

    /** Removes a connection from its pool instead of returning it (it points at a node whose role changed). */
    void evict(Endpoint endpoint, Connection connection) {
        HikariDataSource pool = pools.get(endpoint);
        if (pool != null) {
            pool.evictConnection(connection);
        } else {
            closeQuietly(connection);
        }
    }

    /**
     * Whether every connection the endpoint's pool may hold is open and in use: a connection is awaited because the
     * pool is saturated, not because the endpoint does not answer.
     */
    boolean allInUse(Endpoint endpoint) {
        HikariDataSource pool = pools.get(endpoint);
        return pool != null && pool.getHikariPoolMXBean() != null
                && pool.getHikariPoolMXBean().getActiveConnections() >= pool.getMaximumPoolSize();
    }

    /** Retires the idle connections of an endpoint's pool; busy ones are retired when returned. */
    void softEvict(Endpoint endpoint) {
        HikariDataSource pool = pools.get(endpoint);
        if (pool != null && pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }

    private HikariDataSource create(Endpoint endpoint) {
        HikariConfig config = new HikariConfig();
        template.copyStateTo(config);
        config.setJdbcUrl(endpoint.url());
        config.setPoolName(name + "-" + endpoint.role().tag() + "-" + endpoint.region().id() + "-" + (pools.size() + 1));
        config.setInitializationFailTimeout(-1);
        metrics.instrument(config);
        log.info("Creating pool {} for {}", config.getPoolName(), endpoint);
        return new HikariDataSource(config);
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("Closing a physical connection failed: {}", e.toString());
        }
    }

    /**
     * Closes every pool (connections and housekeeping thread), leaving these pools open: the next connection of an
     * endpoint creates its pool again. Before a process snapshot, which must hold no connection.
     */
    void closePools() {
        for (Endpoint endpoint : pools.keySet()) {
            HikariDataSource pool = pools.remove(endpoint);
            if (pool != null) {
                pool.close();
            }
        }
    }

    /** Closes every pool, including connections still in use. Idempotent; pools cannot be created afterwards. */
    @Override
    public void close() {
        closed = true;
        closePools();
    }
}
