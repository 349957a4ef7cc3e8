package dev.meridian.samples.drill;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the fleet drain phase ({@link FleetDrain}) measured. Immutable.
 *
 * @param instances      per instance: how long after the CLI's acknowledged write it last sent to eu-west-1
 * @param poll           the control table's poll interval
 * @param target         the acceptance for the slowest instance (reported, not part of the verdict: timing)
 * @param darkCalls      calls the fleet made while the control plane was dark
 * @param darkFailures   of which failed
 * @param darkEuWest     requests sent to eu-west-1 while the control plane was dark (the drain must hold)
 */
public record FleetDrainOutcome(List<InstanceDrain> instances, Duration poll, Duration target, long darkCalls,
        long darkFailures, long darkEuWest) {

    /**
     * One instance's drain.
     *
     * @param name              "instance-1", ...
     * @param controlReadRegion the region it reads the control table in first
     * @param lastCallMillis    from the CLI's acknowledged write to its last request sent to eu-west-1 (0: none after)
     * @param euWestAfter       requests it sent to eu-west-1 after it applied the drain (must be 0)
     */
    public record InstanceDrain(String name, String controlReadRegion, long lastCallMillis, long euWestAfter) {
        /** Checks the name. */
        public InstanceDrain {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Copies the list. */
    public FleetDrainOutcome {
        instances = List.copyOf(instances);
    }

    /** The slowest instance: p100 across the fleet of the time from the flip to its last call in eu-west-1. */
    public long p100Millis() {
        return instances.stream().mapToLong(InstanceDrain::lastCallMillis).max().orElse(0);
    }

    /** Requests sent to eu-west-1 after the drain took effect, over the fleet and both windows. */
    public long euWestAfterDrain() {
        return instances.stream().mapToLong(InstanceDrain::euWestAfter).sum() + darkEuWest;
    }

    /** Whether the slowest instance stopped within {@link #target()} (timing: shown, not judged). */
    public boolean withinTarget() {
        return p100Millis() <= target.toMillis();
    }

    /** The phase's invariants (counts only), added to the drill's. */
    Map<String, DrillReport.Invariant> invariants() {
        Map<String, DrillReport.Invariant> all = new LinkedHashMap<>();
        all.put("fleet drain: no request to eu-west-1 once drained", new DrillReport.Invariant(
                        euWestAfterDrain() == 0, euWestAfterDrain() + " sent by " + instances.size()
                                + " instances after they applied it"));
        all.put("control plane dark: no failed call, drain still in force", new DrillReport.Invariant(
                        darkFailures == 0 && darkEuWest == 0 && darkCalls > 0, darkFailures + " failed of "
                                + darkCalls + " calls, " + darkEuWest + " sent to eu-west-1"));
        return all;
    }

    /** The phase's lines as it ends. */
    void printProgress(PrintStream out) {
        for (InstanceDrain i : instances) {
            out.printf(Locale.ROOT, "  %s (control table read in %s first): last call in eu-west-1 %d ms after the"
                    + " flip, %d after%n", i.name(), i.controlReadRegion(), i.lastCallMillis(), i.euWestAfter());
        }
        out.println("  " + summary());
        out.printf(Locale.ROOT, "  control plane dark: %d calls, %d failed, %d sent to eu-west-1 (last known state)%n",
                darkCalls, darkFailures, darkEuWest);
    }

    /** One line: p100 against the target. */
    String summary() {
        return String.format(Locale.ROOT, "fleet drain p100 %d ms across %d instances (poll %d ms; target <= %d ms:"
                + " %s)", p100Millis(), instances.size(), poll.toMillis(), target.toMillis(),
                withinTarget() ? "met" : "MISSED");
    }
}
