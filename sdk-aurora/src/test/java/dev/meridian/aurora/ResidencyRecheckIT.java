package dev.meridian.aurora;

import static dev.meridian.aurora.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.TestRegions.EU_WEST;
import static dev.meridian.aurora.TestRegions.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import software.amazon.awssdk.regions.Region;

/**
 * A connection whose route was chosen under one context and that then runs statements under another (a RESTRICTED
 * scope opened inside a transaction), against a real primary (eu-west-1) and replicas (eu-central-1, us-east-1): the
 * global cluster replicates to the US, so no RESTRICTED German write may be sent, whenever its scope opened.
 */
class ResidencyRecheckIT {
    private static LocalAuroraGlobal aurora;

    @BeforeAll
    static void startCluster() throws SQLException {
        aurora = ItemsCluster.start("eu-west-1", "eu-central-1", "us-east-1");
    }

    @AfterAll
    static void closeCluster() {
        if (aurora != null) {
            aurora.close();
        }
    }

    private static RoutingContext.Scope restrictedGermanSubject() {
        return RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE").open();
    }

    private static RoutingDataSource dataSource(MultiRegion mr) {
        StaticTopology.Builder topology = StaticTopology.builder().writerRegion(Region.of(aurora.primaryRegion()));
        aurora.regions().forEach(r -> topology.region(RegionEndpoints.node(Region.of(r), aurora.jdbcUrl(r))));
        return RoutingDataSource.builder().multiRegion(mr).discovery(topology.build())
                .poolTemplate(ItemsCluster.poolTemplate(aurora, 1000)).build();
    }

    /** Which of {@code ids} the primary holds, read directly, not through Meridian. */
    private static List<String> onThePrimary(String... ids) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             PreparedStatement ps = c.prepareStatement("SELECT id FROM items WHERE id = ANY (?) ORDER BY note")) {
            ps.setArray(1, c.createArrayOf("text", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    @Test
    void springTransactionOpeningARestrictedScopeAfterItsFirstStatementHasTheInsertRefusedUnsent() throws SQLException {
        String internal = UUID.randomUUID().toString();
        String restricted = UUID.randomUUID().toString();
        try (MultiRegion mr = TestRegions.multiRegion(EU_WEST); RoutingDataSource ds = dataSource(mr)) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));

            tx.executeWithoutResult(status -> {
                jdbc.update("INSERT INTO items VALUES (?, 'a internal')", internal);
                try (RoutingContext.Scope s = restrictedGermanSubject()) {
                    assertThatThrownBy(() -> jdbc.update("INSERT INTO items VALUES (?, 'b restricted')", restricted))
                            .isInstanceOf(ResidencyViolationException.class)
                            .hasMessageContaining("us-east-1");
                }
                // The refusal leaves the transaction usable: it commits what ran before, and nothing of the refused
                // statement had reached the server.
            });
        }
        assertThat(onThePrimary(internal, restricted)).containsExactly(internal);
    }

    @Test
    void plainJdbcTransactionRefusesTheRestrictedStatementAndGoesOnWithTheOthers() throws SQLException {
        String first = UUID.randomUUID().toString();
        String refused = UUID.randomUUID().toString();
        String last = UUID.randomUUID().toString();
        try (MultiRegion mr = TestRegions.multiRegion(EU_WEST); RoutingDataSource ds = dataSource(mr);
             Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO items VALUES (?, ?)")) {
                insert.setString(1, first);
                insert.setString(2, "a");
                insert.executeUpdate();
                try (RoutingContext.Scope s = restrictedGermanSubject()) {
                    assertThatThrownBy(() -> {
                        insert.setString(1, refused);
                        insert.setString(2, "b");
                        insert.executeUpdate();
                    }).isInstanceOf(ResidencyViolationException.class);
                }
                insert.setString(1, last);
                insert.setString(2, "c");
                insert.executeUpdate();
            }
            c.commit();
        }
        assertThat(onThePrimary(first, refused, last)).containsExactly(first, last);
    }

    @Test
    void readTransactionBoundToTheUsReplicaRefusesARestrictedQueryAndAutocommitReadsMoveToAnEuReplica()
            throws SQLException {
        try (MultiRegion mr = TestRegions.multiRegion(US_EAST); RoutingDataSource ds = dataSource(mr);
             Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            assertThat(Node.of(c)).isEqualTo(new Node(aurora.port("us-east-1"), true));
            try (RoutingContext.Scope s = restrictedGermanSubject()) {
                assertThatThrownBy(() -> Node.of(c)).isInstanceOf(ResidencyViolationException.class)
                        .hasMessageContaining("us-east-1");
            }
            c.rollback();
            c.setAutoCommit(true);

            assertThat(Node.of(c)).isEqualTo(new Node(aurora.port("us-east-1"), true));
            Node restrictedRead;
            try (RoutingContext.Scope s = restrictedGermanSubject()) {
                restrictedRead = Node.of(c);
            }
            assertThat(restrictedRead.port()).isIn(aurora.port(EU_WEST.id()), aurora.port(EU_CENTRAL.id()));
        }
    }
}
