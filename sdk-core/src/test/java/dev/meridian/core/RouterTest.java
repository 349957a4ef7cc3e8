package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static dev.meridian.core.TestTopology.US_EAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingStrategy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class RouterTest {
    private static final Operation GET = Operation.of("GetItem", OperationKind.READ);
    private final MultiRegionConfig config = TestTopology.threeRegions().build();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RegionHealth health = new RegionHealth(config.regionList(), config.health());
    private final Router router = new Router(config, health, new LatencyTracker(), Metrics.forRegistry(meters));
    private final RoutingContext germanRestricted = RoutingContext.builder().subjectCountry("DE")
            .dataClass(DataClass.RESTRICTED).build();

    @Test
    void planIsLocalFirstOverEveryRegionForInternalData() {
        RoutingPlan plan = router.plan(GET, RoutingContext.empty());
        assertThat(plan.regions()).containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
        assertThat(plan.first()).isEqualTo(EU_WEST);
        assertThat(plan.residencyLimited()).isFalse();
    }

    @Test
    void restrictedGermanDataIsPlannedOnlyInEuRegions() {
        RoutingPlan plan = router.plan(GET, germanRestricted);
        assertThat(plan.regions()).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(plan.residencyLimited()).isTrue();
    }

    @Test
    void restrictedEuDataWhoseEuRegionsAreAllDrainedIsAnOutageNeverRoutedElsewhere() {
        health.drain(EU_WEST);
        health.drain(EU_CENTRAL);
        assertThatThrownBy(() -> router.plan(GET, germanRestricted))
                .isInstanceOf(NoRegionAvailableException.class)
                .hasMessageContaining("residency allows").hasMessageContaining("eu-west-1");
        assertThat(meters.find("meridian.residency.refused").counter()).isNull();
        assertThat(router.plan(GET, RoutingContext.empty()).regions()).containsExactly(US_EAST);
    }

    @Test
    void aStickyRegionGoesFirstButNeverAroundResidency() {
        RoutingContext sticky = RoutingContext.builder().preferredRegion(EU_CENTRAL).build();
        assertThat(router.plan(GET, sticky).regions()).startsWith(EU_CENTRAL).contains(EU_WEST, US_EAST);
        RoutingContext stickyOutside = germanRestricted.toBuilder().preferredRegion(US_EAST).build();
        assertThat(router.plan(GET, stickyOutside).regions()).containsExactly(EU_WEST, EU_CENTRAL);
    }

    @Test
    void regionsBoundedByTheOperationNeverIncludeOthers() {
        Operation onlyEu = GET.toBuilder().resource("eu_orders").within(Set.of(EU_WEST, EU_CENTRAL)).build();
        assertThat(router.plan(onlyEu, RoutingContext.empty()).regions()).containsExactly(EU_WEST, EU_CENTRAL);
        Operation onlyUs = GET.toBuilder().resource("us_orders").within(Set.of(US_EAST)).build();
        assertThatThrownBy(() -> router.plan(onlyUs, germanRestricted))
                .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("exists only in");
    }

    @Test
    void withoutAContextTheConfiguredDefaultDataClassApplies() {
        Router failClosed = new Router(TestTopology.threeRegions().defaultDataClass(DataClass.RESTRICTED).build(),
                health);
        assertThatThrownBy(() -> failClosed.plan(GET, RoutingContext.empty()))
                .isInstanceOf(ResidencyViolationException.class);
        Router required = new Router(TestTopology.threeRegions().requireContext(true).build(), health);
        assertThatThrownBy(() -> required.plan(GET, RoutingContext.empty()))
                .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("MERIDIAN_REQUIRE_CONTEXT");
        assertThat(required.plan(GET, RoutingContext.builder().dataClass(DataClass.INTERNAL).build()).regions())
                .isNotEmpty();
    }

    @Test
    void aContextDeclaringNeitherDataClassNorSubjectIsNoContext() {
        // What a request filter opens for a request without routing headers: a correlation id, a key, a region.
        RoutingContext undeclared = RoutingContext.builder().correlationId("c-1").idempotencyKey("k-1")
                .preferredRegion(US_EAST).build();
        assertThat(undeclared.isDeclared()).isFalse();
        assertThat(RoutingContext.builder().subjectCountry("DE").build().isDeclared()).isTrue();

        Router required = new Router(TestTopology.threeRegions().requireContext(true).build(), health);
        assertThatThrownBy(() -> required.plan(GET, undeclared))
                .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("MERIDIAN_REQUIRE_CONTEXT");
        Router failClosed = new Router(TestTopology.threeRegions().defaultDataClass(DataClass.RESTRICTED).build(),
                health);
        assertThatThrownBy(() -> failClosed.plan(GET, undeclared)).isInstanceOf(ResidencyViolationException.class);
        Router publicByDefault = new Router(TestTopology.threeRegions().defaultDataClass(DataClass.PUBLIC).build(),
                health);
        assertThat(publicByDefault.plan(GET, undeclared).dataClass()).isEqualTo(DataClass.PUBLIC);
        assertThat(publicByDefault.plan(GET, undeclared).first()).as("the preferred region still steers")
                .isEqualTo(US_EAST);
    }

    @Test
    void aSubjectWithoutADataClassTakesTheConfiguredDefaultDataClass() {
        RoutingContext germanOnly = RoutingContext.builder().subjectCountry("DE").build();
        assertThat(germanOnly.isDeclared()).isTrue();
        assertThat(germanOnly.isDataClassDeclared()).isFalse();
        Router failClosed = new Router(TestTopology.threeRegions().defaultDataClass(DataClass.RESTRICTED).build(),
                health);

        RoutingPlan plan = failClosed.plan(GET, germanOnly);
        assertThat(plan.dataClass()).isEqualTo(DataClass.RESTRICTED);
        assertThat(plan.regions()).containsExactly(EU_WEST, EU_CENTRAL);
        assertThat(failClosed.allowedRegions(germanOnly)).containsExactlyInAnyOrder(EU_WEST, EU_CENTRAL);
        assertThat(failClosed.footprintMatters(germanOnly)).isTrue();
        assertThatThrownBy(() -> failClosed.checkFootprint(GET, germanOnly, Set.of(EU_WEST, US_EAST)))
                .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("RESTRICTED");
        // A declared data class is the caller's word, even when it is weaker than the default.
        RoutingContext germanInternal = germanOnly.toBuilder().dataClass(DataClass.INTERNAL).build();
        assertThat(failClosed.plan(GET, germanInternal).regions()).containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
        // Without a configured default the subject alone is INTERNAL, as before.
        assertThat(router.plan(GET, germanOnly).dataClass()).isEqualTo(DataClass.INTERNAL);
        assertThat(router.footprintMatters(germanOnly)).isFalse();
    }

    @Test
    void restrictedDataOfUnknownSubjectIsRefused() {
        RoutingContext unknown = RoutingContext.builder().dataClass(DataClass.RESTRICTED).subjectCountry("ZZ")
                .build();
        assertThatThrownBy(() -> router.plan(GET, unknown)).isInstanceOf(ResidencyViolationException.class)
                .hasMessageContaining("unknown");
    }

    @Test
    void homeOnlyOperationIsPlannedInItsHomeAndFailsInsteadOfMovingWhenTheHomeIsDrained() {
        Operation.Builder put = Operation.builder("PutItem", OperationKind.IDEMPOTENT_WRITE).routingKey("order-42")
                .strategy(RoutingStrategy.homeByKey());
        Operation pinned = put.build().toBuilder().homeOnly().build();
        Region home = router.plan(put.build(), RoutingContext.empty()).first();
        assertThat(router.plan(pinned, RoutingContext.empty()).regions()).containsExactly(home);

        health.drain(home);
        assertThatThrownBy(() -> router.plan(pinned, RoutingContext.empty()))
                .isInstanceOf(NoRegionAvailableException.class)
                .hasMessageContaining(home.id()).hasMessageContaining("homeOnly");
        assertThat(router.plan(put.build(), RoutingContext.empty()).first()).isNotEqualTo(home);

        health.undrain(home);
        RoutingContext excludingHome = RoutingContext.builder().excludeRegion(home).build();
        assertThatThrownBy(() -> router.plan(pinned, excludingHome)).isInstanceOf(NoRegionAvailableException.class);
    }

    @Test
    void homeOnlyHomeIsChosenAmongTheRegionsResidencyAllows() {
        for (int i = 0; i < 50; i++) {
            Operation pinned = Operation.builder("PutItem", OperationKind.IDEMPOTENT_WRITE).routingKey("key-" + i)
                    .strategy(RoutingStrategy.homeByKey()).homeOnly().build();
            assertThat(router.plan(pinned, germanRestricted).regions()).singleElement().isIn(EU_WEST, EU_CENTRAL);
        }
    }

    @Test
    void footprintMattersOnlyForRestrictedOrResidencyLimitedCalls() {
        assertThat(router.footprintMatters(RoutingContext.empty())).isFalse();
        assertThat(router.footprintMatters(germanRestricted)).isTrue();
        assertThat(router.footprintMatters(RoutingContext.builder().dataClass(DataClass.PUBLIC).subjectCountry("DE")
                .build())).isFalse();
    }

    @Test
    void drainedAndExcludedRegionsLeaveThePlanAndUndrainBringsThemBack() {
        health.drain(EU_WEST);
        RoutingContext ctx = RoutingContext.builder().excludeRegion(US_EAST).build();
        assertThat(router.plan(GET, ctx).regions()).containsExactly(EU_CENTRAL);
        health.undrain(EU_WEST);
        assertThat(router.plan(GET, ctx).regions()).containsExactly(EU_WEST, EU_CENTRAL);
    }

    @Test
    void openBreakersLeaveThePlanAndNoRegionMeansNoRegionAvailable() {
        health.circuitBreaker(EU_WEST).transitionToOpenState();
        assertThat(router.plan(GET, RoutingContext.empty()).regions()).containsExactly(EU_CENTRAL, US_EAST);
        health.circuitBreaker(EU_CENTRAL).transitionToForcedOpenState();
        health.drain(US_EAST);
        assertThatThrownBy(() -> router.plan(GET, RoutingContext.empty()))
                .isInstanceOf(NoRegionAvailableException.class);
    }

    @Test
    void withPerResourceBreakersAnOpenTableBreakerLeavesOnlyThatTablesPlans() {
        MultiRegionConfig perResource = TestTopology.threeRegions()
                .health(HealthConfig.builder().perResourceBreakers(true).waitInOpenState(Duration.ofHours(1)).build())
                .build();
        RegionHealth h = new RegionHealth(perResource.regionList(), perResource.health());
        Router r = new Router(perResource, h);
        h.circuitBreaker(EU_WEST, "orders").transitionToOpenState();
        assertThat(r.plan(getFrom("orders"), RoutingContext.empty()).regions()).containsExactly(EU_CENTRAL, US_EAST);
        assertThat(r.plan(getFrom("customers"), RoutingContext.empty()).regions())
                .containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
        assertThat(r.plan(GET, RoutingContext.empty()).regions()).containsExactly(EU_WEST, EU_CENTRAL, US_EAST);

        h.circuitBreaker(EU_CENTRAL, "orders").transitionToOpenState();
        h.circuitBreaker(US_EAST, "orders").transitionToOpenState();
        assertThatThrownBy(() -> r.plan(getFrom("orders"), RoutingContext.empty()))
                .isInstanceOf(NoRegionAvailableException.class).hasMessageContaining("resource orders");
    }

    @Test
    void withoutPerResourceBreakersAnOpenResourceBreakerMovesOnlyThatResource() {
        // Without per-resource breakers only throttling of the resource feeds its region × resource breaker.
        health.circuitBreaker(EU_WEST, "orders").transitionToOpenState();
        assertThat(router.plan(getFrom("orders"), RoutingContext.empty()).regions())
                .containsExactly(EU_CENTRAL, US_EAST);
        assertThat(router.plan(getFrom("customers"), RoutingContext.empty()).regions())
                .containsExactly(EU_WEST, EU_CENTRAL, US_EAST);
    }

    private static Operation getFrom(String table) {
        return Operation.builder("GetItem", OperationKind.READ).resource(table).build();
    }

    @Test
    void operationStrategyOverridesTheConfiguredOne() {
        Operation failover = Operation.builder("GetItem", OperationKind.READ)
                .strategy(RoutingStrategy.failover()).build();
        MultiRegionConfig usLocal = TestTopology.threeRegions().localRegion(US_EAST).build();
        Router r = new Router(usLocal, new RegionHealth(usLocal.regionList(), usLocal.health()));
        assertThat(r.plan(GET, RoutingContext.empty()).first()).isEqualTo(US_EAST);
        assertThat(r.plan(failover, RoutingContext.empty()).first()).isEqualTo(EU_WEST);
    }

    @Test
    void customStrategyCannotAddARegionResidencyForbids() {
        RoutingStrategy rogue = (candidates, request) -> List.of(US_EAST, Region.AP_SOUTH_1, candidates.get(0));
        Operation op = Operation.builder("GetItem", OperationKind.READ).strategy(rogue).build();
        assertThat(router.plan(op, germanRestricted).regions()).containsExactly(EU_WEST);
    }

    @Test
    void footprintOutsideTheAllowedRegionsIsRefusedForRestrictedData() {
        router.checkFootprint(GET, germanRestricted, Set.of(EU_WEST, EU_CENTRAL));
        assertThatThrownBy(() -> router.checkFootprint(GET, germanRestricted, Set.of(EU_WEST, US_EAST)))
                .isInstanceOf(ResidencyViolationException.class).hasMessageContaining("us-east-1");
        router.checkFootprint(GET, RoutingContext.empty(), Set.of(EU_WEST, US_EAST));
    }

    /**
     * A local-first plan with the local region first is the candidates' own order: planning it allocates nothing
     * (issue 19, item 5). It made a {@code RoutingRequest} for the strategy per call, which C2 removed only in the forks
     * where it inlined the strategy into the router; the test JVM runs without escape analysis, so it shows here.
     */
    @Test
    void aLocalFirstPlanWithTheLocalRegionFirstAllocatesNothing() {
        router.plan(GET, RoutingContext.empty());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 1_000; i++) {
            router.plan(GET, RoutingContext.empty());
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(allocated).as("bytes allocated by 1,000 local-first plans").isLessThan(1_000);
    }
}
