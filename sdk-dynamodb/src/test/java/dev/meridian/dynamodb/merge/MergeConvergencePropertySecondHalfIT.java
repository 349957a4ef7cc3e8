package dev.meridian.dynamodb.merge;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The other 12 of the 25 tries of {@link MergeConvergenceProperties}, in a class of its own so that a second failsafe
 * fork runs them.
 */
class MergeConvergencePropertySecondHalfIT extends MergeConvergenceProperties {

    @Property(tries = 12)
    void afterHealEveryRegionHoldsTheMergeOfEveryAcknowledgedChange(@ForAll("scenarios") Scenario s) throws Exception {
        check(s);
    }
}
