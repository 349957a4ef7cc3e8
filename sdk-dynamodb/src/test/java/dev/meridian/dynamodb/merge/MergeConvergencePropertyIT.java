package dev.meridian.dynamodb.merge;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** 13 of the 25 tries of {@link MergeConvergenceProperties}. */
class MergeConvergencePropertyIT extends MergeConvergenceProperties {

    @Property(tries = 13)
    void afterHealEveryRegionHoldsTheMergeOfEveryAcknowledgedChange(@ForAll("scenarios") Scenario s) throws Exception {
        check(s);
    }
}
