package dev.meridian.samples.drill;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The drill's outcome, returned by {@link RegionDrill#run(DrillSettings)}: the invariants that decide the verdict
 * ({@link #passed()}, {@link #invariants()}), what the application saw in each phase ({@link #phases()}: calls by
 * outcome, failovers, breaker transitions) and the path of the picture ({@link #html()}). Immutable once built.
 *
 * <p>A phase's calls are the sums of its samples (about one a second), so the printed summary and the picture agree
 * by construction; a call counts in the phase it ended in, and calls under way when the timeline ends count in the
 * last phase.
 */
public final class DrillReport {
    private final List<PhaseStats> phases;
    private final Map<String, Long> breakerTransitions;
    private final long idempotentRequests;
    private final long callerRetries;
    private final long sideEffects;
    private final long duplicateExecutions;
    private final long restrictedToUs;
    private final long residencyRefusals;
    private final Map<String, String> convergence;
    private final boolean converged;
    private final LedgerCheck ledger;
    private final Duration maxStaleness;
    private final Duration stalenessBound;
    private final long restrictedJdbcOutsideEu;
    private final List<Sample> samples;
    private final Map<String, Long> journalTotals;
    private final FleetDrainOutcome fleetDrain;
    private final SessionPhaseOutcome sessionStore;
    private final Path html;

    /**
     * What one phase of the timeline saw. Immutable.
     *
     * @param name               the phase, as printed ("baseline", "eu-west-1 down", ...)
     * @param seconds            how long it lasted
     * @param calls              application calls that ended in it
     * @param errors             of which failed with an application-visible error
     * @param refused            of which refused by residency (RESTRICTED data with no allowed region healthy)
     * @param held               of which held: kept by the application for later, nothing executed
     * @param failovers          calls Meridian moved to another region ({@code meridian.failover})
     * @param breakerTransitions circuit breaker transitions ({@code meridian.breaker.transitions}), by
     *                           "region FROM->TO"
     */
    public record PhaseOutcome(String name, double seconds, long calls, long errors, long refused, long held,
            long failovers, Map<String, Long> breakerTransitions) {
        /** Copies the map. */
        public PhaseOutcome {
            Objects.requireNonNull(name, "name");
            breakerTransitions = Map.copyOf(breakerTransitions);
        }

        /** All breaker transitions of the phase. */
        public long breakerTransitionCount() {
            return breakerTransitions.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * One invariant's verdict and what was measured.
     *
     * @param holds    whether it held
     * @param measured what was measured, for a person
     */
    public record Invariant(boolean holds, String measured) {
    }

    /**
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
     * @param maxStaleness         the stalest JDBC read: how long before it began the first write it missed was written
     * @param stalenessBound       the staleness a read may show (the data source's {@code maxReplicaLag})
     * @param restrictedJdbcOutsideEu RESTRICTED JDBC reads answered by a non-EU server
     * @param samples              the timeline, about one sample per second
     * @param journalTotals        per region: requests its journal recorded over the timeline, read off the journal
     * @param fleetDrain           the fleet drain phase, run after the timeline
     * @param sessionStore         the session store phase, run after the fleet drain
     * @param html                 the picture of the run, once written (null before)
     */
    DrillReport(List<PhaseStats> phases, Map<String, Long> breakerTransitions, long idempotentRequests,
            long callerRetries, long sideEffects, long duplicateExecutions, long restrictedToUs, long residencyRefusals,
            Map<String, String> convergence, boolean converged, LedgerCheck ledger, Duration maxStaleness,
            Duration stalenessBound, long restrictedJdbcOutsideEu, List<Sample> samples, Map<String, Long> journalTotals,
            FleetDrainOutcome fleetDrain, SessionPhaseOutcome sessionStore, Path html) {
        this.phases = List.copyOf(phases);
        this.breakerTransitions = Map.copyOf(breakerTransitions);
        this.idempotentRequests = idempotentRequests;
        this.callerRetries = callerRetries;
        this.sideEffects = sideEffects;
        this.duplicateExecutions = duplicateExecutions;
        this.restrictedToUs = restrictedToUs;
        this.residencyRefusals = residencyRefusals;
        this.convergence = new LinkedHashMap<>(convergence);
        this.converged = converged;
        this.ledger = ledger;
        this.maxStaleness = maxStaleness;
        this.stalenessBound = stalenessBound;
        this.restrictedJdbcOutsideEu = restrictedJdbcOutsideEu;
        this.samples = List.copyOf(samples);
        this.journalTotals = Map.copyOf(journalTotals);
        this.fleetDrain = Objects.requireNonNull(fleetDrain, "fleetDrain");
        this.sessionStore = Objects.requireNonNull(sessionStore, "sessionStore");
        this.html = html;
    }

    /** What each phase saw, in timeline order. */
    public List<PhaseOutcome> phases() {
        List<PhaseOutcome> out = new ArrayList<>();
        for (int i = 0; i < phases.size(); i++) {
            PhaseStats p = phases.get(i);
            out.add(new PhaseOutcome(p.name, p.seconds, sampled(i, Sample::calls), sampled(i, Sample::errors),
                    sampled(i, Sample::refused), sampled(i, Sample::held), p.failovers, p.breakerTransitionsByKind));
        }
        return out;
    }

    /** The phase called {@code name} ("baseline", ...), if the timeline has one. */
    public Optional<PhaseOutcome> phase(String name) {
        return phases().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The fleet drain phase: per instance the time from the CLI's drain to its last call in eu-west-1. */
    public FleetDrainOutcome fleetDrain() {
        return fleetDrain;
    }

    /** The session store phase: reads served, refused and stale, and session writes outside the EU. */
    public SessionPhaseOutcome sessionStore() {
        return sessionStore;
    }

    /** The picture of the run ({@code region-drill.html}). */
    public Path html() {
        return html;
    }

    /** The name of the timeline's first phase, in which nothing is broken. */
    public static final String BASELINE = "baseline";

    /** 0 when the invariants hold, 1 otherwise. */
    public int exitCode() {
        return passed() ? 0 : 1;
    }

    /** Whether every invariant holds; the verdict depends on nothing else (not on timing or counts of errors). */
    public boolean passed() {
        return invariants().values().stream().allMatch(Invariant::holds);
    }

    /** Package-private views for the picture and tests. */
    List<PhaseStats> phaseStats() {
        return phases;
    }

    List<Sample> samples() {
        return samples;
    }

    Map<String, Long> journalTotals() {
        return journalTotals;
    }

    /** Sum of {@code count} over the samples of phase {@code index}. */
    long sampled(int index, java.util.function.ToLongFunction<Sample> count) {
        return samples.stream().filter(s -> s.phase() == index).mapToLong(count).sum();
    }

    /** Sum of {@code count} over every sample. */
    long sampled(java.util.function.ToLongFunction<Sample> count) {
        return samples.stream().mapToLong(count).sum();
    }

    DrillReport withHtml(Path path) {
        return new DrillReport(phases, breakerTransitions, idempotentRequests, callerRetries, sideEffects,
                duplicateExecutions, restrictedToUs, residencyRefusals, convergence, converged, ledger, maxStaleness,
                stalenessBound, restrictedJdbcOutsideEu, samples, journalTotals, fleetDrain, sessionStore, path);
    }

    /** The invariants by name, in the order they are printed; the verdict depends on these only. */
    public Map<String, Invariant> invariants() {
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
        all.putAll(fleetDrain.invariants());
        all.putAll(sessionStore.invariants());
        return all;
    }

    /** Application calls over the whole timeline. */
    public long totalCalls() {
        return sampled(Sample::calls);
    }

    /** Of which failed with an application-visible error. */
    public long totalErrors() {
        return sampled(Sample::errors);
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

    /** The summary table's row of phase {@code index}. */
    List<String> row(int index) {
        PhaseStats p = phases.get(index);
        return List.of(p.name, String.format(Locale.ROOT, "%.1f", p.seconds), Long.toString(sampled(index,
                Sample::calls)), Long.toString(sampled(index, Sample::errors)),
                Long.toString(sampled(index, Sample::refused)), Long.toString(sampled(index, Sample::held)),
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

    /**
     * The summary table's totals: the sums of every phase's row (calls by outcome, failovers, breaker transitions,
     * superseded writes, requests and statements per region); latency and length are left blank.
     */
    List<String> totalRow() {
        String[] columns = columns();
        List<String> total = new ArrayList<>();
        total.add("total");
        for (int c = 1; c < columns.length; c++) {
            if (columns[c].equals("s") || columns[c].startsWith("p50") || columns[c].startsWith("p99")) {
                total.add("");
                continue;
            }
            long sum = 0;
            for (int index = 0; index < phases.size(); index++) {
                sum += Long.parseLong(row(index).get(c));
            }
            total.add(Long.toString(sum));
        }
        return total;
    }

    /** Prints the summary, the calls that did not succeed, the baseline's figures and the invariants. */
    public void print(PrintStream out) {
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
        for (int index = 0; index < phases.size(); index++) {
            List<String> cells = row(index);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                line.append(i == 0 ? String.format(Locale.ROOT, "%-24s", cells.get(i))
                        : String.format(Locale.ROOT, " %" + Math.max(5, columns[i].length()) + "s", cells.get(i)));
            }
            out.println(line);
        }
        out.println("-".repeat(header.length()));
        List<String> totals = totalRow();
        StringBuilder totalLine = new StringBuilder();
        for (int i = 0; i < totals.size(); i++) {
            totalLine.append(i == 0 ? String.format(Locale.ROOT, "%-24s", totals.get(i))
                    : String.format(Locale.ROOT, " %" + Math.max(5, columns[i].length()) + "s", totals.get(i)));
        }
        out.println(totalLine);
        out.printf(Locale.ROOT, "total: %d calls, %d errors, %d refused, %d held%n", totalCalls(), totalErrors(),
                sampled(Sample::refused), sampled(Sample::held));
        phase(BASELINE).ifPresent(b -> out.printf(Locale.ROOT, "baseline (no fault): %d app errors, %d held, %d "
                + "breaker transitions %s%n", b.errors(), b.held(), b.breakerTransitionCount(),
                b.breakerTransitions().isEmpty() ? "" : b.breakerTransitions()));
        out.println();
        out.println("Calls that did not succeed outright, by phase and reason:");
        List<String> explained = explainedOutcomes();
        if (explained.isEmpty()) {
            out.println("  none");
        }
        explained.forEach(line -> out.println("  " + line));
        out.println("breaker transitions: " + (breakerTransitions.isEmpty() ? "none" : breakerTransitions));
        out.println();
        out.println("Fleet drain (" + fleetDrain.instances().size() + " runtimes polling the control table, mirrors "
                + "copying ARC into it; the CLI drains eu-west-1 in ARC, a mirror dies, the control plane goes dark):");
        fleetDrain.printProgress(out);
        out.println();
        out.println("Session store (" + sessionStore.sessions() + " RESTRICTED sessions through the DynamoDB session"
                + " repository; eu-west-1 fails, first with eu-central-1 behind it):");
        sessionStore.printProgress(out);
        out.println();
        out.println("Invariants (the verdict depends on these only):");
        invariants().forEach((name, inv) -> out.printf(Locale.ROOT, "  %-58s %s  (%s)%n", name,
                inv.holds() ? "PASS" : "FAIL", inv.measured()));
        out.println("RESULT: " + (passed() ? "PASS" : "FAIL"));
    }
}
