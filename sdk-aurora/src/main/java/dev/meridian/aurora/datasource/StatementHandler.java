package dev.meridian.aurora.datasource;

import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The statement a {@link LogicalConnection} hands out: a JDK proxy over the physical statement.
 *
 * <p>It reports executions to the logical connection (which tracks transaction state and handles a writer that
 * moved or a dead connection), returns the logical connection from {@code getConnection()}, hands out its result sets
 * as Meridian's ({@link LogicalResultSet}: their {@code getStatement()} is this statement), and records the settings
 * and parameters given to the statement so that it can be re-created on another physical connection and run there:
 * once when its own execution is retried on a new route, and at its next use (setter or execute) when the logical
 * connection has been re-bound since the statement was created (read-only flag changed, writer moved, connection
 * failed or replaced for another statement's retry).
 *
 * <p>Its other calls (results, settings, metadata, the driver's {@code unwrap}) go to the physical statement of the
 * current route, the statement re-created first when the one it holds was given up, and fail on a dead connection
 * as the connection's own calls do ({@link LogicalConnection#onStatement}). {@code cancel} (from another thread) and
 * {@code close} go to the physical statement where it is; a statement the application closed is never re-created.
 *
 * <p>A pending batch ({@code addBatch} not yet executed or cleared) and stream or reader parameters
 * ({@code setBinaryStream}, {@code setCharacterStream}, {@code setBlob(int, InputStream)}...) cannot be sent twice.
 * While a statement holds them its execution is never retried, and using it after the logical connection was
 * re-bound fails with {@link SQLFeatureNotSupportedException} (SQLState 0A000) instead of running on a connection
 * that was given up: create the statement again. {@code executeBatch}/{@code clearBatch} end a pending batch;
 * {@code clearParameters} or setting a plain value over a stream parameter makes the statement movable again.
 * Not thread-safe, like the statement it wraps.
 */
final class StatementHandler implements InvocationHandler {
    /** Creates the physical statement on a physical connection; re-run to re-create it on a new writer. */
    @FunctionalInterface
    interface Factory {
        Statement create(Connection physical) throws SQLException;
    }

    private static final Set<String> EXECUTE_METHODS = Set.of(
            "execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch", "executeLargeBatch");
    private static final Set<String> BATCH_EXECUTE_METHODS = Set.of("executeBatch", "executeLargeBatch");
    private static final Set<String> STREAM_SETTERS = Set.of(
            "setAsciiStream", "setBinaryStream", "setCharacterStream", "setNCharacterStream", "setUnicodeStream");

    private final LogicalConnection owner;
    private final Factory factory;
    /** The SQL the statement was prepared with; null for a plain {@code Statement}. */
    private final @Nullable String preparedSql;
    private Statement delegate;
    private long generation;
    private @Nullable Map<String, Invocation> settings;
    private @Nullable Map<Object, Invocation> parameters;
    private @Nullable List<Invocation> others;
    private boolean batchPending;
    private @Nullable Set<Object> streamParameters;
    /** The driver's result set last handed out, and what it was handed out as. */
    private @Nullable ResultSet lastResultSet;
    private @Nullable ResultSet handedOut;
    /** Closed by the application: never re-created, its calls get the driver's answer for a closed statement. */
    private boolean closed;

    private record Invocation(Method method, Object[] args) {
    }

    private StatementHandler(LogicalConnection owner, Statement delegate, long generation, @Nullable String preparedSql,
            Factory factory) {
        this.owner = owner;
        this.delegate = delegate;
        this.generation = generation;
        this.preparedSql = preparedSql;
        this.factory = factory;
    }

    /**
     * Wraps {@code delegate}, created by {@code factory} (with {@code preparedSql}, null for a plain statement) on the
     * physical connection of binding {@code generation} of {@code owner}.
     */
    static <T extends Statement> T wrap(Class<T> type, LogicalConnection owner, Statement delegate, long generation,
                                        @Nullable String preparedSql, Factory factory) {
        return JdbcProxies.create(type, new StatementHandler(owner, delegate, generation, preparedSql, factory));
    }

    @Override
    public @Nullable Object invoke(Object self, Method method, Object[] args) throws Throwable {
        Object own = JdbcProxies.ownAnswer(self, delegate, method, args);
        if (own != JdbcProxies.NOT_OWN) {
            return own;
        }
        return handOut((Statement) self, call(method, args));
    }

    private @Nullable Object call(Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (EXECUTE_METHODS.contains(name) && !closed) {
            if (BATCH_EXECUTE_METHODS.contains(name)) {
                try {
                    return owner.execute(this, method, args);
                } finally {
                    batchPending = false; // JDBC empties the batch once executeBatch returns (or fails)
                }
            }
            return owner.execute(this, method, args);
        }
        switch (name) {
            case "getConnection":
                return owner;
            case "isClosed":
                // The driver's statement answers while it is the current route's (closeOnCompletion); one given up was
                // closed by the pool, and the statement will be re-created at its next use.
                return closed || owner.isClosed() || (!givenUp() && delegate.isClosed());
            case "close":
                // The physical statement where it is: re-creating it only to close it would take a connection.
                closed = true;
                return invokeDelegate(method, args);
            case "cancel":
                // Comes from another thread while an execution runs: touches nothing of the connection's state.
                return invokeDelegate(method, args);
            default:
                break;
        }
        if (closed || owner.isClosed()) {
            return invokeDelegate(method, args); // the driver's own answer for a closed statement
        }
        if (changesWhatIsSent(name)) {
            // Recorded before the statement moves, so that a clear or a plain value over a stream can make a stale
            // statement movable; a new batch entry or stream is recorded after the move so that it does not prevent it.
            boolean addsUnreplayable = name.equals("addBatch") || isStream(method, args);
            if (!addsUnreplayable) {
                record(method, args);
            }
            owner.prepareForUse(this);
            if (addsUnreplayable) {
                record(method, args);
            }
        } else {
            owner.followRoute(this);
        }
        return owner.onStatement(this, method, args);
    }

    /**
     * A result set ({@code executeQuery}, {@code getResultSet}, {@code getGeneratedKeys}, a callable's ref cursor) or
     * an array (a callable's out parameter) goes out as Meridian's, answering {@code statement} from
     * {@code getStatement()}; the driver's same result set asked for again goes out as the same object.
     */
    private @Nullable Object handOut(Statement statement, @Nullable Object result) {
        if (!(result instanceof ResultSet rs)) {
            return LogicalResultSet.handOut(result, statement);
        }
        if (rs != lastResultSet || handedOut == null) {
            lastResultSet = rs;
            handedOut = new LogicalResultSet(rs, statement);
        }
        return handedOut;
    }

    /** Settings, parameters and batch changes: recorded for a replay, and applied to the current connection. */
    private static boolean changesWhatIsSent(String name) {
        return name.startsWith("set") || name.startsWith("registerOutParameter") || name.equals("addBatch")
                || name.equals("clearBatch") || name.equals("clearParameters");
    }

    @Nullable Object invokeDelegate(Method method, Object[] args) throws Throwable {
        return JdbcProxies.invoke(delegate, method, args);
    }

    /** {@link #invokeDelegate} of a call that is not an execution: JDBC methods throw only {@link SQLException}. */
    @Nullable Object invokeJdbc(Method method, Object[] args) throws SQLException {
        return JdbcProxies.invokeJdbc(delegate, method, args);
    }

    private void record(Method method, Object[] args) {
        String name = method.getName();
        switch (name) {
            case "addBatch" -> batchPending = true;
            case "clearBatch" -> batchPending = false;
            case "clearParameters" -> {
                if (parameters != null) {
                    parameters.clear();
                }
                streamParameters = null;
            }
            default -> {
                if (name.startsWith("registerOutParameter")) {
                    if (others == null) {
                        others = new ArrayList<>();
                    }
                    others.add(new Invocation(method, args));
                } else if (method.getDeclaringClass() == Statement.class) {
                    if (settings == null) {
                        settings = new LinkedHashMap<>();
                    }
                    settings.put(name, new Invocation(method, args));
                } else if (args != null && args.length > 1) {
                    recordParameter(method, args);
                }
            }
        }
    }

    private void recordParameter(Method method, Object[] args) {
        if (parameters == null) {
            parameters = new LinkedHashMap<>();
        }
        parameters.put(args[0], new Invocation(method, args)); // by index or name: the last value wins
        if (isStream(method, args)) {
            if (streamParameters == null) {
                streamParameters = new HashSet<>();
            }
            streamParameters.add(args[0]);
        } else if (streamParameters != null) {
            streamParameters.remove(args[0]);
        }
    }

    private static boolean isStream(Method method, Object[] args) {
        return STREAM_SETTERS.contains(method.getName())
                || (args != null && args.length > 1 && (args[1] instanceof InputStream || args[1] instanceof Reader));
    }

    /**
     * The SQL an execution with {@code args} sends: its SQL argument, else the prepared SQL; null when not known (a
     * plain statement's batch of SQL strings).
     */
    @Nullable String sqlOf(@Nullable Object[] args) {
        if (args != null && args.length > 0 && args[0] instanceof String sql) {
            return sql;
        }
        return preparedSql;
    }

    /** Why the statement cannot be re-created elsewhere, or null when it can. */
    @Nullable String unreplayableReason() {
        if (batchPending) {
            return "it holds a pending batch (addBatch)";
        }
        if (streamParameters != null && !streamParameters.isEmpty()) {
            return "it holds stream or reader parameters " + streamParameters + ", which can be read only once";
        }
        return null;
    }

    /** Whether the physical statement belongs to a connection given up since (re-created at the next use). */
    boolean givenUp() {
        return generation != owner.generation() || owner.binding() == null;
    }

    /** The binding generation of the logical connection this statement's physical statement belongs to. */
    long generation() {
        return generation;
    }

    /**
     * Re-creates the statement on {@code physical} (binding {@code generation}) and replays what was set on it. The
     * statement belongs to {@code generation} only once all is replayed: one whose re-creation failed midway is
     * re-created again at its next use.
     *
     * @throws SQLFeatureNotSupportedException when the statement holds a batch or stream parameters
     */
    void recreateOn(Connection physical, long generation) throws SQLException {
        String reason = unreplayableReason();
        if (reason != null) {
            throw new SQLFeatureNotSupportedException("This statement cannot be used any more: its connection moved to "
                    + "another physical connection since the statement was created (read-only flag changed, writer "
                    + "moved or connection failed) and " + reason + "; Meridian cannot send that again. "
                    + "Create the statement again on this connection", "0A000");
        }
        Statement old = delegate;
        delegate = factory.create(physical);
        try {
            old.close();
        } catch (SQLException ignored) {
            // The old statement belongs to a connection that was given up; nothing to keep.
        }
        if (settings != null) {
            for (Invocation i : settings.values()) {
                invokeJdbc(i.method(), i.args());
            }
        }
        if (parameters != null) {
            for (Invocation i : parameters.values()) {
                invokeJdbc(i.method(), i.args());
            }
        }
        if (others != null) {
            for (Invocation i : others) {
                invokeJdbc(i.method(), i.args());
            }
        }
        this.generation = generation;
    }
}
