package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.HedgingConfig;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.regions.Region;

/**
 * The stall meter's own thread exists only once attribution of slowness is needed and only until the runtime is
 * closed. Threads are told apart from those of other runtimes in this JVM by comparing with the ones alive before.
 * Calls are slow by parking past a 1 ms slow-call duration; the fast calls are judged against a one-hour one.
 */
class StallMeterTest {
    private static final Operation WRITE = Operation.of("PutItem", OperationKind.WRITE);
    private static final Operation READ = Operation.of("GetItem", OperationKind.READ);

    private final Set<Thread> before = meterThreads();
    private RegionalExecutor executor;

    private static Set<Thread> meterThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(StallMeter.THREAD_NAME) && t.isAlive())
                .collect(Collectors.toSet());
    }

    /** The meter threads started since the test began (alive ones). */
    private Set<Thread> started() {
        Set<Thread> now = meterThreads();
        now.removeAll(before);
        return now;
    }

    private RegionalExecutor executor(Duration slowCall, HedgingConfig hedging) {
        MultiRegionConfig config = TestTopology.threeRegions().hedging(hedging)
                .health(HealthConfig.builder().slowCallDuration(slowCall).build())
                .build();
        RegionHealth health = new RegionHealth(config.regionList(), config.health());
        executor = new RegionalExecutor(config, new Router(config, health, new LatencyTracker(), Metrics.noop()),
                health, FailureClassifier.aws(), Metrics.noop());
        return executor;
    }

    @AfterEach
    void close() {
        executor.close();
    }

    private static void park(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - until < 0) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    private static String slow(Region region) {
        park(Duration.ofMillis(5));
        return region.id();
    }

    private void call(Operation op, Function<Region, String> call) {
        executor.execute(op, RoutingContext.empty(), call, FailureClassifier.aws(), region -> false);
    }

    @Test
    void aRuntimeWithOnlyFastCallsHasNoMeterThread() {
        executor(Duration.ofHours(1), HedgingConfig.disabled());
        for (int i = 0; i < 20; i++) {
            call(WRITE, Region::id);
            call(READ, StallMeterTest::slow); // slow for no breaker here: an hour is the slow-call duration
        }
        assertThat(started()).isEmpty();
    }

    @Test
    void aSlowAttemptStartsTheMeterThreadAndCloseStopsIt() {
        executor(Duration.ofMillis(1), HedgingConfig.disabled());
        call(WRITE, Region::id); // may well be under 1 ms: nothing to judge yet
        call(WRITE, StallMeterTest::slow);
        Set<Thread> meter = started();
        assertThat(meter).hasSize(1);
        call(WRITE, StallMeterTest::slow);
        assertThat(started()).as("one thread per runtime").isEqualTo(meter);

        executor.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> meter.stream().noneMatch(Thread::isAlive));
        call(WRITE, StallMeterTest::slow);
        assertThat(started()).as("a closed runtime does not start it again").isEmpty();
    }

    @Test
    void onceStartedItSeesTheProcessStall() {
        executor(Duration.ofMillis(1), HedgingConfig.disabled());
        call(WRITE, StallMeterTest::slow);
        long from = System.nanoTime();
        executor.stallMeter().onTickThread(() -> park(Duration.ofMillis(200)));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> executor.stalls().stalledNanos(from, System.nanoTime()) > 0);
    }

    @Test
    void aTimedOutAttemptStartsTheMeterThread() {
        executor(Duration.ofHours(1), HedgingConfig.disabled());
        assertThatThrownBy(() -> call(WRITE, region -> {
            throw ApiCallAttemptTimeoutException.create(1);
        })).isInstanceOf(ApiCallAttemptTimeoutException.class);
        assertThat(started()).hasSize(1);
    }

    @Test
    void aColdClientsSlowAttemptDoesNotStartIt() {
        executor(Duration.ofMillis(1), HedgingConfig.disabled());
        executor.execute(WRITE, RoutingContext.empty(), StallMeterTest::slow, FailureClassifier.aws(),
                region -> true);
        assertThat(started()).isEmpty();
    }

    @Test
    void withHedgingTheHedgeTimerRunsTheTickAndNoMeterThreadIsStarted() {
        executor(Duration.ofMillis(1), HedgingConfig.fixed(Duration.ofHours(1)));
        call(WRITE, StallMeterTest::slow);
        call(READ, StallMeterTest::slow);
        assertThat(started()).isEmpty();
    }

    /**
     * With hedging on (the default) nothing starts a thread when the runtime is built: the hedge timer, which runs the
     * tick, starts with the first hedged read, before that read's first attempt.
     */
    @Test
    void withHedgingTheHedgeTimerStartsWithTheFirstHedgedReadNotWithTheRuntime() {
        Set<Thread> timersBefore = hedgeTimers();
        executor(Duration.ofHours(1), HedgingConfig.defaults());
        call(WRITE, Region::id);
        assertThat(hedgeTimers()).as("no hedge timer after the build and a write").isEqualTo(timersBefore);
        call(READ, Region::id);
        assertThat(hedgeTimers()).as("the first hedged read started it").hasSize(timersBefore.size() + 1);
    }

    /**
     * A cold start's first read goes through a cold client: its time is not held against its region and its caller
     * sends its hedge at the cold delay, so it starts no hedge timer; the first read through a warm client does.
     */
    @Test
    void aHedgedReadThroughAColdClientStartsNoHedgeTimer() {
        Set<Thread> timersBefore = hedgeTimers();
        executor(Duration.ofHours(1), HedgingConfig.defaults());
        executor.execute(READ, RoutingContext.empty(), Region::id, FailureClassifier.aws(), region -> true);
        assertThat(hedgeTimers()).as("no hedge timer after a cold read").isEqualTo(timersBefore);
        call(READ, Region::id);
        assertThat(hedgeTimers()).as("the first warm hedged read started it").hasSize(timersBefore.size() + 1);
    }

    private static Set<Thread> hedgeTimers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("meridian-hedge-timer-") && t.isAlive())
                .collect(Collectors.toSet());
    }
}
