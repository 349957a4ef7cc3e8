package dev.meridian.samples.drill;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * One line per phase that a person can follow while the drill runs: the phase, a bar that grows a cell per tick,
 * then the phase's counts. Used by the main thread only.
 */
final class ProgressLine {
    private final PrintStream out;
    private final int phases;
    private final long started;

    ProgressLine(PrintStream out, int phases, long startedNanos) {
        this.out = out;
        this.phases = phases;
        this.started = startedNanos;
    }

    void begin(int index, String name) {
        out.printf(Locale.ROOT, "[%5.1fs] %2d/%d %-24s [", RegionDrill.seconds(started), index + 1, phases, name);
        out.flush();
    }

    void tick() {
        out.print('#');
        out.flush();
    }

    void end(PhaseStats p) {
        out.printf(Locale.ROOT, "] %4.1fs calls %4d  errors %d  refused %d  held %d  failovers %d  breaker %d  ddb %s"
                + "  jdbc %s%n", p.seconds, p.ops.sum(), p.errors.sum(), p.refusals.sum(), p.held.sum(), p.failovers,
                p.breakerTransitions, compact(p.requestsPerRegion), compact(p.jdbcPerRegion));
    }

    /** "w/c/u" counts for eu-west-1, eu-central-1, us-east-1. */
    private static String compact(Map<String, Long> perRegion) {
        return perRegion.getOrDefault(Phase.EU_WEST_1, 0L) + "/" + perRegion.getOrDefault(Phase.EU_CENTRAL_1, 0L)
                + "/" + perRegion.getOrDefault(Phase.US_EAST_1, 0L);
    }
}
