package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyPolicy;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** The edges of the router's residency decisions: refusals, resource bounds, home-only plans and the allowed cache. */
class RouterResidencyEdgesTest {
    private static final Operation GET = Operation.of("GetItem", OperationKind.READ);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RoutingContext germanRestricted = RoutingContext.builder().subjectCountry("DE")
            .dataClass(DataClass.RESTRICTED).build();

    private Router router(MultiRegionConfig config) {
        return new Router(config, new RegionHealth(config.regionList(), config.health()), new LatencyTracker(),
                Metrics.forRegistry(meters));
    }

    private final Router router = router(TestTopology.threeRegions().build());

    @Test
    void aRefusalCarriesItsDataClassAndJurisdictionAndIsCounted() {
        Operation onlyUs = GET.toBuilder().resource("us_orders").within(Set.of(US_EAST)).build();
        assertThatThrownBy(() -> router.plan(onlyUs, germanRestricted))
                .isInstanceOfSatisfying(ResidencyViolationException.class, e -> {
                    assertThat(e.dataClass()).isEqualTo(DataClass.RESTRICTED);
                    assertThat(e.jurisdiction()).isEqualTo(Jurisdiction.EU);
                })
                .hasMessageContaining("resource us_orders exists only in [us-east-1]");
        Counter refused = meters.find("meridian.residency.refused").tags("data_class", "RESTRICTED",
                "jurisdiction", "EU").counter();
        assertThat(refused).isNotNull();
        assertThat(refused.count()).isEqualTo(1.0);
    }

    @Test
    void aRefusalForAnUnmappedCountryHasNoJurisdictionAndSaysHowToMapIt() {
        RoutingContext unmapped = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("ZZ").build();
        assertThatThrownBy(() -> router.plan(GET, unmapped))
                .isInstanceOfSatisfying(ResidencyViolationException.class,
                        e -> assertThat(e.jurisdiction()).isNull())
                .hasMessageContaining("subject country ZZ is unmapped")
                .hasMessageContaining("MERIDIAN_RESIDENCY_COUNTRY_ZZ");
    }

    @Test
    void anOperationBoundToEveryAllowedRegionKeepsTheAllowedSet() {
        Operation everywhere = GET.toBuilder().resource("orders").within(Set.of(EU_WEST, EU_CENTRAL, US_EAST)).build();
        assertThat(router.plan(everywhere, germanRestricted).regions()).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(router.plan(everywhere, germanRestricted).allowed()).containsExactlyInAnyOrder(EU_WEST, EU_CENTRAL);
    }

    @Test
    void aHomeOnlyOperationWhoseHomeResidencyForbidsIsRefusedNotMoved() {
        Set<Region> bound = Set.of(EU_WEST, US_EAST);
        Operation.Builder pinned = Operation.builder("PutItem", OperationKind.IDEMPOTENT_WRITE).resource("orders")
                .within(bound).strategy(RoutingStrategy.homeByKey()).homeOnly();
        boolean sawUsHome = false;
        boolean sawEuHome = false;
        for (int i = 0; i < 64 && !(sawUsHome && sawEuHome); i++) {
            Operation op = pinned.routingKey("key-" + i).build();
            Region home = router.plan(op, RoutingContext.empty()).first();
            if (home.equals(US_EAST)) {
                sawUsHome = true;
                assertThatThrownBy(() -> router.plan(op, germanRestricted))
                        .isInstanceOf(ResidencyViolationException.class)
                        .hasMessageContaining("home region us-east-1 is outside the allowed regions");
            } else {
                sawEuHome = true;
                assertThat(router.plan(op, germanRestricted).regions()).containsExactly(EU_WEST);
            }
        }
        assertThat(sawUsHome).as("some key is homed in us-east-1").isTrue();
        assertThat(sawEuHome).as("some key is homed in eu-west-1").isTrue();
    }

    @Test
    void aStrategyThatOrdersNoHomeRegionFailsNamingTheStrategy() {
        RoutingStrategy none = (candidates, request) -> List.of();
        Operation op = Operation.builder("PutItem", OperationKind.IDEMPOTENT_WRITE).strategy(none).homeOnly().build();
        assertThatThrownBy(() -> router.plan(op, RoutingContext.empty()))
                .isInstanceOf(NoRegionAvailableException.class).hasMessageContaining("returned no home region");
    }

    @Test
    void beyondTheCacheBoundEveryDataClassStillGetsItsOwnAllowedRegions() {
        ResidencyPolicy.Builder policy = ResidencyPolicy.builder();
        int classes = Router.ALLOWED_CACHE_SIZE + 8;
        for (int i = 0; i < classes; i++) {
            if (i % 2 == 0) {
                policy.unrestricted(DataClass.of("C" + i));
            }
        }
        Router r = router(TestTopology.threeRegions().residency(policy.build()).build());
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < classes; i++) {
                RoutingContext ctx = RoutingContext.builder().dataClass(DataClass.of("C" + i)).subjectCountry("DE")
                        .build();
                if (i % 2 == 0) {
                    assertThat(r.allowedRegions(ctx)).as("C%d", i).containsExactlyInAnyOrder(EU_WEST, EU_CENTRAL,
                            US_EAST);
                } else {
                    assertThat(r.allowedRegions(ctx)).as("C%d", i).containsExactlyInAnyOrder(EU_WEST, EU_CENTRAL);
                }
            }
        }
    }
}
