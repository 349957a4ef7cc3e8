package dev.meridian.samples.drill;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The drill's outcome: per-phase statistics and the invariants that decide the exit code (no duplicate executions,
 * every replica converged, no RESTRICTED request sent outside the EU). Immutable once built.
 *
 * @param phases               per-phase statistics, in timeline order
 * @param breakerTransitions   circuit breaker transitions over the whole run, by "region FROM->TO"
 * @param idempotentRequests   "place order" requests issued
 * @param callerRetries        of which repeated by the caller with the same idempotency key
 * @param sideEffects          "place order" side effects actually executed
 * @param duplicateExecutions  side effects executed more than once for one idempotency key
 * @param restrictedToUs       requests for the EU-only table that reached us-east-1
 * @param residencyRefusals    refusals counted by Meridian ({@code meridian.residency.refused})
 * @param convergence          per table: item count when identical in every region, or the problem
 * @param converged            whether every table is identical in every region after healing
 */
record DrillReport(List<PhaseStats> phases, Map<String, Long> breakerTransitions, long idempotentRequests,
        long callerRetries, long sideEffects, long duplicateExecutions, long restrictedToUs, long residencyRefusals,
        Map<String, String> convergence, boolean converged) {

    /** 0 when the invariants hold, 1 otherwise. */
    public int exitCode() {
        return passed() ? 0 : 1;
    }

    public boolean passed() {
        return duplicateExecutions == 0 && converged && restrictedToUs == 0;
    }

    public long totalOps() {
        return phases.stream().mapToLong(p -> p.ops.sum()).sum();
    }

    public long totalErrors() {
        return phases.stream().mapToLong(p -> p.errors.sum()).sum();
    }

    public long totalFailovers() {
        return phases.stream().mapToLong(p -> p.failovers).sum();
    }

    public long totalSuperseded() {
        return phases.stream().mapToLong(p -> p.superseded.sum()).sum();
    }

    public long totalHeld() {
        return phases.stream().mapToLong(p -> p.held.sum()).sum();
    }

    public long totalRefusalsSeen() {
        return phases.stream().mapToLong(p -> p.refusals.sum()).sum();
    }

    void print(PrintStream out) {
        out.println();
        out.println("Summary (requests per region = HTTP requests each local region received, from its journal)");
        String header = String.format(Locale.ROOT, "%-22s %6s %6s %7s %5s %9s %7s %10s %8s %8s %10s %12s %9s",
                "phase", "calls", "errors", "refused", "held", "failovers", "breaker", "superseded", "p50 ms", "p99 ms",
                "eu-west-1", "eu-central-1", "us-east-1");
        out.println(header);
        out.println("-".repeat(header.length()));
        for (PhaseStats p : phases) {
            out.println(String.format(Locale.ROOT, "%-22s %6d %6d %7d %5d %9d %7d %10d %8.1f %8.1f %10d %12d %9d",
                    p.name, p.ops.sum(), p.errors.sum(), p.refusals.sum(), p.held.sum(), p.failovers, p.breakerTransitions,
                    p.superseded.sum(), p.percentileMillis(50), p.percentileMillis(99),
                    p.requestsPerRegion.getOrDefault(Phase.EU_WEST_1, 0L),
                    p.requestsPerRegion.getOrDefault(Phase.EU_CENTRAL_1, 0L),
                    p.requestsPerRegion.getOrDefault(Phase.US_EAST_1, 0L)));
        }
        out.println("-".repeat(header.length()));
        out.println(String.format(Locale.ROOT, "%-22s %6d %6d %7d %5d %9d %7d %10d", "total", totalOps(),
                totalErrors(), totalRefusalsSeen(), totalHeld(), totalFailovers(), breakerTransitions.values().stream().mapToLong(Long::longValue)
                        .sum(), totalSuperseded()));
        out.println("errors: failures the application saw; refused: RESTRICTED calls with no healthy EU region"
                + " (ResidencyViolationException);");
        out.println("held: place-order requests whose idempotency key's home region was unavailable, refused by the"
                + " STRICT store (exactly-once over availability)");
        out.println();
        phases.stream().filter(p -> !p.errorTypes.isEmpty()).forEach(p -> out.println("errors in '" + p.name + "': "
                + p.errorTypes.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue().sum()).toList()));
        out.println("breaker transitions:   " + (breakerTransitions.isEmpty() ? "none" : breakerTransitions));
        out.println("idempotent requests:   " + idempotentRequests + " (+" + callerRetries
                + " caller retries with the same key), side effects executed: " + sideEffects);
        out.println("duplicate executions:  " + duplicateExecutions + (duplicateExecutions == 0 ? "  OK" : "  FAIL"));
        out.println("residency refusals:    " + residencyRefusals + " counted by Meridian; RESTRICTED (DE) requests"
                + " sent to us-east-1: " + restrictedToUs + (restrictedToUs == 0 ? "  OK" : "  FAIL"));
        out.println("convergence:           " + convergence + (converged ? "  OK" : "  FAIL"));
        out.println("RESULT: " + (passed() ? "PASS" : "FAIL"));
    }
}
