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
 * @param instances      per instance: how long after ARC acknowledged the CLI's update it last sent to eu-west-1
 * @param poll           the control table's poll interval
 * @param target         the acceptance for the slowest instance (reported, not part of the verdict: timing)
 * @param darkCalls      calls the fleet made while the control plane was dark
 * @param darkFailures   of which failed
 * @param darkEuWest     requests sent to eu-west-1 while the control plane was dark (the drain must hold)
 * @param mirror         the mirror: who held each region's lease, ARC's load, a holder's death and its successor
 */
public record FleetDrainOutcome(List<InstanceDrain> instances, Duration poll, Duration target, long darkCalls,
        long darkFailures, long darkEuWest, Mirror mirror) {

    /**
     * One instance's drain.
     *
     * @param name              "instance-1", ...
     * @param controlReadRegion the region it reads the control table in first
     * @param lastCallMillis    from ARC's acknowledgement of the CLI's update to its last request sent to eu-west-1
     *                          (0: none after)
     * @param euWestAfter       requests it sent to eu-west-1 after it applied the drain (must be 0)
     */
    public record InstanceDrain(String name, String controlReadRegion, long lastCallMillis, long euWestAfter) {
        /** Checks the name. */
        public InstanceDrain {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Mirror mode: lease-elected candidates copy ARC's routing controls into the control table the fleet reads.
     *
     * @param holders          region → the candidate that held its lease when the CLI flipped ARC
     * @param arcReads         {@code GetRoutingControlState} calls ARC answered up to the holder's death (the
     *                         holders' and the CLI's: the serving fleet reads the table)
     * @param arcSeconds       over how long
     * @param died             the eu-west-1 holder that died
     * @param successor        the candidate that took its lease ("none" if none did)
     * @param takeoverMillis   from its death to the successor holding the lease
     * @param lease            how long a lease lasts without renewal
     * @param mirrorPoll       the candidates' poll interval (ARC → table; the fleet's is {@code poll})
     * @param takeoverEuWest   requests the fleet sent to eu-west-1 from the death until one poll after the takeover
     * @param takeoverFailures calls of the fleet that failed meanwhile
     * @param stateUnchanged   whether eu-west-1 stayed OFF meanwhile, in the table and in every instance
     */
    public record Mirror(Map<String, String> holders, int arcReads, double arcSeconds, String died,
            String successor, long takeoverMillis, Duration lease, Duration mirrorPoll, long takeoverEuWest,
            long takeoverFailures,
            boolean stateUnchanged) {
        /** Copies the map. */
        public Mirror {
            holders = Map.copyOf(new LinkedHashMap<>(holders));
        }

        /** ARC's read rate during the phase. */
        public double arcReadsPerSecond() {
            return arcSeconds <= 0 ? 0 : arcReads / arcSeconds;
        }

        /** Whether another live candidate took the dead holder's lease. */
        public boolean tookOver() {
            return !successor.equals("none") && !successor.equals(died);
        }

        /** One line: ARC's load and the takeover. */
        String summary() {
            return String.format(Locale.ROOT, "ARC answered %d reads in %.1f s (%.1f/s: %d lease holders polling every "
                    + "%d ms, and the CLI; the serving fleet reads the table); "
                    + "%s died, %s took its lease after %d ms (lease %d s): %d calls to eu-west-1, %d failed, "
                    + "state %s meanwhile", arcReads, arcSeconds, arcReadsPerSecond(), holders.size(),
                    mirrorPoll.toMillis(), died, successor, takeoverMillis, lease.toSeconds(), takeoverEuWest,
                    takeoverFailures, stateUnchanged ? "unchanged" : "CHANGED");
        }
    }

    /** Copies the list. */
    public FleetDrainOutcome {
        instances = List.copyOf(instances);
        Objects.requireNonNull(mirror, "mirror");
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
        all.put("mirror: one lease holder per region", new DrillReport.Invariant(
                mirror.holders().size() == Phase.REGIONS.size(), mirror.holders().size() + " of "
                        + Phase.REGIONS.size() + " regions held: " + new java.util.TreeMap<>(mirror.holders())));
        all.put("mirror holder dies: another takes over, state unchanged", new DrillReport.Invariant(
                mirror.tookOver() && mirror.stateUnchanged() && mirror.takeoverEuWest() == 0
                        && mirror.takeoverFailures() == 0, mirror.successor() + " took " + mirror.died() + "'s lease; "
                        + mirror.takeoverEuWest() + " sent to eu-west-1, " + mirror.takeoverFailures() + " failed, state "
                        + (mirror.stateUnchanged() ? "unchanged" : "CHANGED")));
        return all;
    }

    /** The phase's lines as it ends. */
    void printProgress(PrintStream out) {
        for (InstanceDrain i : instances) {
            out.printf(Locale.ROOT, "  %s (control table read in %s first): last call in eu-west-1 %d ms after the"
                    + " flip, %d after%n", i.name(), i.controlReadRegion(), i.lastCallMillis(), i.euWestAfter());
        }
        out.println("  " + summary());
        new java.util.TreeMap<>(mirror.holders()).forEach((region, holder) -> out.printf(Locale.ROOT,
                "  mirror lease of %s held by %s%n", region, holder));
        out.println("  " + mirror.summary());
        out.printf(Locale.ROOT, "  control plane dark: %d calls, %d failed, %d sent to eu-west-1 (last known state)%n",
                darkCalls, darkFailures, darkEuWest);
    }

    /** One line: p100 against the target. */
    String summary() {
        return String.format(Locale.ROOT, "fleet drain p100 %d ms across %d instances, ARC flip to last call through "
                + "the mirror (poll %d ms; target <= %d ms: %s)", p100Millis(), instances.size(), poll.toMillis(),
                target.toMillis(),
                withinTarget() ? "met" : "MISSED");
    }
}
