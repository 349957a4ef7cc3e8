package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * Files of the repository a module's tests check against (e.g. {@code docs/configuration.md}), found from the test's
 * working directory (Maven runs a module's tests in the module's directory) upwards, so a test reads the same file
 * whether it runs in the module, from the repository root or from an IDE.
 */
@API(status = INTERNAL, since = "0.1")
public final class RepositoryFiles {
    private RepositoryFiles() {
    }

    /**
     * The file at {@code relativePath} below the working directory or the nearest of its parents that has it.
     *
     * @throws IllegalStateException if no such directory has it
     */
    public static Path find(String relativePath) {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path file = dir.resolve(relativePath);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalStateException(relativePath + " not found in " + start + " or any directory above it");
    }
}
