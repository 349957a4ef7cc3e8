package dev.meridian.aurora.lag;

import static org.apiguardian.api.API.Status.STABLE;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Measures how far a reader is behind the writer, on a connection to that reader.
 *
 * <p>Meridian calls a probe at most once per lag-check interval per region, on a connection it just took from that
 * region's reader pool, and skips the reader when the result exceeds {@code maxReplicaLag}. Implementations must be
 * thread-safe and must not keep the connection. A probe that throws is treated as a failed reader.
 */
@API(status = STABLE, since = "0.1")
@FunctionalInterface
public interface LagProbe {

    /**
     * @param connection a connection to the reader being measured (autocommit as configured in the pool)
     * @param region     the reader's region
     * @return the replica lag; {@link Duration#ZERO} for a writer or a caught-up reader
     */
    Duration measure(Connection connection, Region region) throws SQLException;

    /**
     * Self-managed PostgreSQL streaming replicas: zero on a primary or when everything received has been replayed
     * (an idle primary does not make a replica "lag"), otherwise the time since the last replayed transaction.
     * Lag is reported as unbounded when the replica is behind and has not replayed any transaction yet.
     */
    static LagProbe postgres() {
        return SqlLagProbe.POSTGRES;
    }

    /**
     * Aurora PostgreSQL global databases: {@code visibility_lag_in_msec} of the connected instance from
     * {@code aurora_global_db_instance_status()}; zero for instances of the primary cluster (reported as null).
     */
    static LagProbe auroraPostgresGlobal() {
        return SqlLagProbe.AURORA_POSTGRES_GLOBAL;
    }
}

/** A lag probe that runs one query returning the lag in milliseconds (SQL NULL = unknown, treated as unbounded). */
enum SqlLagProbe implements LagProbe {
    POSTGRES("SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
            + "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            + "ELSE (EXTRACT(EPOCH FROM (clock_timestamp() - pg_last_xact_replay_timestamp())) * 1000)::bigint END"),
    AURORA_POSTGRES_GLOBAL("SELECT COALESCE((SELECT max(visibility_lag_in_msec) FROM aurora_global_db_instance_status() "
            + "WHERE server_id = aurora_db_instance_identifier()), 0)::bigint");

    /** Stands in for "unknown": larger than any sensible maxReplicaLag. */
    static final Duration UNKNOWN = Duration.ofDays(365);

    private final String sql;

    SqlLagProbe(String sql) {
        this.sql = sql;
    }

    @Override
    public Duration measure(Connection connection, Region region) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            long millis = rs.getLong(1);
            return rs.wasNull() ? UNKNOWN : Duration.ofMillis(Math.max(0, millis));
        }
    }
}
