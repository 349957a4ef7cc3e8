package dev.meridian.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drill with two-second phases through its public entry point: its invariants hold, and the picture draws the
 * journals' counts and every call the summary counts.
 */
class RegionDrillIT {

    @TempDir
    Path reportDir;

    @Test
    void drillKeepsItsInvariantsAndDrawsWhatTheJournalsRecorded() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        DrillSettings settings = new DrillSettings(Duration.ofSeconds(2), 3, 90, 7L);

        DrillReport report = RegionDrill.run(settings, out, reportDir);
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(report.invariants()).allSatisfy((name, inv) -> assertThat(inv.holds()).as(name + ": "
                + inv.measured()).isTrue());
        assertThat(report.phases()).hasSize(Phase.timeline().size());
        assertThat(printed).contains("1/11 baseline", "RESULT: PASS", "picture of the run: ");

        Document html = Jsoup.parse(Files.readString(report.html()));
        assertThat(html.select("script, link, img, [src], [href]")).as("self-contained").isEmpty();
        assertThat(html.select("rect.phase")).hasSize(Phase.timeline().size());
        for (String region : Phase.REGIONS) {
            long drawn = html.select("rect.ddb[data-region=" + region + "]").stream()
                    .mapToLong(r -> Long.parseLong(r.attr("data-count"))).sum();
            long tabled = html.select("#summary td[data-column=ddb " + region + "]").stream()
                    .mapToLong(td -> Long.parseLong(td.text())).sum();
            assertThat(drawn).as("requests drawn for " + region).isEqualTo(report.journalTotals().get(region))
                    .isPositive();
            assertThat(tabled).as("requests in the summary table for " + region).isEqualTo(drawn);
        }
        for (String series : List.of("refused", "held", "errors", "calls")) {
            long tabled = html.select("#summary td[data-column=" + series + "]").stream()
                    .mapToLong(td -> Long.parseLong(td.text())).sum();
            assertThat(Long.parseLong(html.select("#summary th[data-total=" + series + "]").text()))
                    .as(series + " total").isEqualTo(tabled);
            if (!series.equals("calls")) {
                long drawn = html.select("rect." + series).stream()
                        .mapToLong(r -> Long.parseLong(r.attr("data-count"))).sum();
                assertThat(drawn).as(series + " drawn").isEqualTo(tabled);
            }
        }
        for (int i = 0; i < report.phases().size(); i++) {
            // What the workers recorded in each phase equals what its samples counted: no call ends between them.
            assertThat(report.phases().get(i).calls()).as("calls of phase " + i + " sampled")
                    .isEqualTo(report.phaseStats().get(i).ops.sum());
            assertThat(report.phases().get(i).held()).isEqualTo(report.phaseStats().get(i).held.sum());
        }
        assertThat(printed).contains("baseline (no fault): ");
        // The fleet drain phase: three runtimes, each measured, the drain and the dark control plane judged above.
        assertThat(report.fleetDrain().instances()).hasSize(3);
        assertThat(report.fleetDrain().darkCalls()).isPositive();
        assertThat(printed).contains("fleet drain p100 ", "control plane dark: ");
        assertThat(html.select("#fleet-drain tr")).hasSize(1 + report.fleetDrain().instances().size());
        // Mirror mode: one lease holder per region, a successor after the holder's death.
        assertThat(report.fleetDrain().mirror().holders()).hasSize(Phase.REGIONS.size());
        assertThat(report.fleetDrain().mirror().arcReads()).isPositive();
        assertThat(printed).contains("mirror lease of eu-west-1 held by mirror-eu-west-1-", " took its lease after ");
        assertThat(html.select("#fleet-mirror tr")).hasSize(1 + Phase.REGIONS.size());
        // The session store phase: the session region failed mid-phase; reads were served and refused, none stale,
        // no RESTRICTED session request reached us-east-1 (judged above as invariants).
        SessionPhaseOutcome sessions = report.sessionStore();
        assertThat(sessions.stale()).isZero();
        assertThat(sessions.outsideEu()).isZero();
        assertThat(sessions.served()).isPositive();
        assertThat(sessions.refused()).as("reads refused while eu-central-1 was behind").isPositive();
        assertThat(sessions.savedElsewhere()).as("saves moved while eu-west-1 was down").isPositive();
        assertThat(report.invariants()).containsKeys("session store: no stale session read",
                "session store: no session written outside its regions");
        assertThat(printed).contains("Session store (", " stale; ");
        assertThat(html.select("#session-store td")).hasSize(7);
        assertThat(html.select("rect.breaker")).hasSize(Phase.REGIONS.size() * report.samples().size());
        List<Element> verdicts = html.select("#invariants td.PASS, #invariants td.FAIL");
        assertThat(verdicts).hasSize(report.invariants().size()).allMatch(td -> td.text().equals("PASS"));
    }
}
