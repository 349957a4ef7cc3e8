package dev.meridian.aurora.datasource;

import com.zaxxer.hikari.HikariConfig;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The integration tests' database: a testkit global cluster with an {@code items} table replicated everywhere. */
final class ItemsCluster {
    private ItemsCluster() {
    }

    /** Starts a primary in the first region and replicas in the others, creates {@code items}, waits for replicas. */
    static LocalAuroraGlobal start(String primaryRegion, String... replicaRegions) throws SQLException {
        return start(LocalAuroraGlobal.builder().primaryRegion(primaryRegion).replicaRegions(replicaRegions));
    }

    /** Starts the cluster {@code cluster} describes, creates {@code items}, waits for replicas. */
    static LocalAuroraGlobal start(LocalAuroraGlobal.Builder cluster) throws SQLException {
        LocalAuroraGlobal aurora = cluster.start();
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id text PRIMARY KEY, note text)");
        } catch (SQLException | RuntimeException e) {
            aurora.close();
            throw e;
        }
        aurora.awaitReplicasCaughtUp();
        return aurora;
    }

    /** Pools of two connections at most, none kept idle, giving up on a node after {@code connectionTimeoutMillis}. */
    static HikariConfig poolTemplate(LocalAuroraGlobal aurora, long connectionTimeoutMillis) {
        HikariConfig c = new HikariConfig();
        c.setUsername(aurora.user());
        c.setPassword(aurora.password());
        c.setMaximumPoolSize(2);
        c.setMinimumIdle(0);
        c.setConnectionTimeout(connectionTimeoutMillis);
        return c;
    }
}
