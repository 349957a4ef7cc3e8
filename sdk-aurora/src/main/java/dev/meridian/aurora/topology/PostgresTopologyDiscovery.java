package dev.meridian.aurora.topology;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.aurora.internal.JdbcUrls;
import dev.meridian.core.internal.SettingRules;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * A {@link WriterDiscovery} for self-managed PostgreSQL (and the testkit's stand-in for Aurora): one node per region,
 * the writer is the node that answers {@code pg_is_in_recovery() = false}.
 *
 * <p>Every look-up opens a short-lived connection to each node (not through the pools, so a full pool cannot block
 * discovery). If several nodes claim to be primary (an old primary still running after a promotion), the one on the
 * highest WAL timeline wins, because promotion always starts a new timeline. Unreachable nodes are kept as members
 * (they may come back) but cannot be the writer. Each node serves as its region's writer and reader endpoint.
 * A look-up in which no node answers as primary throws {@link TopologyDiscoveryException} listing each node's
 * problem (URLs with their passwords hidden); a refresh that fails keeps the last known topology. Thread-safe; see
 * {@link CachedDiscovery} for caching and background refresh. Needs only JDBC (no AWS SDK {@code rds} module).
 */
@API(status = STABLE, since = "0.1")
public final class PostgresTopologyDiscovery extends CachedDiscovery {
    private static final Logger log = LoggerFactory.getLogger(PostgresTopologyDiscovery.class);
    private static final String ROLE_QUERY = "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN 0 "
            + "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END";

    /** Node URLs in the order they were configured. */
    private final Map<Region, String> nodes;
    private final Properties connectionProperties;

    private PostgresTopologyDiscovery(Builder b) {
        super(validateInterval(b.refreshInterval, "refreshInterval"), "meridian-pg-discovery");
        SettingRules.check(!b.nodes.isEmpty(), "nodes", "must not be empty", "none",
                "add at least one node(region, jdbcUrl)");
        this.nodes = Collections.unmodifiableMap(new LinkedHashMap<>(b.nodes));
        this.connectionProperties = new Properties();
        // The driver counts whole seconds: round up, so that a sub-second setting does not become "no timeout" (0).
        long timeoutSeconds = (b.connectTimeout.toMillis() + 999) / 1000;
        connectionProperties.setProperty("connectTimeout", Long.toString(timeoutSeconds));
        connectionProperties.setProperty("loginTimeout", Long.toString(timeoutSeconds));
        connectionProperties.setProperty("socketTimeout", Long.toString(timeoutSeconds));
        if (b.user != null) {
            connectionProperties.setProperty("user", b.user);
        }
        if (b.password != null) {
            connectionProperties.setProperty("password", b.password);
        }
        b.extraProperties.forEach((k, v) -> connectionProperties.setProperty(k.toString(), v.toString()));
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    AuroraTopology load() {
        AuroraTopology.Builder topology = AuroraTopology.builder();
        Region writer = null;
        int writerTimeline = -1;
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Region, String> node : nodes.entrySet()) {
            Region region = node.getKey();
            String url = node.getValue();
            topology.region(RegionEndpoints.node(region, url));
            try (Connection c = DriverManager.getConnection(url, connectionProperties);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(ROLE_QUERY)) {
                rs.next();
                boolean inRecovery = rs.getBoolean(1);
                int timeline = rs.getInt(2);
                if (!inRecovery && timeline > writerTimeline) {
                    writer = region;
                    writerTimeline = timeline;
                }
            } catch (SQLException e) {
                // DriverManager quotes the whole URL when no driver accepts it, password parameters included.
                problems.add(region + ": " + JdbcUrls.redact(e.getMessage(), url));
            }
        }
        if (writer == null) {
            throw new TopologyDiscoveryException("no PostgreSQL node answered as primary; problems: " + problems);
        }
        if (!problems.isEmpty()) {
            log.debug("Unreachable nodes during discovery: {}", problems);
        }
        return topology.writerRegion(writer).build();
    }

    @Override
    public String toString() {
        return "PostgresTopologyDiscovery" + nodes.keySet();
    }

    /** Builder; {@code node(region, url)} at least once. Not thread-safe; {@link #build()} validates. */
    public static final class Builder {
        private final Map<Region, String> nodes = new LinkedHashMap<>();
        private @Nullable String user;
        private @Nullable String password;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private @Nullable Duration refreshInterval;
        private final Properties extraProperties = new Properties();

        private Builder() {
        }

        /**
         * The node standing in for one region's cluster.
         *
         * @throws IllegalArgumentException if {@code jdbcUrl} does not start with {@code jdbc:} or the region already
         *                                  has a node
         */
        public Builder node(Region region, @Nullable String jdbcUrl) {
            SettingRules.required(region, "region", "pass the region the node stands for, e.g. Region.EU_WEST_1");
            String url = SettingRules.required(jdbcUrl, "jdbcUrl of node " + region, "pass the node's JDBC URL");
            JdbcUrls.require(url, "jdbcUrl of node " + region);
            SettingRules.check(!nodes.containsKey(region), "node for region " + region, "must be configured once",
                    "configured twice", "give one node per region");
            nodes.put(region, url);
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** Connect and query timeout per node probe (rounded up to whole seconds, PostgreSQL driver units). Default 2 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = SettingRules.positive(connectTimeout, "connectTimeout", "pass a timeout such as 2 s (the"
                    + " default)");
            return this;
        }

        /** Re-probe in the background at this interval; unset (default) means only on demand. */
        public Builder refreshInterval(Duration refreshInterval) {
            this.refreshInterval = validateInterval(refreshInterval, "refreshInterval");
            return this;
        }

        /** Extra driver properties for the probe connections (e.g. {@code sslmode}). */
        public Builder connectionProperty(String key, String value) {
            extraProperties.setProperty(SettingRules.required(key, "connectionProperty key", "pass a driver property name"),
                    SettingRules.required(value, "connectionProperty " + key, "pass its value"));
            return this;
        }

        public PostgresTopologyDiscovery build() {
            return new PostgresTopologyDiscovery(this);
        }
    }
}
