package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One three-region cluster shared by the tests that do not change which region is the primary. */
class LocalAuroraGlobalIT {

    private static final String PRIMARY = "eu-west-1";
    private static final String CENTRAL = "eu-central-1";
    private static final String US = "us-east-1";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static LocalAuroraGlobal aurora;

    @BeforeAll
    static void startCluster() throws SQLException {
        aurora = LocalAuroraGlobal.start(PRIMARY, CENTRAL, US);
        try (Connection c = connect(aurora.writerJdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id text PRIMARY KEY, note text)");
        }
        aurora.awaitReplicasCaughtUp();
    }

    @AfterAll
    static void closeCluster() {
        if (aurora != null) {
            aurora.close();
        }
    }

    @Test
    void exposesOneNodePerRegionWithTheConfiguredPrimaryAsWriter() {
        assertThat(aurora.regions()).containsExactly(PRIMARY, CENTRAL, US);
        assertThat(aurora.primaryRegion()).isEqualTo(PRIMARY);
        assertThat(aurora.writerJdbcUrl()).isEqualTo(aurora.jdbcUrl(PRIMARY))
                .isEqualTo("jdbc:postgresql://127.0.0.1:" + aurora.port(PRIMARY) + "/meridian");
        assertThat(aurora.readerJdbcUrl(US)).isEqualTo(aurora.jdbcUrl(US));
        assertThat(aurora.regions().stream().map(aurora::port).distinct()).hasSize(3);
        assertThatThrownBy(() -> aurora.jdbcUrl("ap-south-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ap-south-1");
    }

    @Test
    void rowWrittenOnPrimaryBecomesReadableOnEveryReplica() throws SQLException {
        String id = insertOnPrimary("replicated");

        for (String replica : new String[] {CENTRAL, US}) {
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(noteOn(replica, id)).isEqualTo("replicated"));
        }
    }

    @Test
    void writeToReplicaFailsWithReadOnlySqlState() throws SQLException {
        try (Connection c = connect(aurora.readerJdbcUrl(CENTRAL)); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO orders VALUES ('x', 'to a replica')"))
                    .isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("25006"));
            try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        }
    }

    @Test
    void stoppedRegionRefusesConnectionsAndCatchesUpWhenStartedAgain() throws SQLException {
        aurora.stop(US);
        try {
            assertThat(aurora.isRunning(US)).isFalse();
            assertThatThrownBy(() -> connect(aurora.readerJdbcUrl(US)).close())
                    .isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getSQLState()).startsWith("08")); // connection exception
            String id = insertOnPrimary("written while us-east-1 was down");

            aurora.start(US);

            assertThat(aurora.isRunning(US)).isTrue();
            await().atMost(PATIENCE).untilAsserted(
                    () -> assertThat(noteOn(US, id)).isEqualTo("written while us-east-1 was down"));
        } finally {
            aurora.start(US);
        }
    }

    @Test
    void injectedReplicaDelayShowsAsLagAndHidesFreshWrites() throws SQLException {
        aurora.awaitReplicaCaughtUp(CENTRAL);
        aurora.replicaDelay(CENTRAL, Duration.ofSeconds(2));
        try {
            String id = insertOnPrimary("delayed");
            assertThat(noteOn(CENTRAL, id)).as("visible on the delayed replica right after the write").isNull();

            // Keep the primary busy so the replica always has an unapplied commit, and watch the measured lag.
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> {
                insertOnPrimary("traffic");
                return aurora.replicaLag(CENTRAL).compareTo(Duration.ofSeconds(1)) >= 0;
            });
            assertThat(noteOn(US, id)).as("an undelayed replica is unaffected").satisfiesAnyOf(
                    note -> assertThat(note).isEqualTo("delayed"), note -> assertThat(note).isNull());
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(noteOn(CENTRAL, id)).isEqualTo("delayed"));
        } finally {
            aurora.replicaDelay(CENTRAL, Duration.ZERO);
        }
        aurora.awaitReplicaCaughtUp(CENTRAL);
        assertThat(aurora.replicaLag(CENTRAL)).isEqualTo(Duration.ZERO);
    }

    @Test
    void idleCaughtUpReplicaReportsZeroLagAlthoughItsLastReplayAges() throws SQLException {
        insertOnPrimary("last write before idling");
        aurora.awaitReplicaCaughtUp(US);

        // pg_last_xact_replay_timestamp() keeps aging on an idle primary; the measured lag must not.
        await().atMost(PATIENCE).until(() -> lastReplayAgeMillis(US) > 1_500);

        assertThat(aurora.replicaLag(US)).isEqualTo(Duration.ZERO);
        assertThat(aurora.replicaLag(PRIMARY)).isEqualTo(Duration.ZERO);
    }

    @Test
    void theApplicationRoleSeesTheWalReceiverState() throws SQLException {
        // A lag probe proves an idle primary's replica caught up by the primary's keep-alives, read from here.
        try (Connection c = connect(aurora.readerJdbcUrl(US)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT status, latest_end_lsn, last_msg_send_time "
                        + "FROM pg_stat_wal_receiver")) {
            assertThat(rs.next()).as("a running WAL receiver").isTrue();
            assertThat(rs.getString(1)).isEqualTo("streaming");
            assertThat(rs.getString(2)).isNotNull();
            assertThat(rs.getTimestamp(3)).isNotNull();
        }
    }

    @Test
    void aPausedReplicaMissesTheWritesOfThePauseAndCatchesUpWhenResumed() throws SQLException {
        aurora.pauseReplication(US);
        String id;
        try {
            id = insertOnPrimary("written while us-east-1 was cut off");
            await().atMost(PATIENCE).untilAsserted(
                    () -> assertThat(noteOn(CENTRAL, id)).isEqualTo("written while us-east-1 was cut off"));
            assertThat(noteOn(US, id)).as("the paused replica, once another replica has the write").isNull();
            assertThat(aurora.replicaLag(US)).isPositive();
        } finally {
            aurora.resumeReplication(US);
        }
        await().atMost(PATIENCE).untilAsserted(
                () -> assertThat(noteOn(US, id)).isEqualTo("written while us-east-1 was cut off"));
    }

    @Test
    void rejectsBadDelaySettingsWithTheSettingInTheMessage() {
        assertThatThrownBy(() -> aurora.pauseReplication(PRIMARY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pauseReplication", "primary");
        assertThatThrownBy(() -> aurora.replicaDelay(PRIMARY, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("primary");
        assertThatThrownBy(() -> aurora.replicaDelay(US, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
    }

    private static String insertOnPrimary(String note) throws SQLException {
        String id = UUID.randomUUID().toString();
        try (Connection c = connect(aurora.writerJdbcUrl());
                PreparedStatement ps = c.prepareStatement("INSERT INTO orders VALUES (?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, note);
            ps.executeUpdate();
        }
        return id;
    }

    private static String noteOn(String region, String id) throws SQLException {
        try (Connection c = connect(aurora.readerJdbcUrl(region));
                PreparedStatement ps = c.prepareStatement("SELECT note FROM orders WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long lastReplayAgeMillis(String region) throws SQLException {
        try (Connection c = connect(aurora.readerJdbcUrl(region)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (extract(epoch FROM clock_timestamp() - "
                        + "pg_last_xact_replay_timestamp()) * 1000)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, aurora.user(), aurora.password());
    }
}
