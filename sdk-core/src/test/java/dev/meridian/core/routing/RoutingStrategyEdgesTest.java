package dev.meridian.core.routing;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.TestTopology;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** Exact decisions of the routing strategies at their edges: fixed draws, single candidates, the hash's values. */
class RoutingStrategyEdgesTest {
    private static final Operation GET = Operation.of("GetItem", OperationKind.READ);
    private static final Region AP_SOUTHEAST = Region.AP_SOUTHEAST_2;
    private final MultiRegionConfig config = TestTopology.threeRegions().build();
    private final LatencyTracker unmeasured = new LatencyTracker();
    private final RoutingRequest request = new RoutingRequest(GET, RoutingContext.empty(), config.localRegion(),
            config::weight, unmeasured);

    /** A {@link Random} whose every {@code nextDouble()} is {@code value}. */
    private static Random drawing(double value) {
        return new Random() {
            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @Test
    void theRendezvousHashOfAKeyNeverChangesSoKeysKeepTheirHomeAcrossReleases() {
        assertThat(Rendezvous.score("order-1".getBytes(StandardCharsets.UTF_8), "eu-west-1"))
                .isEqualTo(0x9d16a1a2e07558c1L);
        assertThat(Rendezvous.score(new byte[0], "us-east-1")).isEqualTo(0x52778451ec4df310L);
        List<Region> four = List.of(EU_WEST, EU_CENTRAL, US_EAST, AP_SOUTHEAST);
        assertThat(Rendezvous.order("order-1", four)).containsExactly(AP_SOUTHEAST, EU_WEST, US_EAST, EU_CENTRAL);
        assertThat(Rendezvous.order("order-2", four)).containsExactly(EU_WEST, EU_CENTRAL, AP_SOUTHEAST, US_EAST);
        assertThat(Rendezvous.order("customer-42", four)).containsExactly(US_EAST, EU_WEST, AP_SOUTHEAST, EU_CENTRAL);
        assertThat(Rendezvous.order("k", four)).containsExactly(EU_CENTRAL, EU_WEST, AP_SOUTHEAST, US_EAST);
    }

    @Test
    void aSingleCandidateIsTheOrderOfEveryStrategy() {
        List<Region> one = List.of(US_EAST);
        assertThat(Rendezvous.order("k", one)).isEqualTo(one);
        assertThat(RoutingStrategy.latency(0.5, drawing(0.0)).order(one, request)).isEqualTo(one);
        assertThat(RoutingStrategy.weighted(new Random(1)).order(one, request)).isEqualTo(one);
        RoutingStrategy dropsEverything = (candidates, req) -> List.of();
        assertThat(RoutingStrategy.orderWithin(dropsEverything, one, request)).isEqualTo(one);
    }

    @Test
    void latencyExplorationIsAShareFromZeroToOne() {
        assertThat(RoutingStrategy.latency(0, null).name()).isEqualTo("latency");
        assertThat(RoutingStrategy.latency(1, null).name()).isEqualTo("latency");
        assertThatThrownBy(() -> RoutingStrategy.latency(-0.01, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RoutingStrategy.latency exploration");
        assertThatThrownBy(() -> RoutingStrategy.latency(1.01, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void latencyExploresOnlyWhenTheDrawIsBelowTheShareAndThenPicksByTheDraw() {
        List<Region> four = List.of(EU_WEST, EU_CENTRAL, US_EAST, AP_SOUTHEAST);
        assertThat(RoutingStrategy.latency(0.5, drawing(0.5)).order(four, request)).isEqualTo(four);
        // 1 + (int) ((0.2 / 0.5) * 3) = 2: the third candidate goes first.
        assertThat(RoutingStrategy.latency(0.5, drawing(0.2)).order(four, request))
                .containsExactly(US_EAST, EU_WEST, EU_CENTRAL, AP_SOUTHEAST);
        assertThat(RoutingStrategy.latency(0.5, drawing(0.0)).order(four, request))
                .containsExactly(EU_CENTRAL, EU_WEST, US_EAST, AP_SOUTHEAST);
    }

    @Test
    void weightedChoosesTheRegionWhoseWeightRangeHoldsTheDraw() {
        MultiRegionConfig canary = MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).weight(90))
                .region(RegionSpec.of(EU_CENTRAL).weight(10))
                .build();
        RoutingRequest req = new RoutingRequest(GET, RoutingContext.empty(), canary.localRegion(), canary::weight,
                unmeasured);
        List<Region> two = List.of(EU_WEST, EU_CENTRAL);
        assertThat(RoutingStrategy.weighted(drawingInt(89)).order(two, req)).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(RoutingStrategy.weighted(drawingInt(90)).order(two, req)).containsExactly(EU_CENTRAL, EU_WEST);
    }

    private static RandomGenerator drawingInt(int value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int nextInt(int bound) {
                return value;
            }
        };
    }

    /** A strategy of its own type, named by it. */
    private static final class Reversed implements RoutingStrategy {
        @Override
        public List<Region> order(List<Region> candidates, RoutingRequest req) {
            return List.of(candidates.get(1), candidates.get(0));
        }
    }

    @Test
    void aCustomStrategyIsNamedByItsTypeAndMayReorderTheCandidates() {
        assertThat(new Reversed().name()).isEqualTo("Reversed");
        assertThat(RoutingStrategy.orderWithin(new Reversed(), List.of(EU_WEST, US_EAST), request))
                .containsExactly(US_EAST, EU_WEST);
    }

    @Test
    void aPlanNamesAtLeastOneRegionAndKeepsWhatResidencyDecided() {
        assertThatThrownBy(() -> RoutingPlan.of(List.of(), Set.of(EU_WEST), false, DataClass.INTERNAL, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RoutingPlan regions");
        RoutingPlan plan = RoutingPlan.of(List.of(EU_WEST), Set.of(EU_WEST, EU_CENTRAL), true, DataClass.RESTRICTED,
                Jurisdiction.EU);
        assertThat(plan.allowed()).containsExactlyInAnyOrder(EU_WEST, EU_CENTRAL);
        assertThat(plan.jurisdiction()).contains(Jurisdiction.EU);
        assertThat(plan.residencyLimited()).isTrue();
    }
}
