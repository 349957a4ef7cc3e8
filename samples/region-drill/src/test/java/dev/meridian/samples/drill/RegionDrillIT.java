package dev.meridian.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The drill with one-second phases: the demo's invariants hold and its summary is printed. */
class RegionDrillIT {

    @Test
    void drillKeepsItsInvariantsThroughEveryPhase() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        DrillSettings settings = new DrillSettings(Duration.ofSeconds(1), 3, 90, 7L);

        DrillReport report = RegionDrill.run(settings, out);
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(report.duplicateExecutions()).isZero();
        assertThat(report.converged()).as(report.convergence().toString()).isTrue();
        assertThat(report.restrictedToUs()).isZero();
        assertThat(report.totalOps()).isPositive();
        assertThat(report.phases()).hasSize(Phase.timeline().size());
        assertThat(report.exitCode()).isZero();
        assertThat(printed).contains("phase 1/8: baseline", "RESULT: PASS");
    }
}
