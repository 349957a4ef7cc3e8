package dev.meridian.samples.drill;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p>Staleness of a read, the data's own: every write bumps the {@code totals} row's version and records the version
 * with the writer's {@code clock_timestamp()} in {@code totals_history}; a read notes the version it saw and when it
 * began. After the run, its staleness is how long before it began the first version it did not see was written
 * (zero when that version is newer than the read): the time by which the data it was served was out of date. The
 * write's timestamp is taken before its commit, so this over-states staleness slightly, never under-states it.
 * Thread-safe.
 */
final class JdbcWorkload {
    /**
     * The data source's staleness bound: a reader serves a read only while its measured lag plus the measurement's
     * age is within it. The drill checks reads against this bound itself.
     */
    static final Duration MAX_REPLICA_LAG = Duration.ofSeconds(1);
    /** How long a measured lag is reused (aging meanwhile). */
    static final Duration LAG_CHECK_INTERVAL = Duration.ofMillis(500);
    static final int PROFILES = 50;
    private static final int WRITE_ATTEMPTS = 4;
    private static final long RETRY_PAUSE_MILLIS = 250;

    private final DataSource dataSource;
    private final Map<Integer, String> regionByPort;
    private final AtomicLong keys = new AtomicLong();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> statementsByRegion = new ConcurrentHashMap<>();
    final LongAdder restrictedFromOutsideEu = new LongAdder();
    final LongAdder callerRetries = new LongAdder();
    /** Per read-only transaction: when it began (writer clock, µs since the epoch) and the version it saw. */
    private final Queue<long[]> reads = new ConcurrentLinkedQueue<>();

    JdbcWorkload(DataSource dataSource, Map<Integer, String> regionByPort) {
        this.dataSource = dataSource;
        this.regionByPort = Map.copyOf(regionByPort);
    }

    /** Creates and seeds the drill's tables on the writer (plain connection, before traffic starts). */
    static void createSchema(Connection writer) throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute("CREATE TABLE ledger (request_id text PRIMARY KEY, amount int NOT NULL)");
            s.execute("CREATE TABLE totals (id int PRIMARY KEY, total bigint NOT NULL, version bigint NOT NULL)");
            s.execute("INSERT INTO totals VALUES (1, 0, 0)");
            s.execute("CREATE TABLE totals_history (version bigint PRIMARY KEY, written_at timestamptz NOT NULL)");
            s.execute("INSERT INTO totals_history VALUES (0, clock_timestamp())");
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
                    "WITH ins AS (INSERT INTO ledger VALUES (?, 1) ON CONFLICT DO NOTHING RETURNING amount), "
                            + "upd AS (UPDATE totals SET total = total + (SELECT count(*) FROM ins), "
                            + "version = version + 1 WHERE id = 1 RETURNING version) "
                            + "INSERT INTO totals_history SELECT version, clock_timestamp() FROM upd "
                            + "RETURNING inet_server_port()")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    served(rs.getInt(1));
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
        Instant began = Instant.now(); // the PostgreSQL servers run on this host: the writer's clock
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT version, inet_server_port() FROM totals")) {
                rs.next();
                reads.add(new long[] {ChronoUnit.MICROS.between(Instant.EPOCH, began), rs.getLong(1)});
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

    /**
     * The stalest read-only transaction: how long before it began the first version of {@code totals} it did not see
     * had been written, read off {@code totals_history} on the current writer.
     */
    Duration maxStaleness(Connection writer) throws SQLException {
        Map<Long, Long> writtenAtMicros = new HashMap<>();
        try (Statement s = writer.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT version, (extract(epoch FROM written_at) * 1000000)::bigint FROM totals_history")) {
            while (rs.next()) {
                writtenAtMicros.put(rs.getLong(1), rs.getLong(2));
            }
        }
        long max = 0;
        for (long[] read : reads) {
            Long firstUnseen = writtenAtMicros.get(read[1] + 1);
            if (firstUnseen != null) {
                max = Math.max(max, read[0] - firstUnseen);
            }
        }
        return Duration.ofNanos(max * 1000);
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
