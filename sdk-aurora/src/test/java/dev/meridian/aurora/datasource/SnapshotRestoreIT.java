package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.topology.AuroraTopology;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.aurora.topology.WriterDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.SnapshotHooks;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * The data source around a process snapshot on real PostgreSQL (a primary in eu-west-1, a streaming replica in the
 * local eu-central-1), with sdk-core's {@link SnapshotHooks} of its runtime driven directly: before the checkpoint no
 * backend of its pools is left on either server; after the restore the topology is looked up again, and reads and
 * writes land where they should, with the read-your-writes session of before the snapshot forgotten.
 */
class SnapshotRestoreIT {
    /** The pools' {@code application_name}, so that their backends can be told from the test's own. */
    private static final String POOL_APPLICATION = "meridian-snapshot-it";

    private static LocalAuroraGlobal aurora;

    @BeforeAll
    static void startCluster() throws SQLException {
        aurora = ItemsCluster.start("eu-west-1", "eu-central-1");
    }

    @AfterAll
    static void closeCluster() {
        if (aurora != null) {
            aurora.close();
        }
    }

    /**
     * A real discovery that records what the snapshot hooks ask of it and counts the look-ups it makes: an
     * invalidated topology is looked up again at the next {@link #topology()}.
     */
    private static final class Recording implements WriterDiscovery {
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicInteger lookUps = new AtomicInteger();
        private final PostgresTopologyDiscovery discovery;
        private volatile boolean stale;

        Recording(PostgresTopologyDiscovery discovery) {
            this.discovery = discovery;
        }

        @Override
        public AuroraTopology topology() {
            if (stale) {
                stale = false;
                return refresh();
            }
            return discovery.topology();
        }

        @Override
        public AuroraTopology refresh() {
            lookUps.incrementAndGet();
            return discovery.refresh();
        }

        @Override
        public void invalidate() {
            events.add("invalidate");
            stale = true;
        }

        @Override
        public void suspendRefresh() {
            events.add("suspendRefresh");
            discovery.suspendRefresh();
        }

        @Override
        public void resumeRefresh() {
            events.add("resumeRefresh");
            discovery.resumeRefresh();
        }

        @Override
        public void releaseConnections() {
            events.add("releaseConnections");
            discovery.releaseConnections();
        }

        @Override
        public void close() {
            discovery.close();
        }
    }

    private static Recording discovery() {
        PostgresTopologyDiscovery.Builder b = PostgresTopologyDiscovery.builder()
                .user(aurora.user()).password(aurora.password());
        aurora.regions().forEach(r -> b.node(Region.of(r), aurora.jdbcUrl(r)));
        return new Recording(b.build());
    }

    private static HikariConfig poolTemplate() {
        HikariConfig template = ItemsCluster.poolTemplate(aurora, 2000);
        template.addDataSourceProperty("ApplicationName", POOL_APPLICATION);
        return template;
    }

    /** Backends of the pools on the server of {@code region}, counted from a direct connection of the test's own. */
    private static int poolBackends(String region) throws SQLException {
        try (Connection c = DriverManager.getConnection(aurora.jdbcUrl(region), aurora.user(), aurora.password());
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, POOL_APPLICATION);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static Node readOnlyTransaction(RoutingDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            Node node = Node.of(c);
            c.commit();
            c.setAutoCommit(true);
            c.setReadOnly(false);
            return node;
        }
    }

    private static Node insert(RoutingDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'x')")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.executeUpdate();
            return Node.of(c);
        }
    }

    @Test
    void poolsLeaveNoBackendOverTheCheckpointAndTheRestoredCopyRoutesAfreshAfterLookingTheTopologyUp()
            throws Exception {
        Node primary = new Node(aurora.port("eu-west-1"), false);
        Node localReplica = new Node(aurora.port("eu-central-1"), true);
        Recording discovery = discovery();
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
             RoutingDataSource ds = RoutingDataSource.builder().name("snapshot-it").multiRegion(mr)
                     .discovery(discovery).poolTemplate(poolTemplate())
                     .readYourWritesWindow(Duration.ofMinutes(5)).build()) {
            SnapshotHooks hooks = SnapshotHooks.builder(mr).build();
            assertThat(readOnlyTransaction(ds)).isEqualTo(localReplica);
            assertThat(insert(ds)).isEqualTo(primary);
            assertThat(readOnlyTransaction(ds)).as("read-your-writes: this thread just wrote").isEqualTo(primary);
            assertThat(poolBackends("eu-west-1")).isPositive();
            assertThat(poolBackends("eu-central-1")).isPositive();

            hooks.beforeCheckpoint(null);

            // A closed connection's backend exits asynchronously on the server.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> poolBackends("eu-west-1") == 0 && poolBackends("eu-central-1") == 0);
            assertThat(discovery.events).containsExactly("suspendRefresh", "releaseConnections");
            int lookUpsBeforeRestore = discovery.lookUps.get();

            hooks.afterRestore(null);

            assertThat(discovery.lookUps).as("nothing looked up before it is used").hasValue(lookUpsBeforeRestore);
            assertThat(readOnlyTransaction(ds))
                    .as("the local replica: the snapshot's read-your-writes session is forgotten")
                    .isEqualTo(localReplica);
            assertThat(discovery.lookUps).as("the topology looked up again at first use")
                    .hasValue(lookUpsBeforeRestore + 1);
            assertThat(insert(ds)).isEqualTo(primary);
            assertThat(discovery.events)
                    .containsExactly("suspendRefresh", "releaseConnections", "invalidate", "resumeRefresh");
            assertThat(poolBackends("eu-west-1")).as("pools connect again at first use").isPositive();
            assertThat(discovery.topology().writerRegion()).isEqualTo(EU_WEST);
        }
    }
}
