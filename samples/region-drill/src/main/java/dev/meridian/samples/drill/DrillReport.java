package dev.meridian.samples.drill;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The drill's outcome: per-phase statistics, the timeline's samples and the invariants that decide the exit code.
 * Immutable once built.
 *
 * @param phases               per-phase statistics, in timeline order
 * @param breakerTransitions   circuit breaker transitions over the whole run, by "region FROM->TO"
 * @param idempotentRequests   "place order" requests issued
 * @param callerRetries        of which repeated by the caller with the same idempotency key
 * @param sideEffects          "place order" side effects actually executed
 * @param duplicateExecutions  side effects executed more than once for one idempotency key
 * @param restrictedToUs       DynamoDB requests for the EU-only table that reached us-east-1
 * @param residencyRefusals    refusals counted by Meridian ({@code meridian.residency.refused})
 * @param convergence          per table: item count when identical in every region, or the problem
 * @param converged            whether every table is identical in every region after healing
 * @param ledger               the JDBC keyed writes' check (none lost, none applied twice)
 * @param maxStaleness         the stalest JDBC read, behind the newest write acknowledged before it
 * @param stalenessBound       the staleness a read may show
 * @param restrictedJdbcOutsideEu RESTRICTED JDBC reads answered by a non-EU server
 * @param samples              the timeline, about one sample per second
 * @param journalTotals        per region: requests its journal recorded over the timeline, read off the journal
 * @param html                 the picture of the run, once written (null before)
 */
record DrillReport(List<PhaseStats> phases, Map<String, Long> breakerTransitions, long idempotentRequests,
        long callerRetries, long sideEffects, long duplicateExecutions, long restrictedToUs, long residencyRefusals,
        Map<String, String> convergence, boolean converged, LedgerCheck ledger, Duration maxStaleness,
        Duration stalenessBound, long restrictedJdbcOutsideEu, List<Sample> samples, Map<String, Long> journalTotals,
        Path html) {

    /** 0 when the invariants hold, 1 otherwise. */
    public int exitCode() {
        return passed() ? 0 : 1;
    }

    /** Whether every invariant holds; the verdict depends on nothing else (not on timing or counts of errors). */
    public boolean passed() {
        return invariants().values().stream().allMatch(Invariant::holds);
    }

    DrillReport withHtml(Path path) {
        return new DrillReport(phases, breakerTransitions, idempotentRequests, callerRetries, sideEffects,
                duplicateExecutions, restrictedToUs, residencyRefusals, convergence, converged, ledger, maxStaleness,
                stalenessBound, restrictedJdbcOutsideEu, samples, journalTotals, path);
    }

    /** One invariant's verdict and what was measured. */
    record Invariant(boolean holds, String measured) {
    }

    /** The invariants by name, in the order they are printed. */
    Map<String, Invariant> invariants() {
        Map<String, Invariant> all = new LinkedHashMap<>();
        all.put("no duplicate executions (DynamoDB idempotency)", new Invariant(duplicateExecutions == 0,
                duplicateExecutions + " duplicate side effects; " + sideEffects + " side effects for "
                        + idempotentRequests + " requests (+" + callerRetries + " caller retries)"));
        all.put("RESTRICTED DynamoDB requests never sent to us-east-1", new Invariant(restrictedToUs == 0,
                restrictedToUs + " sent; " + residencyRefusals + " refused by Meridian"));
        all.put("global tables identical in every region after healing", new Invariant(converged,
                convergence.toString()));
        all.put("no JDBC write lost or applied twice across the promotion", new Invariant(ledger.holds(),
                ledger.acknowledged() + " acknowledged, " + ledger.rows() + " in the ledger, " + ledger.lost()
                        + " lost, " + ledger.appliedTwice() + " applied twice"));
        all.put("JDBC reads within the staleness bound", new Invariant(maxStaleness.compareTo(stalenessBound) <= 0,
                "stalest read " + maxStaleness.toMillis() + " ms behind, bound " + stalenessBound.toMillis() + " ms"));
        all.put("RESTRICTED rows never read from a non-EU replica", new Invariant(restrictedJdbcOutsideEu == 0,
                restrictedJdbcOutsideEu + " read outside the EU"));
        return all;
    }

    long totalOps() {
        return phases.stream().mapToLong(p -> p.ops.sum()).sum();
    }

    long totalErrors() {
        return phases.stream().mapToLong(p -> p.errors.sum()).sum();
    }

    /** Every call that did not succeed outright and why, by name: "held: ...", "refused: ...", "error: ...". */
    List<String> explainedOutcomes() {
        List<String> lines = new ArrayList<>();
        for (PhaseStats p : phases) {
            p.heldReasons.forEach((reason, n) -> lines.add("'" + p.name + "': held " + n.sum() + " x " + reason));
            if (p.refusals.sum() > 0) {
                lines.add("'" + p.name + "': refused " + p.refusals.sum() + " x RESTRICTED call with no healthy EU"
                        + " region (ResidencyViolationException, fail closed)");
            }
            p.errorTypes.forEach((type, n) -> lines.add("'" + p.name + "': error " + n.sum() + " x " + type + " ("
                    + p.errorSamples.get(type) + ")"));
        }
        return lines;
    }

    static String[] columns() {
        return new String[] {"phase", "s", "calls", "errors", "refused", "held", "failovers", "breaker",
            "superseded", "p50 ms", "p99 ms", "ddb eu-west-1", "ddb eu-central-1", "ddb us-east-1",
            "jdbc eu-west-1", "jdbc eu-central-1", "jdbc us-east-1"};
    }

    static List<String> row(PhaseStats p) {
        return List.of(p.name, String.format(Locale.ROOT, "%.1f", p.seconds), Long.toString(p.ops.sum()),
                Long.toString(p.errors.sum()), Long.toString(p.refusals.sum()), Long.toString(p.held.sum()),
                Long.toString(p.failovers), Long.toString(p.breakerTransitions), Long.toString(p.superseded.sum()),
                String.format(Locale.ROOT, "%.1f", p.percentileMillis(50)),
                String.format(Locale.ROOT, "%.1f", p.percentileMillis(99)),
                Long.toString(p.requestsPerRegion.getOrDefault(Phase.EU_WEST_1, 0L)),
                Long.toString(p.requestsPerRegion.getOrDefault(Phase.EU_CENTRAL_1, 0L)),
                Long.toString(p.requestsPerRegion.getOrDefault(Phase.US_EAST_1, 0L)),
                Long.toString(p.jdbcPerRegion.getOrDefault(Phase.EU_WEST_1, 0L)),
                Long.toString(p.jdbcPerRegion.getOrDefault(Phase.EU_CENTRAL_1, 0L)),
                Long.toString(p.jdbcPerRegion.getOrDefault(Phase.US_EAST_1, 0L)));
    }

    void print(PrintStream out) {
        out.println();
        out.println("Summary (ddb = DynamoDB HTTP requests each region's journal recorded; jdbc = statements each "
                + "region's PostgreSQL server answered)");
        String[] columns = columns();
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < columns.length; i++) {
            header.append(i == 0 ? String.format(Locale.ROOT, "%-24s", columns[i])
                    : String.format(Locale.ROOT, " %" + Math.max(5, columns[i].length()) + "s", columns[i]));
        }
        out.println(header);
        out.println("-".repeat(header.length()));
        for (PhaseStats p : phases) {
            List<String> cells = row(p);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                line.append(i == 0 ? String.format(Locale.ROOT, "%-24s", cells.get(i))
                        : String.format(Locale.ROOT, " %" + Math.max(5, columns[i].length()) + "s", cells.get(i)));
            }
            out.println(line);
        }
        out.println("-".repeat(header.length()));
        out.printf(Locale.ROOT, "total: %d calls, %d errors%n", totalOps(), totalErrors());
        out.println();
        out.println("Calls that did not succeed outright, by phase and reason:");
        List<String> explained = explainedOutcomes();
        if (explained.isEmpty()) {
            out.println("  none");
        }
        explained.forEach(line -> out.println("  " + line));
        out.println("breaker transitions: " + (breakerTransitions.isEmpty() ? "none" : breakerTransitions));
        out.println();
        out.println("Invariants (the verdict depends on these only):");
        invariants().forEach((name, inv) -> out.printf(Locale.ROOT, "  %-58s %s  (%s)%n", name,
                inv.holds() ? "PASS" : "FAIL", inv.measured()));
        out.println("RESULT: " + (passed() ? "PASS" : "FAIL"));
    }
}
