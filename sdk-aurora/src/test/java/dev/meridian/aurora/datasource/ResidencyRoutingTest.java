package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static dev.meridian.aurora.datasource.TestRegions.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** Residency decisions, against endpoints where nothing listens: refusals happen before any US connection attempt. */
class ResidencyRoutingTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static RoutingContext.Scope restrictedGermanSubject() {
        return RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE").open();
    }

    @Test
    void restrictedWriteIsRefusedWhenTheGlobalClusterReplicatesOutsideTheJurisdiction() throws Exception {
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(RegionEndpoints.node(EU_WEST, DeadEndpoints.url()))
                .region(RegionEndpoints.node(EU_CENTRAL, DeadEndpoints.url()))
                .region(RegionEndpoints.node(US_EAST, DeadEndpoints.url()))
                .build();
        try (MultiRegion mr = TestRegions.multiRegion(EU_WEST, registry);
             RoutingDataSource ds = DeadEndpoints.dataSource(mr, topology);
             RoutingContext.Scope s = restrictedGermanSubject();
             Connection c = ds.getConnection()) {

            assertThatThrownBy(c::createStatement)
                    .isInstanceOf(ResidencyViolationException.class)
                    .hasMessageContaining("us-east-1");
            assertThat(registry.find("meridian.jdbc.connections").counters()).isEmpty();
        }
    }

    @Test
    void restrictedReadFailsClosedWhenOnlyAWriterOutsideTheJurisdictionRemains() throws Exception {
        StaticTopology topology = StaticTopology.builder().writerRegion(US_EAST)
                .region(RegionEndpoints.node(EU_WEST, DeadEndpoints.url()))
                .region(RegionEndpoints.node(EU_CENTRAL, DeadEndpoints.url()))
                .region(RegionEndpoints.node(US_EAST, DeadEndpoints.url()))
                .build();
        try (MultiRegion mr = TestRegions.multiRegion(US_EAST, registry);
             RoutingDataSource ds = DeadEndpoints.dataSource(mr, topology);
             RoutingContext.Scope s = restrictedGermanSubject();
             Connection c = ds.getConnection()) {
            c.setReadOnly(true);

            assertThatThrownBy(c::createStatement).isInstanceOf(ResidencyViolationException.class);
            assertThat(registry.find("meridian.jdbc.reroutes").tag("reason", "unavailable").counters())
                    .extracting(counter -> counter.getId().getTag("region"))
                    .containsExactlyInAnyOrder("eu-west-1", "eu-central-1");
            assertThat(registry.find("meridian.jdbc.connections").counters()).isEmpty();
        }
    }

    @Test
    void unrestrictedDataIsNotLimitedByTheFootprint() throws Exception {
        StaticTopology topology = StaticTopology.builder().writerRegion(US_EAST)
                .region(RegionEndpoints.node(EU_WEST, DeadEndpoints.url()))
                .region(RegionEndpoints.node(US_EAST, DeadEndpoints.url()))
                .build();
        try (MultiRegion mr = TestRegions.multiRegion(EU_WEST, registry);
             RoutingDataSource ds = DeadEndpoints.dataSource(mr, topology);
             Connection c = ds.getConnection()) {
            // Passes residency, then fails to connect: the writer is down, not refused.
            assertThatThrownBy(c::createStatement)
                    .isInstanceOf(java.sql.SQLException.class)
                    .isNotInstanceOf(ResidencyViolationException.class);
        }
    }
}
