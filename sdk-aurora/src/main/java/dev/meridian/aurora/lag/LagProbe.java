package dev.meridian.aurora.lag;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.STABLE;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
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
     * The writer's time up to which the reader has replayed every commit: a commit acknowledged before it is visible
     * on this reader. Meridian asks it, on a connection to the reader, for a read that must see a given write (a
     * session token's); unlike {@link #measure} it must not round a reader that may still miss WAL in flight to it
     * down to "caught up". The default takes the time before {@link #measure} minus the lag it measured, which is
     * right for a probe whose lag counts every commit of the writer.
     *
     * @param connection a connection to the reader (autocommit as configured in the pool)
     * @param region     the reader's region
     * @return the time; {@link Instant#MIN} when nothing is known
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    default Instant replayedUpTo(Connection connection, Region region) throws SQLException {
        Instant before = Instant.now();
        return before.minus(measure(connection, region));
    }

    /**
     * Self-managed PostgreSQL streaming replicas: zero on a primary; on a replica, the time since the latest moment up
     * to which it is proven to have replayed the primary's commits. The proof is the commit time of the
     * last replayed transaction or, when the replica's role may read {@code pg_stat_wal_receiver}
     * ({@code pg_read_all_stats}), the send time of the primary's last message (a keep-alive on an idle primary)
     * once the replica has replayed everything up to the WAL end that message announced; without that grant, or while
     * the WAL receiver is not streaming (stopped, partitioned, reconnecting), only replayed commits count. A replica
     * with neither proof is reported as lagging unboundedly. {@link #replayedUpTo} is the commit time alone: a
     * keep-alive announces the WAL the primary has sent, which may miss a commit acknowledged just before it, so it
     * bounds lag but does not prove a given write replayed. Both in the primary's clock.
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

/**
 * A lag probe that runs one query returning the lag in milliseconds (SQL NULL = unknown, treated as unbounded), and
 * optionally one returning the replayed-up-to time in epoch milliseconds (SQL NULL = nothing known).
 */
enum SqlLagProbe implements LagProbe {
    POSTGRES("SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
            + "ELSE ceil(EXTRACT(EPOCH FROM clock_timestamp() - GREATEST(pg_last_xact_replay_timestamp(), "
            // The primary's last message, once everything it announced is replayed. Only from a streaming receiver
            // that has heard from this primary: a starting receiver shows its own start time as the send time
            // (receipt time equal to it) beside the WAL end of its previous connection. NULL without the grant.
            + "CASE WHEN r.status = 'streaming' AND r.last_msg_receipt_time <> r.last_msg_send_time "
            + "AND pg_last_wal_replay_lsn() >= r.latest_end_lsn THEN r.last_msg_send_time END)) * 1000)::bigint "
            + "END FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver r ON true",
            // A replayed commit proves every commit acknowledged before its time (its record came first in the WAL).
            // Milliseconds are rounded down (floor): a cast alone rounds to the nearest, up to half a millisecond
            // past the proof.
            "SELECT CASE WHEN NOT pg_is_in_recovery() "
            + "THEN floor(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint "
            + "ELSE floor(EXTRACT(EPOCH FROM pg_last_xact_replay_timestamp()) * 1000)::bigint END"),
    AURORA_POSTGRES_GLOBAL("SELECT COALESCE((SELECT max(visibility_lag_in_msec) FROM aurora_global_db_instance_status() "
            + "WHERE server_id = aurora_db_instance_identifier()), 0)::bigint", null);

    /** Stands in for "unknown": larger than any sensible maxReplicaLag. */
    static final Duration UNKNOWN = Duration.ofDays(365);

    private final String sql;
    private final @Nullable String replayedUpToSql;

    SqlLagProbe(String sql, @Nullable String replayedUpToSql) {
        this.sql = sql;
        this.replayedUpToSql = replayedUpToSql;
    }

    @Override
    public Instant replayedUpTo(Connection connection, Region region) throws SQLException {
        String upTo = replayedUpToSql;
        if (upTo == null) {
            return LagProbe.super.replayedUpTo(connection, region);
        }
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(upTo)) {
            rs.next();
            long millis = rs.getLong(1);
            return rs.wasNull() ? Instant.MIN : Instant.ofEpochMilli(millis);
        }
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
