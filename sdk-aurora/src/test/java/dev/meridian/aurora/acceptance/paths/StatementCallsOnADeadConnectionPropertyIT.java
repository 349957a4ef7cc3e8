package dev.meridian.aurora.acceptance.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.aurora.datasource.WriterChangedException;
import dev.meridian.core.MultiRegion;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.jdbc.PgStatement;

/**
 * sdk-aurora/README.md, "Dead connections" and "Statements follow the connection", for a statement's own calls that
 * are not executions (its results, settings, parameters, batch, metadata, {@code unwrap}, {@code cancel},
 * {@code close}): on real PostgreSQL, the backend of the statement's connection is killed
 * ({@code pg_terminate_backend}, the server's 57P01), and the call is made at once or after another statement of the
 * connection found the connection dead.
 *
 * <p>Property, exhaustive, over the call × the statement kind (Statement, PreparedStatement, CallableStatement) × the
 * read-only flag × autocommit × the moment of the death ({@link Moment}). Promises: outside a transaction the call
 * succeeds (it sends none of the caller's writes, so it runs on a new route, the statement re-created there); inside
 * one it succeeds or fails the documented way (the connection's own failure, class 08 or 57P0x, the writer being in
 * place). Afterwards the same statement runs on a live route (after a rollback in a transaction), and every write the
 * test made is in the table exactly as often as it was acknowledged: once for an autocommit write, never for the
 * killed transaction's. Before the fix a prepared statement's metadata needing the server threw pgjdbc's 57P01 outside
 * a transaction and left the connection bound to the dead backend.
 */
class StatementCallsOnADeadConnectionPropertyIT {
    private static final String INSERT = "INSERT INTO paths VALUES (?, 0, inet_server_port())";

    private static LocalAuroraGlobal aurora;
    private static MultiRegion runtime;
    private static RoutingDataSource dataSource;

    @BeforeContainer
    static void start() throws SQLException {
        aurora = PathsCluster.start();
        runtime = PathsCluster.runtime();
        dataSource = PathsCluster.dataSource(aurora, runtime).build();
    }

    @AfterContainer
    static void stop() {
        PathsCluster.stop(dataSource, runtime, aurora);
    }

    /** The statement kinds, each with a read and a write that store what they did in {@code paths}. */
    enum Kind {
        STATEMENT, PREPARED, CALLABLE;

        Statement open(Connection c, boolean readOnly) throws SQLException {
            switch (this) {
                case STATEMENT:
                    return c.createStatement();
                case PREPARED:
                    return c.prepareStatement(readOnly ? "SELECT inet_server_port() WHERE ? = 1" : INSERT);
                default:
                    if (readOnly) {
                        CallableStatement call = c.prepareCall("{? = call inet_server_port()}");
                        call.registerOutParameter(1, Types.INTEGER);
                        return call;
                    }
                    return c.prepareCall("CALL path_insert(?, 0)");
            }
        }

        /**
         * The parameters the statement's work needs: none for a plain statement; a callable read's out parameter again
         * ({@code clearParameters} clears it).
         */
        void setParameters(Statement s, boolean readOnly, String id) throws SQLException {
            if (this == PREPARED && readOnly) {
                ((PreparedStatement) s).setInt(1, 1);
            } else if (this == CALLABLE && readOnly) {
                ((CallableStatement) s).registerOutParameter(1, Types.INTEGER);
            } else if (this != STATEMENT && !readOnly) {
                ((PreparedStatement) s).setString(1, id);
            }
        }

        void run(Statement s, boolean readOnly, String id) throws SQLException {
            setParameters(s, readOnly, id);
            if (this == STATEMENT) {
                s.execute(readOnly ? "SELECT inet_server_port()"
                        : "INSERT INTO paths VALUES ('" + id + "', 0, inet_server_port())");
            } else {
                ((PreparedStatement) s).execute();
            }
        }
    }

    /** A statement's call that is not an execution. */
    enum Call {
        GET_RESULT_SET, GET_UPDATE_COUNT, GET_MORE_RESULTS, GET_GENERATED_KEYS, GET_WARNINGS, SET_FETCH_SIZE,
        SET_QUERY_TIMEOUT, ADD_AND_CLEAR_BATCH, IS_CLOSED, UNWRAP, IS_WRAPPER_FOR, PARAMETER_METADATA,
        RESULT_SET_METADATA, SET_PARAMETERS, CLEAR_PARAMETERS, OUT_PARAMETER, CANCEL, CLOSE;

        /**
         * Whether the call makes sense: an out parameter is read from a callable read that ran on the route it is on
         * (one that moved outside a transaction answers as a statement not yet executed, the README says).
         */
        boolean appliesTo(Kind kind, boolean readOnly, boolean autoCommit, Moment moment) {
            return switch (this) {
                case PARAMETER_METADATA, RESULT_SET_METADATA, SET_PARAMETERS, CLEAR_PARAMETERS ->
                        kind != Kind.STATEMENT;
                case OUT_PARAMETER -> kind == Kind.CALLABLE && readOnly && (moment == Moment.AFTER_ITS_RUN
                        || (moment == Moment.NOTICED_BY_ANOTHER_STATEMENT && !autoCommit));
                default -> true;
            };
        }

        void make(Statement s, Kind kind, boolean readOnly, String id) throws SQLException {
            switch (this) {
                case GET_RESULT_SET -> {
                    ResultSet rs = s.getResultSet();
                    if (rs != null) {
                        rs.close();
                    }
                }
                case GET_UPDATE_COUNT -> s.getUpdateCount();
                case GET_MORE_RESULTS -> s.getMoreResults();
                case GET_GENERATED_KEYS -> s.getGeneratedKeys().close();
                case GET_WARNINGS -> s.getWarnings();
                case SET_FETCH_SIZE -> s.setFetchSize(10);
                case SET_QUERY_TIMEOUT -> s.setQueryTimeout(5);
                case ADD_AND_CLEAR_BATCH -> {
                    if (kind == Kind.STATEMENT) {
                        s.addBatch("SELECT 1");
                    } else {
                        kind.setParameters(s, readOnly, id);
                        ((PreparedStatement) s).addBatch();
                    }
                    s.clearBatch();
                }
                case IS_CLOSED -> assertThat(s.isClosed()).as("a statement the application did not close").isFalse();
                case UNWRAP -> assertThat(s.unwrap(PgStatement.class).isClosed())
                        .as("the driver's statement unwrapped is the live one of the current route").isFalse();
                case IS_WRAPPER_FOR -> assertThat(s.isWrapperFor(PGStatement.class)).isTrue();
                case PARAMETER_METADATA -> ((PreparedStatement) s).getParameterMetaData().getParameterCount();
                case RESULT_SET_METADATA -> ((PreparedStatement) s).getMetaData();
                case SET_PARAMETERS -> kind.setParameters(s, readOnly, id);
                case CLEAR_PARAMETERS -> ((PreparedStatement) s).clearParameters();
                case OUT_PARAMETER -> ((CallableStatement) s).getInt(1);
                case CANCEL -> s.cancel();
                case CLOSE -> {
                    s.close();
                    assertThat(s.isClosed()).isTrue();
                }
                default -> throw new AssertionError(this);
            }
        }
    }

    /** When the backend dies, and whether anything found out before the call. */
    enum Moment {
        /** Right after the statement ran. */
        AFTER_ITS_RUN,
        /** The statement was prepared, another statement of the connection ran (the same work), then the kill. */
        BEFORE_ITS_FIRST_RUN,
        /** After the statement ran; then another statement of the connection found the connection dead. */
        NOTICED_BY_ANOTHER_STATEMENT
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void aStatementsOwnCallOnADeadConnectionSucceedsOrFailsTheDocumentedWay(@ForAll Call call, @ForAll Kind kind,
            @ForAll boolean readOnly, @ForAll boolean autoCommit, @ForAll Moment moment) throws Exception {
        Assume.that(call.appliesTo(kind, readOnly, autoCommit, moment));
        String id = "stmt-" + UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(readOnly);
            c.setAutoCommit(autoCommit);
            Statement s = kind.open(c, readOnly);
            kind.run(moment == Moment.BEFORE_ITS_FIRST_RUN ? kind.open(c, readOnly) : s, readOnly, id + "-before");
            killBackend(c);
            if (moment == Moment.NOTICED_BY_ANOTHER_STATEMENT) {
                Throwable found = catchThrowable(() -> c.createStatement().executeQuery("SELECT 1").close());
                if (autoCommit) {
                    assertThat(found).as("a read outside a transaction moves to a new route").isNull();
                } else {
                    assertDocumentedFailure(found);
                }
            }

            Throwable failure = catchThrowable(() -> call.make(s, kind, readOnly, id));

            if (autoCommit) {
                assertThat(failure).as("%s outside a transaction", call).isNull();
            } else {
                assertDocumentedFailure(failure);
                c.rollback();
            }
            Statement next = call == Call.CLOSE ? kind.open(c, readOnly) : s;
            assertThat(next.isClosed()).isFalse();
            kind.run(next, readOnly, id + "-after");
            if (!autoCommit) {
                c.commit();
            }
        }
        if (!readOnly) {
            int writer = aurora.port(aurora.primaryRegion());
            assertThat(PathsCluster.rowPorts(aurora, id + "-before")).as("the write before the backend was killed")
                    .isEqualTo(autoCommit ? List.of(writer) : List.of());
            assertThat(PathsCluster.rowPorts(aurora, id + "-after")).as("the write after the call")
                    .containsExactly(writer);
        }
    }

    /**
     * Null (the call needed nothing of the dead connection), or the README's failure inside a transaction whose
     * connection died with the writer in place: the connection's own failure, never the driver's complaint about a
     * statement Meridian gave up.
     */
    private static void assertDocumentedFailure(Throwable failure) {
        if (failure == null) {
            return;
        }
        assertThat(failure).isInstanceOf(SQLException.class).isNotInstanceOf(WriterChangedException.class);
        String state = ((SQLException) failure).getSQLState();
        assertThat(state).as("SQLState of %s", failure).matches("08...|57P0[123]");
    }

    /** Terminates the backend of {@code c}'s current physical connection and waits until it is gone. */
    private static void killBackend(Connection c) throws SQLException {
        int pid = c.unwrap(PGConnection.class).getBackendPID();
        String url = c.getMetaData().getURL();
        String region = aurora.regions().stream().filter(r -> url.contains(":" + aurora.port(r) + "/")).findFirst()
                .orElseThrow(() -> new AssertionError("no node serves " + url));
        try (Connection admin = DriverManager.getConnection(aurora.jdbcUrl(region), aurora.user(), aurora.password());
             PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(?, 10000)")) {
            kill.setInt(1, pid);
            try (ResultSet rs = kill.executeQuery()) {
                assertThat(rs.next() && rs.getBoolean(1)).as("backend %s on %s terminated", pid, region).isTrue();
            }
        }
    }
}
