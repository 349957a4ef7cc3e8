package dev.meridian.dynamodb.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.saga.SagaFixture.Instance;
import dev.meridian.dynamodb.saga.SagaFixture.Plan;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import software.amazon.awssdk.regions.Region;

/**
 * Sagas under random failures, crashes and a region down, in three regions (issue 18's property): a saga of 1 to 4
 * steps is started in one region with an optional failing step, an optional crash at a step boundary or a
 * compensation point (before the effect, after it ran and was recorded but before the log knew, or after it ran
 * while the log's home refuses writes), and optionally
 * one region down for the first run; then, unless that run ended, it is resumed from a random region until it ends.
 * Every run must end COMPLETED (no failing step) or COMPENSATED (a failing step), each action's and compensation's
 * side effect must have run exactly as often as the outcome needs — at most once — and the log, read from another
 * region, must match step by step. A thousand runs (issue 18's acceptance) share the regions, tables and instances;
 * each has its own saga id, and the clock the test moves expires leases instead of waiting for them.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class SagaPropertiesIT {

    /**
     * Where a run dies: before an action's effect; after it ran and its record was written but before the log knew
     * (the record store's complete crashes); after its effect while the log's home refuses writes; the same three
     * around a compensation.
     */
    enum CrashPoint { NONE, BEFORE_DO, AFTER_DO, LOG_REFUSED_AFTER_DO, BEFORE_UNDO, AFTER_UNDO, LOG_REFUSED_AFTER_UNDO }

    record Scenario(int steps, Optional<Integer> failAt, CrashPoint crash, int crashStep, int starter, int resumer,
            Optional<Region> down) {
    }

    private static final List<Region> REGIONS =
            List.of(TestRegions.EU_WEST_1, TestRegions.EU_CENTRAL_1, TestRegions.US_EAST_1);
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static SagaFixture fx;
    private static List<Saga> sagas;
    private static List<Instance> instances;

    @BeforeContainer
    static void start() {
        fx = new SagaFixture(regions);
        sagas = IntStream.rangeClosed(1, 4).mapToObj(n -> fx.saga("p" + n, steps(n))).toList();
        instances = REGIONS.stream().map(r -> fx.instance(r, sagas.toArray(Saga[]::new))).toList();
    }

    @AfterContainer
    static void stop() {
        if (instances != null) {
            instances.forEach(Instance::close);
        }
        if (fx != null) {
            fx.close();
        }
    }

    private static List<String> steps(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "s" + i).toList();
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Arbitraries.integers().between(1, 4).flatMap(n -> Combinators.combine(
                Arbitraries.integers().between(0, n - 1).optional(0.5),
                Arbitraries.of(CrashPoint.class),
                Arbitraries.integers().between(0, n - 1),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2),
                Arbitraries.of(REGIONS).optional(0.25))
                .as((failAt, crash, crashStep, starter, resumer, down) ->
                        new Scenario(n, failAt, crash, crashStep, starter, resumer, down)));
    }

    @Property(tries = 1000)
    void everySagaEndsCompletedOrCompensatedWithEachEffectAtMostOnce(@ForAll("scenarios") Scenario s) {
        Saga saga = sagas.get(s.steps() - 1);
        List<String> steps = steps(s.steps());
        String id = UUID.randomUUID().toString();
        Plan plan = fx.plan(id);
        s.failAt().ifPresent(i -> plan.failStep = steps.get(i));
        String crashStep = steps.get(s.crashStep());
        switch (s.crash()) {
            case BEFORE_DO -> plan.crashBeforeDo = crashStep;
            case AFTER_DO -> plan.crashAfterDo = crashStep;
            case BEFORE_UNDO -> plan.crashBeforeUndo = crashStep;
            case AFTER_UNDO -> plan.crashAfterUndo = crashStep;
            case LOG_REFUSED_AFTER_DO -> plan.refuseLogAfterDo = crashStep;
            case LOG_REFUSED_AFTER_UNDO -> plan.refuseLogAfterUndo = crashStep;
            case NONE -> { }
        }
        s.down().ifPresent(r -> fx.regions.faults(r.id()).down());
        // The faults a proxy injects (a region down, the log's home refusing writes); each try heals its own.
        boolean proxyFaults = s.down().isPresent() || s.crash() == CrashPoint.LOG_REFUSED_AFTER_DO
                || s.crash() == CrashPoint.LOG_REFUSED_AFTER_UNDO;

        List<String> firstRun = new ArrayList<>();
        SagaResult end = null;
        try {
            end = instances.get(s.starter()).sagas.start(saga, id, "input");
            firstRun.add(end.state().name());
        } catch (Throwable t) {
            // A crash (Error), a region down, a held saga: the run stopped; the resumes below finish it.
            firstRun.add(t.getClass().getSimpleName());
            firstRun.add(t.toString());
        }

        Instance resumer = instances.get(s.resumer());
        List<String> resumes = new ArrayList<>();
        // A first run that ended needs no resume: the log, read from another region below, must say how it ended.
        for (int attempt = 0; attempt < 8 && (end == null || !end.state().isTerminal()); attempt++) {
            // The region is back and a fault a crash point injected is over: the crash has happened.
            if (proxyFaults) {
                fx.regions.healAll();
            }
            instances.forEach(i -> i.runtime.resetHealth());
            fx.advance(Duration.ofMinutes(5));
            try {
                Optional<SagaResult> logged = resumer.sagas.find(id);
                end = logged.isPresent() ? resumer.sagas.resume(id) : resumer.sagas.start(saga, id, "input");
                resumes.add(end.state().name());
            } catch (SagaFixture.Crash | RuntimeException e) {
                // Another crash point, or the regions still settling: resume again.
                resumes.add(e.toString());
                end = null;
            }
        }

        if (proxyFaults) {
            fx.regions.healAll();
            instances.forEach(i -> i.runtime.resetHealth());
        }

        Statistics.label("outcome").collect(end == null ? "unfinished" : end.state());
        Statistics.label("crash").collect(s.crash());
        Statistics.label("first run").collect(firstRun.get(0));
        assertThat(end).as("saga %s after %s, first run %s, resumes %s", id, s, firstRun, resumes).isNotNull();
        assertThat(end.state()).isEqualTo(s.failAt().isPresent() ? SagaState.COMPENSATED : SagaState.COMPLETED);
        int failAt = s.failAt().orElse(s.steps());
        // The log as another region reads it says the same, step by step.
        SagaResult logged = instances.get((s.resumer() + 1) % 3).sagas.find(id).orElseThrow();
        assertThat(logged.state()).isEqualTo(end.state());
        for (int i = 0; i < s.steps(); i++) {
            String step = steps.get(i);
            boolean ran = i < failAt;
            boolean compensated = ran && s.failAt().isPresent();
            assertThat(fx.count(saga.name(), id, step, "do")).as("%s do in %s", step, s).isEqualTo(ran ? 1 : 0);
            assertThat(fx.count(saga.name(), id, step, "undo")).as("%s undo in %s", step, s)
                    .isEqualTo(compensated ? 1 : 0);
            SagaStepStatus expected = compensated ? SagaStepStatus.COMPENSATED
                    : ran ? SagaStepStatus.DONE : i == failAt ? SagaStepStatus.FAILED : SagaStepStatus.PENDING;
            assertThat(end.steps().get(step)).as("%s status in %s", step, s).isEqualTo(expected);
            assertThat(logged.steps().get(step)).as("%s status logged in %s", step, s).isEqualTo(expected);
        }
    }
}
