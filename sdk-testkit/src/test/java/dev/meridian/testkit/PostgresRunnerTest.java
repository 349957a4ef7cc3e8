package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresRunnerTest {

    @TempDir
    Path temp;

    @Test
    void asNonRootProgramsRunDirectly() {
        PostgresRunner runner = new PostgresRunner(false, true);

        assertThat(runner.wrap(List.of("pg_ctl", "-D", "/data", "start"))).containsExactly("pg_ctl", "-D", "/data", "start");
    }

    @Test
    void asRootProgramsRunAsThePostgresUserThroughRunuser() {
        PostgresRunner runner = new PostgresRunner(true, true);

        assertThat(runner.wrap(List.of("initdb", "-D", "/data")))
                .containsExactly("runuser", "-u", "postgres", "--", "initdb", "-D", "/data");
    }

    @Test
    void asRootWithoutRunuserProgramsRunThroughSuWithEveryArgumentQuoted() {
        PostgresRunner runner = new PostgresRunner(true, false);

        assertThat(runner.wrap(List.of("pg_ctl", "-D", "/tmp/it's here", "start")))
                .containsExactly("su", "postgres", "-s", "/bin/sh", "-c",
                        "'pg_ctl' '-D' '/tmp/it'\\''s here' 'start'");
    }

    @Test
    void failingProgramReportsItsExitCodeAndTheTailOfItsLog() throws IOException {
        PostgresRunner runner = new PostgresRunner(false, false);
        Path log = Files.createFile(temp.resolve("node.log"));

        assertThatThrownBy(() -> runner.run(List.of("sh", "-c", "echo FATAL: could not bind; exit 3"), temp, log, 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with 3")
                .hasMessageContaining("FATAL: could not bind");
    }
}
