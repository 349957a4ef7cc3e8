package dev.meridian.samples.drill;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the session store phase ({@link SessionPhase}) counted. Immutable.
 *
 * @param sessions        RESTRICTED (German subject) sessions driven through the repository
 * @param reads           session reads made
 * @param served          of which returned the session
 * @param refused         of which refused ({@code SessionNotReadableException}: no region showed the last version)
 * @param stale           of which returned a version older than the session's last acknowledged save (must be 0)
 * @param saves           saves made
 * @param saved           of which acknowledged
 * @param savedElsewhere  of which acknowledged in another region than eu-west-1 (the session region was failing)
 * @param lost            sessions whose stored version, after healing, is older than their last acknowledged save
 * @param outsideEu       session requests the us-east-1 journal recorded (RESTRICTED: must be 0)
 * @param writesOutsideEu of which writes ({@code PutItem}, {@code DeleteItem})
 */
public record SessionPhaseOutcome(int sessions, long reads, long served, long refused, long stale, long saves,
        long saved, long savedElsewhere, long lost, long outsideEu, long writesOutsideEu) {

    /** The phase's invariants (counts only), added to the drill's. */
    Map<String, DrillReport.Invariant> invariants() {
        Map<String, DrillReport.Invariant> all = new LinkedHashMap<>();
        all.put("session store: no stale session read", new DrillReport.Invariant(stale == 0 && served > 0,
                stale + " stale of " + reads + " reads (" + served + " served, " + refused + " refused)"));
        all.put("session store: no session written outside its regions", new DrillReport.Invariant(
                outsideEu == 0, writesOutsideEu + " writes (" + outsideEu + " requests) in us-east-1 for "
                        + sessions + " RESTRICTED sessions (their data class allows the EU regions only)"));
        all.put("session store: no acknowledged save lost", new DrillReport.Invariant(lost == 0,
                lost + " of " + sessions + " sessions behind their last acknowledged save after healing"));
        return all;
    }

    /** One line: what the reads and saves saw. */
    String summary() {
        return String.format(Locale.ROOT, "%d reads: %d served, %d refused, %d stale; %d saves: %d acknowledged (%d"
                + " outside eu-west-1), %d lost; %d session writes outside the EU", reads, served, refused, stale,
                saves, saved, savedElsewhere, lost, writesOutsideEu);
    }

    /** The phase's lines as it ends. */
    void printProgress(PrintStream out) {
        out.println("  " + summary());
    }
}
