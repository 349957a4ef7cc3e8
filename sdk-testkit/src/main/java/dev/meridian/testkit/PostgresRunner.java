package dev.meridian.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs PostgreSQL programs as the right operating-system user.
 *
 * <p>The server refuses to run as root, and CI runs as root: when this JVM is root, every program runs as the
 * {@code postgres} user through {@code runuser -u postgres --} (or {@code su postgres -c} where runuser is absent)
 * and every file the server touches is handed to that user. Otherwise programs run directly as the current user.
 * Immutable and thread-safe.
 */
final class PostgresRunner {

    static final String SERVER_USER = "postgres";

    private static final File DEV_NULL = new File("/dev/null");

    private final boolean root;
    private final boolean runuserAvailable;

    PostgresRunner(boolean root, boolean runuserAvailable) {
        this.root = root;
        this.runuserAvailable = runuserAvailable;
    }

    /** Detects whether this JVM runs as root and which switch-user tool the machine has. */
    static PostgresRunner detect() {
        boolean root = "root".equals(System.getProperty("user.name")) || isUidZero();
        boolean runuser = Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"))
                || Files.isExecutable(Path.of("/usr/bin/runuser"));
        return new PostgresRunner(root, runuser);
    }

    boolean root() {
        return root;
    }

    /** The command line that runs {@code command} as the server user. */
    List<String> wrap(List<String> command) {
        Objects.requireNonNull(command, "command");
        if (!root) {
            return List.copyOf(command);
        }
        List<String> wrapped = new ArrayList<>();
        if (runuserAvailable) {
            wrapped.addAll(List.of("runuser", "-u", SERVER_USER, "--"));
            wrapped.addAll(command);
        } else {
            // The postgres account's login shell may be nologin; force a real shell for -c.
            wrapped.addAll(List.of("su", SERVER_USER, "-s", "/bin/sh", "-c",
                    command.stream().map(PostgresRunner::shellQuote).collect(Collectors.joining(" "))));
        }
        return List.copyOf(wrapped);
    }

    /**
     * Runs {@code command} to completion, appending its output to {@code log}.
     *
     * @throws IllegalStateException when it exits non-zero or outlives {@code timeoutSeconds}; the message carries
     *     the tail of the log
     */
    void run(List<String> command, Path workDir, Path log, long timeoutSeconds) {
        List<String> line = wrap(command);
        Process process;
        try {
            process = new ProcessBuilder(line)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + line, e);
        }
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within " + timeoutSeconds + " s"
                        + logTail(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                    + logTail(log));
        }
    }

    /** Hands {@code path} to the server user when running as root; a no-op otherwise. */
    void giveToServerUser(Path path) {
        if (!root) {
            return;
        }
        try {
            UserPrincipal user = path.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(SERVER_USER);
            Files.setOwner(path, user);
        } catch (IOException e) {
            throw new IllegalStateException("running as root, but could not give " + path + " to the '"
                    + SERVER_USER + "' user (PostgreSQL refuses to run as root; create that user with "
                    + "`useradd --system --user-group postgres`, as .ci/run does, or run as an ordinary user)", e);
        }
    }

    /** The last lines of {@code log}, formatted for an exception message. */
    static String logTail(Path log) {
        try {
            if (log == null || !Files.exists(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 30), lines.size());
            return "\n--- tail of " + log + " ---\n" + String.join("\n", tail);
        } catch (IOException | UncheckedIOException e) {
            return "\n(could not read " + log + ": " + e.getMessage() + ")";
        }
    }

    static String shellQuote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    private static boolean isUidZero() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
