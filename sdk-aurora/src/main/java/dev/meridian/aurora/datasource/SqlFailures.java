package dev.meridian.aurora.datasource;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** Classifies JDBC failures for routing decisions. Stateless. */
final class SqlFailures {
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

    private static boolean mentionsReadOnly(SQLException s) {
        // 1290 is shared by every "--option prevents this statement" error; only --read-only (and
        // --super-read-only) mean the server is not the writer.
        String message = s.getMessage();
        return message != null && message.contains("read-only");
    }

    private static Throwable next(Throwable t) {
        if (t instanceof SQLException s && s.getNextException() != null && s.getNextException() != t) {
            return s.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }
}
