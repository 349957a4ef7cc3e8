package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresBinariesTest {

    @TempDir
    Path temp;

    @Test
    void systemPropertyWinsOverEnvironment() throws IOException {
        Path fromProperty = fakeBin("property");
        Path fromEnv = fakeBin("env");

        PostgresBinaries found = PostgresBinaries.locate(
                Map.of(PostgresBinaries.PROPERTY, fromProperty.toString())::get,
                Map.of(PostgresBinaries.ENV, fromEnv.toString())::get, Optional::empty, Optional::empty);

        assertThat(found.bin()).isEqualTo(fromProperty);
        assertThat(found.program("pg_ctl")).isEqualTo(fromProperty.resolve("pg_ctl"));
    }

    @Test
    void environmentVariableIsUsedWhenNoPropertyIsSet() throws IOException {
        Path fromEnv = fakeBin("env");

        PostgresBinaries found = PostgresBinaries.locate(Map.<String, String>of()::get,
                Map.of(PostgresBinaries.ENV, fromEnv.toString())::get, Optional::empty, Optional::empty);

        assertThat(found.bin()).isEqualTo(fromEnv);
    }

    @Test
    void configuredDirectoryWithoutTheProgramsIsAnErrorNamingWhatIsMissingAndHowToInstall() throws IOException {
        Path empty = Files.createDirectory(temp.resolve("empty"));

        assertThatThrownBy(() -> PostgresBinaries.locate(Map.<String, String>of()::get,
                Map.of(PostgresBinaries.ENV, empty.toString())::get, Optional::empty, Optional::empty))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MERIDIAN_PG_BIN")
                .hasMessageContaining(empty.toString())
                .hasMessageContaining("initdb")
                .hasMessageContaining("postgres")
                .hasMessageContaining("apt-get install postgresql");
    }

    @Test
    void pgConfigBindirIsTheLastResort() throws IOException {
        Path fromPgConfig = fakeBin("pgconfig");
        Optional<String> bindir = Optional.of(fromPgConfig + "\n");

        PostgresBinaries found = PostgresBinaries.locate(Map.<String, String>of()::get, Map.<String, String>of()::get,
                Optional::empty, () -> bindir);

        boolean debianInstalled = Files.isExecutable(Path.of(PostgresBinaries.DEBIAN_BIN, "pg_ctl"));
        assertThat(found.bin()).isEqualTo(debianInstalled ? Path.of(PostgresBinaries.DEBIAN_BIN) : fromPgConfig);
    }

    @Test
    void embeddedServerWinsOverSystemBinariesButNotOverAnExplicitSetting() throws IOException {
        Path embedded = fakeBin("embedded");
        Path fromEnv = fakeBin("env");
        Optional<String> bindir = Optional.of(fakeBin("pgconfig").toString());

        PostgresBinaries implicit = PostgresBinaries.locate(Map.<String, String>of()::get,
                Map.<String, String>of()::get, () -> Optional.of(embedded), () -> bindir);
        PostgresBinaries explicit = PostgresBinaries.locate(Map.<String, String>of()::get,
                Map.of(PostgresBinaries.ENV, fromEnv.toString())::get, () -> Optional.of(embedded), () -> bindir);

        assertThat(implicit.bin()).isEqualTo(embedded);
        assertThat(explicit.bin()).isEqualTo(fromEnv);
    }

    @Test
    void neitherBasebackupNorAnyClientProgramIsRequired() {
        assertThat(PostgresBinaries.PROGRAMS).containsExactly("initdb", "pg_ctl", "postgres");
    }

    private Path fakeBin(String name) throws IOException {
        Path dir = Files.createDirectory(temp.resolve(name));
        for (String program : PostgresBinaries.PROGRAMS) {
            Files.createFile(dir.resolve(program),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        return dir;
    }
}
