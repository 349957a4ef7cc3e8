package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static dev.meridian.aurora.datasource.TestRegions.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.aurora.topology.CannedRdsHttpClient;
import dev.meridian.aurora.topology.RdsGlobalClusterDiscovery;
import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalAuroraGlobal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;

/**
 * Residency on the paths a route chosen once does not cover, against a real primary (eu-west-1) and replicas
 * (eu-central-1, us-east-1): a connection whose route was chosen under one context and that then runs statements under
 * another (a RESTRICTED scope opened inside a transaction); a secondary region added to the global cluster while
 * background topology refresh is off; a read falling back to a writer in a region the context excludes.
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

    /** RDS discovery (canned API answers) of a global cluster whose members are this cluster's nodes. */
    private static RdsGlobalClusterDiscovery rdsDiscovery(CannedRdsHttpClient rds) {
        rds.localPorts.put(CannedRdsHttpClient.EU_ARN, aurora.port("eu-west-1"));
        rds.localPorts.put(CannedRdsHttpClient.EU_CENTRAL_ARN, aurora.port("eu-central-1"));
        rds.localPorts.put(CannedRdsHttpClient.US_ARN, aurora.port("us-east-1"));
        return RdsGlobalClusterDiscovery.builder()
                .globalClusterIdentifier("orders")
                .apiRegion(EU_WEST)
                .urlTemplate("jdbc:postgresql://{host}:{port}/" + aurora.database())
                .clientFactory(region -> RdsClient.builder()
                        .region(region)
                        .endpointOverride(URI.create("https://rds." + region.id() + ".test"))
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("id", "secret")))
                        .httpClient(rds)
                        .build())
                .build();
    }

    private static long globalClusterLookUps(CannedRdsHttpClient rds) {
        return rds.calls.stream().filter(call -> call.startsWith("DescribeGlobalClusters")).count();
    }

    private static void insert(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'x')")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    @Test
    void aSecondaryAddedOutsideTheJurisdictionIsSeenByTheNextRestrictedWriteWithoutBackgroundRefresh()
            throws SQLException {
        CannedRdsHttpClient rds = new CannedRdsHttpClient();
        rds.members.remove(CannedRdsHttpClient.US_ARN);
        rds.members.add(CannedRdsHttpClient.EU_CENTRAL_ARN);
        String before = UUID.randomUUID().toString();
        String after = UUID.randomUUID().toString();
        try (MultiRegion mr = TestRegions.multiRegion(EU_WEST);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(rdsDiscovery(rds))
                     .poolTemplate(ItemsCluster.poolTemplate(aurora, 1000))
                     .footprintMaxAge(Duration.ofNanos(1)) // every RESTRICTED check finds the topology too old
                     .build();
             RoutingContext.Scope s = restrictedGermanSubject();
             Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            insert(c, before); // the global cluster is EU-only: allowed

            rds.members.add(CannedRdsHttpClient.US_ARN); // a secondary is added in us-east-1

            assertThatThrownBy(() -> insert(c, after)).isInstanceOf(ResidencyViolationException.class)
                    .hasMessageContaining("us-east-1");
            c.commit();
            try (Connection next = ds.getConnection()) {
                assertThatThrownBy(() -> insert(next, after)).isInstanceOf(ResidencyViolationException.class);
            }
            assertThat(ds.topology().regions()).contains(US_EAST);
        }
        assertThat(onThePrimary(before, after)).containsExactly(before);
    }

    @Test
    void footprintLookUpsAreRateLimitedToOnePerMaxAgeAndOnlyForChecksThatMatter() throws SQLException {
        CannedRdsHttpClient rds = new CannedRdsHttpClient();
        rds.members.remove(CannedRdsHttpClient.US_ARN);
        try (MultiRegion mr = TestRegions.multiRegion(EU_WEST);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(rdsDiscovery(rds))
                     .poolTemplate(ItemsCluster.poolTemplate(aurora, 1000))
                     .footprintMaxAge(Duration.ofHours(1))
                     // Only footprint look-ups are counted: a writer connect slowed by a busy machine past the
                     // writer check interval would look the topology up as well (WriterWatch).
                     .writerCheckInterval(Duration.ofHours(1))
                     .build()) {
            for (int i = 0; i < 3; i++) {
                try (Connection c = ds.getConnection()) {
                    insert(c, UUID.randomUUID().toString());
                }
            }
            assertThat(globalClusterLookUps(rds)).isEqualTo(1); // the first look-up only: INTERNAL data

            try (RoutingContext.Scope s = restrictedGermanSubject()) {
                for (int i = 0; i < 3; i++) {
                    try (Connection c = ds.getConnection()) {
                        insert(c, UUID.randomUUID().toString());
                    }
                }
            }
            assertThat(globalClusterLookUps(rds)).isEqualTo(2); // one more, then fresh for an hour
        }
    }

    @Test
    void aReadNeverFallsBackToAWriterInARegionTheContextExcludes() throws SQLException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Readers that refuse connections in eu-central-1 and us-east-1; eu-west-1 offers only its (real) writer.
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, aurora.writerJdbcUrl(), null)
                .region(EU_CENTRAL, null, DeadEndpoints.url())
                .region(US_EAST, null, DeadEndpoints.url())
                .build();
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL, registry);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(topology)
                     .poolTemplate(ItemsCluster.poolTemplate(aurora, 250)).build()) {
            Node fallback;
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                fallback = Node.of(c);
            }
            assertThat(fallback).isEqualTo(new Node(aurora.port("eu-west-1"), false));

            try (RoutingContext.Scope s = RoutingContext.builder().excludeRegion(EU_WEST).open();
                 Connection c = ds.getConnection()) {
                c.setReadOnly(true);
                assertThatThrownBy(() -> Node.of(c)).isInstanceOf(SQLTransientConnectionException.class)
                        .hasMessageContaining("eu-west-1 is excluded")
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
            }
            assertThat(registry.get("meridian.jdbc.connections").tag("role", "writer").counter().count())
                    .isEqualTo(1.0); // the unrestricted fallback only
        }
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
