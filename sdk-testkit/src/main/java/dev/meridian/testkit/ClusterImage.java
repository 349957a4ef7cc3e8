package dev.meridian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stopped PostgreSQL data directory that every node of a {@link LocalAuroraGlobal} starts from: {@code initdb}, the
 * test settings, the application role and database, then a clean shutdown. A cold copy of a cleanly stopped server is
 * a valid primary and, with {@code standby.signal}, a valid standby of a primary started from the same copy (both
 * begin at the image's shutdown checkpoint; the standby streams everything after it). Building the image once per
 * JVM and credentials, instead of {@code initdb}, {@code CREATE DATABASE} and a base backup of the running primary per
 * cluster, is most of a cluster's start-up saved.
 *
 * <p>Images live in a temporary directory each, deleted by a JVM shutdown hook. Thread-safe.
 */
final class ClusterImage {

    static final String ADMIN_USER = PostgresRunner.SERVER_USER;
    private static final long TOOL_TIMEOUT_SECONDS = 120;

    /** Settings for a fast, disposable test cluster; appended to the image's postgresql.conf. */
    private static final String TEST_SETTINGS = String.join("\n",
            "",
            "# --- Meridian LocalAuroraGlobal: tuned for disposable test clusters, never for real data ---",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "max_connections = 60",
            "shared_buffers = 16MB",
            "fsync = off",
            "synchronous_commit = off",
            "wal_writer_delay = 10ms",
            "full_page_writes = off",
            "wal_level = replica",
            "max_wal_senders = 10",
            "max_replication_slots = 10",
            "wal_keep_size = 128MB",
            "hot_standby = on",
            "hot_standby_feedback = on",
            "wal_receiver_status_interval = 1s",
            // A replica that heard nothing for half of this asks its primary for a keep-alive: on an idle primary
            // that message is the replica's only proof of being caught up (LagProbe.postgres()).
            "wal_receiver_timeout = 1s",
            "wal_retrieve_retry_interval = 200ms",
            "recovery_target_timeline = 'latest'",
            "jit = off",
            "log_min_messages = warning",
            "log_line_prefix = '%m [%p] '",
            "include '" + PostgresNode.NODE_CONF + "'",
            "");

    private static final String HBA = String.join("\n",
            "# Written by Meridian's LocalAuroraGlobal: TCP on loopback only, passwords everywhere.",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host replication " + ADMIN_USER + " 127.0.0.1/32 scram-sha-256",
            "");

    private static final Map<Key, ClusterImage> IMAGES = new HashMap<>();

    private final Path dataDir;
    private final String adminPassword;

    private ClusterImage(Path dataDir, String adminPassword) {
        this.dataDir = dataDir;
        this.adminPassword = adminPassword;
    }

    /** What an image is built from; clusters with equal keys share one. */
    record Key(Path bin, String user, String password, String database, boolean logStatements) {
    }

    /** The image for these binaries and settings, built on first use in this JVM. */
    static synchronized ClusterImage of(PostgresBinaries binaries, PostgresRunner runner, String user,
            String password, String database, boolean logStatements) {
        Key key = new Key(binaries.bin(), user, password, database, logStatements);
        ClusterImage image = IMAGES.get(key);
        if (image == null) {
            image = build(key, binaries, runner);
            IMAGES.put(key, image);
        }
        return image;
    }

    /** The stopped data directory to copy ({@link DataDirectoryCopy}); never started again. */
    Path dataDir() {
        return dataDir;
    }

    /** The password of {@link #ADMIN_USER} in every cluster started from this image. */
    String adminPassword() {
        return adminPassword;
    }

    private static ClusterImage build(Key key, PostgresBinaries binaries, PostgresRunner runner) {
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("meridian-aurora-image-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary directory", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LocalAuroraGlobal.deleteRecursively(baseDir),
                "meridian-aurora-image-cleanup"));
        String adminPassword = randomPassword();
        PostgresNode node = new PostgresNode("image", Ports.free(), baseDir.resolve("data"),
                baseDir.resolve("image.log"), binaries, runner);
        try {
            runner.giveToServerUser(baseDir);
            node.writeServerFile(node.log(), "");
            Path pwFile = baseDir.resolve("initdb.pw");
            writePrivateFile(pwFile, adminPassword + "\n", runner);
            runner.run(List.of(binaries.program("initdb").toString(), "-D", node.dataDir().toString(),
                    "-U", ADMIN_USER, "--pwfile=" + pwFile, "--auth=scram-sha-256", "--encoding=UTF8",
                    "--locale=C", "--no-sync", "--no-instructions",
                    // 1 MB WAL segments: each node's copy carries one segment, not 16 MB of it.
                    "--wal-segsize=1"), baseDir, node.log(), TOOL_TIMEOUT_SECONDS);
            Files.delete(pwFile);
            node.appendServerFile("postgresql.conf", TEST_SETTINGS);
            node.writeServerFile(node.dataDir().resolve("pg_hba.conf"), HBA);
            node.startOnAFreePort(Ports::free);
            try (Connection c = node.connect(ADMIN_USER, adminPassword, "postgres");
                    Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + key.user() + " LOGIN PASSWORD " + sqlLiteral(key.password()));
                s.execute("CREATE DATABASE " + key.database() + " OWNER " + key.user());
                // Lets the role read the WAL receiver's state (pg_stat_wal_receiver), as a lag probe needs.
                s.execute("GRANT pg_read_all_stats TO " + key.user());
                if (key.logStatements()) {
                    s.execute("ALTER ROLE " + key.user() + " SET log_statement = 'all'");
                }
            }
            // A clean shutdown: the copies start from its checkpoint without crash recovery.
            node.stop("fast");
        } catch (IOException | SQLException | RuntimeException e) {
            node.kill();
            throw new IllegalStateException("could not build the PostgreSQL image every node starts from: "
                    + e.getMessage() + PostgresRunner.logTail(node.log()), e);
        }
        return new ClusterImage(node.dataDir(), adminPassword);
    }

    private static void writePrivateFile(Path file, String content, PostgresRunner runner) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
        runner.giveToServerUser(file);
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String sqlLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
