package dev.meridian.aurora.datasource;

import static dev.meridian.aurora.datasource.TestRegions.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.meridian.aurora.topology.RegionEndpoints;
import dev.meridian.aurora.topology.StaticTopology;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.clock.HybridLogicalClock;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.testkit.LocalAuroraGlobal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * Read-your-writes with a session token on a real primary (eu-west-1) and a streaming replica (us-east-1, the local
 * region) whose replay is delayed: a write through a {@link RoutingDataSource} under a {@link RoutingSession} stamps
 * the session's token; a read under that token (as another service reading with the {@code Meridian-Session} header
 * would) is served by the replica only when its measured lag proves it replayed the write, else by the writer, else
 * refused. Which server answered is the witness ({@code inet_server_port()}). Number of pairs:
 * {@code -Dmeridian.session.pairs} (default 200).
 */
class SessionTokenReadsIT {
    private static final Logger LOG = LoggerFactory.getLogger(SessionTokenReadsIT.class);
    private static final Duration DELAY = Duration.ofMillis(300);
    private static LocalAuroraGlobal aurora;
    private static MultiRegion runtime;
    private static RoutingDataSource ds;

    @BeforeAll
    static void start() throws SQLException {
        aurora = ItemsCluster.start("eu-west-1", "us-east-1");
        runtime = TestRegions.multiRegion(US_EAST);
        StaticTopology topology = StaticTopology.builder().writerRegion(Region.EU_WEST_1)
                .region(RegionEndpoints.node(Region.EU_WEST_1, aurora.jdbcUrl("eu-west-1")))
                .region(RegionEndpoints.node(US_EAST, aurora.jdbcUrl("us-east-1")))
                .build();
        ds = RoutingDataSource.builder().multiRegion(runtime).discovery(topology)
                .poolTemplate(ItemsCluster.poolTemplate(aurora, 1000))
                // Lag is measured (a bound far above the delay never skips the reader: only the token does).
                .maxReplicaLag(Duration.ofHours(1))
                .lagCheckInterval(Duration.ofMillis(50))
                .build();
    }

    @AfterAll
    static void stop() {
        if (ds != null) {
            ds.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (aurora != null) {
            aurora.close();
        }
    }

    @AfterEach
    void noDelay() {
        aurora.replicaDelay("us-east-1", Duration.ZERO);
    }

    @Test
    void withTheTokenNoReadIsStaleWithoutItStaleReadsShow() throws Exception {
        aurora.replicaDelay("us-east-1", DELAY);
        int pairs = Integer.getInteger("meridian.session.pairs", 200);
        int staleWith = 0;
        int servedByReplicaWith = 0;
        for (int i = 0; i < pairs; i++) {
            String id = "with-" + UUID.randomUUID();
            Read r = read(id, RoutingSession.after(write(id, RoutingSession.start())));
            staleWith += r.found() ? 0 : 1;
            servedByReplicaWith += r.port() == aurora.port("us-east-1") ? 1 : 0;
        }
        int staleWithout = 0;
        for (int i = 0; i < pairs; i++) {
            String id = "without-" + UUID.randomUUID();
            write(id, null);
            staleWithout += read(id, null).found() ? 0 : 1;
        }
        LOG.info("Aurora read-your-writes with a session token, {} write-then-read pairs, replica delay {}: stale"
                + " reads with the token {} ({} served by the replica), without it {}", pairs, DELAY, staleWith,
                servedByReplicaWith, staleWithout);
        assertThat(staleWith).isZero();
        assertThat(staleWithout).as("without the token the local replica serves: stale reads must show").isPositive();
    }

    /**
     * A commit cannot prove itself replayed (its time precedes its token's stamp): a later commit of the primary (a
     * busy primary; here another session's write) does, once the replica replayed it. An idle primary's keep-alives
     * prove nothing here: the read waits for the primary's next commit.
     */
    @Test
    void onceTheReplicaReplayedPastTheWriteTheTokenReadIsServedThere() throws Exception {
        aurora.replicaDelay("us-east-1", DELAY);
        String id = "replayed-" + UUID.randomUUID();
        SessionToken token = write(id, RoutingSession.start());
        // The replica's replay time is compared with the token's at millisecond precision: a commit within the token's
        // millisecond proves nothing, and the proof then waited for some later event of the primary (28-30 s seen).
        // The later write commits once the token's millisecond is over.
        await().pollInterval(Duration.ofMillis(1)).until(() -> Instant.now().isAfter(token.time().plusMillis(1)));
        write("later-" + UUID.randomUUID(), null);
        AtomicInteger stale = new AtomicInteger();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Read r = read(id, RoutingSession.after(token));
            stale.addAndGet(r.found() ? 0 : 1);
            return r.port() == aurora.port("us-east-1");
        });
        assertThat(stale.get()).isZero();
    }

    /**
     * The replica's replayed-up-to time is taken to the millisecond without rounding up: a replica whose last replayed
     * commit lies in the second half of a millisecond has not replayed a write acknowledged later in that millisecond,
     * so a token of that millisecond is served by the writer.
     */
    @Test
    void aReplicaReplayedIntoTheTokensMillisecondDoesNotServeIt() throws Exception {
        long replayedMicros = 0;
        for (int tick = 0; tick < 100 && replayedMicros % 1000 < 500; tick++) {
            String id = "tick-" + UUID.randomUUID();
            write(id, null);
            await().atMost(Duration.ofSeconds(20)).until(() -> onReplica("SELECT count(*) FROM items WHERE id = '"
                    + id + "'") == 1);
            replayedMicros = onReplica(
                    "SELECT (EXTRACT(EPOCH FROM pg_last_xact_replay_timestamp()) * 1000000)::bigint");
        }
        assertThat(replayedMicros % 1000).as("a replayed commit in the second half of its millisecond")
                .isGreaterThanOrEqualTo(500L);
        aurora.replicaDelay("us-east-1", Duration.ofMinutes(5));
        String id = "pending-" + UUID.randomUUID();
        write(id, null);
        // The replica received the commit and cannot replay it: only its last replayed commit's time tells.
        await().atMost(Duration.ofSeconds(20)).until(() -> onReplica(
                "SELECT count(*) WHERE pg_last_wal_replay_lsn() < pg_last_wal_receive_lsn()") == 1);
        SessionToken sameMillisecond = SessionToken.of(Region.EU_WEST_1,
                HybridLogicalClock.encode(replayedMicros / 1000, 0));

        Read r = read(id, RoutingSession.after(sameMillisecond));
        assertThat(r.port()).as("served by the writer").isEqualTo(aurora.port("eu-west-1"));
        assertThat(r.found()).isTrue();
    }

    private static long onReplica(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(aurora.jdbcUrl("us-east-1"), aurora.user(), aurora.password());
                Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void whenNoReaderIsKnownToHaveTheWriteAndTheWriterCannotServeTheReadIsRefused() throws Exception {
        aurora.replicaDelay("us-east-1", Duration.ofMinutes(5));
        String id = "refused-" + UUID.randomUUID();
        SessionToken token = write(id, RoutingSession.start());
        SQLTransientConnectionException refused;
        try (RoutingContext.Scope s = RoutingContext.builder().session(RoutingSession.after(token))
                .excludeRegion(Region.EU_WEST_1).open()) {
            refused = catchThrowableOfType(SQLTransientConnectionException.class, () -> select(id));
        }
        assertThat((Throwable) refused).as("the read is refused").isNotNull();
        assertThat(refused.getMessage()).contains("session token " + token.format(), "eu-west-1",
                "nothing stale was returned");
    }

    @Test
    void aCommittedTransactionAdvancesTheSessionTokenToTheWritersRegion() throws Exception {
        RoutingSession session = RoutingSession.start();
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open();
                Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'x')")) {
                ps.setString(1, "tx-" + UUID.randomUUID());
                ps.executeUpdate();
            }
            assertThat(session.token()).as("nothing committed yet").isEmpty();
            c.commit();
        }
        assertThat(session.wrote()).isTrue();
        assertThat(session.token().orElseThrow().region()).isEqualTo(Region.EU_WEST_1);
    }

    /** A read of one row: which server answered, whether the row was there. */
    private record Read(int port, boolean found) {
    }

    private static SessionToken write(String id, RoutingSession session) throws SQLException {
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open();
                Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, 'x')")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        return session == null ? null : session.token().orElseThrow();
    }

    private static Read read(String id, RoutingSession session) throws SQLException {
        try (RoutingContext.Scope s = RoutingContext.builder().session(session).open()) {
            return select(id);
        }
    }

    private static Read select(String id) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*), inet_server_port() FROM items WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Read(rs.getInt(2), rs.getInt(1) == 1);
                }
            }
        }
    }
}
