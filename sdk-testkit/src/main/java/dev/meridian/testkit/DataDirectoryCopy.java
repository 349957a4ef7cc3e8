package dev.meridian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Copies a running primary's data directory for a base backup taken with the low-level API
 * ({@code pg_backup_start} … {@code pg_backup_stop}), leaving out what the PostgreSQL manual says a backup should
 * omit: the WAL (the standby streams it from the primary), replication slots, runtime and temporary state, and the
 * primary's {@code postmaster.pid}. Files that vanish while being copied are skipped, as the server may delete
 * temporary files at any time. Stateless.
 */
final class DataDirectoryCopy {

    /** Directories created empty in the copy. */
    private static final Set<String> EMPTY_DIRECTORIES = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    /** Top-level files never copied. */
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
            "tablespace_map", "standby.signal", "recovery.signal");

    private DataDirectoryCopy() {
    }

    /**
     * Copies {@code source} into the new directory {@code target} (mode 0700), handing everything to the server user
     * when running as root.
     */
    static void copy(Path source, Path target, PostgresRunner runner) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(runner, "runner");
        try {
            Files.createDirectory(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
            runner.giveToServerUser(target);
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path relative = source.relativize(dir);
                    if (relative.toString().isEmpty()) {
                        return FileVisitResult.CONTINUE;
                    }
                    Path copy = target.resolve(relative);
                    Files.createDirectories(copy);
                    Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(dir));
                    runner.giveToServerUser(copy);
                    if (relative.getNameCount() == 1 && EMPTY_DIRECTORIES.contains(relative.toString())) {
                        if (relative.toString().equals("pg_wal")) {
                            Path status = Files.createDirectories(copy.resolve("archive_status"));
                            runner.giveToServerUser(status);
                        }
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path relative = source.relativize(file);
                    String name = file.getFileName().toString();
                    if ((relative.getNameCount() == 1 && SKIPPED_FILES.contains(name)) || name.startsWith("pgsql_tmp")) {
                        return FileVisitResult.CONTINUE;
                    }
                    Path copy = target.resolve(relative);
                    try {
                        Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                    } catch (NoSuchFileException vanished) {
                        return FileVisitResult.CONTINUE;
                    }
                    runner.giveToServerUser(copy);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy the data directory " + source + " to " + target, e);
        }
    }
}
