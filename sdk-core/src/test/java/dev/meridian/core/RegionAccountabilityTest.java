package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.regions.Region;

/**
 * What of an attempt is held against its region: not a cold client's start-up, not a process stall. Calls are made
 * slow by parking at least 25 ms against a 1 ms slow-call threshold (no timing is asserted); stalls are reported to
 * the executor's {@link ProcessStalls} as its timer would, and its own stall meter is off.
 */
class RegionAccountabilityTest {
    private static final Operation WRITE = Operation.of("PutItem", OperationKind.WRITE);
    /** Longer than the slow-call threshold, and than the lateness a timer must have to report a stall. */
    private static final long SLOW = ProcessStalls.NOISE_NANOS + Duration.ofMillis(5).toNanos();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private RegionHealth health;
    private LatencyTracker latency;
    private RegionalExecutor executor;

    private RegionalExecutor executor() {
        MultiRegionConfig config = TestTopology.threeRegions()
                .health(HealthConfig.builder().slidingWindowSize(2).minimumNumberOfCalls(2)
                        .failureRateThreshold(50).slowCallRateThreshold(50).slowCallDuration(Duration.ofMillis(1))
                        .build())
                .build();
        Metrics metrics = Metrics.forRegistry(meters);
        health = new RegionHealth(config.regionList(), config.health(), metrics);
        latency = new LatencyTracker();
        executor = new RegionalExecutor(config, new Router(config, health, latency, metrics), health,
                FailureClassifier.aws(), metrics);
        // Only the stalls a test reports count: a real one of this (loaded) machine must not excuse an attempt.
        executor.stallMeter().close();
        return executor;
    }

    @AfterEach
    void close() {
        executor.close();
    }

    /** Parks at least {@link #SLOW}, then answers or throws {@code failure}. */
    private static Function<Region, String> slow(RuntimeException failure) {
        return region -> {
            long until = System.nanoTime() + SLOW;
            while (System.nanoTime() - until < 0) {
                LockSupport.parkNanos(until - System.nanoTime());
            }
            if (failure != null) {
                throw failure;
            }
            return region.id();
        };
    }

    private void twice(Function<Region, String> call, boolean cold) {
        for (int i = 0; i < 2; i++) {
            executor.execute(WRITE, RoutingContext.empty(), call, FailureClassifier.aws(), region -> cold);
        }
    }

    @Test
    void slowAttemptsOfAWarmClientOpenTheBreaker() {
        executor();
        twice(slow(null), false);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.OPEN);
        // The tracker keeps an estimate, not the exact times: that the attempts are samples at all is the point.
        assertThat(latency.p95Nanos(EU_WEST)).isPositive();
    }

    @Test
    void slowAttemptsOfAColdClientAreNotSlowCallsNorLatencySamples() {
        executor();
        twice(slow(null), true);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfSlowCalls()).isZero();
        assertThat(latency.p95Nanos(EU_WEST)).isEqualTo(-1);
    }

    @Test
    void aSlowAttemptDuringAProcessStallIsNotSlow() {
        executor();
        Function<Region, String> stalled = region -> {
            long start = System.nanoTime();
            String r = slow(null).apply(region);
            executor.stalls().timerFired(start, System.nanoTime()); // the timer saw the whole attempt stalled
            return r;
        };
        twice(stalled, false);
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfSlowCalls()).isZero();
    }

    @Test
    void timeoutsDuringAProcessStallAreNotHeldAgainstTheRegion() {
        executor();
        Function<Region, String> stalled = region -> {
            long start = System.nanoTime();
            try {
                return slow(ApiCallAttemptTimeoutException.create(1)).apply(region);
            } finally {
                executor.stalls().timerFired(start, System.nanoTime());
            }
        };
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> executor.execute(WRITE, RoutingContext.empty(), stalled,
                    FailureClassifier.aws(), region -> false)).isInstanceOf(ApiCallAttemptTimeoutException.class);
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(health.circuitBreaker(EU_WEST).getMetrics().getNumberOfBufferedCalls()).isZero();
        assertThat(meters.get("meridian.process.stall").tag("region", "eu-west-1").counter().count())
                .isEqualTo(2.0);
    }

    @Test
    void timeoutsWithoutAStallOpenTheBreaker() {
        executor();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> executor.execute(WRITE, RoutingContext.empty(),
                    slow(ApiCallAttemptTimeoutException.create(1)), FailureClassifier.aws(), region -> false))
                    .isInstanceOf(ApiCallAttemptTimeoutException.class);
        }
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(meters.find("meridian.process.stall").counter()).isNull();
    }
}
