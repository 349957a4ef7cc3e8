package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Bounded staleness by construction, on a real primary (eu-west-1) and a streaming replica (us-east-1, the local
 * region): a reader serves a read only while its last lag measurement plus that measurement's age is within
 * {@code maxReplicaLag}. With a lag check interval far longer than the bound, a replica that stops replaying right
 * after it was measured is used only until the measurement is too old to prove the bound; then the writer serves.
 */
class BoundedStalenessIT {
    private static final Duration BOUND = Duration.ofSeconds(1);
    private static LocalAuroraGlobal aurora;

    @BeforeAll
    static void startCluster() throws SQLException {
        aurora = ItemsCluster.start("eu-west-1", "us-east-1");
    }

    @AfterAll
    static void closeCluster() {
        if (aurora != null) {
            aurora.close();
        }
    }

    /** A read of one row: when it began (monotonic), which server answered, whether the row was there. */
    private record Read(long beganNanos, int port, boolean found) {
    }

    private static Read read(RoutingDataSource ds, String id) throws SQLException {
        long began = System.nanoTime();
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*), inet_server_port() FROM items WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Read(began, rs.getInt(2), rs.getInt(1) == 1);
                }
            }
        }
    }

    @Test
    void aReplicaThatStopsReplayingServesNoReadStalerThanTheBoundThenTheWriterServes() throws Exception {
        StaticTopology topology = StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                .region(RegionEndpoints.node(Region.EU_WEST_1, aurora.jdbcUrl("eu-west-1")))
                .region(RegionEndpoints.node(US_EAST, aurora.jdbcUrl("us-east-1")))
                .build();
        try (MultiRegion mr = TestRegions.multiRegion(US_EAST);
                RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(topology)
                        .poolTemplate(ItemsCluster.poolTemplate(aurora, 1000))
                        .maxReplicaLag(BOUND)
                        .lagCheckInterval(Duration.ofHours(1)) // one measurement for the whole test
                        .build()) {
            assertThat(read(ds, "none").port()).as("measured caught up: the local replica serves")
                    .isEqualTo(aurora.port("us-east-1"));

            aurora.replicaDelay("us-east-1", Duration.ofMinutes(5));
            try {
                String id = UUID.randomUUID().toString();
                try (Connection c = ds.getConnection();
                        PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'x')")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
                long acknowledged = System.nanoTime();

                List<Read> reads = new CopyOnWriteArrayList<>();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    Read r = read(ds, id);
                    reads.add(r);
                    return r.port() == aurora.port("eu-west-1");
                });

                assertThat(reads.get(reads.size() - 1).found()).as("the writer has the row").isTrue();
                assertThat(reads).as("a read that missed the row began within the bound of its acknowledgement")
                        .filteredOn(r -> !r.found())
                        .allSatisfy(r -> assertThat(Duration.ofNanos(r.beganNanos() - acknowledged))
                                .isLessThan(BOUND));
            } finally {
                aurora.replicaDelay("us-east-1", Duration.ZERO);
            }
        }
    }
}
