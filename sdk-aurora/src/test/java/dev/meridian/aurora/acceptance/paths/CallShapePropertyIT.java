package dev.meridian.aurora.acceptance.paths;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;

/**
 * sdk-aurora/README.md's routing rule on every JDBC call shape, as an outsider reads it: "Read-only work goes to a
 * nearby reader, everything else to the current writer; the only signal is the connection's read-only flag", the
 * flag known at the first statement/metadata/savepoint ("Lazy binding"), changed outside a transaction re-routing at
 * the next use ("Sticky routes"), a statement created before the connection moved re-created at its next use
 * ("Statements follow the connection").
 *
 * <p>Property over call shape (Statement, PreparedStatement and CallableStatement; execute, executeQuery,
 * executeUpdate, executeLargeUpdate, batches, generated keys, RETURNING, transactions with autocommit off, savepoints,
 * autocommit switched back on, metadata) × the moment the read-only flag is set (on a fresh connection; after the
 * connection served the other kind of work; set back and forth; after the statement was created under the other
 * flag) × door (the caller's thread, an executor task, a {@code CompletableFuture} continuation on another executor,
 * the connection taken on one thread and used on another) × context (none, a correlation id re-opened on the door's
 * thread) × a CPU-starved caller. Witnesses: a read returns {@code inet_server_port()} of the server that answered
 * (must be the local reader, eu-central-1); a write stores it in its row (must be the writer's, eu-west-1), and the
 * row count proves each write applied exactly once.
 */
class CallShapePropertyIT {
    private static LocalAuroraGlobal aurora;
    private static MultiRegion runtime;
    private static RoutingDataSource dataSource;
    private static ExecutorService first;
    private static ExecutorService second;

    @BeforeContainer
    static void start() throws SQLException {
        aurora = PathsCluster.start();
        runtime = PathsCluster.runtime();
        dataSource = PathsCluster.dataSource(aurora, runtime).build();
        first = Executors.newSingleThreadExecutor();
        second = Executors.newSingleThreadExecutor();
    }

    @AfterContainer
    static void stop() throws InterruptedException {
        PathsCluster.shutDown(first, second);
        PathsCluster.stop(dataSource, runtime, aurora);
    }

    /** A JDBC call shape: what it prepares before the flag is final (if anything) and what it runs. */
    enum Shape {
        QUERY(true, 0), EXECUTE_THEN_RESULT_SET(true, 0), PREPARED_QUERY(true, 0), CALLABLE_FUNCTION(true, 0),
        READ_TRANSACTION(true, 0), METADATA(true, 0),
        UPDATE(false, 1), EXECUTE_WRITE(false, 1), LARGE_UPDATE(false, 1), PREPARED_UPDATE(false, 1),
        PREPARED_LARGE_UPDATE(false, 1), PREPARED_BATCH(false, 2), STATEMENT_BATCH(false, 2),
        PREPARED_LARGE_BATCH(false, 2), GENERATED_KEYS(false, 1), INSERT_RETURNING(false, 1),
        CALL_PROCEDURE(false, 1), WRITE_TRANSACTION(false, 2), SAVEPOINTS(false, 2), AUTOCOMMIT_BACK_ON(false, 1);

        final boolean readOnly;
        final int rows;

        Shape(boolean readOnly, int rows) {
            this.readOnly = readOnly;
            this.rows = rows;
        }

        /** The statement this shape uses, created now (null for shapes that create theirs when they run). */
        @Nullable Statement prepare(Connection c, String id) throws SQLException {
            String insert = "INSERT INTO paths VALUES (?, ?, inet_server_port())";
            return switch (this) {
                case QUERY, EXECUTE_THEN_RESULT_SET, UPDATE, EXECUTE_WRITE, LARGE_UPDATE, STATEMENT_BATCH ->
                        c.createStatement();
                case PREPARED_QUERY -> c.prepareStatement("SELECT inet_server_port() WHERE ? = ?");
                case CALLABLE_FUNCTION -> {
                    // Registered now: a statement that moves is re-created "with its settings and parameters".
                    CallableStatement call = c.prepareCall("{? = call inet_server_port()}");
                    call.registerOutParameter(1, Types.INTEGER);
                    call.setQueryTimeout(30);
                    yield call;
                }
                case PREPARED_UPDATE, PREPARED_LARGE_UPDATE, PREPARED_BATCH, PREPARED_LARGE_BATCH ->
                        c.prepareStatement(insert);
                case GENERATED_KEYS -> {
                    PreparedStatement p = c.prepareStatement(insert, new String[] {"port"});
                    bind(p, id, 0); // bound now: replayed if the statement moves
                    p.setFetchSize(10);
                    yield p;
                }
                case INSERT_RETURNING -> c.prepareStatement(insert + " RETURNING port");
                case CALL_PROCEDURE -> c.prepareCall("CALL path_insert(?, ?)");
                case READ_TRANSACTION, METADATA, WRITE_TRANSACTION, SAVEPOINTS, AUTOCOMMIT_BACK_ON -> null;
            };
        }

        /** Runs the shape; answers the port the shape itself reports, or null when it reports none. */
        @Nullable Integer run(Connection c, @Nullable Statement prepared, String id) throws SQLException {
            String literal = "INSERT INTO paths VALUES ('" + id + "', %d, inet_server_port())";
            switch (this) {
                case QUERY:
                    return firstInt(prepared.executeQuery("SELECT inet_server_port()"));
                case EXECUTE_THEN_RESULT_SET:
                    assertThat(prepared.execute("SELECT inet_server_port()")).isTrue();
                    return firstInt(prepared.getResultSet());
                case PREPARED_QUERY: {
                    PreparedStatement p = (PreparedStatement) prepared;
                    p.setString(1, id);
                    p.setString(2, id);
                    return firstInt(p.executeQuery());
                }
                case CALLABLE_FUNCTION: {
                    CallableStatement call = (CallableStatement) prepared;
                    call.execute();
                    return call.getInt(1);
                }
                case READ_TRANSACTION: {
                    c.setAutoCommit(false);
                    int port;
                    try (Statement s = c.createStatement()) {
                        firstInt(s.executeQuery("SELECT count(*) FROM paths"));
                        port = firstInt(s.executeQuery("SELECT inet_server_port()"));
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    return port;
                }
                case METADATA: {
                    String url = c.getMetaData().getURL();
                    return Integer.valueOf(url.replaceAll("^jdbc:postgresql://[^:/]+:(\\d+)/.*$", "$1"));
                }
                case UPDATE:
                    assertThat(prepared.executeUpdate(literal.formatted(0))).isEqualTo(1);
                    return null;
                case EXECUTE_WRITE:
                    assertThat(prepared.execute(literal.formatted(0))).isFalse();
                    assertThat(prepared.getUpdateCount()).isEqualTo(1);
                    return null;
                case LARGE_UPDATE:
                    assertThat(prepared.executeLargeUpdate(literal.formatted(0))).isEqualTo(1L);
                    return null;
                case PREPARED_UPDATE:
                    bind(prepared, id, 0);
                    assertThat(((PreparedStatement) prepared).executeUpdate()).isEqualTo(1);
                    return null;
                case PREPARED_LARGE_UPDATE:
                    bind(prepared, id, 0);
                    assertThat(((PreparedStatement) prepared).executeLargeUpdate()).isEqualTo(1L);
                    return null;
                case PREPARED_BATCH:
                    for (int n = 0; n < 2; n++) {
                        bind(prepared, id, n);
                        ((PreparedStatement) prepared).addBatch();
                    }
                    assertThat(prepared.executeBatch()).containsExactly(1, 1);
                    return null;
                case STATEMENT_BATCH:
                    prepared.addBatch(literal.formatted(0));
                    prepared.addBatch(literal.formatted(1));
                    assertThat(prepared.executeBatch()).containsExactly(1, 1);
                    return null;
                case PREPARED_LARGE_BATCH:
                    for (int n = 0; n < 2; n++) {
                        bind(prepared, id, n);
                        ((PreparedStatement) prepared).addBatch();
                    }
                    assertThat(prepared.executeLargeBatch()).containsExactly(1L, 1L);
                    return null;
                case GENERATED_KEYS:
                    assertThat(((PreparedStatement) prepared).executeUpdate()).isEqualTo(1);
                    return firstInt(prepared.getGeneratedKeys());
                case INSERT_RETURNING:
                    bind(prepared, id, 0);
                    return firstInt(((PreparedStatement) prepared).executeQuery());
                case CALL_PROCEDURE:
                    bind(prepared, id, 0);
                    ((CallableStatement) prepared).execute();
                    return null;
                case WRITE_TRANSACTION:
                    c.setAutoCommit(false);
                    try (PreparedStatement p = c.prepareStatement(
                            "INSERT INTO paths VALUES (?, ?, inet_server_port())")) {
                        for (int n = 0; n < 2; n++) {
                            bind(p, id, n);
                            p.executeUpdate();
                        }
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    return null;
                case SAVEPOINTS: {
                    // The savepoint is the transaction's first use of the connection: it binds (README, Lazy binding).
                    c.setAutoCommit(false);
                    Savepoint start = c.setSavepoint();
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate(literal.formatted(0));
                        Savepoint named = c.setSavepoint("second");
                        s.executeUpdate(literal.formatted(99));
                        c.rollback(named);
                        s.executeUpdate(literal.formatted(1));
                        c.releaseSavepoint(start);
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    return null;
                }
                case AUTOCOMMIT_BACK_ON:
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate(literal.formatted(0));
                    }
                    c.setAutoCommit(true); // commits the open transaction
                    return null;
                default:
                    throw new AssertionError(this);
            }
        }

        private static void bind(Statement prepared, String id, int n) throws SQLException {
            PreparedStatement p = (PreparedStatement) prepared;
            p.setString(1, id);
            p.setInt(2, n);
        }
    }

    /** When the read-only flag gets its final value. */
    enum Moment {
        /** On a fresh connection, before anything else. */
        FRESH,
        /** After the connection served the other kind of work (a read-only query, or a read-write one). */
        AFTER_OTHER_WORK,
        /** Set to the other value and back before the first use. */
        BACK_AND_FORTH,
        /** After the statement was created (and the connection bound) under the other value. */
        AFTER_STATEMENT_CREATED
    }

    /** Where the work runs. */
    enum Door {
        CALLER, EXECUTOR, FUTURE_CONTINUATION,
        /** The connection taken and its flag set on the caller's thread, the work run by an executor. */
        CONNECTION_HANDED_OVER
    }

    private static int firstInt(ResultSet rs) throws SQLException {
        try (rs) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws Exception;
    }

    /** Runs {@code work} behind {@code door}, the caller's context re-opened there (as an application passes it on). */
    private static <T> T through(Door door, Work<T> work) throws Exception {
        RoutingContext context = RoutingContext.current();
        Work<T> inContext = () -> {
            try (RoutingContext.Scope s = context.open()) {
                return work.run();
            }
        };
        try {
            return switch (door) {
                case CALLER -> work.run();
                case EXECUTOR, CONNECTION_HANDED_OVER -> first.submit(inContext::run).get(60, TimeUnit.SECONDS);
                case FUTURE_CONTINUATION -> CompletableFuture.supplyAsync(() -> 0, first)
                        .thenApplyAsync(ignored -> {
                            try {
                                return inContext.run();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }, second).get(60, TimeUnit.SECONDS);
            };
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static Exception unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof IllegalStateException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return (Exception) cause;
    }

    @Property(tries = 60)
    void readsGoToTheLocalReaderAndWritesToTheWriterOnceWhateverTheShapeMomentAndDoor(@ForAll Shape shape,
            @ForAll Moment moment, @ForAll Door door, @ForAll boolean correlated, @ForAll boolean starved)
            throws Exception {
        Statistics.collect(shape.readOnly ? "read" : "write", door);
        String id = "p-" + UUID.randomUUID();
        RoutingContext context = correlated
                ? RoutingContext.builder().correlationId(id).build() : RoutingContext.empty();
        Integer reported;
        try (PathsCluster.Starvation busy = new PathsCluster.Starvation(starved);
             RoutingContext.Scope scope = context.open();
             Connection c = dataSource.getConnection()) {
            if (door == Door.CONNECTION_HANDED_OVER) {
                setUp(c, shape, moment);
                Statement prepared = moment == Moment.AFTER_STATEMENT_CREATED
                        ? prepareUnderOtherFlag(c, shape, id) : null;
                reported = through(door, () -> shape.run(c, prepared == null ? shape.prepare(c, id) : prepared, id));
            } else {
                reported = through(door, () -> {
                    setUp(c, shape, moment);
                    Statement prepared = moment == Moment.AFTER_STATEMENT_CREATED
                            ? prepareUnderOtherFlag(c, shape, id) : shape.prepare(c, id);
                    return shape.run(c, prepared, id);
                });
            }
        }

        int writer = aurora.port(aurora.primaryRegion());
        if (shape.readOnly) {
            assertThat(reported).as("%s read-only, flag %s, %s: served by the local reader", shape, moment, door)
                    .isEqualTo(aurora.port(PathsCluster.LOCAL));
        } else {
            List<Integer> ports = PathsCluster.rowPorts(aurora, id);
            assertThat(ports).as("%s, flag %s, %s: applied once per row, on the writer", shape, moment, door)
                    .isEqualTo(Collections.nCopies(shape.rows, writer));
            if (reported != null) {
                assertThat(reported).as("%s reports the writer's port", shape).isEqualTo(writer);
            }
        }
    }

    /** Sets the flag as {@code moment} says ({@link Moment#AFTER_STATEMENT_CREATED}: its first step only). */
    private static void setUp(Connection c, Shape shape, Moment moment) throws SQLException {
        switch (moment) {
            case FRESH -> c.setReadOnly(shape.readOnly);
            case AFTER_OTHER_WORK -> {
                c.setReadOnly(!shape.readOnly);
                try (Statement s = c.createStatement()) {
                    firstInt(s.executeQuery("SELECT 1"));
                }
                c.setReadOnly(shape.readOnly);
            }
            case BACK_AND_FORTH -> {
                c.setReadOnly(!shape.readOnly);
                c.setReadOnly(shape.readOnly);
            }
            case AFTER_STATEMENT_CREATED -> c.setReadOnly(!shape.readOnly);
        }
    }

    /**
     * Creates the shape's statement while the flag has the other value (binding the connection there), then sets the
     * flag: the statement must follow the connection to its new route. Shapes that create their statements as they
     * run just get the flag.
     */
    private static @Nullable Statement prepareUnderOtherFlag(Connection c, Shape shape, String id)
            throws SQLException {
        Statement prepared = shape.prepare(c, id);
        if (prepared == null) {
            try (Statement s = c.createStatement()) {
                firstInt(s.executeQuery("SELECT 1"));
            }
        }
        c.setReadOnly(shape.readOnly);
        return prepared;
    }
}
