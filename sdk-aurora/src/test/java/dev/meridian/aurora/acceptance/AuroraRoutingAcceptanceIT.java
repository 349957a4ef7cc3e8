package dev.meridian.aurora.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import software.amazon.awssdk.regions.Region;

/**
 * sdk-aurora/README.md read as a Spring user, on the testkit's real PostgreSQL primary (eu-west-1) with streaming
 * replicas (eu-central-1, us-east-1), the application in eu-central-1: read-only transactions read from the local
 * reader, others write to the writer; a drained region's reader leaves reads while writes go on; and across a writer
 * promotion with transactions running all the time, no acknowledged transaction is lost, none is applied twice and
 * none half. The server's port ({@code inet_server_port()}) witnesses which node served a statement.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuroraRoutingAcceptanceIT {
    private static LocalAuroraGlobal aurora;
    private static MultiRegion runtime;
    private static RoutingDataSource dataSource;
    private static JdbcTemplate jdbc;
    private static TransactionTemplate writes;
    private static TransactionTemplate reads;

    @BeforeAll
    static void start() throws SQLException {
        aurora = LocalAuroraGlobal.builder().primaryRegion("eu-west-1").replicaRegions("eu-central-1", "us-east-1")
                .start();
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             Statement s = c.createStatement()) {
            // No key: a transaction applied twice would show as two rows.
            s.execute("CREATE TABLE ledger (id text NOT NULL, part text NOT NULL)");
        }
        aurora.awaitReplicasCaughtUp();
        runtime = MultiRegion.builder(MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU").priority(0))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU").priority(1))
                .region(RegionSpec.of(Region.US_EAST_1).jurisdiction("US").priority(2))
                .localRegion(Region.EU_CENTRAL_1)
                .routing(RoutingStrategy.localFirst())
                .build()).build();
        HikariConfig pool = new HikariConfig();
        pool.setUsername(aurora.user());
        pool.setPassword(aurora.password());
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(0);
        pool.setConnectionTimeout(2000);
        PostgresTopologyDiscovery.Builder discovery = PostgresTopologyDiscovery.builder()
                .user(aurora.user()).password(aurora.password());
        aurora.regions().forEach(r -> discovery.node(Region.of(r), aurora.jdbcUrl(r)));
        dataSource = RoutingDataSource.builder().multiRegion(runtime).discovery(discovery.build())
                .poolTemplate(pool).build();
        jdbc = new JdbcTemplate(dataSource);
        DataSourceTransactionManager tx = new DataSourceTransactionManager(dataSource);
        writes = new TransactionTemplate(tx);
        reads = new TransactionTemplate(tx);
        reads.setReadOnly(true);
    }

    @AfterAll
    static void stop() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (aurora != null) {
            aurora.close();
        }
    }

    private static int readPort() {
        return reads.execute(s -> jdbc.queryForObject("SELECT inet_server_port()", Integer.class));
    }

    private static int writePort() {
        return writes.execute(s -> {
            jdbc.update("INSERT INTO ledger VALUES ('probe', 'w')");
            return jdbc.queryForObject("SELECT inet_server_port()", Integer.class);
        });
    }

    @Test
    void readOnlyTransactionsReadFromTheLocalReaderAndADrainedRegionsReaderLeavesReadsButNotWrites() {
        assertThat(readPort()).isEqualTo(aurora.port("eu-central-1"));
        assertThat(writePort()).isEqualTo(aurora.port(aurora.primaryRegion()));

        runtime.drain(Region.EU_CENTRAL_1);
        try {
            assertThat(readPort()).isNotEqualTo(aurora.port("eu-central-1"));
            assertThat(writePort()).isEqualTo(aurora.port(aurora.primaryRegion()));
        } finally {
            runtime.undrain(Region.EU_CENTRAL_1);
        }
        assertThat(readPort()).isEqualTo(aurora.port("eu-central-1"));
    }

    /**
     * Sticky routes: the read-only flag cannot change inside a transaction once a statement ran (SQLState 25001);
     * outside one it re-routes at the next use.
     */
    @Test
    void theReadOnlyFlagCannotChangeInsideATransactionButReRoutesOutsideOne() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            assertThat(port(c)).isEqualTo(aurora.port("eu-central-1"));
            c.setReadOnly(false);
            assertThat(port(c)).isEqualTo(aurora.port(aurora.primaryRegion()));
            c.setAutoCommit(false);
            port(c);
            assertThat(catchThrowable(() -> c.setReadOnly(true)))
                    .isInstanceOf(SQLException.class)
                    .extracting(t -> ((SQLException) t).getSQLState()).isEqualTo("25001");
            c.rollback();
        }
    }

    private static int port(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * Residency fails closed and unwrapped: the cluster replicates to us-east-1, so a German RESTRICTED write through
     * Spring is refused with sdk-core's {@code ResidencyViolationException} (not an SQLException Spring would
     * translate), nothing is written; a RESTRICTED read is served inside the EU.
     */
    @Test
    void aRestrictedWriteIsRefusedUnwrappedThroughSpringWhileRestrictedReadsStayInTheEu() {
        try (RoutingContext.Scope scope = RoutingContext.builder().subjectCountry("DE")
                .dataClass(DataClass.RESTRICTED).open()) {
            assertThat(catchThrowable(() -> writes.executeWithoutResult(s ->
                    jdbc.update("INSERT INTO ledger VALUES ('restricted', 'a')"))))
                    .isInstanceOf(ResidencyViolationException.class);
            assertThat(readPort()).isIn(aurora.port("eu-central-1"), aurora.port("eu-west-1"));
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ledger WHERE id = 'restricted'", Integer.class)).isZero();
    }

    /**
     * Dead connections: an autocommit write whose backend is terminated by the server while it runs (SQLState 57P01,
     * proof that it did not commit) is run once more on a new connection: the row is there exactly once and the caller
     * sees no error.
     */
    @Test
    void anAutocommitWriteKilledByTheServerWithProofItDidNotRunIsRunOnceMore() throws Exception {
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread write = new Thread(() -> {
            try {
                jdbc.update("INSERT INTO ledger SELECT 'killed', 'a' FROM pg_sleep(1.5)");
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        }, "killed-write");
        write.start();
        try (Connection admin = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             Statement s = admin.createStatement()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE query LIKE 'INSERT INTO ledger SELECT ''killed''%' AND pid <> pg_backend_pid()")) {
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            });
        }
        write.join(30_000);

        assertThat(outcome.get()).isNull();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ledger WHERE id = 'killed'", Integer.class)).isEqualTo(1);
    }

    /** "The poolTemplate is copied by build(): changing it afterwards has no effect." */
    @Test
    void changingThePoolTemplateAfterBuildHasNoEffect() {
        HikariConfig template = new HikariConfig();
        template.setUsername(aurora.user());
        template.setPassword(aurora.password());
        template.setMaximumPoolSize(1);
        template.setConnectionTimeout(2000);
        PostgresTopologyDiscovery.Builder discovery = PostgresTopologyDiscovery.builder()
                .user(aurora.user()).password(aurora.password());
        aurora.regions().forEach(r -> discovery.node(Region.of(r), aurora.jdbcUrl(r)));
        try (RoutingDataSource own = RoutingDataSource.builder().multiRegion(runtime).discovery(discovery.build())
                .poolTemplate(template).build()) {
            template.setPassword("wrong");
            template.setUsername("nobody");
            assertThat(new JdbcTemplate(own).queryForObject("SELECT 1", Integer.class)).isEqualTo(1);
        }
    }

    /**
     * Writer promotion: a thread commits two-row transactions one after another (as a Spring service would, without
     * retrying) while eu-central-1 is promoted. Afterwards every acknowledged transaction is there exactly once, no
     * transaction is there twice or in part, and new transactions run on the new writer without a restart.
     */
    @Test
    @Order(Integer.MAX_VALUE) // last: the other tests expect eu-west-1 to be the writer
    void acrossAWriterPromotionNoAcknowledgedTransactionIsLostDoubledOrHalfApplied() throws Exception {
        Map<String, String> failed = new ConcurrentHashMap<>();
        List<String> acked = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch someDone = new CountDownLatch(20);
        AtomicBoolean promoted = new AtomicBoolean();
        AtomicInteger afterPromotion = new AtomicInteger();
        Thread writer = new Thread(() -> {
            // Until 30 transactions have run after the promotion returned (bounded: at most 100,000 in all).
            for (int i = 0; i < 100_000 && afterPromotion.get() < 30; i++) {
                boolean after = promoted.get();
                String id = "t" + i;
                try {
                    writes.executeWithoutResult(s -> {
                        jdbc.update("INSERT INTO ledger VALUES (?, 'a')", id);
                        jdbc.update("INSERT INTO ledger VALUES (?, 'b')", id);
                    });
                    acked.add(id);
                } catch (RuntimeException e) {
                    failed.put(id, e.getClass().getName());
                }
                someDone.countDown();
                if (after) {
                    afterPromotion.incrementAndGet();
                }
            }
        }, "application-writer");
        writer.start();
        assertThat(someDone.await(60, TimeUnit.SECONDS)).isTrue();

        aurora.promote("eu-central-1");
        int duringPromotion = acked.size() + failed.size();
        promoted.set(true);
        writer.join(TimeUnit.SECONDS.toMillis(120));
        assertThat(writer.isAlive()).isFalse();
        int transactions = acked.size() + failed.size();
        System.err.printf("promotion: %d transactions when it returned, %d in all, %d failed: %s%n", duringPromotion,
                transactions, failed.size(), failed);

        assertThat(writePort()).as("new transactions run on the promoted writer")
                .isEqualTo(aurora.port("eu-central-1"));
        Map<String, Map<String, Integer>> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT id, part, count(*) FROM ledger WHERE id LIKE 't%' GROUP BY id, part")) {
            while (rs.next()) {
                rows.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getInt(3));
            }
        }
        assertThat(afterPromotion.get()).as("transactions ran on after the promotion").isEqualTo(30);
        for (String id : acked) {
            assertThat(rows.get(id)).as("acknowledged %s", id).isEqualTo(Map.of("a", 1, "b", 1));
        }
        for (String id : failed.keySet()) {
            Map<String, Integer> parts = rows.getOrDefault(id, Map.of());
            assertThat(parts).as("failed %s (%s): all or nothing, once", id, failed.get(id))
                    .satisfiesAnyOf(p -> assertThat(p).isEmpty(), p -> assertThat(p).isEqualTo(Map.of("a", 1, "b", 1)));
        }
        assertThat(rows.keySet()).allMatch(id -> acked.contains(id) || failed.containsKey(id));
    }
}
