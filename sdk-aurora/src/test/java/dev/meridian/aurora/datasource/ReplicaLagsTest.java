package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.SnapshotHooks;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * {@link RoutingDataSource#replicaLags()} and {@link RoutingDataSource#maxReplicaLag()}: the lags the data source
 * measured while routing reads, as an immutable value, read without measuring. Readers are {@link FakeDriver}
 * connections in real pools; the {@link dev.meridian.aurora.lag.LagProbe} reports the lags a test sets.
 */
class ReplicaLagsTest {
    private final Map<Region, Duration> lags = new ConcurrentHashMap<>();
    private final List<Region> probed = new CopyOnWriteArrayList<>();

    /** Writer in eu-west-1 (its cluster has a reader too), a reader in eu-central-1, the local region. */
    private RoutingDataSource.Builder dataSource(MultiRegion mr) {
        return RoutingDataSource.builder().name("lags").multiRegion(mr)
                .discovery(StaticTopology.builder().writerRegion(EU_WEST)
                        .region(EU_WEST, FakeDriver.url("writer-eu-west-1"), FakeDriver.url("reader-eu-west-1"))
                        .region(EU_CENTRAL, null, FakeDriver.url("reader-eu-central-1"))
                        .build())
                .poolTemplate(FakeDriver.poolTemplate())
                .lagProbe((connection, region) -> {
                    probed.add(region);
                    return lags.getOrDefault(region, Duration.ZERO);
                });
    }

    /** A read-only connection's first use binds it to a reader: the lag is measured then. */
    private static void read(RoutingDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.getCatalog();
        }
    }

    @Test
    void theLastMeasuredLagOfEachReaderRegionIsAnImmutableValueThatMeasuresNothing() throws SQLException {
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
                RoutingDataSource ds = dataSource(mr).maxReplicaLag(Duration.ofSeconds(2))
                        .lagCheckInterval(Duration.ofNanos(1)).build()) {
            assertThat(ds.maxReplicaLag()).contains(Duration.ofSeconds(2));
            assertThat(ds.replicaLags()).as("no read yet").isEmpty();

            lags.put(EU_CENTRAL, Duration.ofMillis(150));
            read(ds);
            Map<Region, Duration> first = ds.replicaLags();
            assertThat(first).containsExactly(Map.entry(EU_CENTRAL, Duration.ofMillis(150)));

            // Over the bound: the local reader is skipped, and the read measures the next region's reader.
            lags.put(EU_CENTRAL, Duration.ofSeconds(5));
            read(ds);
            assertThat(ds.replicaLags()).containsOnly(Map.entry(EU_CENTRAL, Duration.ofSeconds(5)),
                    Map.entry(EU_WEST, Duration.ZERO));

            assertThat(first).as("an earlier answer does not change").containsExactly(
                    Map.entry(EU_CENTRAL, Duration.ofMillis(150)));
            assertThatThrownBy(() -> first.put(EU_WEST, Duration.ZERO))
                    .isInstanceOf(UnsupportedOperationException.class);
            int probes = probed.size();
            ds.replicaLags();
            assertThat(probed).as("reading the lags measures nothing").hasSize(probes);
        }
    }

    @Test
    void afterASnapshotRestoreTheLagsOfTheSnapshotsWorldAreForgotten() throws Exception {
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
                RoutingDataSource ds = dataSource(mr).maxReplicaLag(Duration.ofSeconds(2)).build()) {
            read(ds);
            assertThat(ds.replicaLags()).containsOnlyKeys(EU_CENTRAL);

            SnapshotHooks hooks = SnapshotHooks.builder(mr).build();
            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);

            assertThat(ds.replicaLags()).isEmpty();
        }
    }

    @Test
    void withoutMaxReplicaLagNothingIsMeasuredAndThereIsNoLag() throws SQLException {
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL); RoutingDataSource ds = dataSource(mr).build()) {
            read(ds);

            assertThat(ds.replicaLags()).isEmpty();
            assertThat(ds.maxReplicaLag()).isEmpty();
            assertThat(probed).isEmpty();
        }
    }
}
