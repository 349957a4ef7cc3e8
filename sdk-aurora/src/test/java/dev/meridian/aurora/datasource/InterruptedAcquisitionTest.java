package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.spi.MultiRegionSpi;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller interrupted while it waits for a pooled connection (HikariCP: "Interrupted during connection acquisition",
 * an {@link SQLException} caused by {@link InterruptedException}) gave up: sdk-core ends the read at once — no other
 * reader, no writer fallback — and no endpoint's breaker is blamed.
 */
class InterruptedAcquisitionTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void anInterruptedWaitForAReaderEndsTheReadWithoutBlamingAnEndpoint() throws Exception {
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, DeadEndpoints.url(), null)
                .region(RegionEndpoints.node(EU_CENTRAL, DeadEndpoints.url()))
                .build();
        try (MultiRegion mr = MultiRegion.builder(TestRegions.config(EU_CENTRAL,
                     TestRegions.touchyBreakers(Duration.ofMinutes(1)))).meterRegistry(registry).build();
             RoutingDataSource ds = DeadEndpoints.dataSource(mr, topology);
             Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            Thread.currentThread().interrupt();
            assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).as("the interrupt status is kept for the caller").isTrue();

            CircuitBreaker reader = MultiRegionSpi.of(mr).circuitBreakers()
                    .circuitBreaker(EU_CENTRAL.id() + "/" + ConnectionBinder.READER_RESOURCE);
            CircuitBreaker writer = MultiRegionSpi.of(mr).circuitBreakers()
                    .circuitBreaker(EU_WEST.id() + "/" + ConnectionBinder.WRITER_RESOURCE);
            assertThat(reader.getMetrics().getNumberOfFailedCalls()).isZero();
            assertThat(writer.getMetrics().getNumberOfBufferedCalls()).as("no writer fallback").isZero();
            assertThat(registry.find("meridian.jdbc.reroutes").counters()).isEmpty();
        }
    }
}
