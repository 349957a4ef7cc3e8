package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.testkit.LocalAuroraGlobal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A global-database switchover (the testkit promotes a replica and stops the old primary) without restarting. */
class WriterPromotionIT {
    private LocalAuroraGlobal aurora;
    private MultiRegion multiRegion;
    private RoutingDataSource ds;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws SQLException {
        aurora = ItemsCluster.start("eu-west-1", "eu-central-1");
        multiRegion = MultiRegion.builder(TestRegions.config(EU_CENTRAL)).meterRegistry(registry).build();
        ds = RoutingDataSource.builder()
                .multiRegion(multiRegion)
                .discovery(PostgresTopologyDiscovery.builder()
                        .node(EU_WEST, aurora.jdbcUrl("eu-west-1"))
                        .node(EU_CENTRAL, aurora.jdbcUrl("eu-central-1"))
                        .user(aurora.user()).password(aurora.password())
                        .build())
                .poolTemplate(ItemsCluster.poolTemplate(aurora, 1000))
                .build();
    }

    @AfterEach
    void stop() {
        if (ds != null) {
            ds.close();
        }
        if (multiRegion != null) {
            multiRegion.close();
        }
        if (aurora != null) {
            aurora.close();
        }
    }

    private Node insert(String note) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, ?)")) {
                ps.setString(1, UUID.randomUUID().toString());
                ps.setString(2, note);
                ps.executeUpdate();
            }
            return Node.of(c);
        }
    }

    @Test
    void writesMoveToThePromotedReplicaEvenWhenTheOldPrimaryComesBackAsAReplica() throws SQLException {
        assertThat(insert("before")).isEqualTo(new Node(aurora.port("eu-west-1"), false));

        aurora.promote("eu-central-1");
        aurora.start("eu-west-1"); // back as a hot standby: its pool's new connections now answer writes with 25006

        assertThat(insert("after")).isEqualTo(new Node(aurora.port("eu-central-1"), false));
        assertThat(ds.topology().writerRegion()).isEqualTo(EU_CENTRAL);
        assertThat(registry.get("meridian.jdbc.writer.refreshes").tag("region", "eu-central-1").tag("changed", "true")
                .counter().count()).isEqualTo(1.0);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT count(*) FROM items");
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void transactionInterruptedByAFailoverFailsAndTheNextOneRunsOnTheNewWriterWhileTheOldStaysDown() throws SQLException {
        insert("warm-up");
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'in-flight')")) {
                ps.setString(1, UUID.randomUUID().toString());
                ps.executeUpdate();
            }

            aurora.promote("eu-central-1");

            assertThatThrownBy(() -> c.createStatement().executeUpdate("UPDATE items SET note = 'x'"))
                    .isInstanceOf(SQLException.class);
            c.rollback();
            c.setAutoCommit(true);
        }
        assertThat(insert("retried")).isEqualTo(new Node(aurora.port("eu-central-1"), false));
    }

}
