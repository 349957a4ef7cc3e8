package dev.meridian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Copies the data directory of a cleanly stopped PostgreSQL server (a {@link ClusterImage}) for a new node: everything,
 * WAL included (the copy starts from the checkpoint the shutdown wrote), except the files of a running postmaster.
 * Stateless.
 */
final class DataDirectoryCopy {

    /** Top-level files never copied: they describe a running server, and the source is stopped. */
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts");

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
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path relative = source.relativize(file);
                    if (relative.getNameCount() == 1 && SKIPPED_FILES.contains(file.getFileName().toString())) {
                        return FileVisitResult.CONTINUE;
                    }
                    Path copy = target.resolve(relative);
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                    runner.giveToServerUser(copy);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy the data directory " + source + " to " + target, e);
        }
    }
}
