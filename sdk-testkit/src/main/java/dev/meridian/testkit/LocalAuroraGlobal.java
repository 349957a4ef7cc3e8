package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for an Aurora PostgreSQL Global Database: one PostgreSQL 15 server per simulated region on
 * 127.0.0.1, the primary region's server writable and every other region's server a hot-standby streaming replica
 * of it. Every node starts from a copy of one stopped data directory built once per JVM and credentials
 * ({@code initdb}, the test settings, the application's role and database, a clean shutdown): the primary as it is,
 * the replicas with {@code standby.signal}, streaming the primary's WAL from that image's checkpoint on.
 *
 * <pre>{@code
 * try (LocalAuroraGlobal aurora = LocalAuroraGlobal.start("eu-west-1", "eu-central-1", "us-east-1")) {
 *     try (Connection writer = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password())) { ... }
 *     aurora.replicaDelay("us-east-1", Duration.ofSeconds(2));   // real replication lag
 *     aurora.promote("eu-central-1");                             // global-database switchover
 * }
 * }</pre>
 *
 * <p><b>Nodes.</b> Each server has its own free port and data directory below a fresh temporary directory, logs to
 * {@code <tempdir>/logs/<region>.log} and is tuned for tests (no fsync, tiny buffers), so a three-region cluster
 * starts in a few seconds. The binaries come from {@code MERIDIAN_PG_BIN} (environment or system property, also
 * {@code -Dmeridian.pg.bin}), else the PostgreSQL 15 server Maven brings with the testkit (extracted once into
 * {@code ~/.cache/meridian}), else {@code /usr/lib/postgresql/15/bin}, else {@code pg_config --bindir}. PostgreSQL
 * refuses to run as root: when this JVM is root the servers run as the {@code postgres} user (via {@code runuser},
 * or {@code su}) and own their directories.
 *
 * <p><b>Access.</b> Applications connect as {@link #user()}/{@link #password()} (default {@code meridian}/
 * {@code meridian}, password authentication) to database {@link #database()} (default {@code meridian}), which owns
 * its {@code public} schema, and is a member of {@code pg_read_all_stats} (it reads {@code pg_stat_wal_receiver},
 * as a lag probe does). A replica answers writes with SQLState {@code 25006} (read-only transaction). With
 * {@link Builder#logStatements(boolean)} every statement of that user shows in the server log of the node it reached
 * ({@code log_statement = all} for the role; setting it per session needs a superuser, which that user is not).
 *
 * <p><b>Failure and switchover.</b> {@link #stop(String)} and {@link #start(String)} take one region's server down
 * and back; a stopped server refuses connections. {@link #promote(String)} is a planned switchover: it waits for the
 * chosen replica to catch up, stops the old primary cleanly, promotes the replica and re-points every running
 * replica at it (they follow the new timeline). The old primary stays down until {@link #start(String)}, which
 * brings it back as a replica of the new primary, never as a second writer. A replica that was stopped during the
 * switchover is likewise re-pointed when it is started.
 *
 * <p><b>Concurrency and cleanup.</b> Lifecycle calls ({@code start}, {@code stop}, {@code promote},
 * {@code replicaDelay}, {@code pauseReplication}, {@code resumeReplication}, {@code close}) are serialized; URL and
 * lag queries may run concurrently with them.
 * {@link #close()} kills every server, deletes the temporary directory and is idempotent; it is also registered as a
 * JVM shutdown hook, so an aborted test run leaves no server behind (a SIGKILLed JVM cannot be helped). If start-up
 * fails, everything started so far is cleaned up and the exception carries the tail of the failing node's log.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class LocalAuroraGlobal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalAuroraGlobal.class);
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String ADMIN_USER = ClusterImage.ADMIN_USER;
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(25);
    /**
     * Where the primary's WAL ends, including records not yet written out: with synchronous_commit=off a commit's
     * record may still sit in WAL buffers, and {@code pg_current_wal_lsn()} (the write position) would miss it.
     */
    private static final String PRIMARY_WAL_POSITION = "SELECT pg_current_wal_insert_lsn()::text";

    private final String user;
    private final String password;
    private final String database;
    private final ClusterImage image;
    private final String adminPassword;
    private final Path baseDir;
    private final Path passFile;
    private final PostgresRunner runner;
    private final Map<String, PostgresNode> nodes;
    private final Thread shutdownHook;
    private volatile String primaryRegion;
    private boolean closed;

    private LocalAuroraGlobal(Builder builder, ClusterImage image, PostgresBinaries binaries, PostgresRunner runner,
            Path baseDir) {
        this.user = builder.user;
        this.password = builder.password;
        this.database = builder.database;
        this.image = image;
        this.adminPassword = image.adminPassword();
        this.runner = runner;
        this.baseDir = baseDir;
        this.passFile = baseDir.resolve("pgpass");
        this.primaryRegion = builder.primaryRegion;
        Map<String, PostgresNode> byRegion = new LinkedHashMap<>();
        Set<Integer> taken = new HashSet<>();
        for (String region : builder.regions()) {
            byRegion.put(region, new PostgresNode(region, freePort(taken), baseDir.resolve(region),
                    baseDir.resolve("logs").resolve(region + ".log"), binaries, runner));
        }
        this.nodes = Collections.unmodifiableMap(byRegion);
        this.shutdownHook = new Thread(this::closeFromShutdownHook, "meridian-local-aurora-shutdown");
    }

    /**
     * Starts a primary in {@code primaryRegion} and a streaming replica in each of {@code replicaRegions}, with the
     * default credentials; see {@link #builder()} for the others. (A primary without replicas needs the builder:
     * {@code LocalAuroraGlobal.start("eu-west-1")} alone resolves to the instance method {@link #start(String)}.)
     */
    public static LocalAuroraGlobal start(String primaryRegion, String... replicaRegions) {
        return builder().primaryRegion(primaryRegion).replicaRegions(replicaRegions).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** JDBC URL of the current primary (the global database's writer endpoint). */
    public String writerJdbcUrl() {
        return jdbcUrl(primaryRegion);
    }

    /**
     * JDBC URL of {@code region}'s own server (that region's reader endpoint). For the primary region this is the
     * primary itself: each simulated region has exactly one server.
     */
    public String readerJdbcUrl(String region) {
        return jdbcUrl(region);
    }

    /** JDBC URL of {@code region}'s server, whatever its role. */
    public String jdbcUrl(String region) {
        return node(region).jdbcUrl(database);
    }

    /** Port of {@code region}'s server on 127.0.0.1; stable for the cluster's lifetime. */
    public int port(String region) {
        return node(region).port();
    }

    /** The region whose server currently accepts writes (changes with {@link #promote(String)}). */
    public String primaryRegion() {
        return primaryRegion;
    }

    /** Every region, primary first as configured at start-up. */
    public List<String> regions() {
        return List.copyOf(nodes.keySet());
    }

    /** Regions that are currently replicas (whether running or stopped). */
    public List<String> replicaRegions() {
        String primary = primaryRegion;
        return nodes.keySet().stream().filter(r -> !r.equals(primary)).toList();
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String database() {
        return database;
    }

    /** Whether {@code region}'s server process is up. */
    public boolean isRunning(String region) {
        return node(region).isRunning();
    }

    /** The temporary directory holding every data directory and log; deleted by {@link #close()}. */
    public Path baseDirectory() {
        return baseDir;
    }

    /** {@code region}'s server log (useful when a test fails). */
    public Path logFile(String region) {
        return node(region).log();
    }

    /**
     * Switches the writer to {@code region}, as a planned Aurora Global Database switchover does: waits (up to 30 s)
     * for that replica to replay everything the old primary wrote, stops the old primary ({@code pg_ctl stop -m
     * fast}), promotes the replica ({@code pg_ctl promote}) and waits until {@code pg_is_in_recovery()} is false
     * there. Every other running replica is re-pointed at the new primary and followed until it streams from it.
     * The old primary stays stopped; {@link #start(String)} brings it back as a replica. If the old primary was
     * already stopped this is an unplanned failover: the replica is promoted with whatever it has.
     *
     * @throws IllegalArgumentException for an unknown region
     * @throws IllegalStateException when the chosen node is stopped or a step fails
     */
    public synchronized void promote(String region) {
        ensureOpen();
        PostgresNode target = node(region);
        String oldRegion = primaryRegion;
        if (region.equals(oldRegion)) {
            return;
        }
        if (!target.isRunning()) {
            throw new IllegalStateException("cannot promote region " + region + ": its server is stopped; start("
                    + region + ") first");
        }
        PostgresNode old = nodes.get(oldRegion);
        if (old.isRunning()) {
            // An open transaction's records stay in the WAL buffers, unsent, until something flushes them; on an idle
            // primary that is the background writer's standby snapshot, every 15 s. A commit with synchronous_commit
            // on flushes everything before it, so the replica catches up now.
            executeAdmin(old, "SET synchronous_commit = on", "SELECT txid_current()");
            awaitReplicaCaughtUp(region, CATCH_UP_TIMEOUT);
            old.stop("fast");
        }
        target.promote();
        awaitSql(target, "SELECT NOT pg_is_in_recovery()", CATCH_UP_TIMEOUT,
                "region " + region + " to leave recovery after promotion");
        primaryRegion = region;
        for (PostgresNode replica : nodes.values()) {
            if (replica == target || replica == old || !replica.isRunning()) {
                continue;
            }
            executeAdmin(replica, "ALTER SYSTEM SET primary_conninfo = "
                    + PostgresNode.configLiteral(replicationConninfo(replica)), "SELECT pg_reload_conf()");
        }
        for (PostgresNode replica : nodes.values()) {
            if (replica != target && replica != old && replica.isRunning()) {
                awaitSql(replica, "SELECT count(*) = 1 FROM pg_stat_wal_receiver WHERE status = 'streaming' "
                        + "AND sender_port = " + target.port(), CATCH_UP_TIMEOUT,
                        "region " + replica.region() + " to stream from the new primary " + region);
            }
        }
        LOG.info("Promoted region {} to primary (old primary {} is stopped)", region, oldRegion);
    }

    /** Stops {@code region}'s server ({@code pg_ctl stop -m fast}); connections to it are refused until started. */
    public synchronized void stop(String region) {
        ensureOpen();
        PostgresNode node = node(region);
        if (node.isRunning()) {
            node.stop("fast");
            LOG.info("Stopped region {} (port {})", region, node.port());
        }
    }

    /**
     * Starts {@code region}'s server again on the same port. A non-primary region comes back as a hot standby of the
     * current primary and catches up by streaming. No-op when it is running.
     */
    public synchronized void start(String region) {
        ensureOpen();
        PostgresNode node = node(region);
        if (node.isRunning()) {
            return;
        }
        if (!region.equals(primaryRegion)) {
            node.configureAsStandbyOf(replicationConninfo(node));
        }
        node.start();
        LOG.info("Started region {} (port {})", region, node.port());
    }

    /**
     * Delays replay on {@code region}'s replica by {@code delay} ({@code recovery_min_apply_delay}, applied with
     * {@code pg_reload_conf()}), producing real replication lag; {@link Duration#ZERO} removes it. WAL still
     * arrives at once, so the delay does not hold up a switchover's shutdown. Persists across restarts of the node.
     *
     * @throws IllegalArgumentException for an unknown region, the primary region or a negative delay
     */
    public synchronized void replicaDelay(String region, Duration delay) {
        ensureOpen();
        Objects.requireNonNull(delay, "delay");
        PostgresNode node = node(region);
        if (region.equals(primaryRegion)) {
            throw new IllegalArgumentException("replicaDelay: region " + region + " is the primary; choose one of "
                    + replicaRegions());
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("replicaDelay: delay must be >= 0 but was " + delay);
        }
        String setting = delay.isZero()
                ? "ALTER SYSTEM RESET recovery_min_apply_delay"
                : "ALTER SYSTEM SET recovery_min_apply_delay = '" + delay.toMillis() + "ms'";
        executeAdmin(node, setting, "SELECT pg_reload_conf()");
        // The reload is asynchronous; wait until the server reports the new value so the delay holds for the next write.
        String expected = delay.isZero() ? "0" : delay.toMillis() + "ms";
        awaitSql(node, "SELECT current_setting('recovery_min_apply_delay') IN ('" + expected + "', '"
                + normalizedMillis(delay) + "')", Duration.ofSeconds(10),
                "recovery_min_apply_delay on " + region + " to become " + delay);
        LOG.info("Replica delay for region {} set to {}", region, delay);
    }

    /**
     * Cuts {@code region}'s replica off from the primary, as a network partition between them would: its WAL receiver
     * stops ({@code primary_conninfo} emptied, applied with {@code pg_reload_conf()}) and this returns once it is gone.
     * The primary keeps committing and the replica keeps serving what it replayed; it hears nothing more from the
     * primary until {@link #resumeReplication(String)} (or its restart, or a switchover, which re-point it).
     *
     * @throws IllegalArgumentException for an unknown region or the primary region
     */
    public synchronized void pauseReplication(String region) {
        ensureOpen();
        PostgresNode node = replicaNode("pauseReplication", region);
        executeAdmin(node, "ALTER SYSTEM SET primary_conninfo = ''", "SELECT pg_reload_conf()");
        awaitSql(node, "SELECT count(*) = 0 FROM pg_stat_wal_receiver", CATCH_UP_TIMEOUT,
                "the WAL receiver of region " + region + " to stop");
        LOG.info("Replication to region {} paused", region);
    }

    /** Reconnects a replica cut off by {@link #pauseReplication(String)}; returns once it streams from the primary. */
    public synchronized void resumeReplication(String region) {
        ensureOpen();
        PostgresNode node = replicaNode("resumeReplication", region);
        executeAdmin(node, "ALTER SYSTEM SET primary_conninfo = "
                + PostgresNode.configLiteral(replicationConninfo(node)), "SELECT pg_reload_conf()");
        awaitSql(node, "SELECT count(*) = 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'", CATCH_UP_TIMEOUT,
                "region " + region + " to stream from the primary again");
        LOG.info("Replication to region {} resumed", region);
    }

    private PostgresNode replicaNode(String operation, String region) {
        PostgresNode node = node(region);
        if (region.equals(primaryRegion)) {
            throw new IllegalArgumentException(operation + ": region " + region + " is the primary; choose one of "
                    + replicaRegions());
        }
        return node;
    }

    /**
     * How far {@code region}'s replica is behind the primary. When its replay position ({@code
     * pg_last_wal_replay_lsn()}) has reached the end of the primary's WAL ({@code pg_current_wal_insert_lsn()}) the
     * answer is {@link Duration#ZERO} (an idle primary does not make a caught-up replica
     * "lag"); otherwise it is the age of the last transaction the replica replayed ({@code clock_timestamp() -
     * pg_last_xact_replay_timestamp()}), which over-estimates when the primary was idle for a long time before the
     * pending write. Zero for the primary region.
     *
     * @throws IllegalStateException when the primary or the replica is not reachable
     */
    public Duration replicaLag(String region) {
        PostgresNode replica = node(region);
        String primary = primaryRegion;
        if (region.equals(primary)) {
            return Duration.ZERO;
        }
        String primaryLsn = querySingle(nodes.get(primary), PRIMARY_WAL_POSITION);
        try (Connection c = replica.connect(ADMIN_USER, adminPassword, "postgres");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn, "
                                + "(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint, "
                                + "(extract(epoch FROM clock_timestamp() - pg_postmaster_start_time()) * 1000)::bigint")) {
            ps.setString(1, primaryLsn);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return Duration.ZERO;
                }
                long millis = rs.getLong(2);
                if (rs.wasNull()) {
                    // Nothing replayed since this server started: it has been behind at most since then.
                    millis = rs.getLong(3);
                }
                return Duration.ofMillis(Math.max(0, millis));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not measure replica lag of region " + region + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@link #awaitReplicaCaughtUp(String, Duration)} with a 30 s timeout. */
    public void awaitReplicaCaughtUp(String region) {
        awaitReplicaCaughtUp(region, CATCH_UP_TIMEOUT);
    }

    /**
     * Waits until {@code region}'s replica has replayed everything the primary had written when this call began.
     *
     * @throws IllegalStateException on timeout (the message carries the replica's log tail)
     */
    public void awaitReplicaCaughtUp(String region, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        PostgresNode replica = node(region);
        String primary = primaryRegion;
        if (region.equals(primary)) {
            return;
        }
        String primaryLsn = querySingle(nodes.get(primary), PRIMARY_WAL_POSITION);
        awaitSql(replica, "SELECT coalesce(pg_last_wal_replay_lsn() >= '" + primaryLsn + "'::pg_lsn, false)",
                timeout, "region " + region + " to replay up to " + primaryLsn);
    }

    /** Waits until every running replica has caught up (see {@link #awaitReplicaCaughtUp(String)}). */
    public void awaitReplicasCaughtUp() {
        for (String region : replicaRegions()) {
            if (isRunning(region)) {
                awaitReplicaCaughtUp(region);
            }
        }
    }

    /**
     * Kills every server ({@code pg_ctl stop -m immediate}, SIGKILL as a last resort) and deletes the temporary
     * directory. Idempotent; never throws (problems are logged).
     */
    @Override
    public void close() {
        if (closeNodesAndFiles()) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook is running or about to run; it will find the cluster closed.
            }
        }
    }

    private void closeFromShutdownHook() {
        closeNodesAndFiles();
    }

    private synchronized boolean closeNodesAndFiles() {
        if (closed) {
            return false;
        }
        closed = true;
        for (PostgresNode node : nodes.values()) {
            try {
                node.kill();
            } catch (RuntimeException e) {
                LOG.warn("Could not stop PostgreSQL node {}: {}", node, e.toString());
            }
        }
        deleteRecursively(baseDir);
        return true;
    }

    // ------------------------------------------------------------------ start-up

    /**
     * Every node starts from a cold copy of the {@link ClusterImage} (which already holds the application's role and
     * database): the primary as it is, every replica with {@code standby.signal} and {@code primary_conninfo}, so it
     * streams the primary's WAL from the image's checkpoint onwards.
     */
    private void startAll() {
        Path logs = baseDir.resolve("logs");
        createServerDirectory(logs);
        for (PostgresNode node : nodes.values()) {
            // Created up front so that both this JVM (tool output) and the server user (server log) can append.
            node.writeServerFile(node.log(), "");
            DataDirectoryCopy.copy(image.dataDir(), node.dataDir(), runner);
        }
        writePrivateFile(passFile, "*:*:*:" + ADMIN_USER + ":" + adminPassword + "\n");

        PostgresNode primary = nodes.get(primaryRegion);
        startFresh(primary);
        for (PostgresNode replica : nodes.values()) {
            if (replica != primary) {
                replica.configureAsStandbyOf(replicationConninfo(replica));
                startFresh(replica);
            }
        }
        LOG.info("Started local Aurora global database: primary {} on port {}, replicas {} in {}", primaryRegion,
                primary.port(), replicaRegions(), baseDir);
    }

    /** First start of a node; a port grabbed by someone else since it was chosen is replaced by another. */
    private void startFresh(PostgresNode node) {
        node.startOnAFreePort(() -> {
            Set<Integer> taken = new HashSet<>();
            nodes.values().forEach(n -> taken.add(n.port()));
            return freePort(taken);
        });
    }

    private String replicationConninfo(PostgresNode standby) {
        return "host=127.0.0.1 port=" + nodes.get(primaryRegion).port() + " user=" + ADMIN_USER
                + " passfile=" + conninfoValue(passFile.toString())
                + " application_name=" + conninfoValue(standby.region()) + " connect_timeout=2";
    }

    // ------------------------------------------------------------------ SQL helpers

    private void executeAdmin(PostgresNode node, String... statements) {
        try (Connection c = node.connect(ADMIN_USER, adminPassword, "postgres"); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("region " + node.region() + ": " + e.getMessage()
                    + PostgresRunner.logTail(node.log()), e);
        }
    }

    private String querySingle(PostgresNode node, String sql) {
        try (Connection c = node.connect(ADMIN_USER, adminPassword, "postgres");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("region " + node.region() + " (port " + node.port() + "): "
                    + e.getMessage(), e);
        }
    }

    /** Polls a boolean query until it is true; connection failures count as "not yet". */
    private void awaitSql(PostgresNode node, String sql, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (true) {
            try (Connection c = node.connect(ADMIN_USER, adminPassword, "postgres");
                    Statement s = c.createStatement()) {
                while (System.nanoTime() < deadline) {
                    try (ResultSet rs = s.executeQuery(sql)) {
                        if (rs.next() && rs.getBoolean(1)) {
                            return;
                        }
                    }
                    pause();
                }
            } catch (SQLException e) {
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                IllegalStateException failure = new IllegalStateException("timed out after " + timeout
                        + " waiting for " + what + PostgresRunner.logTail(node.log()));
                if (last != null) {
                    failure.addSuppressed(last);
                }
                throw failure;
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
        }
    }

    // ------------------------------------------------------------------ small helpers

    private PostgresNode node(String region) {
        Objects.requireNonNull(region, "region");
        PostgresNode node = nodes.get(region);
        if (node == null) {
            throw new IllegalArgumentException("unknown region '" + region + "'; this cluster has " + nodes.keySet());
        }
        return node;
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LocalAuroraGlobal is closed");
        }
    }

    private void createServerDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            runner.giveToServerUser(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + dir, e);
        }
    }

    private void writePrivateFile(Path file, String content) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content, StandardCharsets.UTF_8);
            runner.giveToServerUser(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    private static int freePort(Set<Integer> taken) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = Ports.free();
            if (taken.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("could not find a free port on 127.0.0.1");
    }

    private static String conninfoValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String normalizedMillis(Duration delay) {
        long millis = delay.toMillis();
        if (millis % 1000 == 0) {
            long seconds = millis / 1000;
            if (seconds % 60 == 0) {
                return seconds % 3600 == 0 ? (seconds / 3600) + "h" : (seconds / 60) + "min";
            }
            return seconds + "s";
        }
        return millis + "ms";
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", root, e.toString());
        }
    }

    /**
     * Configures and starts a {@link LocalAuroraGlobal}. Defaults: user, password and database {@code meridian}.
     * Validates eagerly; not thread-safe.
     */
    public static final class Builder {
        private String primaryRegion;
        private final List<String> replicaRegions = new ArrayList<>();
        private String user = "meridian";
        private String password = "meridian";
        private String database = "meridian";
        private boolean logStatements;

        private Builder() {
        }

        /** The region whose server starts as the primary (writer), e.g. {@code "eu-west-1"}. */
        public Builder primaryRegion(String region) {
            this.primaryRegion = checkRegion("primaryRegion", region);
            return this;
        }

        /** Regions that get a hot-standby replica each, in order. */
        public Builder replicaRegions(String... regions) {
            Objects.requireNonNull(regions, "regions");
            Arrays.stream(regions).forEach(this::replicaRegion);
            return this;
        }

        public Builder replicaRegion(String region) {
            replicaRegions.add(checkRegion("replicaRegions", region));
            return this;
        }

        /** Login role the application uses; a PostgreSQL identifier (lower case letters, digits, underscore). */
        public Builder user(String user) {
            this.user = checkIdentifier("user", user);
            return this;
        }

        public Builder password(String password) {
            Objects.requireNonNull(password, "password");
            if (password.isEmpty()) {
                throw new IllegalArgumentException("password must not be empty");
            }
            this.password = password;
            return this;
        }

        /** Database created for the application, owned by {@link #user(String)}. */
        public Builder database(String database) {
            this.database = checkIdentifier("database", database);
            return this;
        }

        /**
         * Whether every statement {@link #user(String)} sends is written to the log of the node that received it
         * ({@link LocalAuroraGlobal#logFile(String)}), so a test can see which region a statement reached. Off by
         * default: the logs grow with every statement.
         */
        public Builder logStatements(boolean logStatements) {
            this.logStatements = logStatements;
            return this;
        }

        /**
         * Starts every node and returns once the primary accepts writes and every replica accepts reads.
         *
         * @throws IllegalStateException when PostgreSQL is missing or a node fails to start (with its log tail)
         */
        public LocalAuroraGlobal start() {
            if (primaryRegion == null) {
                throw new IllegalArgumentException("primaryRegion must be set");
            }
            List<String> regions = regions();
            if (new HashSet<>(regions).size() != regions.size()) {
                throw new IllegalArgumentException("regions must be distinct but were " + regions);
            }
            PostgresBinaries binaries = PostgresBinaries.locate();
            PostgresRunner runner = PostgresRunner.detect();
            Path baseDir;
            try {
                baseDir = Files.createTempDirectory("meridian-aurora-");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a temporary directory", e);
            }
            LocalAuroraGlobal cluster;
            try {
                ClusterImage image = ClusterImage.of(binaries, runner, user, password, database, logStatements);
                runner.giveToServerUser(baseDir);
                cluster = new LocalAuroraGlobal(this, image, binaries, runner, baseDir);
            } catch (RuntimeException e) {
                deleteRecursively(baseDir);
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
            try {
                cluster.startAll();
                return cluster;
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }

        private List<String> regions() {
            List<String> all = new ArrayList<>();
            all.add(primaryRegion);
            all.addAll(replicaRegions);
            return all;
        }

        private static String checkRegion(String setting, String region) {
            Objects.requireNonNull(region, setting);
            if (!REGION.matcher(region).matches()) {
                throw new IllegalArgumentException(setting + " must be a region name like eu-west-1 (lower case "
                        + "letters, digits, '-') but was '" + region + "'");
            }
            return region;
        }

        private static String checkIdentifier(String setting, String value) {
            Objects.requireNonNull(value, setting);
            if (!IDENTIFIER.matcher(value).matches()) {
                throw new IllegalArgumentException(setting + " must be a lower-case SQL identifier but was '"
                        + value + "'");
            }
            return value;
        }
    }
}
