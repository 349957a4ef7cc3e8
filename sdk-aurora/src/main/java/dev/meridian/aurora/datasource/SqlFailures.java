package dev.meridian.aurora.datasource;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import java.nio.channels.ClosedByInterruptException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * Classifies JDBC failures for routing decisions: the {@link FailureClassifier}s sdk-core applies when it decides
 * whether a connection attempt or a statement may move to another route ({@link FailureDecision#movesOn}), and the
 * facts {@link LogicalConnection} needs to know which way a failed statement goes (a dead connection, a writer that
 * is no longer the writer). Stateless.
 */
final class SqlFailures {
    /**
     * Taking a connection (from the endpoint's pool, with the reader's lag measured on it): an interrupted wait (HikariCP
     * "Interrupted during connection acquisition", an {@link SQLException} caused by {@link InterruptedException}) is
     * {@link FailureDecision#ABORTED} — the caller gave up, which says nothing about the endpoint; any other
     * {@link SQLException} is the endpoint's failure before anything of the caller's was sent,
     * {@link FailureDecision#REGIONAL_NOT_APPLIED}; anything else is ours, {@link FailureDecision#CALLER_ERROR}.
     */
    static final FailureClassifier CONNECTING = t -> {
        if (isInterrupted(t)) {
            return FailureDecision.ABORTED;
        }
        return t instanceof SQLException ? FailureDecision.REGIONAL_NOT_APPLIED : FailureDecision.CALLER_ERROR;
    };

    /**
     * Running a statement on a bound connection: interrupted → {@link FailureDecision#ABORTED}; the connection failed
     * ({@link #isConnectionFailure}) → {@link FailureDecision#REGIONAL_NOT_APPLIED} when the failure proves the
     * statement did not run ({@link #provesNotApplied}), else {@link FailureDecision#REGIONAL_MAYBE_APPLIED}; the
     * server refused a write as not the writer ({@link #isNotWriter}) → {@link FailureDecision#REGIONAL_NOT_APPLIED};
     * anything else (a constraint, a syntax error) → {@link FailureDecision#CALLER_ERROR}.
     */
    static final FailureClassifier STATEMENTS = t -> {
        if (isInterrupted(t)) {
            return FailureDecision.ABORTED;
        }
        if (!(t instanceof SQLException e)) {
            return FailureDecision.CALLER_ERROR;
        }
        if (isConnectionFailure(e)) {
            return provesNotApplied(e) ? FailureDecision.REGIONAL_NOT_APPLIED : FailureDecision.REGIONAL_MAYBE_APPLIED;
        }
        return isNotWriter(e) ? FailureDecision.REGIONAL_NOT_APPLIED : FailureDecision.CALLER_ERROR;
    };

    /** PostgreSQL: read_only_sql_transaction (a hot standby or a demoted writer). */
    static final String PG_READ_ONLY_TRANSACTION = "25006";
    /** MySQL ER_OPTION_PREVENTS_STATEMENT, raised for writes under --read-only. */
    static final int MYSQL_OPTION_PREVENTS_STATEMENT = 1290;
    /** MySQL ER_READ_ONLY_MODE. */
    static final int MYSQL_READ_ONLY_MODE = 1836;

    /** Guards against cyclic exception chains. */
    private static final int MAX_CHAIN = 16;

    private SqlFailures() {
    }

    /** The server refused a write because it is not (or no longer) the writer. Looks through the whole chain. */
    static boolean isNotWriter(SQLException e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < MAX_CHAIN; t = next(t)) {
            if (t instanceof SQLException s) {
                if (PG_READ_ONLY_TRANSACTION.equals(s.getSQLState())) {
                    return true;
                }
                int code = s.getErrorCode();
                if ((code == MYSQL_OPTION_PREVENTS_STATEMENT && mentionsReadOnly(s)) || code == MYSQL_READ_ONLY_MODE) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The connection itself failed (class 08, admin shutdown, or a pool timeout): the endpoint may be gone. */
    static boolean isConnectionFailure(SQLException e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < MAX_CHAIN; t = next(t)) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (PostgreSQL)
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The failure says the statement cannot have taken effect: the server was shutting down or refused the session
     * (PostgreSQL 57P01/57P02/57P03: an idle or running transaction is aborted, never committed), or no connection was
     * ever established (08001, 08004).
     */
    static boolean provesNotApplied(SQLException e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < MAX_CHAIN; t = next(t)) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                switch (s.getSQLState()) {
                    case "57P01", "57P02", "57P03", "08001", "08004":
                        return true;
                    default:
                        break;
                }
            }
        }
        return false;
    }

    /** The caller's thread was interrupted while it waited (for a pooled connection, or on the socket). */
    static boolean isInterrupted(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth++ < MAX_CHAIN; t = next(t)) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentionsReadOnly(SQLException s) {
        // 1290 is shared by every "--option prevents this statement" error; only --read-only (and
        // --super-read-only) mean the server is not the writer.
        String message = s.getMessage();
        return message != null && message.contains("read-only");
    }

    private static @Nullable Throwable next(Throwable t) {
        if (t instanceof SQLException s && s.getNextException() != null && s.getNextException() != t) {
            return s.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }
}
