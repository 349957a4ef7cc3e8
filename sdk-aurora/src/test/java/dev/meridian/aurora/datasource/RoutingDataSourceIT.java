package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static dev.meridian.aurora.datasource.TestRegions.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.lag.LagProbe;
import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalAuroraGlobal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import software.amazon.awssdk.regions.Region;

/** Routing against a real primary (eu-west-1) and streaming replicas (eu-central-1, us-east-1). */
class RoutingDataSourceIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
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

    static HikariConfig poolTemplate() {
        return ItemsCluster.poolTemplate(aurora, 1000);
    }

    /** Every region's server serves as that region's writer and reader endpoint. */
    static StaticTopology everyNode() {
        StaticTopology.Builder b = StaticTopology.builder().writerRegion(Region.of(aurora.primaryRegion()));
        aurora.regions().forEach(r -> b.region(RegionEndpoints.node(Region.of(r), aurora.jdbcUrl(r))));
        return b.build();
    }

    private static int port(Region region) {
        return aurora.port(region.id());
    }

    private static Node readOnlyTransaction(RoutingDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            Node node = Node.of(c);
            c.commit();
            c.setAutoCommit(true);
            c.setReadOnly(false);
            return node;
        }
    }

    private static Node insert(RoutingDataSource ds) throws SQLException {
        return insert(ds, UUID.randomUUID().toString());
    }

    private static Node insert(RoutingDataSource ds, String id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'x')")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            return Node.of(c);
        }
    }

    /** Which server a read-only connection used, and whether that server had the row. */
    private record Seen(Node node, boolean found) {
    }

    private static Seen readRow(RoutingDataSource ds, String id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM items WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Seen(Node.of(c), rs.getInt(1) == 1);
                }
            }
        }
    }

    private static <T> T onAnotherThread(Callable<T> task) throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            return other.submit(task).get(30, TimeUnit.SECONDS);
        } finally {
            other.shutdownNow();
        }
    }

    private static <T> Callable<T> inSession(String correlationId, Callable<T> task) {
        return () -> {
            try (RoutingContext.Scope s = RoutingContext.builder().correlationId(correlationId).open()) {
                return task.call();
            }
        };
    }

    @Test
    void staticAndPostgresDiscoveryRouteWithoutMicrometerOrTheRdsModuleOnTheClassPath() throws Exception {
        // The probe's first read must find eu-central-1 proven fresh (maxReplicaLag 1 min): a replica that has replayed
        // nothing since it started, and not yet heard its primary's keep-alive, is of unknown lag and rightly skipped.
        try (Connection replica = DriverManager.getConnection(aurora.jdbcUrl("eu-central-1"), aurora.user(),
                aurora.password())) {
            await().atMost(PATIENCE).until(() -> LagProbe.postgres().measure(replica, EU_CENTRAL)
                    .compareTo(Duration.ofMinutes(1)) < 0);
        }
        String routed = WithoutOptionalDependenciesTest.runWithoutOptionalDependencies(
                WithoutOptionalDependenciesTest.RealDatabaseProbe.class,
                List.of(aurora.user(), aurora.password(), aurora.jdbcUrl("eu-west-1"), aurora.jdbcUrl("eu-central-1")));

        String readThenWrite = new Node(port(EU_CENTRAL), true) + " " + new Node(port(EU_WEST), false);
        assertThat(routed).isEqualTo(readThenWrite + "; " + readThenWrite);
    }

    @Test
    void readOnlyTransactionsLandOnTheLocalReplicaAndWritesOnThePrimary() throws SQLException {
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(everyNode())
                     .poolTemplate(poolTemplate()).build()) {

            assertThat(readOnlyTransaction(ds)).isEqualTo(new Node(port(EU_CENTRAL), true));
            assertThat(insert(ds)).isEqualTo(new Node(port(EU_WEST), false));
        }
    }

    @Test
    void springTransactionTemplateRoutesReadOnlyToTheLocalReplicaAndReadWriteToThePrimary() {
        try (MultiRegion mr = TestRegions.multiRegion(US_EAST);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(everyNode())
                     .poolTemplate(poolTemplate()).build()) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            DataSourceTransactionManager tm = new DataSourceTransactionManager(ds);
            TransactionTemplate readOnly = new TransactionTemplate(tm);
            readOnly.setReadOnly(true);
            TransactionTemplate readWrite = new TransactionTemplate(tm);

            Node reader = readOnly.execute(status -> Node.of(jdbc));
            Node writer = readWrite.execute(status -> {
                jdbc.update("INSERT INTO items VALUES (?, 'spring')", UUID.randomUUID().toString());
                return Node.of(jdbc);
            });

            assertThat(reader).isEqualTo(new Node(port(US_EAST), true));
            assertThat(writer).isEqualTo(new Node(port(EU_WEST), false));
        }
    }

    @Test
    void transactionalReadOnlyServiceMethodsReadFromTheLocalReplica() {
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(everyNode())
                     .poolTemplate(poolTemplate()).build();
             AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext()) {
            spring.registerBean(javax.sql.DataSource.class, () -> ds);
            spring.register(SpringTransactionalConfig.class);
            spring.refresh();
            SpringTransactionalConfig.ItemService service = spring.getBean(SpringTransactionalConfig.ItemService.class);

            assertThat(service.whereDoReadsGo()).isEqualTo(new Node(port(EU_CENTRAL), true));
            assertThat(service.whereDoWritesGo()).isEqualTo(new Node(port(EU_WEST), false));
        }
    }

    @Test
    void readsOfAStoppedReplicaMoveToTheNextRegionAndComeBackWhenItReturns() throws SQLException {
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(everyNode())
                     .poolTemplate(poolTemplate()).build()) {
            assertThat(readOnlyTransaction(ds).port()).isEqualTo(port(EU_CENTRAL));

            aurora.stop("eu-central-1");
            try {
                Node fallback = readOnlyTransaction(ds);
                assertThat(fallback.port()).isNotEqualTo(port(EU_CENTRAL)).isEqualTo(port(EU_WEST));
            } finally {
                aurora.start("eu-central-1");
            }
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(readOnlyTransaction(ds).port()).isEqualTo(port(EU_CENTRAL)));
        }
    }

    @Test
    void replicaLaggingBeyondTheBoundIsSkippedUntilItCatchesUp() throws SQLException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MultiRegion mr = TestRegions.multiRegion(US_EAST, registry);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(everyNode())
                     .poolTemplate(poolTemplate())
                     // Above the keep-alive cadence that proves an idle primary's replica caught up (0.5 s here).
                     .maxReplicaLag(Duration.ofSeconds(2))
                     .lagCheckInterval(Duration.ofMillis(100))
                     .build()) {
            assertThat(readOnlyTransaction(ds).port()).isEqualTo(port(US_EAST));

            aurora.replicaDelay("us-east-1", Duration.ofSeconds(30));
            try {
                insert(ds); // the replica now holds WAL it may not replay for 30 s
                await().atMost(PATIENCE).untilAsserted(() ->
                        assertThat(readOnlyTransaction(ds)).isEqualTo(new Node(port(EU_WEST), false)));
                assertThat(registry.get("meridian.jdbc.replica.lag").tag("region", "us-east-1").gauge().value())
                        .isGreaterThan(0.5);
                assertThat(registry.get("meridian.jdbc.reroutes").tag("region", "us-east-1").tag("reason", "replica-lag")
                        .counter().count()).isPositive();
            } finally {
                aurora.replicaDelay("us-east-1", Duration.ZERO);
            }
            aurora.awaitReplicaCaughtUp("us-east-1");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(readOnlyTransaction(ds).port()).isEqualTo(port(US_EAST)));
        }
    }

    @Test
    void restrictedEuReadsNeverTouchTheUsReplicaEvenWhenTheEuReplicaIsDown() throws SQLException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // eu-west-1 offers only its writer: EU reads go to the eu-central-1 replica, then fall back to the writer.
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, aurora.writerJdbcUrl(), null)
                .region(RegionEndpoints.node(EU_CENTRAL, aurora.jdbcUrl("eu-central-1")))
                .region(RegionEndpoints.node(US_EAST, aurora.jdbcUrl("us-east-1")))
                .build();
        try (MultiRegion mr = TestRegions.multiRegion(US_EAST, registry);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(topology)
                     .poolTemplate(poolTemplate()).build()) {
            List<Node> served = new ArrayList<>();
            try (RoutingContext.Scope eu = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("DE").open()) {
                served.add(readOnlyTransaction(ds));
                aurora.stop("eu-central-1");
                try {
                    served.add(readOnlyTransaction(ds));
                    served.add(readOnlyTransaction(ds));
                } finally {
                    aurora.start("eu-central-1");
                }
            }
            Node unrestricted = readOnlyTransaction(ds);

            assertThat(served).containsExactly(new Node(port(EU_CENTRAL), true), new Node(port(EU_WEST), false),
                    new Node(port(EU_WEST), false));
            assertThat(unrestricted).isEqualTo(new Node(port(US_EAST), true));
            double usBeforeUnrestricted = registry.find("meridian.jdbc.connections").tag("region", "us-east-1")
                    .counters().stream().mapToDouble(Counter::count).sum();
            assertThat(usBeforeUnrestricted).isEqualTo(1.0); // only the unrestricted read
        }
    }

    @Test
    void readYourWritesSendsTheWritingSessionsReadsToTheWriterUntilTheWindowPasses() throws Exception {
        Node primary = new Node(port(EU_WEST), false);
        Node localReplica = new Node(port(EU_CENTRAL), true);
        aurora.replicaDelay("eu-central-1", Duration.ofSeconds(2));
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(everyNode())
                     .poolTemplate(poolTemplate()).readYourWritesWindow(Duration.ofSeconds(1)).build()) {
            String mine = UUID.randomUUID().toString();
            String session = UUID.randomUUID().toString();
            String sessionRow = UUID.randomUUID().toString();

            insert(ds, mine);
            Seen sameThread = readRow(ds, mine);
            Node otherThread = onAnotherThread(() -> readRow(ds, mine).node());
            onAnotherThread(inSession(session, () -> insert(ds, sessionRow)));
            Seen sameSessionElsewhere = onAnotherThread(inSession(session, () -> readRow(ds, sessionRow)));
            Node otherSession = onAnotherThread(inSession("someone-else", () -> readRow(ds, sessionRow).node()));

            assertThat(sameThread).isEqualTo(new Seen(primary, true));
            assertThat(otherThread).isEqualTo(localReplica);
            assertThat(sameSessionElsewhere).isEqualTo(new Seen(primary, true));
            assertThat(otherSession).isEqualTo(localReplica);
            // Session by thread: the condition must be evaluated on this thread, not on Awaitility's.
            await().atMost(PATIENCE).pollInSameThread().pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(readRow(ds, mine).node()).isEqualTo(localReplica));
        } finally {
            aurora.replicaDelay("eu-central-1", Duration.ZERO);
        }
        aurora.awaitReplicaCaughtUp("eu-central-1");
    }

    @Test
    void withoutReadYourWritesAReadRightAfterAWriteGoesToTheLaggingReplicaAndMissesTheRow() throws Exception {
        aurora.replicaDelay("eu-central-1", Duration.ofSeconds(2));
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(everyNode())
                     .poolTemplate(poolTemplate()).build()) {
            readOnlyTransaction(ds); // both pools warm, so the read follows the write within milliseconds
            insert(ds);
            String id = UUID.randomUUID().toString();

            insert(ds, id);
            Seen seen = readRow(ds, id);

            assertThat(seen).isEqualTo(new Seen(new Node(port(EU_CENTRAL), true), false));
        } finally {
            aurora.replicaDelay("eu-central-1", Duration.ZERO);
        }
        aurora.awaitReplicaCaughtUp("eu-central-1");
    }

    @Test
    void drainedRegionsReplicaIsLeftOutOfReadsWhileTheWritersRegionKeepsTakingWrites() throws SQLException {
        // eu-west-1 offers only its writer, so a drained eu-central-1 sends reads on to the us-east-1 replica.
        StaticTopology topology = StaticTopology.builder().writerRegion(EU_WEST)
                .region(EU_WEST, aurora.writerJdbcUrl(), null)
                .region(RegionEndpoints.node(EU_CENTRAL, aurora.jdbcUrl("eu-central-1")))
                .region(RegionEndpoints.node(US_EAST, aurora.jdbcUrl("us-east-1")))
                .build();
        try (MultiRegion mr = TestRegions.multiRegion(EU_CENTRAL);
             RoutingDataSource ds = RoutingDataSource.builder().multiRegion(mr).discovery(topology)
                     .poolTemplate(poolTemplate()).build()) {
            assertThat(readOnlyTransaction(ds)).isEqualTo(new Node(port(EU_CENTRAL), true));

            mr.drain(EU_CENTRAL);
            mr.drain(EU_WEST);
            Node drainedRead = readOnlyTransaction(ds);
            Node drainedWrite = insert(ds);
            mr.undrain(EU_CENTRAL);
            mr.undrain(EU_WEST);

            assertThat(drainedRead).isEqualTo(new Node(port(US_EAST), true));
            assertThat(drainedWrite).isEqualTo(new Node(port(EU_WEST), false)); // one writer: drain does not stop writes
            assertThat(readOnlyTransaction(ds)).isEqualTo(new Node(port(EU_CENTRAL), true));
        }
    }
}
