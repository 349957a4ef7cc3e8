package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.aurora.topology.AuroraTopology;
import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.aurora.topology.WriterDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.SnapshotHooks;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The data source around a process snapshot, with sdk-core's {@link SnapshotHooks} of its runtime driven directly,
 * against endpoints where nothing listens: pools are closed before the checkpoint and created again at next use, the
 * discovery's background refresh is held and its connections released, and after the restore it is told to look the
 * topology up again and its refresh resumes.
 */
class SnapshotRestoreTest {
    private static final String NAME = "snapshot";

    private static boolean poolThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith(NAME + "-"));
    }

    /** A discovery that records what the snapshot hooks ask of it. */
    private static final class Recording implements WriterDiscovery {
        final List<String> events = new CopyOnWriteArrayList<>();
        private final StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, DeadEndpoints.url(), null)
                .region(RegionEndpoints.node(EU_CENTRAL, DeadEndpoints.url()))
                .build();

        @Override
        public AuroraTopology topology() {
            return topology.topology();
        }

        @Override
        public AuroraTopology refresh() {
            return topology.refresh();
        }

        @Override
        public void invalidate() {
            events.add("invalidate");
        }

        @Override
        public void releaseConnections() {
            events.add("releaseConnections");
        }

        @Override
        public void suspendRefresh() {
            events.add("suspendRefresh");
        }

        @Override
        public void resumeRefresh() {
            events.add("resumeRefresh");
        }
    }

    private static void usePools(RoutingDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class); // creates reader and writer pools
        }
    }

    @Test
    void poolsAreClosedBeforeTheCheckpointAndTheTopologyIsLookedUpAgainAfterTheRestore() throws Exception {
        Recording discovery = new Recording();
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
                RoutingDataSource ds = RoutingDataSource.builder().name(NAME).multiRegion(mr).discovery(discovery)
                        .poolTemplate(DeadEndpoints.poolTemplate()).build()) {
            SnapshotHooks hooks = SnapshotHooks.builder(mr).build();
            usePools(ds);
            assertThat(poolThreadsAlive()).isTrue();

            hooks.beforeCheckpoint(null);

            await().atMost(Duration.ofSeconds(10)).until(() -> !poolThreadsAlive());
            assertThat(discovery.events).as("the background refresh held before anything is closed")
                    .containsExactly("suspendRefresh", "releaseConnections");

            hooks.afterRestore(null);

            assertThat(discovery.events)
                    .containsExactly("suspendRefresh", "releaseConnections", "invalidate", "resumeRefresh");
            assertThat(poolThreadsAlive()).as("nothing reopened before it is used").isFalse();
            usePools(ds);
            assertThat(poolThreadsAlive()).as("pools created again at first use").isTrue();
        }
    }

    @Test
    void aClosedDataSourceNoLongerTakesPartInSnapshots() throws Exception {
        Recording discovery = new Recording();
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL)) {
            RoutingDataSource ds = RoutingDataSource.builder().name(NAME).multiRegion(mr).discovery(discovery)
                    .poolTemplate(DeadEndpoints.poolTemplate()).build();
            ds.close();

            SnapshotHooks hooks = SnapshotHooks.builder(mr).build();
            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);

            assertThat(discovery.events).isEmpty();
        }
    }
}
