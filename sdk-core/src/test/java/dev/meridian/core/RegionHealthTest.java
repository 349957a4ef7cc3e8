package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.ProbeHook;
import dev.meridian.core.internal.Metrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

class RegionHealthTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final HealthConfig config = HealthConfig.builder().slidingWindowSize(4).minimumNumberOfCalls(4)
            .failureRateThreshold(50).permittedCallsInHalfOpenState(2)
            .waitInOpenState(Duration.ofMillis(1)).build();
    private final RegionHealth health = new RegionHealth(List.of(EU_WEST, EU_CENTRAL), config, Metrics.forRegistry(meters));

    @AfterEach
    void close() {
        health.close();
    }

    private static void record(WatchedBreaker cb, Throwable t) {
        assertThat(cb.tryAcquire()).isTrue();
        if (t == null) {
            cb.success(1_000_000);
        } else {
            cb.error(1_000_000, t);
        }
    }

    @Test
    void breakerOpensAfterRegionalFailuresGoesHalfOpenAndCloses() {
        WatchedBreaker cb = health.watched(EU_WEST);
        Throwable refused = SdkClientException.create("down", new ConnectException());
        for (int i = 0; i < 4; i++) {
            record(cb, refused);
        }
        assertThat(cb.state()).isEqualTo(CircuitBreaker.State.OPEN);
        cb.transitionToHalfOpen();
        assertThat(health.isAvailable(EU_WEST)).isTrue();
        record(cb, null);
        record(cb, null);
        assertThat(cb.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(meters.get("meridian.breaker.transitions").tag("region", "eu-west-1").tag("from", "CLOSED")
                .tag("to", "OPEN").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("meridian.breaker.transitions").tag("region", "eu-west-1").tag("from", "HALF_OPEN")
                .tag("to", "CLOSED").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("meridian.breaker.transitions").tag("region", "eu-west-1").tag("from", "OPEN")
                .tag("to", "HALF_OPEN").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("meridian.breaker.state").tag("region", "eu-west-1").gauge().value()).isEqualTo(0.0);
    }

    @Test
    void aTransitionMadeOutsideMeridianIsReportedOnceWhenMeridianNextLooks() {
        health.circuitBreaker(EU_WEST).transitionToForcedOpenState();
        assertThat(health.isAvailable(EU_WEST)).isFalse();
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
        assertThat(meters.get("meridian.breaker.transitions").tag("region", "eu-west-1").tag("from", "CLOSED")
                .tag("to", "FORCED_OPEN").counter().count()).isEqualTo(1.0);
    }

    @Test
    void concurrentCallsReportEachObservedTransitionExactlyOnce() throws Exception {
        HealthConfig longWait = config.toBuilder().waitInOpenState(Duration.ofHours(1)).build();
        RegionHealth h = new RegionHealth(List.of(EU_CENTRAL), longWait, Metrics.forRegistry(meters));
        WatchedBreaker cb = h.watched(EU_CENTRAL);
        Throwable refused = SdkClientException.create("down", new ConnectException());
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 50; i++) {
                        if (cb.tryAcquire()) {
                            cb.error(1_000, refused);
                        }
                        h.state(EU_CENTRAL);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            h.close();
        }
        assertThat(cb.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(meters.get("meridian.breaker.transitions").tag("region", "eu-central-1").counters())
                .singleElement().satisfies(c -> assertThat(c.count()).isEqualTo(1.0));
    }

    @Test
    void aSuspendedProbeRunsNoRoundAndSuspendingWaitsForTheRoundInProgress() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProbeHook blocking = region -> {
            probes.incrementAndGet();
            entered.countDown();
            release.await();
            return true;
        };
        try (RegionHealth h = new RegionHealth(List.of(EU_WEST), config)) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> round = pool.submit(() -> h.probeRound(blocking));
                entered.await();
                Thread suspender = new Thread(h::suspendProbe, "suspender");
                suspender.start();
                // Parked on the round's lock: had suspending not waited, the thread would have ended instead.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> suspender.getState() == Thread.State.WAITING);
                release.countDown();
                round.get(10, TimeUnit.SECONDS);
                suspender.join(10_000);
                assertThat(suspender.isAlive()).isFalse();
            } finally {
                pool.shutdownNow();
            }
            h.probeRound(blocking);
            assertThat(probes).as("no round while suspended").hasValue(1);
            h.resumeProbe();
            h.probeRound(blocking);
            assertThat(probes).hasValue(2);
        }
    }

    @Test
    void theRegistryIsAViewOfMeridiansBreakersAndKeepsTheApplicationsOwn() {
        CircuitBreakerRegistry registry = health.registry();
        assertThat(registry.circuitBreaker("eu-west-1")).isSameAs(health.circuitBreaker(EU_WEST));
        CircuitBreaker orders = registry.circuitBreaker("eu-west-1/orders");
        assertThat(orders).isSameAs(health.circuitBreaker(EU_WEST, "orders"));
        CircuitBreaker own = registry.circuitBreaker("payments-api");
        assertThat(own.getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(config.slidingWindowSize());
        assertThat(registry.getAllCircuitBreakers()).contains(health.circuitBreaker(EU_WEST),
                health.circuitBreaker(EU_CENTRAL), orders, own);
        assertThatThrownBy(() -> registry.remove("eu-west-1"))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("'eu-west-1'");
        assertThat(registry.remove("payments-api")).contains(own);
        assertThat(health.registry()).isSameAs(registry);
    }

    @Test
    void anOpenBreakerWhoseWaitElapsedBecomesAvailableAsHalfOpen() {
        HealthConfig longWait = config.toBuilder().waitInOpenState(Duration.ofHours(1)).build();
        try (RegionHealth h = new RegionHealth(List.of(EU_WEST), longWait)) {
            h.circuitBreaker(EU_WEST).transitionToOpenState();
            assertThat(h.isAvailable(EU_WEST)).isFalse();
            assertThat(meters.find("meridian.breaker.state").gauges()).isNotEmpty();
        }
        CircuitBreaker cb = health.circuitBreaker(EU_CENTRAL);
        cb.transitionToOpenState();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> health.isAvailable(EU_CENTRAL));
        assertThat(cb.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    }

    @Test
    void drainRemovesAHealthyRegionUntilUndrained() {
        assertThat(health.isAvailable(EU_WEST)).isTrue();
        health.drain(EU_WEST);
        assertThat(health.isAvailable(EU_WEST)).isFalse();
        assertThat(health.isDrained(EU_WEST)).isTrue();
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        health.undrain(EU_WEST);
        assertThat(health.isAvailable(EU_WEST)).isTrue();
    }

    @Test
    void resourceBreakersAreSeparateFromTheRegionBreaker() {
        CircuitBreaker table = health.circuitBreaker(EU_WEST, "orders");
        assertThat(table.getName()).isEqualTo("eu-west-1/orders");
        assertThat(health.circuitBreaker(EU_WEST, "orders")).isSameAs(table);
        assertThat(table).isNotSameAs(health.circuitBreaker(EU_WEST));
        assertThatThrownBy(() -> health.circuitBreaker(Region.AP_SOUTH_1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOpenResourceBreakerMakesOnlyThatResourceUnavailableInItsRegion() {
        HealthConfig longWait = config.toBuilder().waitInOpenState(Duration.ofHours(1)).build();
        try (RegionHealth h = new RegionHealth(List.of(EU_WEST, EU_CENTRAL), longWait)) {
            h.circuitBreaker(EU_WEST, "orders").transitionToOpenState();
            assertThat(h.isAvailable(EU_WEST, "orders")).isFalse();
            assertThat(h.isAvailable(EU_WEST, "customers")).isTrue();
            assertThat(h.isAvailable(EU_CENTRAL, "orders")).isTrue();
            assertThat(h.isAvailable(EU_WEST)).isTrue();
            h.circuitBreaker(EU_WEST).transitionToOpenState();
            assertThat(h.isAvailable(EU_WEST, "customers")).isFalse();
            h.circuitBreaker(EU_WEST).transitionToClosedState();
            h.drain(EU_WEST);
            assertThat(h.isAvailable(EU_WEST, "customers")).isFalse();
            assertThat(h.isAvailable(Region.AP_SOUTH_1, "orders")).isFalse();
        }
    }

    @Test
    void breakerTransitionsAreLoggedNamingTheRegionAndTheResource() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // slf4j-simple writes to the System.err of the moment: capture it for this test only.
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            health.circuitBreaker(EU_WEST).transitionToOpenState();
            health.circuitBreaker(EU_WEST, "orders").transitionToOpenState();
            health.isAvailable(EU_WEST);
            health.watched(EU_WEST, "orders").state();
        } finally {
            System.setErr(originalErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Circuit breaker for region eu-west-1: CLOSED -> OPEN")
                .contains("Circuit breaker for region eu-west-1, resource orders: CLOSED -> OPEN")
                .doesNotContain("Circuit breaker eu-west-1");
    }

    @Test
    void failingProbeCountsAgainstTheRegionAndPassingProbeHalfOpensIt() {
        try (RegionHealth h = new RegionHealth(List.of(EU_WEST), config.toBuilder()
                .waitInOpenState(Duration.ofHours(1)).probe(r -> false, Duration.ofHours(1)).build(), Metrics.noop())) {
            for (int i = 0; i < 4; i++) {
                h.probeAll(r -> false);
            }
            assertThat(h.state(EU_WEST)).isEqualTo(CircuitBreaker.State.OPEN);
            h.probeAll(r -> true);
            assertThat(h.state(EU_WEST)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        }
    }

    @Test
    void aPassingProbeIsTheTrialCallOfAHalfOpenBreaker() {
        try (RegionHealth h = new RegionHealth(List.of(EU_WEST), config.toBuilder().permittedCallsInHalfOpenState(2)
                .waitInOpenState(Duration.ofHours(1)).probe(r -> true, Duration.ofHours(1)).build(), Metrics.noop())) {
            h.circuitBreaker(EU_WEST).transitionToOpenState();
            h.probeAll(r -> true);
            assertThat(h.state(EU_WEST)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
            h.probeAll(r -> true);
            h.probeAll(r -> true);
            assertThat(h.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        }
    }

    @Test
    void probeInterruptedByCloseRecordsNoFailureAndKeepsTheInterrupt() {
        try (RegionHealth h = new RegionHealth(List.of(EU_WEST), config.toBuilder()
                .probe(r -> true, Duration.ofHours(1)).build(), Metrics.noop())) {
            for (int i = 0; i < 4; i++) {
                h.probeAll(r -> {
                    throw new InterruptedException("closing");
                });
                assertThat(Thread.interrupted()).isTrue();
            }
            assertThat(h.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(h.circuitBreaker(EU_WEST).getMetrics().getNumberOfFailedCalls()).isZero();
        }
    }

    /** Makes {@code cb} suspect: as many hedge losers in a row left unanswered as eject a region. */
    private static void makeSuspect(WatchedBreaker cb) {
        long start = System.nanoTime() - 1_000_000L;
        for (int i = 0; i < HealthConfig.DEFAULT_EJECT_AFTER_STALLS; i++) {
            cb.lostUnanswered(HealthConfig.DEFAULT_EJECT_AFTER_STALLS, start);
        }
        assertThat(cb.suspect()).isTrue();
    }

    @Test
    void aRegionIsSuspectWhileItsBreakerOrOneOfItsResourceBreakersIsUntilATrialAnswers() {
        assertThat(health.isSuspect(EU_WEST)).isFalse();
        makeSuspect(health.watched(EU_WEST));
        assertThat(health.isSuspect(EU_WEST)).isTrue();
        assertThat(health.isSuspect(EU_CENTRAL)).isFalse();
        assertThat(health.state(EU_WEST)).as("suspect, not ejected").isEqualTo(CircuitBreaker.State.CLOSED);
        health.watched(EU_WEST).trialAnsweredInTime();
        assertThat(health.isSuspect(EU_WEST)).isFalse();

        makeSuspect(health.watched(EU_CENTRAL, "orders"));
        assertThat(health.isSuspect(EU_CENTRAL)).as("one of its resource breakers is suspect").isTrue();
        health.watched(EU_CENTRAL, "orders").eject();
        assertThat(health.isSuspect(EU_CENTRAL)).as("ejected: no longer suspect, its breaker is open").isFalse();
    }

    @Test
    void aResetForgetsSuspicionsAndRunsOfStalls() {
        makeSuspect(health.watched(EU_WEST));
        makeSuspect(health.watched(EU_CENTRAL, "orders"));
        WatchedBreaker west = health.watched(EU_WEST);
        long start = System.nanoTime();
        assertThat(health.watched(EU_CENTRAL).stalled(2, start)).isFalse();

        health.reset();

        assertThat(health.isSuspect(EU_WEST)).isFalse();
        assertThat(health.isSuspect(EU_CENTRAL)).isFalse();
        assertThat(west.stalled(HealthConfig.DEFAULT_EJECT_AFTER_STALLS, System.nanoTime()))
                .as("a timeout after the reset is no timeout of a suspect region").isFalse();
        assertThat(health.watched(EU_CENTRAL).stalled(2, start)).as("the run of stalls starts again").isFalse();
        assertThat(health.state(EU_WEST)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(health.state(EU_CENTRAL)).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
