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
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link RoutingDataSource#close()} leaves no pool, thread or discovery behind, against endpoints where nothing listens. */
class LifecycleTest {
    private static final String NAME = "lifecycle";

    private static boolean poolThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith(NAME + "-"));
    }

    private static boolean writerWatchAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("meridian-writer-watch-" + NAME));
    }

    @Test
    void closeClosesEveryPoolAndTheDiscoveryAndRefusesFurtherUse() throws Exception {
        AtomicInteger discoveryCloses = new AtomicInteger();
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, DeadEndpoints.url(), null)
                .region(RegionEndpoints.node(EU_CENTRAL, DeadEndpoints.url()))
                .build();
        WriterDiscovery discovery = new WriterDiscovery() {
            @Override
            public AuroraTopology topology() {
                return topology.topology();
            }

            @Override
            public AuroraTopology refresh() {
                return topology.refresh();
            }

            @Override
            public void close() {
                discoveryCloses.incrementAndGet();
            }
        };
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL)) {
            RoutingDataSource ds = RoutingDataSource.builder().name(NAME).multiRegion(mr).discovery(discovery)
                    .poolTemplate(DeadEndpoints.poolTemplate()).build();
            Connection takenBeforeClose = ds.getConnection();
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class); // creates reader and writer pools
            }
            assertThat(poolThreadsAlive()).isTrue();
            assertThat(writerWatchAlive()).as("started by the first writer connection").isTrue();

            ds.close();
            ds.close();

            await().atMost(Duration.ofSeconds(10)).until(() -> !poolThreadsAlive() && !writerWatchAlive());
            assertThat(discoveryCloses).hasValue(1);
            assertThatThrownBy(ds::getConnection).isInstanceOf(SQLException.class)
                    .hasMessageContaining("closed")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08003");
            assertThatThrownBy(takenBeforeClose::createStatement).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08003");
            assertThat(poolThreadsAlive()).isFalse(); // using it did not create a pool again
        }
    }
}
