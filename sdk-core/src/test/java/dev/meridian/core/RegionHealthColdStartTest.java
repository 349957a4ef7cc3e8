package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.health.HealthConfig;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Cold start: the first {@link RegionHealth} of a process and the first read's permission and success spin no lambda
 * class of Meridian's and load none of Resilience4j's configuration, state machine and metrics classes (a breaker
 * that has seen only fast successes builds its state machine when it first matters, {@link LazyBreaker}); the
 * success is in the window once the state machine is built. Before: three lambda classes, about 45 Resilience4j
 * classes including the scheduler factory's executor. Checked with JFR's class-load events, in a class loader of its
 * own so that nothing was linked before.
 */
class RegionHealthColdStartTest {

    /** Runs inside the fresh class loader: first the cold read's use of health, then (second call) its metrics. */
    public static final class Probe implements Supplier<String> {
        private @Nullable RegionHealth health;

        @Override
        public String get() {
            RegionHealth h = health;
            if (h == null) {
                h = new RegionHealth(List.of(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1),
                        HealthConfig.defaults());
                health = h;
                WatchedBreaker local = h.watched(Region.EU_WEST_1);
                boolean permitted = local.tryAcquire();
                local.success(1_000_000);
                return permitted + " " + h.state(Region.EU_WEST_1) + " " + h.isAvailable(Region.EU_CENTRAL_1);
            }
            try (RegionHealth open = h) {
                return open.state(Region.EU_WEST_1) + " "
                        + open.circuitBreaker(Region.EU_WEST_1).getMetrics().getNumberOfSuccessfulCalls();
            }
        }
    }

    @Test
    void theFirstReadsHealthSpinsNoLambdaAndLoadsNoResilience4jStateMachine() throws Exception {
        ColdClassLoads run = ColdClassLoads.of(Probe.class);
        String cold = run.first();
        String after = run.again();
        List<String> loaded = run.loaded();

        assertThat(cold).isEqualTo("true CLOSED true");
        assertThat(after).as("the first read's success, recorded when the state machine was built")
                .isEqualTo("CLOSED 1");
        assertThat(loaded).as("the probe's classes were loaded afresh").contains("dev.meridian.core.RegionHealth");
        assertThat(loaded).as("lambda classes spun by health")
                .noneMatch(name -> name.startsWith("dev.meridian.core.") && name.contains("$$Lambda"));
        assertThat(loaded).as("Resilience4j's configuration, state machine, metrics and scheduler").noneMatch(name ->
                name.startsWith("io.github.resilience4j.circuitbreaker.CircuitBreakerConfig")
                        || name.startsWith("io.github.resilience4j.circuitbreaker.internal.")
                        || name.startsWith("io.github.resilience4j.core.metrics.")
                        || name.startsWith("io.github.resilience4j.core.predicate."));
    }
}
