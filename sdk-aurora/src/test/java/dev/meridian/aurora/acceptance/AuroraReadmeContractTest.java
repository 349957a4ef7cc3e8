package dev.meridian.aurora.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.routing.RoutingStrategy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * sdk-aurora/README.md's claims that need no database, read as a user: configuration errors in their one documented
 * shape (the README's own examples, verbatim), secrets kept out of messages and {@code toString()}, building starts
 * nothing and {@code getConnection()} takes no physical connection (so it succeeds with every endpoint dead), what
 * {@code close()} leaves behind, and the lag accessors without a bound.
 */
class AuroraReadmeContractTest {
    /** Nothing listens on port 1: any physical connection attempt would fail. */
    private static final String DEAD = "jdbc:postgresql://127.0.0.1:1/orders";
    private final MultiRegion runtime = MultiRegion.builder(MultiRegionConfig.builder()
            .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
            .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
            .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").priority(2))
            .localRegion(Region.EU_CENTRAL_1)
            .routing(RoutingStrategy.localFirst())
            .build()).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static StaticTopology deadTopology() {
        return StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                .region(RegionEndpoints.node(Region.EU_WEST_1, DEAD))
                .region(RegionEndpoints.node(Region.EU_CENTRAL_1, DEAD))
                .build();
    }

    private RoutingDataSource.Builder dataSource() {
        HikariConfig pool = new HikariConfig();
        pool.setUsername("app");
        pool.setPassword("s3cret-pool");
        pool.setConnectionTimeout(250);
        return RoutingDataSource.builder().multiRegion(runtime).discovery(deadTopology()).poolTemplate(pool);
    }

    @Test
    void aBadValueIsAnIllegalArgumentInTheDocumentedShape() {
        assertThatThrownBy(() -> dataSource().maxReplicaLag(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxReplicaLag must be positive, was PT0S; pass a bound such as 2 s, or leave it unset not"
                        + " to measure lag");
        assertThatThrownBy(() -> StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                .region(Region.EU_WEST_1, "orders.cluster-abc.eu-west-1.rds.amazonaws.com", null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("writerUrl of eu-west-1 must be a JDBC URL starting with jdbc:, was"
                        + " orders.cluster-abc.eu-west-1.rds.amazonaws.com; pass a JDBC URL such as"
                        + " jdbc:postgresql://host:5432/db");
    }

    @Test
    void aMissingRequiredSettingIsANullPointerInTheDocumentedShape() {
        assertThatThrownBy(() -> RoutingDataSource.builder().discovery(deadTopology()).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("multiRegion is required, was null; pass the application's MultiRegion runtime to"
                        + " multiRegion(..)");
    }

    @Test
    void passwordsInUrlsAreMaskedInMessagesAndToStringNeverShowsUrls() {
        Throwable bad = catchThrowable(() -> StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                .region(Region.EU_WEST_1, "postgresql://app:hunter2@db:5432/orders?password=hunter3", null).build());
        assertThat(bad).isInstanceOf(IllegalArgumentException.class);
        assertThat(bad.getMessage()).doesNotContain("hunter2").doesNotContain("hunter3");

        StaticTopology topology = StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                .region(RegionEndpoints.node(Region.EU_WEST_1, "jdbc:postgresql://db-host-west:5432/orders?password=x"))
                .build();
        assertThat(topology.toString()).doesNotContain("db-host-west").doesNotContain("jdbc:");
        assertThat(topology.topology().toString()).doesNotContain("db-host-west").doesNotContain("jdbc:");
        assertThat(RegionEndpoints.node(Region.EU_WEST_1, "jdbc:postgresql://db-host-west:5432/orders").toString())
                .doesNotContain("db-host-west").doesNotContain("jdbc:");
    }

    /**
     * "Building starts nothing (no pool, no thread)" and "getConnection() takes no physical connection": with every
     * endpoint dead both succeed and no thread appears; the lag accessors are empty without a bound.
     */
    @Test
    void buildingStartsNothingAndGetConnectionTakesNoPhysicalConnection() throws SQLException {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (RoutingDataSource ds = dataSource().build()) {
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                c.setAutoCommit(false);
                assertThat(c.isReadOnly()).isTrue();
            }
            Set<String> started = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                    .map(Thread::getName).filter(n -> n.toLowerCase().contains("hikari")
                            || n.toLowerCase().contains("meridian")).collect(Collectors.toSet());
            assertThat(started).isEmpty();
            assertThat(ds.replicaLags()).isEmpty();
            assertThat(ds.maxReplicaLag()).isEmpty();
        }
    }

    /**
     * {@code isValid(timeout)} on a connection not bound yet takes a physical connection for the route its first
     * statement would take and is {@code false} when none is obtainable (here: every endpoint dead, the pool times
     * out);
     * the connection stays lazy and usable as a logical connection.
     */
    @Test
    void isValidOnAnUnboundConnectionIsFalseWhenNoRouteIsObtainable() throws SQLException {
        try (RoutingDataSource ds = dataSource().build(); Connection c = ds.getConnection()) {
            assertThat(c.isValid(5)).isFalse();
            c.setReadOnly(true);
            assertThat(c.isValid(5)).isFalse();
            assertThat(c.isClosed()).isFalse();
        }
    }

    /**
     * After {@code close()}: {@code getConnection()} and the first use of a logical connection that had not bound fail
     * with SQLState 08003; close is idempotent; the MultiRegion runtime is not closed.
     */
    @Test
    void afterCloseConnectionsFailWith08003CloseIsIdempotentAndTheRuntimeStaysOpen() throws SQLException {
        RoutingDataSource ds = dataSource().maxReplicaLag(Duration.ofSeconds(2)).build();
        assertThat(ds.maxReplicaLag()).contains(Duration.ofSeconds(2));
        Connection unbound = ds.getConnection();

        ds.close();
        ds.close();

        assertThat(catchThrowable(ds::getConnection)).isInstanceOf(SQLException.class)
                .extracting(t -> ((SQLException) t).getSQLState()).isEqualTo("08003");
        assertThat(catchThrowable(() -> unbound.createStatement().execute("SELECT 1")))
                .isInstanceOf(SQLException.class).extracting(t -> ((SQLException) t).getSQLState()).isEqualTo("08003");
        assertThat(runtime.regions()).hasSize(3);
        assertThat(runtime.execute(dev.meridian.core.routing.Operation.of("still-open",
                dev.meridian.core.routing.OperationKind.READ), Region::id)).isEqualTo("eu-central-1");
    }
}
