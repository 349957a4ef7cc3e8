package dev.meridian.aurora;

import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.core.MultiRegion;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
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
                .hasMessageContaining("writerRegion us-east-1 has no endpoints");
    }

    @Test
    void writerRegionWithOnlyAReaderEndpointIsRejected() {
        assertThatThrownBy(() -> AuroraTopology.builder()
                .writerRegion(Region.EU_WEST_1)
                .region(Region.EU_WEST_1, null, "jdbc:postgresql://r/db")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no writerUrl");
    }

    @Test
    void regionConfiguredTwiceIsRejected() {
        assertThatThrownBy(() -> AuroraTopology.builder()
                .region(Region.EU_WEST_1, "jdbc:a", null)
                .region(Region.EU_WEST_1, "jdbc:b", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eu-west-1 is configured twice");
    }

    @Test
    void regionWithoutAnyEndpointIsRejected() {
        assertThatThrownBy(() -> RegionEndpoints.of(Region.EU_WEST_1, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoints for eu-west-1 need a writerUrl or a readerUrl, both are null");
    }

    @Test
    void nonPositiveDurationsNameTheSetting() {
        RoutingDataSource.Builder b = RoutingDataSource.builder();
        assertThatThrownBy(() -> b.maxReplicaLag(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxReplicaLag must be positive, was PT0S");
        assertThatThrownBy(() -> b.lagCheckInterval(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lagCheckInterval must be positive");
        assertThatThrownBy(() -> b.readYourWritesWindow(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readYourWritesWindow must be positive");
        assertThatThrownBy(() -> b.name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must not be blank");
    }

    @Test
    void missingRequiredSettingsAreNamed() {
        assertThatNullPointerException().isThrownBy(() -> RoutingDataSource.builder().build()).withMessage("multiRegion");
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
                .globalClusterIdentifier("g").build()).withMessage("apiRegion");
    }

    @Test
    void endpointUrlsThatAreNotJdbcUrlsAreRejectedNamingRegionSettingAndValueWithoutThePassword() {
        assertThatThrownBy(() -> RegionEndpoints.of(Region.EU_WEST_1,
                "orders.cluster-abc.eu-west-1.rds.amazonaws.com?password=hunter2", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("writerUrl of eu-west-1 must be a JDBC URL starting with jdbc:, was "
                        + "orders.cluster-abc.eu-west-1.rds.amazonaws.com?password=****");
        assertThatThrownBy(() -> RegionEndpoints.of(Region.EU_WEST_1, null, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readerUrl of eu-west-1 must not be blank, was ' '");
        assertThatThrownBy(() -> StaticTopology.builder().region(Region.US_EAST_1, "postgresql://db", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("writerUrl of us-east-1 must be a JDBC URL");
    }

    @Test
    void discoveryUrlsAreCheckedAndQuotedWithoutThePassword() {
        assertThatThrownBy(() -> PostgresTopologyDiscovery.builder().node(Region.EU_WEST_1, "localhost:5432"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jdbcUrl of node eu-west-1 must be a JDBC URL starting with jdbc:, was localhost:5432");
        assertThatThrownBy(() -> RdsGlobalClusterDiscovery.builder()
                .urlTemplate("jdbc:postgresql://db.example.com/app?user=app&password=hunter2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("urlTemplate must contain {host}, was jdbc:postgresql://db.example.com/app?user=app&password=****");
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
