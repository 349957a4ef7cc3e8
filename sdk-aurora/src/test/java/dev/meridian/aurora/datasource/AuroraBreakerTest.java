package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.spi.MultiRegionSpi;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Reader and writer breakers open on connection failures with the default (AWS) failure classifier, against
 * endpoints where nothing listens. Recovery against a real server is in {@link WriterBreakerIT}.
 */
class AuroraBreakerTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static long millisToFail(Connection c, boolean readOnly) throws SQLException {
        c.setReadOnly(readOnly);
        long start = System.nanoTime();
        try {
            c.createStatement();
        } catch (SQLException expected) {
            return (System.nanoTime() - start) / 1_000_000;
        }
        throw new AssertionError("expected the connection to fail");
    }

    @Test
    void unreachableWriterFailsFastNamingItsRegionOnceItsBreakerOpens() throws Exception {
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, DeadEndpoints.url(), null).build();
        try (MultiRegion mr = MultiRegion.builder(TestRegions.config(EU_WEST,
                     TestRegions.touchyBreakers(Duration.ofMinutes(1)))).meterRegistry(registry).build();
             RoutingDataSource ds = DeadEndpoints.dataSource(mr, topology)) {
            for (int i = 0; i < 2; i++) {
                try (Connection c = ds.getConnection()) {
                    assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class)
                            .isNotInstanceOf(WriterUnavailableException.class);
                }
            }
            CircuitBreaker writerBreaker = MultiRegionSpi.of(mr).circuitBreakers().circuitBreaker(EU_WEST.id() + "/" + ConnectionBinder.WRITER_RESOURCE);
            assertThat(writerBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

            try (Connection c = ds.getConnection()) {
                long start = System.nanoTime();
                assertThatThrownBy(c::createStatement)
                        .isInstanceOf(WriterUnavailableException.class)
                        .hasMessageContaining("eu-west-1")
                        .hasMessageContaining("circuit breaker")
                        .hasCauseInstanceOf(CallNotPermittedException.class)
                        .satisfies(e -> {
                            assertThat(((WriterUnavailableException) e).region()).isEqualTo(EU_WEST);
                            assertThat(((SQLException) e).getSQLState()).isEqualTo("08001");
                        });
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
                assertThat(c.isValid(1)).isFalse();
            }
        }
    }

    @Test
    void unreachableReaderIsSkippedWithoutAConnectionAttemptOnceItsBreakerOpens() throws Exception {
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, DeadEndpoints.url(), null)
                .region(RegionEndpoints.node(EU_CENTRAL, DeadEndpoints.url()))
                .build();
        try (MultiRegion mr = MultiRegion.builder(TestRegions.config(EU_CENTRAL,
                     TestRegions.touchyBreakers(Duration.ofMinutes(1)))).meterRegistry(registry).build();
             RoutingDataSource ds = DeadEndpoints.dataSource(mr, topology);
             Connection c = ds.getConnection()) {
            millisToFail(c, true); // reader, then the writer fallback, each refuse within the pool's 250 ms
            millisToFail(c, true);

            assertThat(MultiRegionSpi.of(mr).circuitBreakers().circuitBreaker(EU_CENTRAL.id() + "/" + ConnectionBinder.READER_RESOURCE).getState())
                    .isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(millisToFail(c, true)).isLessThan(200); // both breakers open: nothing is attempted
            // The read plan leaves out the region whose reader breaker is open: no third connection attempt.
            assertThat(registry.get("meridian.jdbc.reroutes").tag("region", "eu-central-1").tag("reason", "unavailable")
                    .counter().count()).isEqualTo(2.0);
        }
    }

    @Test
    void readerBreakerAuroraOpensIsTheOneTheCoreRouterConsultsWithPerResourceBreakers() throws Exception {
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, DeadEndpoints.url(), null)
                .region(RegionEndpoints.node(EU_CENTRAL, DeadEndpoints.url()))
                .build();
        HealthConfig perResource = TestRegions.touchyBreakers(Duration.ofMinutes(1)).toBuilder()
                .perResourceBreakers(true).build();
        try (MultiRegion mr = MultiRegion.builder(TestRegions.config(EU_CENTRAL, perResource)).build();
             RoutingDataSource ds = DeadEndpoints.dataSource(mr, topology);
             Connection c = ds.getConnection()) {
            Operation read = Operation.builder("reads", OperationKind.READ).resource(ConnectionBinder.READER_RESOURCE)
                    .build();
            assertThat(MultiRegionSpi.of(mr).plan(read, RoutingContext.empty()).regions()).contains(EU_CENTRAL);
            millisToFail(c, true);
            millisToFail(c, true);

            assertThat(MultiRegionSpi.of(mr).plan(read, RoutingContext.empty()).regions()).doesNotContain(EU_CENTRAL);
        }
    }
}
