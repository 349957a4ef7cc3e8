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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Switchover changes the topology, so it gets a cluster of its own; one story on one cluster (a cluster start is most
 * of this class's time): the promoted replica takes writes while the old primary is down, then the old primary comes
 * back as a replica of the new one.
 */
class LocalAuroraGlobalPromoteIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private LocalAuroraGlobal aurora;

    @BeforeEach
    void startCluster() throws SQLException {
        aurora = LocalAuroraGlobal.start("eu-west-1", "eu-central-1", "us-east-1");
        execute(aurora.writerJdbcUrl(), "CREATE TABLE orders (id text PRIMARY KEY, note text)");
        execute(aurora.writerJdbcUrl(), "INSERT INTO orders VALUES ('before', 'written on eu-west-1')");
    }

    @AfterEach
    void closeCluster() {
        aurora.close();
    }

    @Test
    void promotedReplicaBecomesTheWriterWhileTheOldPrimaryIsDownAndTheOldPrimaryComesBackAsItsReplica()
            throws SQLException {
        aurora.promote("eu-central-1");

        assertThat(aurora.primaryRegion()).isEqualTo("eu-central-1");
        assertThat(aurora.writerJdbcUrl()).isEqualTo(aurora.jdbcUrl("eu-central-1"));
        assertThat(inRecovery("eu-central-1")).isFalse();
        assertThat(note("eu-central-1", "before")).as("nothing lost in the switchover").isEqualTo("written on eu-west-1");
        execute(aurora.writerJdbcUrl(), "INSERT INTO orders VALUES ('after', 'written on eu-central-1')");

        assertThat(aurora.isRunning("eu-west-1")).isFalse();
        assertThatThrownBy(() -> connect(aurora.jdbcUrl("eu-west-1")).close()).isInstanceOf(SQLException.class);

        // The remaining replica follows the new primary onto its timeline.
        await().atMost(PATIENCE).untilAsserted(
                () -> assertThat(note("us-east-1", "after")).isEqualTo("written on eu-central-1"));
        assertThat(aurora.replicaRegions()).containsExactly("eu-west-1", "us-east-1");

        // The old primary comes back as a replica of the new primary, never as a second writer.
        aurora.start("eu-west-1");

        assertThat(inRecovery("eu-west-1")).isTrue();
        await().atMost(PATIENCE).untilAsserted(
                () -> assertThat(note("eu-west-1", "after")).isEqualTo("written on eu-central-1"));
        assertThatThrownBy(() -> execute(aurora.jdbcUrl("eu-west-1"), "INSERT INTO orders VALUES ('x', 'y')"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        aurora.awaitReplicaCaughtUp("eu-west-1");
        assertThat(aurora.replicaLag("eu-west-1")).isEqualTo(Duration.ZERO);
    }

    private boolean inRecovery(String region) throws SQLException {
        try (Connection c = connect(aurora.jdbcUrl(region)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private String note(String region, String id) throws SQLException {
        try (Connection c = connect(aurora.jdbcUrl(region));
                PreparedStatement ps = c.prepareStatement("SELECT note FROM orders WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private void execute(String url, String sql) throws SQLException {
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, aurora.user(), aurora.password());
    }
}
