package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.ControlObserver;
import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControl;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.control.StaticControlSource;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingRandom;
import dev.meridian.core.routing.RoutingStrategy;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** The region control as an input to the plan: OFF leaves plans, weights drive the weighted strategy. */
class RouterControlTest {
    private static final Operation GET = Operation.of("GetItem", OperationKind.READ);
    private final MultiRegionConfig config = TestTopology.threeRegions().build();
    private final RegionHealth health = new RegionHealth(config.regionList(), config.health());
    private final StaticControlSource source = StaticControlSource.of(RegionControlState.empty());
    private final RegionControl control = new RegionControl(ControlConfig.builder(source).build(),
            config.regionList(), ControlObserver.NONE, Clock.systemUTC());
    private final Router router = new Router(config, health, new LatencyTracker(), RoutingRandom.seeded(7),
            Metrics.noop(), control);
    private final RoutingContext germanRestricted = RoutingContext.builder().subjectCountry("DE")
            .dataClass(DataClass.RESTRICTED).build();

    private void set(String text) {
        source.set(StaticControlSource.parseState(text, "test"));
        assertThat(control.refreshNow()).isTrue();
    }

    @Test
    void anOffRegionLeavesEveryPlanAndComesBackWhenOn() {
        set("eu-west-1=OFF");
        assertThat(router.plan(GET, RoutingContext.empty()).regions()).containsExactly(EU_CENTRAL, US_EAST);
        assertThat(router.plan(GET, germanRestricted).regions()).containsExactly(EU_CENTRAL);
        set("eu-west-1=ON");
        assertThat(router.plan(GET, RoutingContext.empty()).regions()).containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
    }

    @Test
    void aControlNeverAddsARegionResidencyForbids() {
        set("eu-west-1=OFF,eu-central-1=OFF,us-east-1=ON:100");
        assertThatThrownBy(() -> router.plan(GET, germanRestricted)).isInstanceOf(NoRegionAvailableException.class)
                .hasMessageContaining("switched OFF by the region control");
        set("ap-southeast-2=ON:100");
        assertThat(control.state().entries()).doesNotContainKey(Region.AP_SOUTHEAST_2);
        assertThat(router.plan(GET, germanRestricted).regions()).containsExactly(EU_WEST, EU_CENTRAL);
    }

    @Test
    void aLocalDrainStaysAnOverrideOfAnOnControl() {
        set("eu-west-1=ON");
        health.drain(EU_WEST);
        assertThat(router.plan(GET, RoutingContext.empty()).regions()).containsExactly(EU_CENTRAL, US_EAST);
    }

    @Test
    void aHomeOnlyOperationWhoseHomeIsOffDoesNotMove() {
        set("eu-west-1=OFF");
        Operation pinned = GET.toBuilder().homeOnly().strategy(RoutingStrategy.failover()).build();
        assertThatThrownBy(() -> router.plan(pinned, RoutingContext.empty()))
                .isInstanceOf(NoRegionAvailableException.class).hasMessageContaining("switched OFF");
    }

    @Test
    void weightsFromTheControlDriveTheWeightedStrategyInOneWrite() {
        Operation weighted = GET.toBuilder().strategy(RoutingStrategy.weighted()).build();
        for (int[] shift : new int[][] {{10, 90}, {50, 50}, {90, 10}}) {
            set("eu-west-1=ON:" + shift[0] + ",eu-central-1=ON:" + shift[1] + ",us-east-1=ON:0");
            Map<Region, Integer> firsts = new HashMap<>();
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                firsts.merge(router.plan(weighted, RoutingContext.empty()).first(), 1, Integer::sum);
            }
            assertThat(firsts.getOrDefault(EU_WEST, 0) * 100.0 / n).isCloseTo(shift[0], org.assertj.core.data.Offset
                    .offset(3.0));
            assertThat(firsts).doesNotContainKey(US_EAST);
        }
    }

    @Test
    void regionsWithoutAControlWeightKeepTheirConfiguredWeight() {
        set("eu-west-1=ON:7");
        assertThat(router.weights().applyAsInt(EU_WEST)).isEqualTo(7);
        assertThat(router.weights().applyAsInt(EU_CENTRAL)).isEqualTo(config.weight(EU_CENTRAL));
        assertThat(control.state().entry(EU_WEST)).contains(RegionControlEntry.of(ControlState.ON, 7));
    }
}
