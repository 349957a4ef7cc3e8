package dev.meridian.samples.drill;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The JDBC half of the traffic, through Meridian's {@code RoutingDataSource}: keyed writes to the Aurora writer,
 * read-only transactions from the local reader, and RESTRICTED reads of German subjects' profiles.
 *
 * <p>A keyed write inserts its request key into {@code ledger} and adds what it inserted to {@code totals} in one
 * statement ({@code ON CONFLICT DO NOTHING}), so the caller may repeat it with the same key after an unknown outcome
 * (a writer promotion cut the connection) without applying it twice. What it proves at the end: every acknowledged
 * key is in the ledger (none lost) and the total equals the ledger's rows (none applied twice).
 *
 * <p>Staleness of a read: how far the {@code totals} row it saw lags behind the newest write acknowledged to the
 * application before the read began (both stamped by the writer's clock), zero when it saw that write. Thread-safe.
 */
final class JdbcWorkload {
    /** Readers lagging more than this are skipped by the data source. */
    static final Duration MAX_REPLICA_LAG = Duration.ofSeconds(1);
    /** How long a measured lag is reused. */
    static final Duration LAG_CHECK_INTERVAL = Duration.ofMillis(500);
    /**
     * The staleness a read may show: the lag bound, plus one check interval during which a reader that just started
     * lagging is still used, plus a second for the lag query itself and scheduling on a slow machine.
     */
    static final Duration STALENESS_BOUND = MAX_REPLICA_LAG.plus(LAG_CHECK_INTERVAL).plusSeconds(1);
    static final int PROFILES = 50;
    private static final int WRITE_ATTEMPTS = 4;
    private static final long RETRY_PAUSE_MILLIS = 250;

    private final DataSource dataSource;
    private final Map<Integer, String> regionByPort;
    private final AtomicLong keys = new AtomicLong();
    private final AtomicLong newestAckedMicros = new AtomicLong();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> statementsByRegion = new ConcurrentHashMap<>();
    final LongAdder restrictedFromOutsideEu = new LongAdder();
    final LongAdder callerRetries = new LongAdder();
    private final AtomicLong maxStalenessMicros = new AtomicLong();

    JdbcWorkload(DataSource dataSource, Map<Integer, String> regionByPort) {
        this.dataSource = dataSource;
        this.regionByPort = Map.copyOf(regionByPort);
    }

    /** Creates and seeds the drill's tables on the writer (plain connection, before traffic starts). */
    static void createSchema(Connection writer) throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute("CREATE TABLE ledger (request_id text PRIMARY KEY, amount int NOT NULL)");
            s.execute("CREATE TABLE totals (id int PRIMARY KEY, total bigint NOT NULL, updated_at timestamptz NOT NULL)");
            s.execute("INSERT INTO totals VALUES (1, 0, clock_timestamp())");
            s.execute("CREATE TABLE eu_profiles (id text PRIMARY KEY, name text NOT NULL)");
            s.execute("INSERT INTO eu_profiles SELECT 'de-customer-' || i, 'Kundin ' || i FROM generate_series(0, "
                    + (PROFILES - 1) + ") i");
        }
    }

    /** A keyed write, repeated by the caller with the same key (up to 4 attempts) when its outcome is unknown. */
    void write() throws SQLException {
        String key = "jdbc-" + keys.incrementAndGet();
        SQLException last = null;
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                callerRetries.increment();
                pause();
            }
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "WITH ins AS (INSERT INTO ledger VALUES (?, 1) ON CONFLICT DO NOTHING RETURNING amount) "
                            + "UPDATE totals SET total = total + (SELECT count(*) FROM ins), "
                            + "updated_at = clock_timestamp() WHERE id = 1 "
                            + "RETURNING (extract(epoch FROM updated_at) * 1000000)::bigint, inet_server_port()")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    newestAckedMicros.accumulateAndGet(rs.getLong(1), Math::max);
                    served(rs.getInt(2));
                }
                acknowledged.add(key);
                return;
            } catch (SQLException e) {
                last = e;
            }
        }
        throw last;
    }

    /** A read-only transaction on the local reader (or wherever the data source sends it). */
    void read() throws SQLException {
        long ackedBefore = newestAckedMicros.get();
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT (extract(epoch FROM updated_at) * 1000000)::bigint, inet_server_port() FROM totals")) {
                rs.next();
                long staleness = Math.max(0, ackedBefore - rs.getLong(1));
                maxStalenessMicros.accumulateAndGet(staleness, Math::max);
                served(rs.getInt(2));
            }
        }
    }

    /** A RESTRICTED read of a German subject's profile: EU readers only. */
    void restrictedRead(int customer) throws SQLException {
        try (RoutingContext.Scope scope = RoutingContext.builder().dataClass(DataClass.RESTRICTED)
                .subjectCountry("DE").open(); Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name, inet_server_port() FROM eu_profiles WHERE id = ?")) {
                ps.setString(1, "de-customer-" + customer);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String region = served(rs.getInt(2));
                    if (Phase.US_EAST_1.equals(region)) {
                        restrictedFromOutsideEu.increment();
                    }
                }
            }
        }
    }

    /** Statements served so far per region, by the port of the server that answered. */
    Map<String, Long> statementsByRegion() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        statementsByRegion.forEach((r, n) -> counts.put(r, n.sum()));
        return counts;
    }

    Duration maxStaleness() {
        return Duration.ofNanos(maxStalenessMicros.get() * 1000);
    }

    Set<String> acknowledged() {
        return new HashSet<>(acknowledged);
    }

    private String served(int port) {
        String region = regionByPort.getOrDefault(port, "port " + port);
        statementsByRegion.computeIfAbsent(region, r -> new LongAdder()).increment();
        return region;
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
