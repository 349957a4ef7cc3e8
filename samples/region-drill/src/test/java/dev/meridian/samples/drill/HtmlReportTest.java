package dev.meridian.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * The picture of a synthetic run: every drawn series (requests and statements per region, refused, held, errors)
 * adds up, phase by phase and in total, to the numbers the summary table and the report print.
 */
class HtmlReportTest {
    private static final List<String> PHASES = List.of("baseline", "eu-west-1 down", "heal + converge");

    /** Three phases of 1–4 samples each with random counts, a sample of almost no length included. */
    private static DrillReport syntheticRun() {
        Random random = new Random(7);
        List<PhaseStats> phases = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < PHASES.size(); i++) {
            PhaseStats stats = new PhaseStats(PHASES.get(i));
            int n = 1 + random.nextInt(4);
            for (int k = 0; k < n; k++) {
                double length = k == 1 ? 0.0001 : 0.5 + random.nextDouble();
                long errors = random.nextInt(3);
                long refused = random.nextInt(5);
                long held = random.nextInt(4);
                samples.add(new Sample(i, t, length, perRegion(random), perRegion(random),
                        errors + refused + held + random.nextInt(90), refused, held, errors,
                        Map.of(Phase.EU_WEST_1, k == 0 ? Sampler.SUSPECT : "CLOSED", Phase.EU_CENTRAL_1, "OPEN",
                                Phase.US_EAST_1, "HALF_OPEN"),
                        random.nextInt(10), Map.of(Phase.EU_WEST_1, (long) random.nextInt(900))));
                t += length;
            }
            int index = i;
            stats.requestsPerRegion.putAll(sum(samples, index, true));
            stats.jdbcPerRegion.putAll(sum(samples, index, false));
            stats.seconds = samples.stream().filter(s -> s.phase() == index).mapToDouble(Sample::seconds).sum();
            phases.add(stats);
        }
        Map<String, Long> journalTotals = new java.util.TreeMap<>();
        samples.forEach(s -> s.dynamoRequests().forEach((r, n) -> journalTotals.merge(r, n, Long::sum)));
        return new DrillReport(phases, Map.of(), 10, 3, 10, 0, 0, 2, Map.of("orders", "5 items identical"), true,
                new LedgerCheck(4, 4, 0, 0), Duration.ofMillis(300), Duration.ofSeconds(1), 0, samples,
                journalTotals, FLEET_DRAIN, SESSION_STORE, null);
    }

    private static final FleetDrainOutcome FLEET_DRAIN = new FleetDrainOutcome(List.of(
            new FleetDrainOutcome.InstanceDrain("instance-1", "eu-west-1", 1180, 0),
            new FleetDrainOutcome.InstanceDrain("instance-2", "eu-central-1", 640, 0),
            new FleetDrainOutcome.InstanceDrain("instance-3", "us-east-1", 0, 0)),
            Duration.ofSeconds(1), Duration.ofSeconds(2), 400, 0, 0, mirror("mirror-eu-west-1-b", 0, true));

    private static FleetDrainOutcome.Mirror mirror(String successor, long euWest, boolean unchanged) {
        return new FleetDrainOutcome.Mirror(Map.of("eu-west-1", "mirror-eu-west-1-a", "eu-central-1",
                "mirror-eu-central-1-b", "us-east-1", "mirror-us-east-1-a"), 120, 12.0, "mirror-eu-west-1-a",
                successor, 3400, Duration.ofSeconds(3), Duration.ofMillis(500), euWest, 0, unchanged);
    }

    private static final SessionPhaseOutcome SESSION_STORE = new SessionPhaseOutcome(12, 90, 80, 10, 0, 80, 78, 30,
            0, 0, 0);

    private static Map<String, Long> perRegion(Random random) {
        return Map.of(Phase.EU_WEST_1, (long) random.nextInt(120), Phase.EU_CENTRAL_1, (long) random.nextInt(40),
                Phase.US_EAST_1, (long) random.nextInt(10));
    }

    private static Map<String, Long> sum(List<Sample> samples, int phase, boolean dynamo) {
        Map<String, Long> total = new java.util.TreeMap<>();
        samples.stream().filter(s -> s.phase() == phase).forEach(s -> (dynamo ? s.dynamoRequests()
                : s.jdbcStatements()).forEach((r, n) -> total.merge(r, n, Long::sum)));
        return total;
    }

    private static long drawn(Document html, String selector) {
        return html.select(selector).stream().mapToLong(e -> Long.parseLong(e.attr("data-count"))).sum();
    }

    private static long tabled(Document html, String column) {
        return html.select("#summary td[data-column=" + column + "]").stream()
                .mapToLong(td -> Long.parseLong(td.text())).sum();
    }

    private static long total(Document html, String column) {
        return Long.parseLong(html.select("#summary th[data-total=" + column + "]").text());
    }

    @Test
    void everyDrawnSeriesAddsUpToTheSummaryTableAndItsTotals() {
        DrillReport report = syntheticRun();
        Document html = Jsoup.parse(HtmlReport.html(report, new DrillSettings(Duration.ofSeconds(2), 4, 100, 1L)));

        for (String region : Phase.REGIONS) {
            for (String kind : List.of("ddb", "jdbc")) {
                long drawn = drawn(html, "rect." + kind + "[data-region=" + region + "]");
                assertThat(drawn).as(kind + " " + region).isPositive()
                        .isEqualTo(tabled(html, kind + " " + region)).isEqualTo(total(html, kind + " " + region));
            }
        }
        Map<String, String> series = Map.of("refused", "refused", "held", "held", "errors", "errors");
        series.forEach((cssClass, column) -> assertThat(drawn(html, "rect." + cssClass)).as(cssClass)
                .isPositive().isEqualTo(tabled(html, column)).isEqualTo(total(html, column)));
        assertThat(total(html, "calls")).isEqualTo(report.totalCalls()).isEqualTo(tabled(html, "calls"));
        assertThat(total(html, "errors")).isEqualTo(report.totalErrors());
    }

    @Test
    void aSuspectRegionsBandHasItsOwnColourAndLegend() {
        Document html = Jsoup.parse(HtmlReport.html(syntheticRun(),
                new DrillSettings(Duration.ofSeconds(2), 4, 100, 1L)));

        String suspect = html.select("rect.breaker[data-region=" + Phase.EU_WEST_1 + "][data-state=SUSPECT]")
                .attr("fill");
        String closed = html.select("rect.breaker[data-region=" + Phase.EU_WEST_1 + "][data-state=CLOSED]")
                .attr("fill");
        assertThat(suspect).isNotEmpty().isNotEqualTo(closed);
        assertThat(closed).isNotEmpty();
        assertThat(html.text()).contains("breaker SUSPECT");
    }

    @Test
    void eachPhasesRowIsTheSumOfItsSamples() {
        DrillReport report = syntheticRun();
        Document html = Jsoup.parse(HtmlReport.html(report, new DrillSettings(Duration.ofSeconds(2), 4, 100, 1L)));

        for (int i = 0; i < PHASES.size(); i++) {
            int index = i;
            List<Sample> inPhase = report.samples().stream().filter(s -> s.phase() == index).toList();
            DrillReport.PhaseOutcome phase = report.phases().get(i);
            assertThat(phase.held()).isEqualTo(inPhase.stream().mapToLong(Sample::held).sum());
            assertThat(phase.refused()).isEqualTo(inPhase.stream().mapToLong(Sample::refused).sum());
            assertThat(phase.errors()).isEqualTo(inPhase.stream().mapToLong(Sample::errors).sum());
            assertThat(phase.calls()).isEqualTo(inPhase.stream().mapToLong(Sample::calls).sum());
            assertThat(html.select("#summary tr").get(i + 1).select("td[data-column=held]").text())
                    .isEqualTo(Long.toString(phase.held()));
        }
        assertThat(html.select("rect.held").first().attr("title")).isEmpty();
        assertThat(html.select("rect.held title").first().text()).startsWith("held (kept for later");
        assertThat(html.select("rect.refused title").first().text()).startsWith("refused (residency");
    }

    @Test
    void theFleetDrainPhaseShowsEachInstanceAndTheDarkControlPlane() {
        DrillReport report = syntheticRun();
        Document html = Jsoup.parse(HtmlReport.html(report, new DrillSettings(Duration.ofSeconds(2), 4, 100, 1L)));

        assertThat(html.select("#fleet-drain tr")).hasSize(4);
        assertThat(drawn(html, "#fleet-drain td[data-count]")).isEqualTo(1180 + 640);
        assertThat(html.select("h2:containsOwn(Fleet drain) + p").text()).contains("p100 1180 ms across 3 instances")
                .contains("target <= 2000 ms: met");
        assertThat(html.select("#control-dark").text()).contains("400 calls, 0 failed, 0 sent to eu-west-1");
        assertThat(html.select("#fleet-mirror tr")).hasSize(4);
        assertThat(html.select("#fleet-mirror td").eachText()).contains("mirror-eu-central-1-b");
        assertThat(html.select("#mirror-takeover").text()).contains("ARC answered 120 reads in 12.0 s (10.0/s: 3 lease "
                + "holders polling every 500 ms, and the CLI").contains("mirror-eu-west-1-a died, mirror-eu-west-1-b took its lease after 3400 ms")
                .contains("state unchanged");
        assertThat(html.select("#invariants td").eachText()).contains("fleet drain: no request to eu-west-1 once "
                + "drained", "control plane dark: no failed call, drain still in force",
                "mirror: one lease holder per region", "mirror holder dies: another takes over, state unchanged");
        assertThat(report.passed()).isTrue();
    }

    @Test
    void theSessionStorePhaseShowsReadsAndSavesByOutcome() {
        DrillReport report = syntheticRun();
        Document html = Jsoup.parse(HtmlReport.html(report, new DrillSettings(Duration.ofSeconds(2), 4, 100, 1L)));

        assertThat(html.select("#session-store td").eachText()).containsExactly("80", "10", "0", "78", "30", "0", "0");
        assertThat(html.select("h2:containsOwn(Session store) + p").text()).contains("90 reads: 80 served, 10 refused,"
                + " 0 stale");
        assertThat(html.select("#invariants td").eachText()).contains("session store: no stale session read",
                "session store: no session written outside its regions",
                "session store: no acknowledged save lost");
    }

    @Test
    void aStaleSessionReadOrASessionWrittenOutsideItsRegionsFailsTheDrill() {
        assertThat(new SessionPhaseOutcome(12, 90, 80, 10, 1, 80, 78, 30, 0, 0, 0).invariants().values())
                .anyMatch(inv -> !inv.holds());
        assertThat(new SessionPhaseOutcome(12, 90, 80, 10, 0, 80, 78, 30, 0, 1, 1).invariants().values())
                .anyMatch(inv -> !inv.holds());
        assertThat(new SessionPhaseOutcome(12, 90, 80, 10, 0, 80, 78, 30, 1, 0, 0).invariants().values())
                .anyMatch(inv -> !inv.holds());
        assertThat(SESSION_STORE.invariants().values()).allMatch(DrillReport.Invariant::holds);
    }

    @Test
    void aRequestToTheDrainedRegionOrAFailureInTheDarkFailsTheDrill() {
        FleetDrainOutcome leaked = new FleetDrainOutcome(List.of(
                new FleetDrainOutcome.InstanceDrain("instance-1", "eu-west-1", 900, 2)),
                Duration.ofSeconds(1), Duration.ofSeconds(2), 100, 0, 0, mirror("mirror-eu-west-1-b", 0, true));
        FleetDrainOutcome darkFailure = new FleetDrainOutcome(List.of(
                new FleetDrainOutcome.InstanceDrain("instance-1", "eu-west-1", 900, 0)),
                Duration.ofSeconds(1), Duration.ofSeconds(2), 100, 1, 0, mirror("mirror-eu-west-1-b", 0, true));
        FleetDrainOutcome noTakeover = new FleetDrainOutcome(FLEET_DRAIN.instances(), Duration.ofSeconds(1),
                Duration.ofSeconds(2), 100, 0, 0, mirror("none", 0, true));
        FleetDrainOutcome stateMoved = new FleetDrainOutcome(FLEET_DRAIN.instances(), Duration.ofSeconds(1),
                Duration.ofSeconds(2), 100, 0, 0, mirror("mirror-eu-west-1-b", 3, false));

        assertThat(leaked.invariants().values()).anyMatch(inv -> !inv.holds());
        assertThat(darkFailure.invariants().values()).anyMatch(inv -> !inv.holds());
        assertThat(noTakeover.invariants().values()).anyMatch(inv -> !inv.holds());
        assertThat(stateMoved.invariants().values()).anyMatch(inv -> !inv.holds());
        assertThat(FLEET_DRAIN.invariants().values()).allMatch(DrillReport.Invariant::holds);
    }
}
