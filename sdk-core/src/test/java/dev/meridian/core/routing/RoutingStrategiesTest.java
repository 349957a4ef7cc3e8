package dev.meridian.core.routing;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.TestTopology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class RoutingStrategiesTest {
    private static final Operation GET = Operation.of("GetItem", OperationKind.READ);
    private final MultiRegionConfig config = TestTopology.threeRegions().localRegion(EU_CENTRAL).build();
    private final List<Region> byPriority = config.regionsByPriority();
    private final LatencyTracker latency = new LatencyTracker();

    private RoutingRequest request(RoutingContext ctx) {
        return new RoutingRequest(GET, ctx, config.localRegion(), config::weight, latency);
    }

    private RoutingRequest request() {
        return request(RoutingContext.empty());
    }

    @Test
    void localFirstPutsTheLocalRegionFirstThenPriority() {
        assertThat(RoutingStrategy.localFirst().order(byPriority, request()))
                .containsExactly(EU_CENTRAL, EU_WEST, US_EAST);
        assertThat(RoutingStrategy.localFirst().order(List.of(EU_WEST, US_EAST), request()))
                .containsExactly(EU_WEST, US_EAST);
    }

    @Test
    void failoverKeepsStrictPriority() {
        assertThat(RoutingStrategy.failover().order(byPriority, request()))
                .containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
    }

    @Test
    void weightedSplitsFirstChoiceNinetyTenAndKeepsPriorityForTheRest() {
        MultiRegionConfig canary = MultiRegionConfig.builder()
                .region(RegionSpec.of(EU_WEST).weight(90))
                .region(RegionSpec.of(EU_CENTRAL).weight(10))
                .region(RegionSpec.of(US_EAST))
                .build();
        RoutingStrategy weighted = RoutingStrategy.weighted(new Random(42));
        RoutingRequest req = new RoutingRequest(GET, RoutingContext.empty(), canary.localRegion(), canary::weight, latency);
        Map<Region, Integer> firsts = new HashMap<>();
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            List<Region> order = weighted.order(canary.regionsByPriority(), req);
            firsts.merge(order.get(0), 1, Integer::sum);
            assertThat(order).hasSize(3).containsExactlyInAnyOrder(EU_WEST, EU_CENTRAL, US_EAST);
            if (order.get(0).equals(EU_CENTRAL)) {
                assertThat(order).containsExactly(EU_CENTRAL, EU_WEST, US_EAST);
            }
        }
        assertThat(firsts.get(EU_WEST) / (double) draws).isCloseTo(0.90, within(0.01));
        assertThat(firsts.get(EU_CENTRAL) / (double) draws).isCloseTo(0.10, within(0.01));
        assertThat(firsts).doesNotContainKey(US_EAST);
    }

    @Test
    void weightedWithoutWeightsGivesEveryCandidateAnEqualChance() {
        RoutingStrategy weighted = RoutingStrategy.weighted(new Random(7));
        Map<Region, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 9_000; i++) {
            firsts.merge(weighted.order(byPriority, request()).get(0), 1, Integer::sum);
        }
        assertThat(firsts.values()).allSatisfy(n -> assertThat(n / 9000.0).isCloseTo(1 / 3.0, within(0.03)));
    }

    @Test
    void geoOrdersBySubjectCountryDistance() {
        RoutingStrategy geo = RoutingStrategy.geo();
        assertThat(geo.order(byPriority, request(RoutingContext.builder().subjectCountry("DE").build())))
                .containsExactly(EU_CENTRAL, EU_WEST, US_EAST);
        assertThat(geo.order(byPriority, request(RoutingContext.builder().subjectCountry("IE").build())))
                .containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
        assertThat(geo.order(byPriority, request(RoutingContext.builder().subjectCountry("US").build())).get(0))
                .isEqualTo(US_EAST);
    }

    @Test
    void geoFallsBackToLocalFirstForUnknownCountries() {
        assertThat(RoutingStrategy.geo().order(byPriority, request(RoutingContext.builder().subjectCountry("XX")
                .build()))).containsExactly(EU_CENTRAL, EU_WEST, US_EAST);
        assertThat(RoutingStrategy.geo().order(byPriority, request())).containsExactly(EU_CENTRAL, EU_WEST, US_EAST);
    }

    @Test
    void latencyPrefersTheFastestObservedRegionAndMeasuresUnknownOnesFirst() {
        RoutingStrategy noExploration = RoutingStrategy.latency(0.0, new Random(1));
        latency.record(EU_WEST, 30_000_000);
        latency.record(US_EAST, 5_000_000);
        assertThat(noExploration.order(byPriority, request())).containsExactly(EU_CENTRAL, US_EAST, EU_WEST);
        latency.record(EU_CENTRAL, 50_000_000);
        assertThat(noExploration.order(byPriority, request())).containsExactly(US_EAST, EU_WEST, EU_CENTRAL);
    }

    @Test
    void latencyExploresASmallShareSoARecoveredRegionIsNoticed() {
        latency.record(EU_WEST, 1_000_000);
        latency.record(EU_CENTRAL, 2_000_000);
        latency.record(US_EAST, 900_000_000);
        RoutingStrategy strategy = RoutingStrategy.latency(0.05, new Random(3));
        int notFastest = 0;
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            if (!strategy.order(byPriority, request()).get(0).equals(EU_WEST)) {
                notFastest++;
            }
        }
        assertThat(notFastest / (double) draws).isCloseTo(0.05, within(0.01));
    }

    @Test
    void preferringPutsThePreferredRegionFirstAndKeepsTheOtherStrategysOrderForTheRest() {
        RoutingStrategy preferUs = RoutingStrategy.preferring(US_EAST, RoutingStrategy.failover());
        List<Region> rest = RoutingStrategy.failover().order(List.of(EU_WEST, EU_CENTRAL), request());
        List<Region> expected = new ArrayList<>(List.of(US_EAST));
        expected.addAll(rest);
        assertThat(preferUs.order(byPriority, request())).isEqualTo(expected);
        assertThat(preferUs.order(List.of(EU_WEST, EU_CENTRAL), request())).isEqualTo(rest);
        assertThat(preferUs.name()).isEqualTo("preferring(us-east-1)+failover");
    }

    @Test
    void homeByKeyIsStableForAKeyAndSpreadsKeys() {
        RoutingStrategy hrw = RoutingStrategy.homeByKey();
        Map<Region, Integer> homes = new HashMap<>();
        for (int i = 0; i < 3_000; i++) {
            RoutingContext ctx = RoutingContext.builder().routingKey("customer-" + i).build();
            List<Region> a = hrw.order(byPriority, request(ctx));
            List<Region> b = hrw.order(List.of(US_EAST, EU_CENTRAL, EU_WEST), request(ctx));
            assertThat(b).isEqualTo(a);
            homes.merge(a.get(0), 1, Integer::sum);
        }
        assertThat(homes.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1200));
    }

    @Test
    void homeByKeyMovesOnlyTheRemovedRegionsKeys() {
        RoutingStrategy hrw = RoutingStrategy.homeByKey();
        List<Region> withoutUs = List.of(EU_WEST, EU_CENTRAL);
        int moved = 0;
        for (int i = 0; i < 3_000; i++) {
            RoutingContext ctx = RoutingContext.builder().routingKey("order-" + i).build();
            List<Region> all = hrw.order(byPriority, request(ctx));
            List<Region> reduced = hrw.order(withoutUs, request(ctx));
            List<Region> expected = new ArrayList<>(all);
            expected.remove(US_EAST);
            assertThat(reduced).isEqualTo(expected);
            if (!all.get(0).equals(reduced.get(0))) {
                moved++;
                assertThat(all.get(0)).isEqualTo(US_EAST);
            }
        }
        assertThat(moved).isBetween(800, 1200);
    }

    @Test
    void homeByKeyUsesTheOperationKeyBeforeTheContextKeyAndPriorityWithoutKey() {
        RoutingStrategy hrw = RoutingStrategy.homeByKey();
        Operation keyed = Operation.builder("PutItem", OperationKind.WRITE).routingKey("k-1").build();
        RoutingContext ctxKey = RoutingContext.builder().routingKey("k-1").build();
        List<Region> viaOp = hrw.order(byPriority, new RoutingRequest(keyed, RoutingContext.empty(), config.localRegion(), config::weight, latency));
        assertThat(viaOp).isEqualTo(hrw.order(byPriority, request(ctxKey)));
        assertThat(hrw.order(byPriority, request())).containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
    }

    @Test
    void homeByKeyOrdersAKeyJoinedOnReadAsTheSameKeyJoinedUpFront() {
        RoutingStrategy hrw = RoutingStrategy.homeByKey();
        for (int i = 0; i < 300; i++) {
            Operation joined = Operation.builder("GetItem", OperationKind.READ).routingKey("orders", "o-" + i).build();
            Operation eager = Operation.builder("GetItem", OperationKind.READ).routingKey("orders#o-" + i).build();
            assertThat(hrw.order(byPriority, requestFor(joined))).isEqualTo(hrw.order(byPriority, requestFor(eager)));
        }
    }

    private RoutingRequest requestFor(Operation op) {
        return new RoutingRequest(op, RoutingContext.empty(), config.localRegion(), config::weight, latency);
    }

    @Test
    void namedStrategiesResolveFromConfigurationNames() {
        assertThat(RoutingStrategy.named("LOCAL_FIRST").name()).isEqualTo("local-first");
        assertThat(RoutingStrategy.named("home-by-key").name()).isEqualTo("home-by-key");
        assertThat(RoutingStrategy.named("weighted").name()).isEqualTo("weighted");
    }
}
