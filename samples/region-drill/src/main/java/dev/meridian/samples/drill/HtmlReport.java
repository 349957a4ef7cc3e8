package dev.meridian.samples.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Writes the drill's picture: one self-contained HTML file (inline SVG and CSS, no script, font or network) with
 * the phases across the top, DynamoDB requests and JDBC statements per second per region (stacked), calls refused
 * or held and errors, each region's breaker state as coloured bands, replication lag, then the summary table and
 * the invariants. Every drawn count carries a {@code data-count} attribute, so a test can check the numbers.
 */
final class HtmlReport {
    static final String FILE_NAME = "region-drill.html";
    private static final int WIDTH = 1100;
    private static final int LEFT = 130;
    private static final int RIGHT = 20;
    private static final int CHART = 110;
    private static final int GAP = 28;
    private static final Map<String, String> REGION_COLOURS = Map.of(Phase.EU_WEST_1, "#4e79a7",
            Phase.EU_CENTRAL_1, "#59a14f", Phase.US_EAST_1, "#f28e2b");
    private static final Map<String, String> BREAKER_COLOURS = Map.of("CLOSED", "#8cd17d", "OPEN", "#e15759",
            "HALF_OPEN", "#f1ce63", Sampler.SUSPECT, "#ff9da7");

    private HtmlReport() {
    }

    /** Writes {@value #FILE_NAME} into {@code dir} (created if needed) and returns its path. */
    static Path write(DrillReport report, DrillSettings settings, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        Files.writeString(file, html(report, settings), StandardCharsets.UTF_8);
        return file;
    }

    static String html(DrillReport report, DrillSettings settings) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Meridian region drill")
                .append("</title>\n<style>body{font-family:sans-serif;margin:16px;color:#222}table{border-collapse:")
                .append("collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}")
                .append("td:first-child,th:first-child{text-align:left}.PASS{color:#1a7f37;font-weight:bold}")
                .append(".FAIL{color:#c00;font-weight:bold}.legend span{display:inline-block;margin-right:14px}")
                .append(".sw{display:inline-block;width:10px;height:10px;margin-right:4px}</style></head><body>\n");
        html.append("<h1>Meridian region drill: ").append(report.passed() ? "<span class=\"PASS\">PASS</span>"
                : "<span class=\"FAIL\">FAIL</span>").append("</h1>\n");
        html.append(String.format(Locale.ROOT, "<p>%d workers, ~%d calls/s, %d phases of %.1f s; eu-west-1 is the "
                + "local region. Hover a bar for its numbers.</p>%n", settings.workers(), settings.opsPerSecond(),
                report.phaseStats().size(), settings.phaseDuration().toMillis() / 1000.0));
        html.append("<p class=\"legend\">");
        for (String region : Phase.REGIONS) {
            html.append("<span><i class=\"sw\" style=\"background:").append(REGION_COLOURS.get(region))
                    .append("\"></i>").append(region).append("</span>");
        }
        for (Outcome o : Outcome.values()) {
            html.append("<span><i class=\"sw\" style=\"background:").append(o.colour).append("\"></i>")
                    .append(Svg.escape(o.label)).append("</span>");
        }
        BREAKER_COLOURS.forEach((state, colour) -> html.append("<span><i class=\"sw\" style=\"background:")
                .append(colour).append("\"></i>breaker ").append(state).append("</span>"));
        html.append("</p>\n").append(chart(report)).append('\n');
        html.append("<h2>Summary</h2>\n<table id=\"summary\"><tr>");
        for (String column : DrillReport.columns()) {
            html.append("<th>").append(Svg.escape(column)).append("</th>");
        }
        html.append("</tr>\n");
        String[] columns = DrillReport.columns();
        for (int index = 0; index < report.phaseStats().size(); index++) {
            html.append("<tr>");
            List<String> cells = report.row(index);
            for (int i = 0; i < cells.size(); i++) {
                html.append("<td data-column=\"").append(Svg.escape(columns[i])).append("\">")
                        .append(Svg.escape(cells.get(i))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("<tr class=\"total\">");
        List<String> totals = report.totalRow();
        for (int i = 0; i < totals.size(); i++) {
            html.append("<th data-total=\"").append(Svg.escape(columns[i])).append("\">")
                    .append(Svg.escape(totals.get(i))).append("</th>");
        }
        html.append("</tr>\n");
        html.append("</table>\n<h2>Calls that did not succeed outright</h2>\n<ul>");
        List<String> explained = report.explainedOutcomes();
        if (explained.isEmpty()) {
            html.append("<li>none</li>");
        }
        explained.forEach(line -> html.append("<li>").append(Svg.escape(line)).append("</li>"));
        html.append("</ul>\n");
        fleetDrain(html, report.fleetDrain());
        sessionStore(html, report.sessionStore());
        html.append("<h2>Invariants</h2>\n<table id=\"invariants\"><tr><th>invariant</th><th>verdict</th>")
                .append("<th>measured</th></tr>\n");
        report.invariants().forEach((name, inv) -> html.append("<tr><td>").append(Svg.escape(name))
                .append("</td><td class=\"").append(inv.holds() ? "PASS\">PASS" : "FAIL\">FAIL").append("</td><td>")
                .append(Svg.escape(inv.measured())).append("</td></tr>\n"));
        html.append("</table>\n</body></html>\n");
        return html.toString();
    }

    /** The fleet drain phase: a row per instance, then the control plane's dark window. */
    private static void fleetDrain(StringBuilder html, FleetDrainOutcome drain) {
        html.append("<h2>Fleet drain</h2>\n<p>").append(drain.instances().size())
                .append(" independent runtimes poll the control table; mirror lease holders copy ARC into it; the "
                        + "operator CLI turns eu-west-1's ARC routing control Off. ")
                .append(Svg.escape(drain.summary())).append("</p>\n<table id=\"fleet-drain\"><tr><th>instance</th>")
                .append("<th>control table read in</th><th>flip to last call in eu-west-1 (ms)</th>")
                .append("<th>calls in eu-west-1 afterwards</th></tr>\n");
        for (FleetDrainOutcome.InstanceDrain i : drain.instances()) {
            html.append("<tr><td>").append(Svg.escape(i.name())).append("</td><td>")
                    .append(Svg.escape(i.controlReadRegion())).append("</td><td data-count=\"")
                    .append(i.lastCallMillis()).append("\">").append(i.lastCallMillis()).append("</td><td data-count=\"")
                    .append(i.euWestAfter()).append("\">").append(i.euWestAfter()).append("</td></tr>\n");
        }
        html.append("</table>\n");
        mirror(html, drain.mirror());
        html.append("<p id=\"control-dark\">Control plane dark: <span data-count=\"")
                .append(drain.darkCalls()).append("\">").append(drain.darkCalls()).append("</span> calls, ")
                .append("<span data-count=\"").append(drain.darkFailures()).append("\">").append(drain.darkFailures())
                .append("</span> failed, <span data-count=\"").append(drain.darkEuWest()).append("\">")
                .append(drain.darkEuWest()).append("</span> sent to eu-west-1 (the last known state holds)</p>\n");
    }

    /** Mirror mode: a row per region's lease holder, then ARC's load and a holder's death. */
    private static void mirror(StringBuilder html, FleetDrainOutcome.Mirror mirror) {
        html.append("<table id=\"fleet-mirror\"><tr><th>region</th><th>mirror lease holder</th></tr>\n");
        new java.util.TreeMap<>(mirror.holders()).forEach((region, holder) -> html.append("<tr><td>")
                .append(Svg.escape(region)).append("</td><td>").append(Svg.escape(holder)).append("</td></tr>\n"));
        html.append("</table>\n<p id=\"mirror-takeover\">").append(Svg.escape(mirror.summary())).append("</p>\n");
    }

    /** The session store phase: reads and saves by outcome, and session requests outside the EU. */
    private static void sessionStore(StringBuilder html, SessionPhaseOutcome s) {
        html.append("<h2>Session store</h2>\n<p>").append(s.sessions())
                .append(" RESTRICTED sessions (subject DE) through the DynamoDB session repository while eu-west-1 fails, ")
                .append("first with eu-central-1 behind it. ").append(Svg.escape(s.summary())).append("</p>\n")
                .append("<table id=\"session-store\"><tr><th>reads served</th><th>refused</th><th>stale</th>")
                .append("<th>saves acknowledged</th><th>of which outside eu-west-1</th><th>lost</th>")
                .append("<th>session writes outside the EU</th></tr>\n<tr>");
        for (long n : new long[] {s.served(), s.refused(), s.stale(), s.saved(), s.savedElsewhere(), s.lost(),
            s.writesOutsideEu()}) {
            html.append("<td data-count=\"").append(n).append("\">").append(n).append("</td>");
        }
        html.append("</tr>\n</table>\n");
    }

    private static String chart(DrillReport report) {
        List<Sample> samples = report.samples();
        double total = samples.isEmpty() ? 1 : samples.get(samples.size() - 1).startSeconds()
                + samples.get(samples.size() - 1).seconds();
        int rows = 5;
        int height = 40 + rows * (CHART + GAP) + 3 * 18 + 30;
        Svg svg = new Svg(WIDTH, height);
        Function<Double, Double> x = t -> LEFT + t / total * (WIDTH - LEFT - RIGHT);
        int y = 8;
        phases(svg, report, samples, x, y);
        y += 36;
        y = stacked(svg, samples, x, y, "DynamoDB requests/s", "ddb", Sample::dynamoRequests);
        y = stacked(svg, samples, x, y, "JDBC statements/s", "jdbc", Sample::jdbcStatements);
        y = outcomes(svg, samples, x, y);
        y = breakers(svg, samples, x, y);
        lag(svg, samples, x, y);
        return svg.toString();
    }

    private static void phases(Svg svg, DrillReport report, List<Sample> samples, Function<Double, Double> x, int y) {
        for (int i = 0; i < report.phaseStats().size(); i++) {
            int index = i;
            List<Sample> inPhase = samples.stream().filter(s -> s.phase() == index).toList();
            if (inPhase.isEmpty()) {
                continue;
            }
            double from = x.apply(inPhase.get(0).startSeconds());
            Sample last = inPhase.get(inPhase.size() - 1);
            double to = x.apply(last.startSeconds() + last.seconds());
            svg.rect(from, y, to - from, 30, i % 2 == 0 ? "#eef1f6" : "#dde3ec",
                    Map.of("class", "phase", "data-phase", report.phaseStats().get(i).name), report.phaseStats().get(i).name);
            svg.text(from + 3, y + 12, (i + 1) + ".", 10, "start");
            String[] words = report.phaseStats().get(i).name.split(" ", 2);
            svg.text(from + 3, y + 26, words.length > 1 ? words[0] + " " + words[1] : words[0], 8, "start");
        }
    }

    private static int stacked(Svg svg, List<Sample> samples, Function<Double, Double> x, int y, String label,
            String kind, Function<Sample, Map<String, Long>> counts) {
        double max = samples.stream().mapToDouble(s -> counts.apply(s).values().stream().mapToLong(Long::longValue)
                .sum() / length(s)).max().orElse(1);
        max = Math.max(1, max);
        axis(svg, y, label, max);
        for (Sample s : samples) {
            double x0 = x.apply(s.startSeconds());
            double w = x.apply(s.startSeconds() + s.seconds()) - x0 - 0.5;
            double base = y + CHART;
            for (String region : Phase.REGIONS) {
                long n = counts.apply(s).getOrDefault(region, 0L);
                double h = n / length(s) / max * CHART;
                svg.rect(x0, base - h, w, h, REGION_COLOURS.get(region), Map.of("class", kind, "data-region", region,
                        "data-count", Long.toString(n)), String.format(Locale.ROOT, "%s %s: %d in %.1f s", kind,
                        region, n, s.seconds()));
                base -= h;
            }
        }
        return y + CHART + GAP;
    }

    /** Calls that did not succeed, stacked per sample: refused (residency), held (kept for later), errors. */
    private static int outcomes(Svg svg, List<Sample> samples, Function<Double, Double> x, int y) {
        double max = Math.max(1, samples.stream().mapToDouble(s -> (s.refused() + s.held() + s.errors())
                / length(s)).max().orElse(1));
        axis(svg, y, "not served/s", max);
        for (Sample s : samples) {
            double x0 = x.apply(s.startSeconds());
            double w = x.apply(s.startSeconds() + s.seconds()) - x0 - 0.5;
            double base = y + CHART;
            for (Outcome o : Outcome.values()) {
                long n = o.count(s);
                double h = n / length(s) / max * CHART;
                base -= h;
                svg.rect(x0, base, w, h, o.colour, Map.of("class", o.cssClass, "data-count", Long.toString(n)),
                        o.label + ": " + n);
            }
        }
        return y + CHART + GAP;
    }

    /** The series of the outcomes chart, as the drill's README names them. */
    enum Outcome {
        REFUSED("refused", "#b07aa1", "refused (residency, fail closed)"),
        HELD("held", "#76b7b2", "held (kept for later, nothing executed)"),
        ERRORS("errors", "#c00", "errors");

        final String cssClass;
        final String colour;
        final String label;

        Outcome(String cssClass, String colour, String label) {
            this.cssClass = cssClass;
            this.colour = colour;
            this.label = label;
        }

        long count(Sample s) {
            return switch (this) {
                case REFUSED -> s.refused();
                case HELD -> s.held();
                case ERRORS -> s.errors();
            };
        }
    }

    /** A sample's length for rates; never zero. */
    private static double length(Sample s) {
        return Math.max(s.seconds(), 0.001);
    }

    private static int breakers(Svg svg, List<Sample> samples, Function<Double, Double> x, int y) {
        svg.text(4, y + 10, "region breakers", 11, "start");
        for (String region : Phase.REGIONS) {
            svg.text(LEFT - 6, y + 12, region, 10, "end");
            for (Sample s : samples) {
                double x0 = x.apply(s.startSeconds());
                String state = s.breakers().getOrDefault(region, "UNKNOWN");
                svg.rect(x0, y + 2, x.apply(s.startSeconds() + s.seconds()) - x0, 12,
                        BREAKER_COLOURS.getOrDefault(state, "#bab0ac"), Map.of("class", "breaker", "data-region",
                                region, "data-state", state), region + " breaker " + state);
            }
            y += 18;
        }
        return y + GAP;
    }

    private static void lag(Svg svg, List<Sample> samples, Function<Double, Double> x, int y) {
        double maxPending = Math.max(1, samples.stream().mapToLong(Sample::pendingReplication).max().orElse(1));
        double maxLag = Math.max(1000, samples.stream().flatMap(s -> s.auroraLagMillis().values().stream())
                .mapToLong(Long::longValue).max().orElse(1000));
        axis(svg, y, "replication lag", maxLag / 1000.0);
        svg.text(4, y + 36, "lines: Aurora replica", 9, "start");
        svg.text(4, y + 46, "lag (s, left axis);", 9, "start");
        svg.text(4, y + 56, "grey bars: DynamoDB", 9, "start");
        svg.text(4, y + 66, "changes pending (max " + (long) maxPending + ")", 9, "start");
        for (Sample s : samples) {
            double x0 = x.apply(s.startSeconds());
            double h = s.pendingReplication() / maxPending * CHART;
            svg.rect(x0, y + CHART - h, x.apply(s.startSeconds() + s.seconds()) - x0 - 0.5, h, "#d7d7d7",
                    Map.of("class", "pending", "data-count", Long.toString(s.pendingReplication())),
                    "DynamoDB changes pending: " + s.pendingReplication());
        }
        for (String region : Phase.REGIONS) {
            ToDoubleFunction<Sample> lag = s -> s.auroraLagMillis().getOrDefault(region, -1L);
            double[] points = samples.stream().filter(s -> lag.applyAsDouble(s) >= 0)
                    .flatMapToDouble(s -> java.util.stream.DoubleStream.of(x.apply(s.startSeconds() + s.seconds()),
                            y + CHART - lag.applyAsDouble(s) / maxLag * CHART)).toArray();
            if (points.length >= 4) {
                svg.polyline(points, REGION_COLOURS.get(region), Map.of("class", "aurora-lag", "data-region", region));
            }
        }
    }

    private static void axis(Svg svg, int y, String label, double max) {
        svg.text(4, y + 10, label, 11, "start");
        svg.text(LEFT - 6, y + 10, String.format(Locale.ROOT, "%.0f", max), 9, "end");
        svg.text(LEFT - 6, y + CHART, "0", 9, "end");
        svg.line(LEFT, y + CHART, WIDTH - RIGHT, y + CHART, "#999", 1);
        svg.line(LEFT, y, LEFT, y + CHART, "#999", 1);
    }
}
