package dev.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.residency.Jurisdiction;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** The CLI's safety rule (sdk-core's ControlChangeRules): no change may leave a jurisdiction with no ON region. */
class JurisdictionRuleTest {

    private static Map<String, RegionState> states(Object... regionAndOn) {
        Map<String, RegionState> states = new TreeMap<>();
        for (int i = 0; i < regionAndOn.length; i += 2) {
            String region = (String) regionAndOn[i];
            states.put(region, RegionState.unstored(region).withOn((Boolean) regionAndOn[i + 1]));
        }
        return states;
    }

    private static java.util.List<String> violations(Map<String, RegionState> before, Map<String, RegionState> after) {
        return JurisdictionRule.violations(before, after, java.util.List.of(),
                r -> Jurisdiction.inferredFor(Region.of(r)));
    }

    @Test
    void drainingTheLastOnRegionOfTheEuIsAViolation() {
        assertThat(violations(states("eu-west-1", true, "eu-central-1", false, "us-east-1", true),
                states("eu-west-1", false, "eu-central-1", false, "us-east-1", true)))
                .containsExactly("EU would have no ON region (eu-central-1 OFF, eu-west-1 OFF)");
    }

    @Test
    void drainingOneOfTwoOnRegionsIsAllowed() {
        assertThat(violations(states("eu-west-1", true, "eu-central-1", true),
                states("eu-west-1", false, "eu-central-1", true))).isEmpty();
    }

    @Test
    void londonIsNotTheEu() {
        assertThat(violations(states("eu-west-1", true, "eu-west-2", true),
                states("eu-west-1", false, "eu-west-2", true))).containsExactly(
                "EU would have no ON region (eu-west-1 OFF)");
    }

    @Test
    void aJurisdictionAlreadyWithoutOnRegionsIsNotMadeWorse() {
        assertThat(violations(states("eu-west-1", false, "us-east-1", true),
                states("eu-west-1", false, "us-east-1", true))).isEmpty();
    }

    @Test
    void aConfiguredJurisdictionOverridesTheInferredOne() {
        Map<String, RegionState> before = states("eu-west-1", true, "us-east-1", true);
        Map<String, RegionState> after = states("eu-west-1", false, "us-east-1", true);
        assertThat(JurisdictionRule.violations(before, after, java.util.List.of(), r -> Jurisdiction.of("GLOBAL")))
                .isEmpty();
    }

    @Test
    void aDeclaredRegionWithoutAnItemCountsAsOn() {
        Map<String, RegionState> before = states("eu-west-1", true, "us-east-1", true);
        Map<String, RegionState> after = states("eu-west-1", false, "us-east-1", true);
        assertThat(JurisdictionRule.violations(before, after, java.util.List.of("eu-central-1"),
                r -> Jurisdiction.inferredFor(Region.of(r)))).isEmpty();
    }
}
