package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.topology.AuroraTopology;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.aurora.topology.RdsGlobalClusterDiscovery;
import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class ConfigValidationTest {

    @Test
    void writerRegionWithoutEndpointsIsRejected() {
        assertThatThrownBy(() -> StaticTopology.builder()
                .writerRegion(Region.US_EAST_1)
                .region(Region.EU_WEST_1, "jdbc:postgresql://w/db", "jdbc:postgresql://r/db")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("writerRegion must be one of the configured regions [eu-west-1], was us-east-1; ");
    }

    @Test
    void writerRegionWithOnlyAReaderEndpointIsRejected() {
        assertThatThrownBy(() -> AuroraTopology.builder()
                .writerRegion(Region.EU_WEST_1)
                .region(Region.EU_WEST_1, null, "jdbc:postgresql://r/db")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("writerRegion must have a writerUrl, was eu-west-1 with only a readerUrl; ");
    }

    @Test
    void regionConfiguredTwiceIsRejected() {
        assertThatThrownBy(() -> AuroraTopology.builder()
                .region(Region.EU_WEST_1, "jdbc:a", null)
                .region(Region.EU_WEST_1, "jdbc:b", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("region eu-west-1 must be configured once, was configured twice; ");
    }

    @Test
    void regionWithoutAnyEndpointIsRejected() {
        assertThatThrownBy(() -> RegionEndpoints.of(Region.EU_WEST_1, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoints of eu-west-1 need a writerUrl or a readerUrl, was both null; "
                        + "pass the cluster endpoint, the reader endpoint or both");
    }

    @Test
    void nonPositiveDurationsNameTheSetting() {
        RoutingDataSource.Builder b = RoutingDataSource.builder();
        assertThatThrownBy(() -> b.maxReplicaLag(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxReplicaLag must be positive, was PT0S; pass a bound such as 2 s, or leave it unset not to "
                        + "measure lag");
        assertThatThrownBy(() -> b.lagCheckInterval(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lagCheckInterval must be positive");
        assertThatThrownBy(() -> b.readYourWritesWindow(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readYourWritesWindow must be positive");
        assertThatThrownBy(() -> b.name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must not be blank");
    }

    @Test
    void missingRequiredSettingsAreNamed() {
        assertThatNullPointerException().isThrownBy(() -> RoutingDataSource.builder().build()).withMessage("multiRegion is required, was null; pass the application's MultiRegion runtime to "
                + "multiRegion(..)");
    }

    @Test
    void poolTemplateWithItsOwnUrlIsRejected() {
        HikariConfig template = new HikariConfig();
        template.setJdbcUrl("jdbc:postgresql://somewhere/db");
        assertThatThrownBy(() -> RoutingDataSource.builder()
                .multiRegion(TestRegions.multiRegion(Region.EU_WEST_1))
                .discovery(StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                        .region(RegionEndpoints.node(Region.EU_WEST_1, "jdbc:postgresql://w/db")).build())
                .poolTemplate(template)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("poolTemplate.jdbcUrl must not be set");
    }

    @Test
    void discoveryBuildersValidateEagerly() {
        assertThatThrownBy(() -> PostgresTopologyDiscovery.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodes must not be empty");
        assertThatThrownBy(() -> PostgresTopologyDiscovery.builder().refreshInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refreshInterval must be positive");
        assertThatThrownBy(() -> RdsGlobalClusterDiscovery.builder().urlTemplate("jdbc:postgresql://db"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("urlTemplate must contain {host}");
        assertThatNullPointerException().isThrownBy(() -> RdsGlobalClusterDiscovery.builder()
                .globalClusterIdentifier("g").build()).withMessageStartingWith("apiRegion is required, was null; ");
    }

    @Test
    void endpointUrlsThatAreNotJdbcUrlsAreRejectedNamingRegionSettingAndValueWithoutThePassword() {
        assertThatThrownBy(() -> RegionEndpoints.of(Region.EU_WEST_1,
                "orders.cluster-abc.eu-west-1.rds.amazonaws.com?password=hunter2", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("writerUrl of eu-west-1 must be a JDBC URL starting with jdbc:, was "
                        + "orders.cluster-abc.eu-west-1.rds.amazonaws.com?password=****");
        assertThatThrownBy(() -> RegionEndpoints.of(Region.EU_WEST_1, null, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("readerUrl of eu-west-1 must not be blank, was ' '; ");
        assertThatThrownBy(() -> StaticTopology.builder().region(Region.US_EAST_1, "postgresql://db", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("writerUrl of us-east-1 must be a JDBC URL");
    }

    @Test
    void discoveryUrlsAreCheckedAndQuotedWithoutThePassword() {
        assertThatThrownBy(() -> PostgresTopologyDiscovery.builder().node(Region.EU_WEST_1, "localhost:5432"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("jdbcUrl of node eu-west-1 must be a JDBC URL starting with jdbc:, was localhost:5432; ");
        assertThatThrownBy(() -> RdsGlobalClusterDiscovery.builder()
                .urlTemplate("jdbc:postgresql://db.example.com/app?user=app&password=hunter2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("urlTemplate must contain {host}, was "
                        + "jdbc:postgresql://db.example.com/app?user=app&password=****; ");
    }

    @Test
    void everySettingsErrorHasOneShapeNamingTheSettingTheValueAndTheFix() {
        List<ThrowingCallable> mistakes = List.of(
                () -> RoutingDataSource.builder().build(),
                () -> RoutingDataSource.builder().name(" "),
                () -> RoutingDataSource.builder().lagCheckInterval(Duration.ofMillis(-5)),
                () -> RoutingDataSource.builder().footprintMaxAge(Duration.ZERO),
                () -> RoutingDataSource.builder().writerCheckInterval(Duration.ZERO),
                () -> RoutingDataSource.builder().lagProbe(null),
                () -> AuroraTopology.builder().build(),
                () -> AuroraTopology.builder().writerRegion(Region.US_EAST_1).region(Region.EU_WEST_1, "jdbc:a", null)
                        .build(),
                () -> RegionEndpoints.of(Region.EU_WEST_1, "db.example.com", null),
                () -> PostgresTopologyDiscovery.builder().build(),
                () -> PostgresTopologyDiscovery.builder().connectTimeout(Duration.ZERO),
                () -> PostgresTopologyDiscovery.builder().node(Region.EU_WEST_1, "jdbc:a").node(Region.EU_WEST_1, "jdbc:b"),
                () -> RdsGlobalClusterDiscovery.builder().refreshInterval(Duration.ofSeconds(-1)),
                () -> RdsGlobalClusterDiscovery.builder().globalClusterIdentifier(""),
                () -> RdsGlobalClusterDiscovery.builder().urlTemplate("jdbc:postgresql://db/app"));
        for (ThrowingCallable mistake : mistakes) {
            assertThatThrownBy(mistake).isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
                    .hasMessageMatching("[\\w.{}/ -]+ (must|is required|need)[^,]*, was .+; [a-z].+");
        }
    }

    @Test
    void changingThePoolTemplateAfterBuildDoesNotChangeTheDataSource() throws Exception {
        HikariConfig template = DeadEndpoints.poolTemplate();
        try (MultiRegion mr = TestRegions.multiRegion(Region.EU_WEST_1);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr)
                     .discovery(StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                             .region(RegionEndpoints.node(Region.EU_WEST_1, DeadEndpoints.url())).build())
                     .poolTemplate(template)
                     .build()) {
            template.setDataSourceClassName("no.such.DataSource"); // would break every pool created from now on
            try (Connection c = ds.getConnection()) {
                assertThatThrownBy(c::createStatement).isInstanceOf(SQLException.class); // refused, as configured
            }
        }
    }
}
