package dev.meridian.aurora.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * {@link LagProbe#postgres()} on a real primary (eu-west-1) and streaming replica (us-east-1), connected as the role
 * the testkit gives applications: on an idle primary the replica is proven caught up by the primary's keep-alives,
 * not by commits; a replica cut off from its primary is reported lagging once the primary moves on.
 */
class PostgresLagProbeIT {
    private static final Duration THRESHOLD = Duration.ofSeconds(3);
    private static final String REPLICA = "us-east-1";
    private static LocalAuroraGlobal aurora;

    @BeforeAll
    static void start() throws SQLException {
        aurora = LocalAuroraGlobal.start("eu-west-1", REPLICA);
        onPrimary("CREATE TABLE items (id text PRIMARY KEY)");
        aurora.awaitReplicasCaughtUp();
    }

    @AfterAll
    static void stop() {
        if (aurora != null) {
            aurora.close();
        }
    }

    @Test
    void anIdlePrimarysCaughtUpReplicaIsNotReportedLaggingThanksToTheKeepAlive() throws SQLException {
        onPrimary("INSERT INTO items VALUES ('" + UUID.randomUUID() + "')");
        aurora.awaitReplicaCaughtUp(REPLICA);

        // No commit since longer than the threshold, yet the measured lag stays below it: the keep-alive proves it.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Duration lag = measure();
            return sinceLastReplayedCommit().compareTo(THRESHOLD) > 0 && lag.compareTo(THRESHOLD) < 0;
        });
    }

    @Test
    void aReplicaCutOffFromItsPrimaryIsReportedLaggingOnceThePrimaryMovesOn() throws SQLException {
        aurora.awaitReplicaCaughtUp(REPLICA);
        aurora.pauseReplication(REPLICA);
        try {
            String id = UUID.randomUUID().toString();
            onPrimary("INSERT INTO items VALUES ('" + id + "')");

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> measure().compareTo(THRESHOLD) > 0);
            assertThat(countOnReplica(id)).as("the replica still misses the commit it is reported lagging behind")
                    .isZero();
        } finally {
            aurora.resumeReplication(REPLICA);
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> measure().compareTo(THRESHOLD) < 0);
    }

    private static Duration measure() throws SQLException {
        try (Connection c = replica()) {
            return LagProbe.postgres().measure(c, Region.US_EAST_1);
        }
    }

    private static Duration sinceLastReplayedCommit() throws SQLException {
        try (Connection c = replica(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT (EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint")) {
            rs.next();
            return Duration.ofMillis(rs.getLong(1));
        }
    }

    private static long countOnReplica(String id) throws SQLException {
        try (Connection c = replica(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id = '" + id + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection replica() throws SQLException {
        return DriverManager.getConnection(aurora.jdbcUrl(REPLICA), aurora.user(), aurora.password());
    }

    private static void onPrimary(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
