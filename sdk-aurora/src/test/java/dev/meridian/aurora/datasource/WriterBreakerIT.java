package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.testkit.LocalAuroraGlobal;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The writer's breaker against a real primary (eu-west-1) that stops and comes back, with a replica in eu-central-1. */
class WriterBreakerIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Duration BREAKER_WAIT = Duration.ofSeconds(1);
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

    private static RoutingDataSource dataSource(MultiRegion mr) {
        return RoutingDataSource.builder().multiRegion(mr)
                .discovery(StaticTopology.builder().writerRegion(EU_WEST)
                        .region(EU_WEST, aurora.jdbcUrl("eu-west-1"), null)
                        .region(RegionEndpoints.node(EU_CENTRAL, aurora.jdbcUrl("eu-central-1")))
                        .build())
                .poolTemplate(ItemsCluster.poolTemplate(aurora, 250))
                .build();
    }

    private static Node insert(RoutingDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'x')")) {
                ps.setString(1, UUID.randomUUID().toString());
                ps.executeUpdate();
            }
            return Node.of(c);
        }
    }

    private static SQLException insertFailure(RoutingDataSource ds) {
        try {
            insert(ds);
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("the insert succeeded although the writer is stopped");
    }

    private static Node readOnly(RoutingDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            return Node.of(c);
        }
    }

    @Test
    void stoppedWriterFailsFastNamingItsRegionOnceTheBreakerOpensAndRecoversAfterTheBreakersWait() throws SQLException {
        Node primary = new Node(aurora.port("eu-west-1"), false);
        try (MultiRegion mr = MultiRegion.builder(TestRegions.config(EU_CENTRAL, TestRegions.touchyBreakers(BREAKER_WAIT)))
                .build();
             RoutingDataSource ds = dataSource(mr)) {
            CircuitBreaker writerBreaker = MultiRegionSpi.of(mr).circuitBreakers().circuitBreaker(EU_WEST.id() + "/" + ConnectionBinder.WRITER_RESOURCE);
            assertThat(insert(ds)).isEqualTo(primary);
            // The replica's pool holds a connection before the fault: its 250 ms connectionTimeout is for the writer
            // test below, not for connecting a cold pool on a busy machine.
            assertThat(readOnly(ds)).isEqualTo(new Node(aurora.port("eu-central-1"), true));

            aurora.stop("eu-west-1");
            try {
                await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                        .until(() -> insertFailure(ds) instanceof WriterUnavailableException);
                assertThat(writerBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

                SQLException fast = insertFailure(ds);
                // Fast because nothing was tried: the open breaker refused before any connection attempt (no
                // wall-clock bound, which a loaded machine breaks without telling anything about the breaker).
                assertThat((Throwable) fast).isInstanceOf(WriterUnavailableException.class)
                        .hasMessageContaining("writer of the global database in eu-west-1 is unavailable")
                        .hasMessageContaining("no connection was attempted")
                        .hasCauseInstanceOf(CallNotPermittedException.class);
                assertThat(readOnly(ds)).isEqualTo(new Node(aurora.port("eu-central-1"), true));
                try (Connection c = ds.getConnection()) {
                    assertThat(c.isValid(1)).isFalse();
                }
            } finally {
                aurora.start("eu-west-1");
            }

            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(SQLException.class)
                    .untilAsserted(() -> assertThat(insert(ds)).isEqualTo(primary));
            assertThat(writerBreaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            try (Connection c = ds.getConnection()) {
                assertThat(c.isValid(1)).isTrue();
            }
        }
    }
}
