package dev.meridian.aurora.datasource;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.STABLE;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.internal.JdbcUrls;
import dev.meridian.aurora.lag.LagProbe;
import dev.meridian.aurora.topology.AuroraTopology;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.aurora.topology.RdsGlobalClusterDiscovery;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.aurora.topology.WriterDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.core.spi.SnapshotParticipant;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * A {@link DataSource} for an Aurora global database that sends read-only work to a nearby reader and everything else
 * to the current writer, with the connection's read-only flag as the only signal
 * ({@code @Transactional(readOnly = true)}, or {@link Connection#setReadOnly(boolean)}).
 *
 * <p><b>Connections.</b> {@link #getConnection()} returns a logical connection that takes its physical connection at
 * first use (statement, metadata, savepoint), after the read-only flag is known, from one HikariCP pool per endpoint
 * (created lazily from the {@code poolTemplate}). Session settings made before that are replayed. Logical connections
 * are not thread-safe; this data source is.
 *
 * <p><b>Routing.</b> Read-only: the regions of the sdk-core {@code Router} plan for a READ (residency, health and
 * strategy applied: local region first with {@code localFirst()}), skipping readers whose breaker is open, that refuse
 * connections, or whose last lag measurement plus its age exceeds {@code maxReplicaLag} (bounded staleness); then the
 * writer. Read-write: the writer found by the
 * {@link WriterDiscovery}. A route is sticky for the life of the logical connection unless the read-only flag changes
 * outside a transaction (then it is re-chosen at next use) or the route goes stale (writer moved, connection
 * failed). Changing the read-only flag inside a transaction throws an {@link SQLException} with SQLState 25001.
 *
 * <p><b>Writer moves.</b> A write refused as read-only (PostgreSQL 25006, MySQL 1290/1836) or a writer refusing
 * connections refreshes the discovery. If nothing of the transaction had run yet, the statement is retried once on
 * the new writer; otherwise {@link WriterChangedException} (SQLState 40001) asks the caller to retry the transaction.
 * A statement holding a pending batch or stream parameters is never sent twice; used after its connection moved, it
 * fails with SQLState 0A000 (create it again).
 *
 * <p><b>Breakers.</b> Connection attempts go through the {@code RegionHealth} breakers {@code <region>/aurora-reader}
 * and {@code <region>/aurora-writer} of the multi-region runtime; failures to connect and connections failing under a
 * statement count. An open reader breaker skips that reader; an open writer breaker fails at once with
 * {@link WriterUnavailableException} (SQLState 08001, naming the region) instead of waiting for the pool's
 * {@code connectionTimeout}, and lets a trial connection through after the breaker's {@code waitInOpenState}. A
 * drained region ({@code RegionHealth.drain}) serves no reads; the writer keeps taking writes wherever it is.
 * {@link Connection#isValid(int)} on a connection that has not taken its physical connection yet checks the route
 * its first statement would take, so health checks see an unreachable writer.
 *
 * <p><b>Residency.</b> A RESTRICTED read is only served inside the subject's jurisdiction, including the writer
 * fallback; a RESTRICTED write is refused when the global cluster replicates outside the jurisdiction. Residency is
 * checked again at every statement against the {@code RoutingContext} current when it runs (a RESTRICTED scope opened
 * inside a transaction whose first statement ran under the default context is refused before anything is sent).
 * Refusals are the unchecked {@code ResidencyViolationException} from sdk-core, thrown as is (never wrapped in an
 * {@link SQLException}, so that exception translation cannot take them for a transient failure). The global
 * cluster's footprint such a check uses is at most {@code footprintMaxAge} old (looked up again first when older), so a
 * newly added secondary region is noticed without background refresh. A read never falls back to a writer in a
 * region the {@code RoutingContext} excludes.
 *
 * <p><b>Read-your-writes</b> (optional): for {@code readYourWritesWindow} after a commit on the writer, reads of the
 * same session (RoutingContext correlation id, else thread) go to the writer.
 *
 * <p><b>Optional dependencies.</b> Micrometer and the AWS SDK {@code rds} module are optional: without Micrometer no
 * meter is recorded, and only {@link RdsGlobalClusterDiscovery} needs {@code rds}; {@link StaticTopology} and
 * {@link PostgresTopologyDiscovery} work without either.
 *
 * <p><b>Lifecycle.</b> Building starts nothing: pools are created at first use of their endpoint. {@link #close()}
 * closes every pool (connections still in use included) and the discovery; it is idempotent, and afterwards
 * {@link #getConnection()} fails with SQLState 08003. The {@code MultiRegion} runtime is not closed.
 *
 * <p><b>Snapshots</b> (CRaC, Lambda SnapStart): the data source takes part in its runtime's sdk-core
 * {@code SnapshotHooks}. Before a checkpoint the discovery's background refresh is held
 * ({@link WriterDiscovery#suspendRefresh()}, after a refresh in progress ends), every pool is closed (connections
 * and HikariCP's housekeeping thread; each is created again at its endpoint's next connection) and so are the
 * discovery's API connections ({@link WriterDiscovery#releaseConnections()}); take the checkpoint with no connection
 * in use. After a restore the topology is looked up again at next use ({@link WriterDiscovery#invalidate()}; the last
 * known one is kept if that fails), as are the footprint of RESTRICTED writes and every reader's lag; the
 * read-your-writes sessions are forgotten (the restored copy wrote nothing), and the background refresh resumes.
 */
@API(status = STABLE, since = "0.1")
public final class RoutingDataSource implements DataSource, AutoCloseable {
    /** How old the topology a footprint check uses may be, unless {@code footprintMaxAge} says otherwise. */
    public static final Duration DEFAULT_FOOTPRINT_MAX_AGE = Duration.ofSeconds(30);
    /** How long a writer connection is awaited before the writer is looked up again, unless set otherwise. */
    private static final Duration DEFAULT_WRITER_CHECK_INTERVAL = Duration.ofMillis(200);

    private final String name;
    private final ConnectionBinder binder;
    private final boolean poolReadOnly;
    private final boolean poolAutoCommit;
    private final WriterDiscovery discovery;
    /** Null when lag is not measured ({@code maxReplicaLag} unset). */
    private final @Nullable LagMonitor lagMonitor;
    private final @Nullable Duration maxReplicaLag;
    private final SnapshotParticipant.Registration snapshots;
    private volatile boolean closed;
    private int loginTimeout;
    private @Nullable PrintWriter logWriter;

    private RoutingDataSource(Builder b) {
        // build() has checked these, naming the setting.
        MultiRegion multiRegion = Objects.requireNonNull(b.multiRegion, "multiRegion");
        WriterDiscovery discovery = Objects.requireNonNull(b.discovery, "discovery");
        this.name = b.name;
        this.discovery = discovery;
        JdbcMetrics metrics = JdbcMetrics.of(MultiRegionSpi.of(multiRegion).meterRegistry(), b.name);
        // A copy, so that changing the caller's HikariConfig later cannot give pools created later other settings.
        HikariConfig template = new HikariConfig();
        Objects.requireNonNull(b.poolTemplate, "poolTemplate").copyStateTo(template);
        EndpointPools pools = new EndpointPools(template, b.name, metrics);
        this.maxReplicaLag = b.maxReplicaLag;
        this.lagMonitor = b.maxReplicaLag == null ? null : new LagMonitor(b.lagProbe, b.lagCheckInterval, metrics);
        RecentWriters recentWriters = b.readYourWritesWindow == null ? null : new RecentWriters(b.readYourWritesWindow);
        // Reader and writer are separate endpoints: each has its own breaker per region, and read plans skip exactly
        // the regions whose reader breaker is open.
        this.binder = new ConnectionBinder(multiRegion, discovery, pools,
                Operation.builder(b.name + ".read", OperationKind.READ).resource(ConnectionBinder.READER_RESOURCE)
                        .breakerPerResource().build(),
                Operation.builder(b.name + ".write", OperationKind.WRITE).resource(ConnectionBinder.WRITER_RESOURCE)
                        .breakerPerResource().build(),
                lagMonitor, b.maxReplicaLag, recentWriters, b.footprintMaxAge, b.writerCheckInterval, b.name, metrics);
        this.poolReadOnly = template.isReadOnly();
        this.poolAutoCommit = template.isAutoCommit();
        this.snapshots = MultiRegionSpi.of(multiRegion).onSnapshot(new SnapshotParticipant() {
            @Override
            public void beforeCheckpoint() {
                binder.beforeCheckpoint();
            }

            @Override
            public void afterRestore() {
                binder.afterRestore();
            }

            @Override
            public String toString() {
                return RoutingDataSource.this.toString();
            }
        });
    }

    /** A builder; {@code multiRegion}, {@code discovery} and {@code poolTemplate} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A logical connection; no physical connection is taken until first use. */
    @Override
    public Connection getConnection() throws SQLException {
        if (closed) {
            throw new SQLException("RoutingDataSource " + name + " is closed", "08003");
        }
        return new LogicalConnection(binder, poolReadOnly, poolAutoCommit);
    }

    /** Not supported: credentials come from the pool template. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("RoutingDataSource takes credentials from its poolTemplate");
    }

    /** The current topology as the discovery reports it. */
    public AuroraTopology topology() {
        return binder.topology();
    }

    /** Looks the writer up again now (e.g. after an out-of-band switchover) and returns the new topology. */
    public AuroraTopology refreshTopology() {
        return binder.refresh();
    }

    /**
     * The replica lag of each reader region as last measured (the value the {@code meridian.jdbc.replica.lag} gauge
     * shows), for health checks and dashboards. Lag is measured only while routing reads, at most once per
     * {@code lagCheckInterval} per region, on a connection taken for a read: a region is absent until a read first
     * tried its reader (and again after a snapshot restore), and a region reads no longer try keeps its last value.
     * An immutable copy: calling this sends no query and starts nothing. Empty when lag is not measured
     * ({@code maxReplicaLag} unset).
     */
    public Map<Region, Duration> replicaLags() {
        return lagMonitor == null ? Map.of() : lagMonitor.lastMeasured();
    }

    /**
     * The {@code maxReplicaLag} set on the builder: reads skip a reader whose {@linkplain #replicaLags() lag} plus
     * the age of that measurement exceeds it. Empty when lag is not measured.
     */
    public Optional<Duration> maxReplicaLag() {
        return Optional.ofNullable(maxReplicaLag);
    }

    /** Kept for the {@code DataSource} contract only: Meridian and HikariCP log through SLF4J. */
    @Override
    public @Nullable PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(@Nullable PrintWriter out) {
        this.logWriter = out;
    }

    /** Kept for the {@code DataSource} contract only: the pool template's {@code connectionTimeout} applies. */
    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("RoutingDataSource logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("RoutingDataSource does not wrap " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    /** Closes every pool (in-use physical connections are closed too) and the discovery. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        snapshots.close();
        try {
            binder.close();
        } finally {
            discovery.close();
        }
    }

    @Override
    public String toString() {
        return "RoutingDataSource[" + name + "]";
    }

    /**
     * Builder; {@code multiRegion}, {@code discovery} and {@code poolTemplate} are required. Setters reject bad values
     * at once ({@link IllegalArgumentException} naming the setting and the value), {@link #build()} the missing ones
     * ({@link NullPointerException} naming the setting). Not thread-safe.
     */
    public static final class Builder {
        private static final String SET_MULTI_REGION = "pass the application's MultiRegion runtime to multiRegion(..)";
        private static final String SET_DISCOVERY = "pass a WriterDiscovery (StaticTopology, RdsGlobalClusterDiscovery"
                + " or PostgresTopologyDiscovery) to discovery(..)";
        private static final String SET_POOL_TEMPLATE = "pass a HikariConfig with credentials and pool sizes (no jdbcUrl)"
                + " to poolTemplate(..)";

        private @Nullable MultiRegion multiRegion;
        private @Nullable WriterDiscovery discovery;
        private @Nullable HikariConfig poolTemplate;
        private String name = "meridian";
        private @Nullable Duration maxReplicaLag;
        private LagProbe lagProbe = LagProbe.postgres();
        private Duration lagCheckInterval = Duration.ofSeconds(1);
        private @Nullable Duration readYourWritesWindow;
        private Duration footprintMaxAge = DEFAULT_FOOTPRINT_MAX_AGE;
        private Duration writerCheckInterval = DEFAULT_WRITER_CHECK_INTERVAL;

        private Builder() {
        }

        /** The Meridian runtime: its routing (residency, health, strategy), breakers and meter registry are used. */
        public Builder multiRegion(MultiRegion multiRegion) {
            this.multiRegion = SettingRules.required(multiRegion, "multiRegion", SET_MULTI_REGION);
            return this;
        }

        /** Where the writer and the regions' endpoints come from; closed with the data source. */
        public Builder discovery(WriterDiscovery discovery) {
            this.discovery = SettingRules.required(discovery, "discovery", SET_DISCOVERY);
            return this;
        }

        /**
         * Pool settings copied into every endpoint's pool: credentials, pool size, timeouts, driver properties.
         * Must not set a JDBC URL or data source (the endpoints supply them). Its {@code connectionTimeout} bounds
         * how long a reader that refuses connections delays a read before it falls back. Copied by {@link #build()}:
         * later changes to {@code poolTemplate} do not affect the data source.
         */
        public Builder poolTemplate(HikariConfig poolTemplate) {
            this.poolTemplate = SettingRules.required(poolTemplate, "poolTemplate", SET_POOL_TEMPLATE);
            return this;
        }

        /** Names pools, operations and the {@code datasource} metric tag. Default {@code meridian}. */
        public Builder name(String name) {
            this.name = SettingRules.notBlank(name, "name", "give the data source a name such as \"orders\", or leave the"
                    + " default \"meridian\"");
            return this;
        }

        /**
         * The staleness bound of reads: a reader serves a read only while its last measured lag plus that
         * measurement's age is at most this, otherwise the next reader or the writer serves it. Unset (default) means
         * lag is not measured, and {@code lagProbe} and {@code lagCheckInterval} are unused.
         */
        public Builder maxReplicaLag(Duration maxReplicaLag) {
            this.maxReplicaLag = SettingRules.positive(maxReplicaLag, "maxReplicaLag", "pass a bound such as 2 s, or leave it"
                    + " unset not to measure lag");
            return this;
        }

        /** How lag is measured; default {@link LagProbe#postgres()}. */
        public Builder lagProbe(LagProbe lagProbe) {
            this.lagProbe = SettingRules.required(lagProbe, "lagProbe", "pass LagProbe.postgres() (the default) or"
                    + " LagProbe.auroraPostgresGlobal()");
            return this;
        }

        /**
         * How long a region's measured lag is reused (aging meanwhile); default 1 s. Keep it well below
         * {@code maxReplicaLag}: a measurement older than the bound minus its lag no longer proves the bound.
         */
        public Builder lagCheckInterval(Duration lagCheckInterval) {
            this.lagCheckInterval = SettingRules.positive(lagCheckInterval, "lagCheckInterval", "pass an interval such as 1 s"
                    + " (the default)");
            return this;
        }

        /** After a commit on the writer, the same session reads from the writer for this long; unset = off. */
        public Builder readYourWritesWindow(Duration readYourWritesWindow) {
            this.readYourWritesWindow = SettingRules.positive(readYourWritesWindow, "readYourWritesWindow", "pass a window such"
                    + " as 1 s, or leave it unset to turn read-your-writes off");
            return this;
        }

        /**
         * How old the topology may be when a footprint check that matters (a RESTRICTED write, or a context residency
         * limits) uses it; an older one is looked up again first, at most once per this period. So a secondary region
         * added to the global cluster is seen within this bound even when the discovery's background refresh is off
         * (its default). Default 30 s: far shorter than adding a secondary region takes.
         */
        public Builder footprintMaxAge(Duration footprintMaxAge) {
            this.footprintMaxAge = SettingRules.positive(footprintMaxAge, "footprintMaxAge", "pass a bound such as 30 s (the"
                    + " default)");
            return this;
        }

        /**
         * How long a connection to the writer may be awaited before the writer is looked up again
         * ({@link WriterDiscovery#refresh()}), and how often again while such a wait lasts (a wait for a pool whose
         * connections are all in use looks nothing up). When the look-up names another writer, every connection
         * attempt waiting for the old one is abandoned and goes to the new writer: after a promotion the first write
         * does not wait out the stopped writer's pool {@code connectionTimeout}. Default 200 ms; raise it for a
         * discovery whose look-ups are costly or rate-limited (e.g. {@code RdsGlobalClusterDiscovery}, one
         * {@code DescribeGlobalClusters} per look-up).
         */
        @API(status = EXPERIMENTAL, since = "0.1")
        public Builder writerCheckInterval(Duration writerCheckInterval) {
            this.writerCheckInterval = SettingRules.positive(writerCheckInterval, "writerCheckInterval", "pass an interval"
                    + " such as 200 ms (the default)");
            return this;
        }

        public RoutingDataSource build() {
            SettingRules.required(multiRegion, "multiRegion", SET_MULTI_REGION);
            SettingRules.required(discovery, "discovery", SET_DISCOVERY);
            HikariConfig poolTemplate = SettingRules.required(this.poolTemplate, "poolTemplate", SET_POOL_TEMPLATE);
            SettingRules.check(poolTemplate.getJdbcUrl() == null, "poolTemplate.jdbcUrl", "must not be set",
                    JdbcUrls.redact(poolTemplate.getJdbcUrl()), "remove it: every endpoint's URL comes from the WriterDiscovery");
            SettingRules.check(poolTemplate.getDataSourceClassName() == null && poolTemplate.getDataSource() == null,
                    "poolTemplate.dataSource/dataSourceClassName", "must not be set",
                    poolTemplate.getDataSourceClassName() != null ? poolTemplate.getDataSourceClassName() : "a DataSource",
                    "remove it: pools connect by the JDBC URLs of the WriterDiscovery");
            return new RoutingDataSource(this);
        }
    }
}
