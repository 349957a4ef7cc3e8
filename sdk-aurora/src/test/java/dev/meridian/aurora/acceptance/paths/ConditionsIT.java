package dev.meridian.aurora.acceptance.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.datasource.WriterChangedException;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * sdk-aurora/README.md's routing under conditions, crossed with doors, on one shared cluster (primary eu-west-1,
 * replicas eu-central-1 (local) and us-east-1), reset between tests (replica delays removed, stopped nodes started);
 * the promotion runs last. Witnesses as in {@link CallShapePropertyIT}: {@code inet_server_port()} and row counts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConditionsIT {
    private static LocalAuroraGlobal aurora;
    private static MultiRegion runtime;
    private static RoutingDataSource dataSource;
    private static ExecutorService pool;

    @BeforeAll
    static void start() throws SQLException {
        aurora = PathsCluster.start();
        runtime = PathsCluster.runtime();
        dataSource = PathsCluster.dataSource(aurora, runtime).build();
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        PathsCluster.shutDown(pool);
        PathsCluster.stop(dataSource, runtime, aurora);
    }

    @AfterEach
    void reset() {
        for (String region : aurora.regions()) {
            aurora.start(region);
            if (!region.equals(aurora.primaryRegion())) {
                aurora.replicaDelay(region, Duration.ZERO);
            }
        }
        aurora.awaitReplicasCaughtUp();
    }

    private static int writer() {
        return aurora.port(aurora.primaryRegion());
    }

    private static int local() {
        return aurora.port(PathsCluster.LOCAL);
    }

    private static void insert(Connection c, String id, int n) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO paths VALUES (?, ?, inet_server_port())")) {
            p.setString(1, id);
            p.setInt(2, n);
            p.executeUpdate();
        }
    }

    private static void write(RoutingDataSource ds, String id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            insert(c, id, 0);
        }
    }

    private static int port(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** A read-only read: the port that served it and how many rows of {@code id} it saw. */
    private record Read(int port, int rows) {
    }

    private static Read read(RoutingDataSource ds, String id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT inet_server_port(), count(*) FROM paths WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return new Read(rs.getInt(1), rs.getInt(2));
                }
            }
        }
    }

    /** {@code work} on a pool thread, under {@code context} re-opened there. */
    private static <T> T elsewhere(RoutingContext context, SqlWork<T> work) throws Exception {
        return CompletableFuture.supplyAsync(() -> 0, pool).thenApplyAsync(ignored -> {
            try (RoutingContext.Scope s = context.open()) {
                return work.run();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, pool).get(60, TimeUnit.SECONDS);
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /**
     * Read-your-writes: "the session is the RoutingContext correlation id when one is open (so it follows a request
     * across threads)". A write under correlation id A on the test thread; reads of A on a pool thread (a
     * {@code CompletableFuture} continuation) go to the writer, reads of B and reads without a context on a thread
     * that wrote nothing stay on the local reader. A transaction committed on a pool thread counts too.
     */
    @Test
    @Order(1)
    void readYourWritesFollowsTheCorrelationIdAcrossThreads() throws Exception {
        try (RoutingDataSource ryw = PathsCluster.dataSource(aurora, runtime)
                .readYourWritesWindow(Duration.ofMinutes(5)).build()) {
            RoutingContext a = RoutingContext.builder().correlationId("request-a").build();
            RoutingContext b = RoutingContext.builder().correlationId("request-b").build();
            RoutingContext c = RoutingContext.builder().correlationId("request-c").build();
            try (RoutingContext.Scope s = a.open()) {
                write(ryw, "ryw-a");
            }
            assertThat(elsewhere(a, () -> read(ryw, "ryw-a"))).isEqualTo(new Read(writer(), 1));
            assertThat(elsewhere(b, () -> read(ryw, "ryw-a")).port()).isEqualTo(local());
            assertThat(elsewhere(RoutingContext.empty(), () -> read(ryw, "ryw-a")).port()).isEqualTo(local());

            // A transaction begun on this thread under c and committed on a pool thread (the same request).
            try (RoutingContext.Scope s = c.open(); Connection conn = ryw.getConnection()) {
                conn.setAutoCommit(false);
                insert(conn, "ryw-c", 0);
                elsewhere(c, () -> {
                    conn.commit();
                    return null;
                });
            }
            try (RoutingContext.Scope s = c.open()) {
                assertThat(read(ryw, "ryw-c")).isEqualTo(new Read(writer(), 1));
            }
        }
    }

    /**
     * Session tokens: "A write committed on the writer under a RoutingSession records a token in it ... A read under
     * a session with a token is served by a reader only when the reader ... has replayed every commit up to the end of
     * the millisecond of the token's stamp; else by the writer". The readers replay 3 s late (lag measured, bound
     * 30 s, so they keep serving other reads); the session's read on another thread, and a downstream service's read
     * under {@code RoutingSession.after(token)}, see the write; a read without a session is served by the local reader.
     */
    @Test
    @Order(2)
    void aSessionsReadSeesItsWriteOnAnotherThreadWhileReadersLag() throws Exception {
        try (RoutingDataSource tokens = PathsCluster.dataSource(aurora, runtime)
                .maxReplicaLag(Duration.ofSeconds(30)).build()) {
            aurora.replicaDelay("eu-central-1", Duration.ofSeconds(3));
            aurora.replicaDelay("us-east-1", Duration.ofSeconds(3));
            RoutingSession session = RoutingSession.start();
            RoutingContext context = RoutingContext.builder().session(session).build();
            try (RoutingContext.Scope s = context.open()) {
                write(tokens, "token-1");
            }
            assertThat(session.token()).as("the write recorded a token").isPresent();
            SessionToken token = session.token().orElseThrow();

            assertThat(elsewhere(context, () -> read(tokens, "token-1")).rows()).isEqualTo(1);
            RoutingContext downstream = RoutingContext.builder()
                    .session(RoutingSession.after(SessionToken.parse(token.format()))).build();
            assertThat(elsewhere(downstream, () -> read(tokens, "token-1")).rows()).isEqualTo(1);
            assertThat(read(tokens, "token-1").port()).as("a read without a session").isEqualTo(local());
        }
    }

    /**
     * Lag: with {@code maxReplicaLag} 1 s, a read routed more than 1 s after a write sees it, whatever the replicas'
     * 5 s delay (it is served by the writer), on another thread, beside a CPU-starved caller.
     */
    @Test
    @Order(3)
    void aLaggingLocalReaderMissesNoWriteOlderThanTheBound() throws Exception {
        try (RoutingDataSource bounded = PathsCluster.dataSource(aurora, runtime)
                .maxReplicaLag(Duration.ofSeconds(1)).lagCheckInterval(Duration.ofMillis(200)).build()) {
            aurora.replicaDelay("eu-central-1", Duration.ofSeconds(5));
            aurora.replicaDelay("us-east-1", Duration.ofSeconds(5));
            write(bounded, "lag-1");
            long written = System.nanoTime();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> System.nanoTime() - written > TimeUnit.MILLISECONDS.toNanos(1100));
            try (PathsCluster.Starvation busy = new PathsCluster.Starvation(true)) {
                Read r = elsewhere(RoutingContext.empty(), () -> read(bounded, "lag-1"));
                assertThat(r.rows()).as("served by %d", r.port()).isEqualTo(1);
            }
        }
    }

    /**
     * A replica down: reads go on (another reader or the writer) and writes are not disturbed; once it is back, the
     * local reader serves reads again.
     */
    @Test
    @Order(4)
    void aLocalReplicaDownMovesReadsElsewhereAndLeavesWritesAlone() throws Exception {
        aurora.stop(PathsCluster.LOCAL);
        assertThat(elsewhere(RoutingContext.empty(), () -> read(dataSource, "down")).port()).isNotEqualTo(local());
        write(dataSource, "down-1");
        assertThat(PathsCluster.rowPorts(aurora, "down-1")).containsExactly(writer());
        aurora.start(PathsCluster.LOCAL);
        aurora.awaitReplicaCaughtUp(PathsCluster.LOCAL);
        await().atMost(Duration.ofSeconds(60)).until(() -> read(dataSource, "down").port() == local());
    }

    /**
     * A stopped writer (no promotion): reads keep coming from the local reader; a write fails with an
     * {@code SQLException} and is not applied; once the writer is back, writes succeed on it.
     */
    @Test
    @Order(5)
    void aStoppedWriterFailsWritesWithoutApplyingThemWhileReadsGoOn() throws Exception {
        aurora.stop(aurora.primaryRegion());
        try {
            assertThat(read(dataSource, "stopped").port()).isEqualTo(local());
            Throwable failure = catchThrowable(() -> write(dataSource, "stopped-1"));
            System.err.println("write to a stopped writer: " + failure);
            assertThat(failure).isInstanceOf(SQLException.class);
        } finally {
            aurora.start(aurora.primaryRegion());
        }
        assertThat(PathsCluster.rowPorts(aurora, "stopped-1")).isEmpty();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            write(dataSource, "stopped-2");
            return true;
        });
        assertThat(PathsCluster.rowPorts(aurora, "stopped-2")).containsExactly(writer());
    }

    /**
     * Residency at another door: "The check is made at every use of the physical connection (each statement
     * execution), against the RoutingContext current at that moment, not only the one the route was chosen under".
     * A connection bound to the writer on the test thread without a context is handed to a pool thread that opens a
     * German RESTRICTED scope (the cluster replicates to us-east-1): its INSERT is refused there with sdk-core's
     * unchecked exception, unwrapped and unsent; the same connection then writes on the test thread, no scope open.
     */
    @Test
    @Order(6)
    void aRestrictedScopeOnAnotherThreadIsCheckedAtTheStatementNotWhereTheConnectionWasBound() throws Exception {
        RoutingContext restricted = RoutingContext.builder().subjectCountry("DE")
                .dataClass(DataClass.RESTRICTED).build();
        try (Connection c = dataSource.getConnection()) {
            assertThat(port(c)).isEqualTo(writer());
            Throwable refused = catchThrowable(() -> elsewhere(restricted, () -> {
                insert(c, "handed-over-restricted", 0);
                return null;
            }));
            assertThat(refused).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ResidencyViolationException.class);
            insert(c, "handed-over-default", 0);
        }
        assertThat(PathsCluster.rowPorts(aurora, "handed-over-restricted")).isEmpty();
        assertThat(PathsCluster.rowPorts(aurora, "handed-over-default")).containsExactly(writer());
    }

    /**
     * Writer promotion (switchover eu-west-1 → eu-central-1) beside a CPU-starved caller and a writer thread cycling
     * through call shapes. Held across it: an autocommit connection with a prepared statement, a transaction with one
     * statement run, a read-only connection; a second data source idle through it whose old writer then rejoins as a
     * replica. Promises: no acknowledged write lost or doubled, no write on a replica, the held transaction fails and
     * can be retried after rollback, the first write after the promotion goes to the new writer, and the idle data
     * source's first write reaches the new writer although its old writer now answers as a read-only standby.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void acrossAPromotionNoWriteIsLostDoubledOrSentToAReplica() throws Exception {
        int oldWriter = writer();
        int newWriter = aurora.port("eu-central-1");
        try (RoutingDataSource idle = PathsCluster.dataSource(aurora, runtime).build();
             Connection held = dataSource.getConnection();
             Connection tx = dataSource.getConnection();
             Connection ro = dataSource.getConnection()) {
            write(idle, "idle-before");
            PreparedStatement heldInsert = held.prepareStatement("INSERT INTO paths VALUES (?, 0, inet_server_port())");
            heldInsert.setString(1, "held-before");
            heldInsert.executeUpdate();
            PreparedStatement heldKeys = held.prepareStatement("INSERT INTO paths VALUES (?, 0, inet_server_port())",
                    new String[] {"port"});
            heldKeys.setString(1, "keys-before");
            heldKeys.executeUpdate();
            PreparedStatement heldBatch = held.prepareStatement("INSERT INTO paths VALUES (?, ?, inet_server_port())");
            for (int n = 0; n < 2; n++) {
                heldBatch.setString(1, "batch-pending");
                heldBatch.setInt(2, n);
                heldBatch.addBatch();
            }
            tx.setAutoCommit(false);
            insert(tx, "tx-uncommitted", 0);
            ro.setReadOnly(true);
            assertThat(port(ro)).isEqualTo(local());

            Map<String, Integer> acked = new ConcurrentHashMap<>();
            Map<String, String> failed = new ConcurrentHashMap<>();
            AtomicBoolean promoted = new AtomicBoolean();
            AtomicInteger afterPromotion = new AtomicInteger();
            CountDownLatch warm = new CountDownLatch(10);
            Thread writerThread = new Thread(() -> {
                for (int i = 0; i < 100_000 && afterPromotion.get() < 20; i++) {
                    boolean after = promoted.get();
                    String id = "bg-" + i;
                    int rows = i % 3 == 2 ? 2 : 1;
                    try (Connection c = dataSource.getConnection()) {
                        switch (i % 3) {
                            case 0 -> insert(c, id, 0);
                            case 1 -> {
                                try (PreparedStatement p = c.prepareStatement(
                                        "INSERT INTO paths VALUES (?, 0, inet_server_port())", new String[] {"port"})) {
                                    p.setString(1, id);
                                    p.executeLargeUpdate();
                                }
                            }
                            default -> {
                                try (PreparedStatement p = c.prepareStatement(
                                        "INSERT INTO paths VALUES (?, ?, inet_server_port())")) {
                                    for (int n = 0; n < 2; n++) {
                                        p.setString(1, id);
                                        p.setInt(2, n);
                                        p.addBatch();
                                    }
                                    p.executeBatch();
                                }
                            }
                        }
                        acked.put(id, rows);
                    } catch (SQLException | RuntimeException | AssertionError e) {
                        // AssertionError: pgjdbc's BatchResultHandler.isAutoCommit throws it when the connection died
                        // under a batch (the old writer's shutdown). Its outcome is unknown, like any failure here.
                        failed.put(id, e.toString());
                    }
                    warm.countDown();
                    if (after) {
                        afterPromotion.incrementAndGet();
                    }
                }
            }, "application-writer");

            long promotedAt;
            try (PathsCluster.Starvation busy = new PathsCluster.Starvation(true)) {
                writerThread.start();
                assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();
                aurora.promote("eu-central-1");
                promotedAt = System.nanoTime();
                promoted.set(true);
                write(dataSource, "first-after");
                System.err.printf("first write after the promotion: %d ms after promote() returned%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - promotedAt));
                writerThread.join(TimeUnit.SECONDS.toMillis(120));
            }
            assertThat(writerThread.isAlive()).isFalse();
            System.err.printf("promotion: %d acknowledged, %d failed: %s%n", acked.size(), failed.size(), failed);
            assertThat(PathsCluster.rowPorts(aurora, "first-after")).containsExactly(newWriter);

            // The held autocommit connection: its statement is re-created on the new writer, or fails unapplied.
            heldInsert.setString(1, "held-after");
            Throwable heldOutcome = catchThrowable(heldInsert::executeUpdate);
            System.err.println("held autocommit statement after the promotion: " + heldOutcome);
            List<Integer> heldRows = PathsCluster.rowPorts(aurora, "held-after");
            if (heldOutcome == null) {
                assertThat(heldRows).containsExactly(newWriter);
            } else {
                assertThat(heldRows).hasSizeLessThanOrEqualTo(1);
            }

            // Generated keys of a statement re-created on the new writer come from there.
            heldKeys.setString(1, "keys-after");
            Throwable keysOutcome = catchThrowable(heldKeys::executeUpdate);
            if (keysOutcome == null) {
                try (ResultSet keys = heldKeys.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    assertThat(keys.getInt(1)).isEqualTo(newWriter);
                }
                assertThat(PathsCluster.rowPorts(aurora, "keys-after")).containsExactly(newWriter);
            } else {
                assertThat(PathsCluster.rowPorts(aurora, "keys-after")).hasSizeLessThanOrEqualTo(1);
            }

            // A batch pending across the move (the held statement's retry moved the connection) is never sent twice:
            // "using it after its connection moved throws SQLFeatureNotSupportedException (SQLState 0A000)"; a new
            // batch on the same statement after executeBatch runs on the new writer.
            Throwable batchOutcome = catchThrowable(heldBatch::executeBatch);
            System.err.println("batch pending across the promotion: " + batchOutcome);
            assertThat(batchOutcome).isInstanceOf(SQLFeatureNotSupportedException.class)
                    .extracting(t -> ((SQLException) t).getSQLState()).isEqualTo("0A000");
            assertThat(PathsCluster.rowPorts(aurora, "batch-pending")).isEmpty();
            heldBatch.setString(1, "batch-again");
            heldBatch.setInt(2, 0);
            heldBatch.addBatch();
            assertThat(heldBatch.executeBatch()).containsExactly(1);
            assertThat(PathsCluster.rowPorts(aurora, "batch-again")).containsExactly(newWriter);

            // The held transaction lost its first statement with the old writer. README, Writer moves: "If the writer
            // moved and the statement was the first of its transaction ..., it is re-created on the new writer ...;
            // otherwise WriterChangedException (SQLState 40001, retry the transaction)". Rolled back, it retries.
            Throwable txOutcome = catchThrowable(() -> insert(tx, "tx-second", 0));
            System.err.println("held transaction after the promotion: " + txOutcome);
            assertThat(txOutcome).isInstanceOf(WriterChangedException.class)
                    .extracting(t -> ((SQLException) t).getSQLState()).isEqualTo("40001");
            tx.rollback();
            insert(tx, "tx-retried", 0);
            tx.commit();

            assertThat(port(ro)).as("the held read-only connection still reads locally").isEqualTo(local());

            aurora.start("eu-west-1"); // the old writer rejoins as a read-only standby
            aurora.awaitReplicasCaughtUp();
            Throwable idleOutcome = catchThrowable(() -> write(idle, "idle-after"));
            assertThat(idleOutcome).as("the idle data source's first write after its writer became a standby")
                    .isNull();

            assertThat(PathsCluster.rowPorts(aurora, "idle-before")).containsExactly(oldWriter);
            assertThat(PathsCluster.rowPorts(aurora, "held-before")).containsExactly(oldWriter);
            assertThat(PathsCluster.rowPorts(aurora, "keys-before")).containsExactly(oldWriter);
            assertThat(PathsCluster.rowPorts(aurora, "idle-after")).containsExactly(newWriter);
            assertThat(PathsCluster.rowPorts(aurora, "tx-uncommitted")).isEmpty();
            assertThat(PathsCluster.rowPorts(aurora, "tx-second")).isEmpty();
            assertThat(PathsCluster.rowPorts(aurora, "tx-retried")).containsExactly(newWriter);
            assertThat(afterPromotion.get()).isEqualTo(20);
            Set<Integer> writers = Set.of(oldWriter, newWriter);
            for (Map.Entry<String, Integer> a : acked.entrySet()) {
                List<Integer> ports = PathsCluster.rowPorts(aurora, a.getKey());
                assertThat(ports).as("acknowledged %s", a.getKey()).hasSize(a.getValue());
                assertThat(writers).as("%s applied on a writer", a.getKey()).containsAll(ports);
            }
            for (String id : failed.keySet()) {
                List<Integer> ports = PathsCluster.rowPorts(aurora, id);
                int expected = Integer.parseInt(id.substring(3)) % 3 == 2 ? 2 : 1;
                assertThat(ports.size()).as("failed %s (%s): all or nothing, once", id, failed.get(id))
                        .isIn(0, expected);
                assertThat(writers).containsAll(ports);
            }
        }
    }
}
