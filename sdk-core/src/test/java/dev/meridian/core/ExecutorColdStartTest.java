package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.Region;

/**
 * Cold start: building the executor and a cold client's first read through it — a hedged read whose one attempt runs
 * on a hedge thread ({@code RegionalExecutor.Run}) and answers before its hedge is due — spin no lambda of the
 * executor's and load none of the classes of what that read does not do: the caller-thread loop, failure accounting and
 * failover, a due hedge, starting past a region, bindings, asynchronous calls, the caller-first attempt. A read whose
 * first attempt fails then loads them and fails over. Before: five lambdas (the budget gauge and the never-cold
 * predicate at the build; the run's launch, its inline attempt and the hedge thread's task at the read), and that code
 * in the executor's and the run's own classes. Checked with JFR's class-load events, in a class loader of its own.
 */
class ExecutorColdStartTest {
    private static final Operation READ = Operation.of("GetItem", OperationKind.READ);

    /** Runs inside the fresh class loader: first the build and a cold read, then (second call) a failed-over read. */
    public static final class Probe implements Supplier<String> {
        private @Nullable RegionalExecutor executor;

        @Override
        public String get() {
            RegionalExecutor e = executor;
            if (e == null) {
                MultiRegionConfig config = TestTopology.threeRegions().hedging(HedgingConfig.defaults()).build();
                RegionHealth health = new RegionHealth(config.regionList(), config.health());
                e = new RegionalExecutor(config, new Router(config, health, new LatencyTracker(), Metrics.noop()),
                        health, FailureClassifier.aws(), Metrics.noop());
                executor = e;
                return e.execute(READ, RoutingContext.empty(), new Answer(null), FailureClassifier.aws(), new Cold());
            }
            try (RegionalExecutor open = e) {
                return open.execute(READ, RoutingContext.empty(), new Answer(TestTopology.EU_WEST),
                        FailureClassifier.aws(), new Cold());
            }
        }
    }

    /** The region's id, or a 503 (nothing applied, the read moves on) from the region that is down. */
    static final class Answer implements Function<Region, String> {
        private final @Nullable Region down;

        Answer(@Nullable Region down) {
            this.down = down;
        }

        @Override
        public String apply(Region region) {
            if (region.equals(down)) {
                throw SdkServiceException.builder().statusCode(503).message("unavailable").build();
            }
            return region.id();
        }
    }

    /** Every client is cold, as at a cold start. */
    static final class Cold implements Predicate<Region> {
        @Override
        public boolean test(Region region) {
            return true;
        }
    }

    @Test
    void theBuildAndAColdFirstReadSpinNoLambdaAndLoadOnlyWhatTheReadRuns() throws Exception {
        ColdClassLoads run = ColdClassLoads.of(Probe.class);
        List<String> loaded = run.loaded();

        assertThat(run.first()).isEqualTo(TestTopology.EU_WEST.id());
        assertThat(run.again()).as("the read failed over from the region that is down")
                .isEqualTo(TestTopology.EU_CENTRAL.id());
        assertThat(loaded).as("the probe's classes were loaded afresh")
                .contains("dev.meridian.core.RegionalExecutor", "dev.meridian.core.RegionalExecutor$Run");
        assertThat(loaded).as("lambda classes spun by the executor")
                .noneMatch(name -> name.startsWith("dev.meridian.core.RegionalExecutor$$Lambda"));
        assertThat(loaded).as("the executor's classes of what a cold first read does not do").noneMatch(name ->
                List.of("CallerThreadLoop", "FailedAttempts", "FailoverLog", "HalfOpenTrials", "Bindings",
                        "AsyncStarts", "AsyncCall", "CallerFirst", "NeverCold", "TrialOnHedgeThread", "Run$Hedge",
                        "Run$Detour")
                        .contains(name.substring(name.indexOf('$') + 1))
                        && name.startsWith("dev.meridian.core.RegionalExecutor$")
                        || name.equals("dev.meridian.core.ReleasableAttempt"));
    }
}
