package dev.meridian.aurora.datasource;

import static org.apiguardian.api.API.Status.STABLE;

import java.sql.SQLTransactionRollbackException;
import org.apiguardian.api.API;

/**
 * The writer of the global database moved while a transaction was running on the old one, and Meridian could not move
 * it transparently: the transaction had already run statements, or the refused statement holds a pending batch or
 * stream parameters, which cannot be sent twice. The transaction must be retried from the start (with its statements
 * created again); a new transaction on the same {@link RoutingDataSource} goes to the new writer.
 *
 * <p>SQLState {@value #SQL_STATE} (serialization failure), which Spring and most retry helpers treat as transient and
 * retryable. The cause is the database's refusal (PostgreSQL 25006, MySQL 1290/1836), or the failure of the
 * transaction's connection to the old writer (a switchover stops it).
 */
@API(status = STABLE, since = "0.1")
public class WriterChangedException extends SQLTransactionRollbackException {
    private static final long serialVersionUID = 1L;

    /** The SQLState of this exception. */
    public static final String SQL_STATE = "40001";

    public WriterChangedException(String reason, Throwable cause) {
        super(reason, SQL_STATE, cause);
    }
}
