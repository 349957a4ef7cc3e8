package dev.meridian.aurora.datasource;

import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import java.lang.reflect.Method;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection {@link RoutingDataSource#getConnection()} returns: it takes its physical connection at first use,
 * once the read-only flag is known.
 *
 * <p>Until then, session settings (read-only, autocommit, isolation, catalog, schema, holdability, type map, network
 * timeout, client info) are buffered and replayed onto the physical connection when it is bound; afterwards they go
 * straight through and are remembered for a later re-bind. HikariCP resets read-only, autocommit, isolation, catalog,
 * schema and network timeout when a connection goes back to its pool, but not holdability, type map or client info:
 * this connection restores those three itself before giving its physical connection back (a connection that cannot
 * be restored is evicted instead), so that the pool's next borrower does not inherit them.
 *
 * <p>States: <b>unbound</b> → (first statement, metadata, savepoint...) → <b>bound</b>, idle or <b>in a
 * transaction</b> (autocommit off and at least one statement run since the last commit/rollback). Changing the
 * read-only flag in a transaction fails with SQLState 25001; outside one it is allowed and, if the bound connection
 * does not serve the new intent, the connection is returned to its pool and a new one is chosen at next use. A bound
 * connection otherwise stays bound (the route is sticky) until close, unless it became stale (its writer moved or
 * its connection failed), in which case it is replaced at the next use outside a transaction.
 *
 * <p>A write refused because the target is no longer the writer is retried once on the new writer when nothing of
 * the transaction has run yet (autocommit, or the first statement of the transaction); otherwise
 * {@link WriterChangedException} is thrown. A statement whose connection fails is run once more on a new route when
 * nothing can have been committed: a read (autocommit or first of its transaction), the first statement of a
 * read-write transaction, or an autocommit write whose failure proves it did not run (PostgreSQL 57P01-57P03, or
 * 08001/08004); any other autocommit write whose connection fails is never repeated, nor is a statement whose wait
 * was interrupted. That rule is sdk-core's ({@link FailureDecision#movesOn}), asked with the failure's classification
 * ({@link SqlFailures#STATEMENTS}) and the statement's kind; this class only adds that a statement after others of its
 * transaction cannot move (their work died with the connection): it throws {@link WriterChangedException} when the
 * writer moved meanwhile (a switchover ends the old writer's connections), else its own failure. A statement holding a pending
 * batch or stream parameters is never run again (see {@link StatementHandler}): a moved writer then gives
 * {@link WriterChangedException}, a failed connection its own exception with a suppressed note saying why.
 *
 * <p>Residency is checked at every use of the physical connection (each statement execution, and the setters and
 * factories that reach it), against the {@link RoutingContext} current at that moment, not only the one the route was
 * chosen under: a connection first used under the default context that then runs an {@code INSERT} inside a
 * RESTRICTED scope (a scope opened inside a {@code @Transactional} method) is checked again. A write needs the global
 * cluster's footprint inside the allowed regions, a read its bound region. Outside a transaction a read bound under
 * another context is routed again for the current one; inside a transaction the route cannot move, so a refused
 * statement fails with sdk-core's unchecked {@code ResidencyViolationException}, thrown as is like the refusals at
 * first use (never wrapped in an {@link SQLException}, so that exception translation or a retry loop cannot take a
 * policy refusal for a transient failure) and before anything is sent; the transaction stays open for the caller to
 * roll back.
 *
 * <p>Statements belong to the logical connection, not to one physical connection: each binding has a generation,
 * and a statement created on an earlier one is re-created on the current physical connection at its next use.
 * What it hands out leads back to it, never to a physical connection: statements ({@link StatementHandler}), their
 * result sets ({@link LogicalResultSet}) and its metadata ({@link MetaDataHandler}, which follows the binding like a
 * statement) answer {@code getConnection()}/{@code getStatement()} with Meridian's objects.
 *
 * <p>The calls that are not statements' executions (creating statements, savepoints, metadata, getters:
 * {@link #onConnection}; session setters;
 * {@code commit}, {@code rollback}) treat a dead connection as statements do: it is marked stale so that the next use
 * takes a new route, a lost transaction throws {@link WriterChangedException} when the writer moved, and a commit
 * whose answer was lost keeps its own failure, for it may have been applied. So do a statement's own calls that are
 * not executions ({@link #onStatement}) and its re-creation on another physical connection ({@link #prepareForUse});
 * {@code setClientInfo}, which cannot throw {@link WriterChangedException}, never fails for a dead connection and
 * leaves a lost transaction to its next call. A physical connection HikariCP closed underneath counts as failed.
 *
 * <p>{@link #isValid(int)} answers for the route the next statement would take: a bound connection asks its
 * database; an unbound one takes a connection for that route (breakers, residency and pool applied), validates it
 * and gives it straight back, so it stays unbound and lazy. Not thread-safe, like any JDBC connection.
 */
final class LogicalConnection implements Connection {
    private static final Logger log = LoggerFactory.getLogger(LogicalConnection.class);

    private final PhysicalConnections connections;
    private final boolean poolReadOnly;
    private final boolean poolAutoCommit;

    private boolean readOnly;
    private boolean autoCommit;
    private @Nullable Integer isolation;
    private @Nullable String catalog;
    private @Nullable String schema;
    private @Nullable Integer holdability;
    private @Nullable Map<String, Class<?>> typeMap;
    private @Nullable Executor networkTimeoutExecutor;
    private @Nullable Integer networkTimeoutMillis;
    private @Nullable Properties clientInfo;

    /**
     * The physical connection's own holdability, type map and client info, read before this connection first changed
     * them (null: unchanged), so that {@link #unbind} can put them back.
     */
    private @Nullable Integer physicalHoldability;
    private @Nullable Map<String, Class<?>> physicalTypeMap;
    private @Nullable Properties physicalClientInfo;

    private @Nullable Binding binding;
    /** Incremented at every bind; statements remember the generation they were created on. */
    private long generation;
    private @Nullable RoutingContext boundContext;
    private int statementsInTransaction;
    private boolean stale;
    private boolean closed;

    LogicalConnection(PhysicalConnections connections, boolean poolReadOnly, boolean poolAutoCommit) {
        this.connections = connections;
        this.poolReadOnly = poolReadOnly;
        this.poolAutoCommit = poolAutoCommit;
        this.readOnly = poolReadOnly;
        this.autoCommit = poolAutoCommit;
    }

    // ---- binding ---------------------------------------------------------------------------------------------

    /** The physical connection for the next use, binding or re-binding as the state requires. */
    private Connection physical() throws SQLException {
        checkOpen();
        RoutingContext context = RoutingContext.current();
        Binding b = binding;
        if (b != null) {
            if (keepsBinding(b, context)) {
                // The route was chosen under an earlier context, perhaps before a RESTRICTED scope opened inside the
                // transaction: residency is checked again for the context current now, before anything is sent.
                connections.checkResidency(b, readOnly, context);
                boundContext = context;
                return b.connection();
            }
            unbind(stale);
        }
        return bind(context).connection();
    }

    private Binding bind(RoutingContext context) throws SQLException {
        Binding b = readOnly ? connections.bindRead(context) : connections.bindWrite(context);
        try {
            applySession(b.connection());
        } catch (SQLException | RuntimeException e) {
            forgetPhysicalSession();
            connections.release(b, true);
            throw e;
        }
        binding = b;
        generation++;
        boundContext = context;
        statementsInTransaction = 0;
        stale = false;
        return b;
    }

    private void applySession(Connection c) throws SQLException {
        if (readOnly != poolReadOnly) {
            c.setReadOnly(readOnly);
        }
        if (autoCommit != poolAutoCommit) {
            c.setAutoCommit(autoCommit);
        }
        if (isolation != null) {
            c.setTransactionIsolation(isolation);
        }
        if (catalog != null) {
            c.setCatalog(catalog);
        }
        if (schema != null) {
            c.setSchema(schema);
        }
        if (holdability != null) {
            changeHoldability(c, holdability);
        }
        if (typeMap != null) {
            changeTypeMap(c, typeMap);
        }
        if (networkTimeoutMillis != null) {
            c.setNetworkTimeout(networkTimeoutExecutor, networkTimeoutMillis);
        }
        if (clientInfo != null) {
            rememberClientInfo(c);
            c.setClientInfo(clientInfo);
        }
    }

    private void changeHoldability(Connection c, int value) throws SQLException {
        if (physicalHoldability == null) {
            physicalHoldability = c.getHoldability();
        }
        c.setHoldability(value);
    }

    private void changeTypeMap(Connection c, Map<String, Class<?>> value) throws SQLException {
        if (physicalTypeMap == null) {
            Map<String, Class<?>> original = c.getTypeMap();
            // A copy: drivers may hand out their live map
            physicalTypeMap = original == null ? new HashMap<>() : new HashMap<>(original);
        }
        c.setTypeMap(value);
    }

    private void rememberClientInfo(Connection c) throws SQLClientInfoException {
        if (physicalClientInfo != null) {
            return;
        }
        try {
            Properties current = c.getClientInfo();
            Properties original = new Properties(); // a copy: drivers may hand out their live Properties
            if (current != null) {
                original.putAll(current);
            }
            physicalClientInfo = original;
        } catch (SQLClientInfoException e) {
            throw e;
        } catch (SQLException e) {
            throw new SQLClientInfoException("Cannot read the client info of the physical connection: " + e.getMessage(),
                    e.getSQLState(), e.getErrorCode(), Map.of(), e);
        }
    }

    /** Puts back what {@link #physicalHoldability} and its siblings recorded; false if the connection refused. */
    private boolean restorePhysicalSession(Binding b) {
        Connection c = b.connection();
        try {
            if (physicalHoldability != null) {
                c.setHoldability(physicalHoldability);
            }
            if (physicalTypeMap != null) {
                c.setTypeMap(physicalTypeMap);
            }
            if (physicalClientInfo != null) {
                c.setClientInfo(physicalClientInfo);
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            log.debug("Could not restore the session settings of a connection to {}; evicting it: {}",
                    b.endpoint(), e.toString());
            return false;
        }
    }

    private void forgetPhysicalSession() {
        physicalHoldability = null;
        physicalTypeMap = null;
        physicalClientInfo = null;
    }

    private void unbind(boolean evict) {
        Binding b = binding;
        binding = null;
        boundContext = null;
        statementsInTransaction = 0;
        stale = false;
        if (b != null) {
            boolean restored = !evict && restorePhysicalSession(b);
            forgetPhysicalSession();
            connections.release(b, !restored);
        }
    }

    /**
     * Whether the next use, under {@code context}, keeps the current binding (else it is released and a new route is
     * chosen). A transaction cannot move. Outside one, a read bound under another context is routed again (the new
     * context may allow other readers, or exclude this one); a write stays with the one writer.
     */
    private boolean keepsBinding(Binding b, RoutingContext context) {
        return inTransaction() || (!stale && b.serves(readOnly) && (!readOnly || context == boundContext));
    }

    /** Autocommit off and at least one statement ran since the transaction began. */
    boolean inTransaction() {
        return !autoCommit && statementsInTransaction > 0;
    }

    /** Where this connection is bound (for statements, tests and diagnostics); null when unbound. */
    @Nullable Binding binding() {
        return binding;
    }

    private boolean writesOnWriter() {
        return binding != null && binding.role() == Role.WRITER && !readOnly;
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("Connection is closed", "08003");
        }
    }

    // ---- statement execution -----------------------------------------------------------------------------------

    /**
     * Binds as the state requires and, if the connection was re-bound since {@code statement} was created, re-creates
     * it on the current physical connection.
     */
    void prepareForUse(StatementHandler statement) throws SQLException {
        Connection c = physical();
        if (statement.generation() != generation) {
            // Re-creating sends nothing of the caller's: a dead connection fails it as the connection's own calls.
            onConnection(c, current -> recreate(statement, current));
        }
    }

    /**
     * Re-creates {@code statement} on the current physical connection when the one it holds was given up (the
     * connection re-bound, or released, since): for its calls that are neither executions nor setters, which
     * otherwise keep the route as it is (a statement's results stay readable until the connection's next use moves).
     */
    void followRoute(StatementHandler statement) throws SQLException {
        if (statement.givenUp()) {
            prepareForUse(statement);
        }
    }

    /**
     * A statement's call that is not an execution ({@link #followRoute} or {@link #prepareForUse} done): when its
     * connection fails under it, it fails as the connection's own calls do ({@link #onConnection}): inside a
     * transaction with {@link #transactionLost}, outside one it runs once more on a new route, the statement re-created
     * there (such a call sends none of the caller's writes).
     */
    @Nullable Object onStatement(StatementHandler statement, Method method, Object[] args) throws SQLException {
        try {
            return statement.invokeJdbc(method, args);
        } catch (SQLException e) {
            return afterConnectionCallFailed(e, c -> {
                recreate(statement, c);
                return Optional.ofNullable(statement.invokeJdbc(method, args));
            }).orElse(null);
        }
    }

    private Boolean recreate(StatementHandler statement, Connection current) throws SQLException {
        if (statement.generation() != generation) {
            statement.recreateOn(current, generation);
        }
        return Boolean.TRUE;
    }

    @Nullable Object execute(StatementHandler statement, Method method, Object[] args) throws Throwable {
        prepareForUse(statement);
        statementsInTransaction++;
        Object result;
        try {
            result = statement.invokeDelegate(method, args);
        } catch (SQLException e) {
            return onExecuteFailure(statement, method, args, e);
        }
        afterExecute();
        return result;
    }

    /**
     * Tells the binder this connection's write was committed on the writer (read-your-writes, the session token); a
     * bound connection always has its context.
     */
    private void recordWrite() {
        RoutingContext context = boundContext;
        Binding bound = binding;
        if (context != null && bound != null) {
            connections.recordWrite(context, bound.endpoint().region());
        }
    }

    private void afterExecute() {
        if (autoCommit) {
            statementsInTransaction = 0;
            if (writesOnWriter()) {
                recordWrite();
            }
        }
    }

    private @Nullable Object onExecuteFailure(StatementHandler statement, Method method, Object[] args,
            SQLException e) throws Throwable {
        Binding b = binding;
        if (b == null) {
            throw e;
        }
        boolean firstOfTransaction = autoCommit || statementsInTransaction == 1;
        if (connectionLost(b, e)) {
            // A statement after others of its transaction cannot move: their work lives in the connection that died.
            // Whether the first one may is sdk-core's rule, asked with what the failure proves and what the
            // statement is.
            if (!firstOfTransaction) {
                throw transactionLost(b, e, TransactionEnds.mayEnd(statement.sqlOf(args)), statementsInTransaction - 1);
            }
            if (!mayMove(e)) {
                throw e;
            }
            String unreplayable = statement.unreplayableReason();
            if (unreplayable != null) {
                log.info("Connection to {} failed; not running the statement again on a new route because {}",
                        b.endpoint(), unreplayable);
                e.addSuppressed(new SQLException("Meridian did not run this statement again on a new connection because "
                        + unreplayable + "; create the statement again and retry", e.getSQLState()));
                throw e;
            }
            log.info("Connection to {} failed before the transaction had done anything; running it on a new route: {}",
                    b.endpoint(), e.toString());
            return retryOnNewRoute(statement, method, args, e);
        }
        // A read-only connection that writes is refused by design (25006 too): not a moved writer.
        if (b.role() != Role.WRITER || readOnly || !SqlFailures.isNotWriter(e) || !mayMove(e)) {
            throw e;
        }
        if (!connections.writerMoved(b)) {
            throw e;
        }
        stale = true;
        if (!firstOfTransaction) {
            throw new WriterChangedException("The writer of the global database moved during this transaction ("
                    + b.endpoint() + " is no longer the writer) after " + (statementsInTransaction - 1)
                    + " statement(s) of the transaction had run; roll back and retry the whole transaction", e);
        }
        String unreplayable = statement.unreplayableReason();
        if (unreplayable != null) {
            throw new WriterChangedException("The writer of the global database moved (" + b.endpoint()
                    + " is no longer the writer and refused the statement) and the statement cannot be sent to the new "
                    + "writer because " + unreplayable + "; roll back if needed, create the statement again and retry", e);
        }
        log.info("Writer {} refused a write as read-only; retrying it once on the new writer", b.endpoint());
        return retryOnNewRoute(statement, method, args, e);
    }

    /**
     * Whether {@code e} says the bound connection {@code b} failed; if so, the connection is marked stale (its next
     * use outside a transaction takes a new route) and the data source told (breaker, idle connections, topology).
     */
    private boolean connectionLost(Binding b, SQLException e) {
        if (!SqlFailures.isConnectionFailure(e) && !closedUnderneath(b)) {
            return false;
        }
        stale = true;
        connections.connectionFailed(b, e);
        return true;
    }

    /**
     * Whether the pool closed the physical connection of {@code b}: HikariCP does once a call found it broken, and its
     * calls then fail with "Connection is closed" and no SQLState, which says nothing of a connection by itself.
     */
    private static boolean closedUnderneath(Binding b) {
        try {
            return b.connection().isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * What a call inside a transaction throws when its connection failed after {@code ranBefore} statements of the
     * transaction. The transaction committed nothing (the server rolls it back when its connection dies), so when the
     * writer moved meanwhile — a switchover stops the old writer, ending its connections — the caller gets the README's
     * {@link WriterChangedException} (40001: retry the whole transaction), not the old writer's shutdown notice;
     * otherwise the failure itself. Not when the call {@code mayHaveCommitted} (a {@code COMMIT} sent as SQL, SQL not
     * known, {@code commit()} itself): the commit may have happened before the connection died, and a retry would
     * apply the transaction twice.
     */
    private SQLException transactionLost(Binding b, SQLException e, boolean mayHaveCommitted, int ranBefore) {
        if (b.role() != Role.WRITER || readOnly || mayHaveCommitted || !connections.writerMoved(b)) {
            return e;
        }
        return new WriterChangedException("The writer of the global database moved during this transaction (the "
                + "connection to " + b.endpoint() + " failed: " + e.getMessage() + ") after " + ranBefore
                + " statement(s) of the transaction had run; roll back and retry the whole transaction", e);
    }

    /**
     * What a commit whose connection failed throws (an explicit {@code commit()}, or autocommit switched on in a
     * transaction): its own failure, never {@link WriterChangedException} — unless the connection was {@code knownLost}
     * before the commit was sent, the commit may have been applied before its answer was lost (a suppressed note says
     * so), and retrying the transaction would apply it twice. The transaction is over either way, and the connection's
     * next use takes a new route.
     */
    private SQLException commitFailed(Binding b, SQLException e, boolean knownLost) {
        statementsInTransaction = 0;
        if (!knownLost) {
            e.addSuppressed(new SQLException("The connection to " + b.endpoint() + " failed while committing: the "
                    + "transaction may have been committed; Meridian does not report it as retryable. The "
                    + "connection's next use takes a new route", e.getSQLState()));
        }
        return e;
    }

    /** A call on the physical connection that is not a statement's execution (savepoints, metadata, LOBs...). */
    @FunctionalInterface
    interface ConnectionCall<T> {
        T on(Connection physical) throws SQLException;
    }

    /** A call on the physical connection that answers nothing (a setting, a savepoint released). */
    @FunctionalInterface
    private interface ConnectionAction {
        void on(Connection physical) throws SQLException;
    }

    /**
     * Runs {@code call} on the physical connection the next use takes (binding as a statement would). When the
     * connection fails under it, the connection is marked stale and the call fails as a statement would: inside a
     * transaction with {@link #transactionLost} (the call itself commits nothing); outside one, where nothing is lost,
     * the call — which sends none of the caller's writes, so sdk-core's rule lets it move as a read — runs once more
     * on a new route.
     */
    <T> T onConnection(ConnectionCall<T> call) throws SQLException {
        return onConnection(physical(), call);
    }

    private <T> T onConnection(Connection physical, ConnectionCall<T> call) throws SQLException {
        try {
            return call.on(physical);
        } catch (SQLException e) {
            return afterConnectionCallFailed(e, call);
        }
    }

    /** What {@link #onConnection} does once a call failed with {@code e}: {@code retry} is the call on a new route. */
    private <T> T afterConnectionCallFailed(SQLException e, ConnectionCall<T> retry) throws SQLException {
        Binding b = binding;
        if (b == null || !connectionLost(b, e)) {
            throw e;
        }
        if (inTransaction()) {
            throw transactionLost(b, e, false, statementsInTransaction);
        }
        if (!SqlFailures.STATEMENTS.classify(e).movesOn(OperationKind.READ)) {
            throw e;
        }
        log.info("Connection to {} failed outside a transaction; running the call on a new route: {}",
                b.endpoint(), e.toString());
        try {
            return retry.on(physical());
        } catch (SQLException again) {
            Binding retried = binding;
            if (retried != null) {
                connectionLost(retried, again);
            }
            again.addSuppressed(e);
            throw again;
        }
    }

    /**
     * Applies a session setting to the bound physical connection, if there is one; the caller records the setting for
     * later binds. Outside a transaction a dead connection is no reason to fail: a stale one is released at once, one
     * found dead now too, and the setting goes to the connection of the next use. Inside a transaction a dead
     * connection fails the setting with {@link #transactionLost}.
     */
    private void applySetting(ConnectionAction setting) throws SQLException {
        dropIfStale();
        Binding b = binding;
        if (b == null) {
            return;
        }
        try {
            setting.on(b.connection());
        } catch (SQLException e) {
            if (!connectionLost(b, e)) {
                throw e;
            }
            if (inTransaction()) {
                throw transactionLost(b, e, false, statementsInTransaction);
            }
            unbind(true);
        }
    }

    /** Releases a stale binding outside a transaction: the next use takes a new route and replays the settings. */
    private void dropIfStale() {
        if (binding != null && stale && !inTransaction()) {
            unbind(true);
        }
    }

    /** The bound physical connection when it is not known to be dead, for reads of its state; else null. */
    private @Nullable Connection liveBound() {
        return binding == null || stale ? null : binding.connection();
    }

    /**
     * Whether sdk-core's move rule ({@link FailureDecision#movesOn}) lets the statement that failed with {@code e} run
     * on a new route: {@link SqlFailures#STATEMENTS} says what the failure proves (a connection that died under it may
     * have applied it, unless the server was shutting down or never connected; a write refused as not the writer was
     * not applied; an interrupted wait aborts), and {@link #statementKind()} what the statement is.
     */
    private boolean mayMove(SQLException e) {
        return SqlFailures.STATEMENTS.classify(e).movesOn(statementKind());
    }

    /**
     * What the current statement is for sdk-core's move rule: a read; a write inside a transaction nothing of which
     * is committed yet, safe to repeat because the server rolls an unfinished transaction back when its connection
     * dies ({@link OperationKind#IDEMPOTENT_WRITE}); or an autocommit write, which a lost answer may have applied.
     */
    private OperationKind statementKind() {
        if (readOnly) {
            return OperationKind.READ;
        }
        return autoCommit ? OperationKind.WRITE : OperationKind.IDEMPOTENT_WRITE;
    }

    /** Gives up the current physical connection, binds a new one, re-creates the statement there and runs it once. */
    private @Nullable Object retryOnNewRoute(StatementHandler statement, Method method, Object[] args,
            SQLException cause) throws Throwable {
        Binding failed = binding;
        if (!autoCommit && failed != null) {
            try {
                failed.connection().rollback();
            } catch (SQLException rollbackFailure) {
                cause.addSuppressed(rollbackFailure);
            }
        }
        unbind(true);
        try {
            prepareForUse(statement); // binds a new route and re-creates the statement there
        } catch (SQLException | RuntimeException bindFailure) {
            bindFailure.addSuppressed(cause);
            throw bindFailure;
        }
        statementsInTransaction = 1;
        Object result = statement.invokeDelegate(method, args);
        afterExecute();
        return result;
    }

    // ---- statements --------------------------------------------------------------------------------------------

    /** The binding generation; statements and metadata handed out remember the one they were created on. */
    long generation() {
        return generation;
    }

    /**
     * The driver's statement behind a metadata result set, as a Meridian statement of this connection (a plain
     * statement re-created on the current connection at its next use, as any other); null stays null.
     */
    @Nullable Statement statementOver(@Nullable Statement physical) {
        return physical == null ? null
                : StatementHandler.wrap(Statement.class, this, physical, generation, null, Connection::createStatement);
    }

    private <T extends Statement> T statement(Class<T> type, StatementHandler.Factory factory) throws SQLException {
        return statement(type, null, factory);
    }

    private <T extends Statement> T statement(Class<T> type, @Nullable String sql, StatementHandler.Factory factory)
            throws SQLException {
        Statement delegate = onConnection(factory::create);
        return StatementHandler.wrap(type, this, delegate, generation, sql, factory);
    }

    @Override
    public Statement createStatement() throws SQLException {
        return statement(Statement.class, Connection::createStatement);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return statement(Statement.class, c -> c.createStatement(resultSetType, resultSetConcurrency));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        return statement(Statement.class, c -> c.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return statement(PreparedStatement.class, sql, c -> c.prepareStatement(sql));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return statement(PreparedStatement.class, sql, c -> c.prepareStatement(sql, resultSetType, resultSetConcurrency));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
                                              int resultSetHoldability) throws SQLException {
        return statement(PreparedStatement.class, sql,
                c -> c.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return statement(PreparedStatement.class, sql, c -> c.prepareStatement(sql, autoGeneratedKeys));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return statement(PreparedStatement.class, sql, c -> c.prepareStatement(sql, columnIndexes));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return statement(PreparedStatement.class, sql, c -> c.prepareStatement(sql, columnNames));
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return statement(CallableStatement.class, sql, c -> c.prepareCall(sql));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return statement(CallableStatement.class, sql, c -> c.prepareCall(sql, resultSetType, resultSetConcurrency));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
                                         int resultSetHoldability) throws SQLException {
        return statement(CallableStatement.class, sql,
                c -> c.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    // ---- transactions ------------------------------------------------------------------------------------------

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        checkOpen();
        if (autoCommit == this.autoCommit) {
            return;
        }
        Binding b = binding;
        if (autoCommit && statementsInTransaction > 0 && b != null) {
            boolean knownLost = stale;
            try {
                b.connection().setAutoCommit(true); // commits the open transaction
            } catch (SQLException e) {
                throw connectionLost(b, e) ? commitFailed(b, e, knownLost) : e;
            }
            if (writesOnWriter()) {
                recordWrite();
            }
        } else {
            applySetting(c -> c.setAutoCommit(autoCommit));
        }
        statementsInTransaction = 0;
        this.autoCommit = autoCommit;
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        dropIfStale(); // a failed connection with no transaction open has nothing to commit
        if (binding == null) {
            if (autoCommit) {
                throw new SQLException("Cannot commit when autoCommit is enabled", "25000");
            }
            return; // nothing ran, nothing to commit
        }
        Binding b = binding;
        boolean knownLost = stale;
        try {
            b.connection().commit();
        } catch (SQLException e) {
            throw connectionLost(b, e) ? commitFailed(b, e, knownLost) : e;
        }
        if (statementsInTransaction > 0 && writesOnWriter()) {
            recordWrite();
        }
        statementsInTransaction = 0;
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (binding == null) {
            if (autoCommit) {
                throw new SQLException("Cannot rollback when autoCommit is enabled", "25000");
            }
            return;
        }
        statementsInTransaction = 0;
        Binding b = binding;
        // A connection that failed (before or now) or whose node stopped being the writer: the server has already
        // rolled back, or will when the connection is dropped. Rolling back is then a success for the caller.
        try {
            b.connection().rollback();
        } catch (SQLException e) {
            if (!stale && !connectionLost(b, e)) {
                throw e;
            }
            log.debug("Rollback on a failed connection to {} failed; the transaction is gone: {}", b.endpoint(),
                    e.toString());
        }
        if (stale) {
            unbind(true);
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        Savepoint s = onConnection(Connection::setSavepoint);
        statementsInTransaction++;
        return s;
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        Savepoint s = onConnection(c -> c.setSavepoint(name));
        statementsInTransaction++;
        return s;
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        onSavepoint("rollback to a savepoint", c -> c.rollback(savepoint));
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        onSavepoint("release a savepoint", c -> c.releaseSavepoint(savepoint));
    }

    /** A savepoint's {@code action} on the bound connection ({@link #onConnection}'s failures); none bound: 3B001. */
    private void onSavepoint(String action, ConnectionAction call) throws SQLException {
        checkOpen();
        if (binding == null) {
            throw new SQLException("Cannot " + action + ": no statement has run on this connection", "3B001");
        }
        onConnection(binding.connection(), c -> {
            call.on(c);
            return Boolean.TRUE;
        });
    }

    // ---- session settings --------------------------------------------------------------------------------------

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        if (readOnly == this.readOnly) {
            return;
        }
        Binding b = binding;
        if (b != null) {
            if (inTransaction()) {
                throw new SQLException("Cannot switch the connection to " + (readOnly ? "read-only" : "read-write")
                        + " inside a transaction: it is bound to the " + b.endpoint() + " endpoint and "
                        + statementsInTransaction + " statement(s) ran since the transaction began; commit or roll back first",
                        "25001");
            }
            if (b.serves(readOnly)) {
                applySetting(c -> c.setReadOnly(readOnly));
            }
            // Otherwise the connection no longer fits; it is released and re-chosen at the next use.
        }
        this.readOnly = readOnly;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return readOnly;
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        applySetting(c -> c.setTransactionIsolation(level));
        isolation = level;
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return isolation != null ? isolation : onConnection(Connection::getTransactionIsolation);
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
        applySetting(c -> c.setCatalog(catalog));
        this.catalog = catalog;
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        return catalog != null ? catalog : onConnection(Connection::getCatalog);
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        applySetting(c -> c.setSchema(schema));
        this.schema = schema;
    }

    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        return schema != null ? schema : onConnection(Connection::getSchema);
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        applySetting(c -> changeHoldability(c, holdability));
        this.holdability = holdability;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return holdability != null ? holdability : onConnection(Connection::getHoldability);
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        checkOpen();
        applySetting(c -> changeTypeMap(c, map));
        this.typeMap = map;
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        return typeMap != null ? typeMap : onConnection(Connection::getTypeMap);
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        applySetting(c -> c.setNetworkTimeout(executor, milliseconds));
        this.networkTimeoutExecutor = executor;
        this.networkTimeoutMillis = milliseconds;
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        Connection live = liveBound();
        if (live != null) {
            return live.getNetworkTimeout();
        }
        return networkTimeoutMillis == null ? 0 : networkTimeoutMillis;
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        checkOpenForClientInfo();
        if (clientInfo == null) {
            clientInfo = new Properties();
        }
        if (value == null) {
            clientInfo.remove(name);
        } else {
            clientInfo.setProperty(name, value);
        }
        applyClientInfo(c -> c.setClientInfo(name, value));
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        checkOpenForClientInfo();
        clientInfo = new Properties();
        clientInfo.putAll(properties);
        applyClientInfo(c -> c.setClientInfo(properties));
    }

    /** A client-info setting on the physical connection. */
    @FunctionalInterface
    private interface ClientInfoAction {
        void on(Connection physical) throws SQLClientInfoException;
    }

    /**
     * Applies a client-info setting to the bound physical connection, if there is one; the caller recorded it for
     * later binds. A dead connection never fails it: JDBC lets {@code setClientInfo} throw only
     * {@link SQLClientInfoException}, which cannot be the {@link WriterChangedException} a lost transaction asks for,
     * and the label is not the caller's data. Outside a transaction the connection is given up, as for the other
     * session setters, and the setting goes to the connection of the next use; inside one the connection is marked
     * stale and the transaction's next call (statement, savepoint, commit) reports the loss the documented way.
     */
    private void applyClientInfo(ClientInfoAction setting) throws SQLClientInfoException {
        dropIfStale();
        Binding b = binding;
        if (b == null) {
            return;
        }
        try {
            rememberClientInfo(b.connection());
            setting.on(b.connection());
        } catch (SQLClientInfoException | RuntimeException e) {
            // HikariCP's closed connection throws an undeclared SQLException, which the JDK proxy wraps.
            if (!connectionLost(b, e instanceof SQLException s ? s : new SQLException(e))) {
                throw e;
            }
            log.debug("Setting client info on a failed connection to {}; {}: {}", b.endpoint(),
                    inTransaction() ? "the transaction's next call reports the loss" : "applied to the next one",
                    e.toString());
            if (!inTransaction()) {
                unbind(true);
            }
        }
    }

    private void checkOpenForClientInfo() throws SQLClientInfoException {
        if (closed) {
            throw new SQLClientInfoException("Connection is closed", "08003", 0, Map.of());
        }
    }

    @Override
    public @Nullable String getClientInfo(String name) throws SQLException {
        checkOpen();
        Connection live = liveBound();
        if (live != null) {
            return live.getClientInfo(name);
        }
        return clientInfo == null ? null : clientInfo.getProperty(name);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        Connection live = liveBound();
        if (live != null) {
            return live.getClientInfo();
        }
        Properties copy = new Properties();
        if (clientInfo != null) {
            copy.putAll(clientInfo);
        }
        return copy;
    }

    // ---- everything else needs the physical connection ---------------------------------------------------------

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return onConnection(c -> c.nativeSQL(sql));
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        DatabaseMetaData physical = onConnection(Connection::getMetaData);
        return MetaDataHandler.wrap(this, physical, generation);
    }

    @Override
    public @Nullable SQLWarning getWarnings() throws SQLException {
        checkOpen();
        Connection live = liveBound();
        return live == null ? null : live.getWarnings(); // a dead connection's warnings died with it
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        Connection live = liveBound();
        if (live != null) {
            live.clearWarnings();
        }
    }

    @Override
    public Clob createClob() throws SQLException {
        return onConnection(Connection::createClob);
    }

    @Override
    public Blob createBlob() throws SQLException {
        return onConnection(Connection::createBlob);
    }

    @Override
    public NClob createNClob() throws SQLException {
        return onConnection(Connection::createNClob);
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return onConnection(Connection::createSQLXML);
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        return new LogicalArray(onConnection(c -> c.createArrayOf(typeName, elements)), null);
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        return onConnection(c -> c.createStruct(typeName, attributes));
    }

    /**
     * Whether the next statement would get a working connection. A bound connection that the next statement keeps
     * asks its database. Otherwise (unbound, or due for a new route) the route the next statement would take is
     * tried now: a physical connection is taken exactly as a statement would take it (read-only flag, residency,
     * breakers, reader fallback, pool {@code connectionTimeout}), validated with {@code timeout} and given back, so
     * the connection stays unbound and takes its route again at first use. Returns false, without throwing, when no
     * route is obtainable: an open writer breaker, a residency refusal, a pool timeout. Health checks (Spring Boot's
     * {@code DataSourceHealthIndicator}) and pools that validate borrowed connections thus see an unreachable writer.
     *
     * @throws SQLException if {@code timeout} is negative
     */
    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (timeout < 0) {
            throw new SQLException("isValid timeout must not be negative, was " + timeout, "22023");
        }
        if (closed) {
            return false;
        }
        RoutingContext context = RoutingContext.current();
        Binding b = binding;
        if (b != null) {
            if (keepsBinding(b, context)) {
                return b.connection().isValid(timeout);
            }
            unbind(stale);
        }
        Binding probe;
        try {
            probe = readOnly ? connections.bindRead(context) : connections.bindWrite(context);
        } catch (SQLException | RuntimeException e) {
            log.debug("isValid: no {} route is obtainable: {}", readOnly ? "read" : "write", e.toString());
            return false;
        }
        boolean valid = false;
        try {
            valid = probe.connection().isValid(timeout);
        } catch (SQLException e) {
            log.debug("isValid: the connection to {} failed validation: {}", probe.endpoint(), e.toString());
        }
        connections.release(probe, !valid);
        return valid;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return physical().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || physical().isWrapperFor(iface);
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------------

    /**
     * Returns the physical connection to its pool, which rolls back unfinished work and resets the settings HikariCP
     * tracks; holdability, type map and client info are restored here first (see the class comment).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unbind(stale);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        Binding b = binding;
        if (b != null) {
            b.connection().abort(executor);
            unbind(true);
        }
    }

    @Override
    public String toString() {
        return "MeridianConnection[" + (binding == null ? "unbound" : binding.endpoint()) + (readOnly ? ", read-only" : "") + "]";
    }
}
