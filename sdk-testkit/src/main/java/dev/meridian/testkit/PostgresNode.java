package dev.meridian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.IntSupplier;

/**
 * One PostgreSQL server of a {@link LocalAuroraGlobal}: a data directory, a port on 127.0.0.1 and a log file.
 *
 * <p>Knows how to start, stop and promote itself with {@code pg_ctl} and how to (re)point its standby
 * configuration at a primary. Which node is the primary is decided by {@link LocalAuroraGlobal}. Not thread-safe on
 * its own; {@link LocalAuroraGlobal} serializes every lifecycle call.
 */
final class PostgresNode {
    private static final int PORT_ATTEMPTS = 3;

    /** Per-node settings live in their own file so that a base backup's copy can simply be overwritten. */
    static final String NODE_CONF = "node.conf";
    private static final String AUTO_CONF = "postgresql.auto.conf";
    private static final long PG_CTL_TIMEOUT_SECONDS = 60;

    private final String region;
    private final Path dataDir;
    private final Path log;
    private final PostgresBinaries binaries;
    private final PostgresRunner runner;
    private int port;

    PostgresNode(String region, int port, Path dataDir, Path log, PostgresBinaries binaries, PostgresRunner runner) {
        this.region = Objects.requireNonNull(region, "region");
        this.port = port;
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.log = Objects.requireNonNull(log, "log");
        this.binaries = Objects.requireNonNull(binaries, "binaries");
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    String region() {
        return region;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    Path log() {
        return log;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Writes this node's own settings (port, name shown in {@code ps}); takes effect at the next start. */
    void writeNodeConf(int newPort) {
        this.port = newPort;
        writeServerFile(dataDir.resolve(NODE_CONF),
                "# Written by Meridian's LocalAuroraGlobal for region " + region + "\n"
                        + "port = " + newPort + "\n"
                        + "cluster_name = '" + region + "'\n");
    }

    void start() {
        runPgCtl(List.of("start", "-l", log.toString()));
    }

    /**
     * First start of a node: a port grabbed by another process since it was chosen ({@code could not bind}) is
     * replaced by {@code freePort}'s next one, up to {@value #PORT_ATTEMPTS} attempts in all.
     */
    void startOnAFreePort(IntSupplier freePort) {
        for (int attempt = 1; ; attempt++) {
            writeNodeConf(port);
            try {
                start();
                return;
            } catch (IllegalStateException e) {
                boolean portClash = e.getMessage() != null && e.getMessage().contains("could not bind");
                if (!portClash || attempt >= PORT_ATTEMPTS) {
                    throw e;
                }
                writeNodeConf(freePort.getAsInt());
            }
        }
    }

    void stop(String mode) {
        runPgCtl(List.of("stop", "-m", mode));
    }

    void promote() {
        runPgCtl(List.of("promote"));
    }

    private void runPgCtl(List<String> action) {
        List<String> command = new ArrayList<>(List.of(binaries.program("pg_ctl").toString(),
                "-D", dataDir.toString(), "-w", "-t", Long.toString(PG_CTL_TIMEOUT_SECONDS)));
        command.addAll(action);
        try {
            runner.run(command, dataDir.getParent(), log, PG_CTL_TIMEOUT_SECONDS + 10);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("PostgreSQL node for region " + region + " (port " + port + ", data "
                    + dataDir + "): pg_ctl " + action.get(0) + " failed: " + e.getMessage(), e);
        }
    }

    /** Whether a postmaster for this data directory is alive (it may still be starting up or shutting down). */
    boolean isRunning() {
        return postmasterPid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Stops the server as fast as possible: {@code pg_ctl stop -m immediate}, then SIGKILL to the postmaster and its
     * children if that did not work. Never throws.
     */
    void kill() {
        if (!isRunning()) {
            return;
        }
        try {
            stop("immediate");
        } catch (RuntimeException e) {
            postmasterPid().flatMap(ProcessHandle::of).ifPresent(postmaster -> {
                postmaster.descendants().forEach(ProcessHandle::destroyForcibly);
                postmaster.destroyForcibly();
            });
        }
    }

    private Optional<Long> postmasterPid() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes this (stopped) node a hot standby of the server reachable through {@code primaryConninfo} at its next
     * start: creates {@code standby.signal} and replaces {@code primary_conninfo} in {@code postgresql.auto.conf},
     * where {@code ALTER SYSTEM} keeps it.
     */
    void configureAsStandbyOf(String primaryConninfo) {
        Path signal = dataDir.resolve("standby.signal");
        if (!Files.exists(signal)) {
            writeServerFile(signal, "");
        }
        Path autoConf = dataDir.resolve(AUTO_CONF);
        try {
            List<String> lines = Files.exists(autoConf)
                    ? new ArrayList<>(Files.readAllLines(autoConf, StandardCharsets.UTF_8))
                    : new ArrayList<>();
            lines.removeIf(line -> line.trim().startsWith("primary_conninfo"));
            lines.add("primary_conninfo = " + configLiteral(primaryConninfo));
            writeServerFile(autoConf, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("could not update " + autoConf, e);
        }
    }

    /** Appends to (or creates) a file inside the data directory, keeping it owned by the server user. */
    void appendServerFile(String name, String content) {
        Path file = dataDir.resolve(name);
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            runner.giveToServerUser(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    void writeServerFile(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            runner.giveToServerUser(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    Connection connect(String user, String password, String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "60");
        props.setProperty("ApplicationName", "meridian-testkit");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /** A value in postgresql.conf syntax: single-quoted, quotes doubled. */
    static String configLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    @Override
    public String toString() {
        return "PostgresNode[" + region + " @ 127.0.0.1:" + port + "]";
    }
}
