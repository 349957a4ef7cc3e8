package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.EU_CENTRAL;
import static dev.meridian.aurora.datasource.TestRegions.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.aurora.topology.PostgresTopologyDiscovery;
import dev.meridian.core.MultiRegion;
import dev.meridian.testkit.LocalAuroraGlobal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A global-database switchover (the testkit promotes a replica and stops the old primary) without restarting. */
class WriterPromotionIT {
    /** Far longer than a promotion: a write that waits for the stopped writer's pool to give up cannot pass. */
    private static final long POOL_TIMEOUT_MILLIS = 60_000;
    /** The bound for the first write after the new writer accepts writes is 1 s; generous for a loaded machine. */
    private static final Duration FIRST_WRITE_PATIENCE = Duration.ofSeconds(10);
    private LocalAuroraGlobal aurora;
    private MultiRegion multiRegion;
    private RoutingDataSource ds;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws SQLException {
        aurora = ItemsCluster.start("eu-west-1", "eu-central-1");
        multiRegion = MultiRegion.builder(TestRegions.config(EU_CENTRAL)).meterRegistry(registry).build();
        ds = RoutingDataSource.builder()
                .multiRegion(multiRegion)
                .discovery(PostgresTopologyDiscovery.builder()
                        .node(EU_WEST, aurora.jdbcUrl("eu-west-1"))
                        .node(EU_CENTRAL, aurora.jdbcUrl("eu-central-1"))
                        .user(aurora.user()).password(aurora.password())
                        .build())
                .poolTemplate(ItemsCluster.poolTemplate(aurora, POOL_TIMEOUT_MILLIS))
                .build();
    }

    @AfterEach
    void stop() {
        if (ds != null) {
            ds.close();
        }
        if (multiRegion != null) {
            multiRegion.close();
        }
        if (aurora != null) {
            aurora.close();
        }
    }

    private Node insert(String note) throws SQLException {
        return insert(UUID.randomUUID().toString(), note);
    }

    private Node insert(String id, String note) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, note);
                ps.executeUpdate();
            }
            return Node.of(c);
        }
    }

    @Test
    void writesMoveToThePromotedReplicaEvenWhenTheOldPrimaryComesBackAsAReplica() throws SQLException {
        assertThat(insert("before")).isEqualTo(new Node(aurora.port("eu-west-1"), false));

        aurora.promote("eu-central-1");
        aurora.start("eu-west-1"); // back as a hot standby: its pool's new connections now answer writes with 25006

        assertThat(insert("after")).isEqualTo(new Node(aurora.port("eu-central-1"), false));
        assertThat(ds.topology().writerRegion()).isEqualTo(EU_CENTRAL);
        assertThat(registry.get("meridian.jdbc.writer.refreshes").tag("region", "eu-central-1").tag("changed", "true")
                .counter().count()).isEqualTo(1.0);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT count(*) FROM items");
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void transactionInterruptedByAFailoverFailsAndTheNextOneRunsOnTheNewWriterWhileTheOldStaysDown() throws SQLException {
        insert("warm-up");
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'in-flight')")) {
                ps.setString(1, UUID.randomUUID().toString());
                ps.executeUpdate();
            }

            aurora.promote("eu-central-1");

            assertThatThrownBy(() -> c.createStatement().executeUpdate("UPDATE items SET note = 'x'"))
                    .isInstanceOf(SQLException.class);
            c.rollback();
            c.setAutoCommit(true);
        }
        assertThat(insert("retried")).isEqualTo(new Node(aurora.port("eu-central-1"), false));
    }

    @Test
    void aWriteWaitingForTheStoppedWriterGoesToThePromotedOneOnceItAcceptsWritesNotAfterThePoolTimeout() throws Exception {
        insert("warm-up"); // the writer's pool exists and the topology names eu-west-1
        aurora.stop("eu-west-1");
        String id = UUID.randomUUID().toString();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Node> write = CompletableFuture.supplyAsync(() -> {
                try {
                    return insert(id, "during-failover");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, writer);
            // The write is waiting on the stopped writer's pool (which would wait POOL_TIMEOUT_MILLIS for it).
            await().atMost(FIRST_WRITE_PATIENCE).until(() -> registry.find("hikaricp.connections.pending").gauges()
                    .stream().anyMatch(g -> g.getId().getTag("pool").contains("writer-eu-west-1") && g.value() > 0));

            aurora.promote("eu-central-1"); // returns once the new writer accepts writes

            await().atMost(FIRST_WRITE_PATIENCE).until(write::isDone);
            assertThat(write.join()).isEqualTo(new Node(aurora.port("eu-central-1"), false));
        } finally {
            writer.shutdownNow();
        }
        assertThat(ds.topology().writerRegion()).isEqualTo(EU_CENTRAL);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM items WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("the write is on the new writer exactly once").isEqualTo(1);
            }
        }
    }
}
