package dev.meridian.dynamodb.saga;

import static dev.meridian.dynamodb.TestRegions.EU_CENTRAL_1;
import static dev.meridian.dynamodb.TestRegions.EU_WEST_1;
import static dev.meridian.dynamodb.TestRegions.US_EAST_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.dynamodb.saga.SagaFixture.Crash;
import dev.meridian.dynamodb.saga.SagaFixture.Instance;
import dev.meridian.dynamodb.saga.SagaFixture.Plan;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Sagas on real regions (DynamoDB Local behind fault proxies, replicated global tables): outcomes, compensation in
 * reverse, crash and resume from another region, racing resumers, a region down mid-saga, residency of the log,
 * timeouts, a failed compensation and the sweep. Side effects are counted in the fixture's own journal (see
 * {@link SagaFixture}).
 */
@LocalRegionsConfig
class SagasIT {
    private static final List<String> STEPS = List.of("reserve", "charge", "ship");
    private static LocalRegions regions;
    private static SagaFixture fx;

    private final Saga order = fx.saga("order", STEPS);
    private Instance west;
    private Instance central;

    @BeforeAll
    static void startFixture() {
        fx = new SagaFixture(regions);
    }

    @AfterAll
    static void stopFixture() {
        if (fx != null) {
            fx.close();
        }
    }

    @BeforeEach
    void instances() {
        west = fx.instance(EU_WEST_1, order);
        central = fx.instance(EU_CENTRAL_1, order);
    }

    @AfterEach
    void closeAll() {
        west.close();
        central.close();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private void assertEffects(String saga, String id, List<String> steps, int doCount, int undoCount) {
        for (String step : steps) {
            assertThat(fx.count(saga, id, step, "do")).as("%s do", step).isEqualTo(doCount);
            assertThat(fx.count(saga, id, step, "undo")).as("%s undo", step).isEqualTo(undoCount);
        }
    }

    private static long logWrites(String region) {
        return fx.regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals("PutItem") && e.table().orElse("").equals(SagaFixture.LOG))
                .count();
    }

    @Test
    void aSagaRunsEveryStepOnceAndRecordsItsResultsInItsHomeRegion() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        String id = id();
        SagaResult result;
        try (Sagas sagas = Sagas.builder().client(west.routed).table(SagaFixture.LOG)
                .idempotencyStore(fx.store(west.routed, null)).clock(fx.clock).saga(order).meterRegistry(meters)
                .build()) {
            result = sagas.start(order, id, "order-1");
        }

        assertThat(result.state()).isEqualTo(SagaState.COMPLETED);
        assertThat(result.results()).containsEntry("reserve", "r-reserve<0>").containsEntry("charge", "r-charge<1>")
                .containsEntry("ship", "r-ship<2>");
        assertThat(result.steps()).containsOnlyKeys(STEPS).allSatisfy((k, v) -> assertThat(v)
                .isEqualTo(SagaStepStatus.DONE));
        assertEffects("order", id, STEPS, 1, 0);
        assertThat(meters.counter("meridian.saga.outcomes", "region", "eu-west-1", "saga", "order",
                "outcome", "completed").count()).isEqualTo(1.0);
        // One item, homed by id: every log write went to one region, the same one another instance reads.
        List<String> written = new ArrayList<>();
        for (String region : fx.regions.regions()) {
            if (logWrites(region) > 0) {
                written.add(region);
            }
        }
        assertThat(written).hasSize(1);
        assertThat(central.sagas.find(id)).hasValueSatisfying(r -> assertThat(r.state())
                .isEqualTo(SagaState.COMPLETED));
    }

    @Test
    void aFailingStepCompensatesTheCompletedStepsInReverseOrder() {
        String id = id();
        Plan plan = fx.plan(id);
        plan.failStep = "ship";

        SagaResult result = west.sagas.start(order, id, "order-2");

        assertThat(result.state()).isEqualTo(SagaState.COMPENSATED);
        assertThat(result.failure()).hasValue("step 'ship' failed: java.lang.IllegalStateException");
        assertThat(result.steps()).containsEntry("reserve", SagaStepStatus.COMPENSATED)
                .containsEntry("charge", SagaStepStatus.COMPENSATED).containsEntry("ship", SagaStepStatus.FAILED);
        assertThat(plan.order).containsExactly("do:reserve", "do:charge", "undo:charge", "undo:reserve");
        assertEffects("order", id, List.of("reserve", "charge"), 1, 1);
        assertEffects("order", id, List.of("ship"), 0, 0);
        assertThat(central.sagas.find(id).orElseThrow().state()).isEqualTo(SagaState.COMPENSATED);
    }

    @Test
    void aCrashedSagaIsResumedFromAnotherRegionAndEachStepRunsOnce() {
        String id = id();
        fx.plan(id).crashBeforeDo = "charge";
        assertThatThrownBy(() -> west.sagas.start(order, id, "order-3")).isInstanceOf(Crash.class);
        assertThat(central.sagas.find(id).orElseThrow().steps()).containsEntry("reserve", SagaStepStatus.DONE)
                .containsEntry("charge", SagaStepStatus.PENDING);

        // The crashed run's lease is live: another instance does not run anything yet.
        assertThatThrownBy(() -> central.sagas.resume(id)).isInstanceOf(SagaInProgressException.class);
        fx.advance(Duration.ofMinutes(5));
        SagaResult result = central.sagas.resume(id);

        assertThat(result.state()).isEqualTo(SagaState.COMPLETED);
        assertEffects("order", id, STEPS, 1, 0);
        assertThat(west.sagas.resume(id).state()).isEqualTo(SagaState.COMPLETED);
        assertEffects("order", id, STEPS, 1, 0);
    }

    @Test
    void aCrashAfterAStepRanReplaysItsResultInsteadOfRunningItAgain() {
        String id = id();
        fx.plan(id).crashAfterDo = "charge";
        assertThatThrownBy(() -> west.sagas.start(order, id, "order-4")).isInstanceOf(Crash.class);
        // The step's effect and record are there; the log does not know yet.
        assertThat(fx.count("order", id, "charge", "do")).isEqualTo(1);
        assertThat(central.sagas.find(id).orElseThrow().steps()).containsEntry("charge", SagaStepStatus.PENDING);

        fx.advance(Duration.ofMinutes(5));
        SagaResult result = central.sagas.resume(id);

        assertThat(result.state()).isEqualTo(SagaState.COMPLETED);
        assertThat(result.results()).containsEntry("charge", "r-charge<1>");
        assertEffects("order", id, STEPS, 1, 0);
    }

    @Test
    void twoInstancesRacingToResumeRunEachStepOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 4; i++) {
                String id = id();
                Plan plan = fx.plan(id);
                plan.crashBeforeDo = "charge";
                assertThatThrownBy(() -> west.sagas.start(order, id, "order-race")).isInstanceOf(Crash.class);
                fx.advance(Duration.ofMinutes(5));
                plan.sleepInDo = Duration.ofMillis(100);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<SagaState>> runs = new ArrayList<>();
                for (Instance instance : List.of(west, central)) {
                    runs.add(pool.submit(() -> {
                        go.await();
                        try {
                            return instance.sagas.resume(id).state();
                        } catch (SagaInProgressException e) {
                            return null;
                        }
                    }));
                }
                go.countDown();
                List<SagaState> states = new ArrayList<>();
                for (Future<SagaState> run : runs) {
                    states.add(run.get(60, TimeUnit.SECONDS));
                }

                assertThat(states).contains(SagaState.COMPLETED);
                assertEffects("order", id, STEPS, 1, 0);
                assertThat(west.sagas.find(id).orElseThrow().state()).isEqualTo(SagaState.COMPLETED);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRegionDownMidSagaStopsTheRunWithoutFailingTheSagaAndAResumeCompletesIt() {
        Region down = US_EAST_1;
        // The log and the first step's record live elsewhere; the second step's record lives in the region that
        // goes down after the first step, so its claim cannot be made: nothing runs, and nothing is a step failure.
        String id = idHomedSo(down);
        Plan plan = fx.plan(id);
        plan.afterDo = () -> {
            if (plan.order.size() == 1) {
                fx.regions.faults(down.id()).down();
            }
        };

        assertThatThrownBy(() -> west.sagas.start(order, id, "order-5")).isNotInstanceOf(Crash.class);
        SagaResult midway = central.sagas.find(id).orElseThrow();
        assertThat(midway.state()).as("an unreachable step record is no step failure").isEqualTo(SagaState.RUNNING);
        assertThat(midway.steps()).containsEntry("reserve", SagaStepStatus.DONE);
        assertThat(fx.count("order", id, "charge", "do")).isZero();

        fx.regions.healAll();
        fx.advance(Duration.ofMinutes(5));
        SagaResult result = central.sagas.resume(id);

        assertThat(result.state()).isEqualTo(SagaState.COMPLETED);
        assertEffects("order", id, STEPS, 1, 0);
    }

    /** A saga id whose log and first step record are homed outside {@code region}, its second step's in it. */
    private String idHomedSo(Region region) {
        DynamoDbIdempotencyStore homes = DynamoDbIdempotencyStore.builder().table(SagaFixture.RECORDS)
                .client(west.routed).build();
        while (true) {
            String id = id();
            if (!homes.homeRegion(id).orElseThrow().equals(region)
                    && !homes.homeRegion("order/" + id + "/reserve/do").orElseThrow().equals(region)
                    && homes.homeRegion("order/" + id + "/charge/do").orElseThrow().equals(region)) {
                return id;
            }
        }
    }

    @Test
    void aRestrictedSagaIsRefusedBeforeAnythingIsWrittenWhenItsLogReplicatesOutsideTheJurisdiction() {
        Saga restricted = fx.saga("restricted", STEPS, s -> s.dataClass(DataClass.RESTRICTED));
        String id = id();
        try (Instance eu = fx.instance(EU_WEST_1,
                Set.of(EU_WEST_1, EU_CENTRAL_1, US_EAST_1), restricted);
                RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").open()) {
            assertThatThrownBy(() -> eu.sagas.start(restricted, id, "patient-1"))
                    .isInstanceOf(ResidencyViolationException.class);
        }

        for (String region : fx.regions.regions()) {
            assertThat(logWrites(region)).as("log writes in %s", region).isZero();
        }
        assertEffects("restricted", id, STEPS, 0, 0);
    }

    @Test
    void aRestrictedSagaStaysInItsJurisdictionAlsoWhenResumedWithoutAContext() {
        Saga restricted = fx.saga("restricted", STEPS, s -> s.dataClass(DataClass.RESTRICTED));
        Set<Region> eu = Set.of(EU_WEST_1, EU_CENTRAL_1);
        String id = id();
        fx.plan(id).crashBeforeDo = "ship";
        try (Instance west = fx.instance(EU_WEST_1, eu, restricted);
                Instance central = fx.instance(EU_CENTRAL_1, eu, restricted)) {
            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").open()) {
                assertThatThrownBy(() -> west.sagas.start(restricted, id, "patient-2")).isInstanceOf(Crash.class);
            }
            fx.advance(Duration.ofMinutes(5));
            // No context here: the log records the saga's data class and subject, and the resume runs under them.
            assertThat(central.sagas.resume(id).state()).isEqualTo(SagaState.COMPLETED);
        }

        RequestJournal us = fx.regions.journal("us-east-1");
        assertThat(us.count()).as("requests to us-east-1: %s", us).isZero();
        assertEffects("restricted", id, STEPS, 1, 0);
    }

    @Test
    void aStepExceedingItsTimeoutIsCompensatedTooBecauseItMayHaveBeenApplied() {
        Saga timedOut = Saga.builder("timed")
                .step("reserve", ctx -> {
                    fx.effect(ctx, "do");
                    return "r";
                }, ctx -> fx.effect(ctx, "undo"))
                .step(SagaStep.builder("charge").action(ctx -> {
                    fx.effect(ctx, "do");
                    try {
                        // Never answers on its own: only the step's timeout (an interrupt) ends it.
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "late";
                }).compensation(ctx -> fx.effect(ctx, "undo")).timeout(Duration.ofMillis(300)).build())
                .build();
        String id = id();
        SagaResult result;
        try (Instance instance = fx.instance(EU_WEST_1, timedOut)) {
            result = instance.sagas.start(timedOut, id, "t");
        }

        assertThat(result.state()).isEqualTo(SagaState.COMPENSATED);
        assertThat(result.steps()).containsEntry("charge", SagaStepStatus.COMPENSATED);
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f).contains("SagaStepTimeoutException"));
        assertEffects("timed", id, List.of("reserve", "charge"), 1, 1);
    }

    @Test
    void aFailedCompensationLeavesTheSagaFailedUntilAnOperatorResumesIt() {
        String id = id();
        Plan plan = fx.plan(id);
        plan.failStep = "ship";
        plan.failCompensationOf = "reserve";

        SagaResult failed = west.sagas.start(order, id, "order-6");
        assertThat(failed.state()).isEqualTo(SagaState.FAILED);
        assertThat(failed.failure()).hasValue("compensation of step 'reserve' failed: java.lang.IllegalStateException");
        assertThat(failed.steps()).containsEntry("charge", SagaStepStatus.COMPENSATED)
                .containsEntry("reserve", SagaStepStatus.DONE);
        // A sweep leaves it to the operator.
        fx.advance(Duration.ofMinutes(5));
        assertThat(central.sagas.sweep(Duration.ofMinutes(1))).extracting(SagaResult::id).doesNotContain(id);

        plan.failCompensationOf = null;
        SagaResult fixed = central.sagas.resume(id);

        assertThat(fixed.state()).isEqualTo(SagaState.COMPENSATED);
        assertEffects("order", id, List.of("reserve", "charge"), 1, 1);
    }

    @Test
    void aSweepResumesSagasIdleLongerThanTheTimeout() {
        String id = id();
        fx.plan(id).crashBeforeDo = "ship";
        assertThatThrownBy(() -> west.sagas.start(order, id, "order-7")).isInstanceOf(Crash.class);
        fx.regions.awaitReplication();

        assertThat(central.sagas.sweep(Duration.ofMinutes(10))).extracting(SagaResult::id).doesNotContain(id);
        fx.advance(Duration.ofMinutes(15));
        List<SagaResult> swept = central.sagas.sweep(Duration.ofMinutes(10));

        assertThat(swept).filteredOn(r -> r.id().equals(id)).singleElement()
                .satisfies(r -> assertThat(r.state()).isEqualTo(SagaState.COMPLETED));
        assertEffects("order", id, STEPS, 1, 0);
    }

    @Test
    void aScheduledSweepResumesACrashedSagaAndStopsWithClose() {
        String id = id();
        fx.plan(id).crashBeforeDo = "charge";
        assertThatThrownBy(() -> west.sagas.start(order, id, "order-8")).isInstanceOf(Crash.class);
        fx.regions.awaitReplication();
        fx.advance(Duration.ofMinutes(15));

        try (Sagas swept = Sagas.builder().client(central.routed).table(SagaFixture.LOG)
                .idempotencyStore(fx.store(central.routed, null)).clock(fx.clock).saga(order)
                .sweepEvery(Duration.ofMillis(200), Duration.ofMinutes(10)).build()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(central.sagas.find(id)
                    .orElseThrow().state()).isEqualTo(SagaState.COMPLETED));
        }

        assertEffects("order", id, STEPS, 1, 0);
        // close() stopped the one background thread the scheduled sweep had.
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("meridian-saga-sweep")));
    }
}
