package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.health.HealthConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * {@link LazyBreaker}: until its Resilience4j state machine is built it is closed and keeps fast successes; once
 * built (by whatever can matter) its state and metrics are those of a breaker built up front and fed the same calls.
 */
class LazyBreakerTest {
    private static final Region EU = Region.EU_WEST_1;
    private static final HealthConfig CONFIG = HealthConfig.builder().slidingWindowSize(6).minimumNumberOfCalls(4)
            .failureRateThreshold(50).slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(50).build();

    private final RegionHealth health = new RegionHealth(List.of(EU), CONFIG);

    private LazyBreaker lazy() {
        return (LazyBreaker) health.circuitBreaker(EU);
    }

    /** What a breaker built up front shows after the same calls. */
    private String upFront(List<long[]> calls) {
        CircuitBreaker plain = CircuitBreaker.of("plain", health.breakerConfig());
        feed(plain, calls);
        return describe(plain);
    }

    /** Each call: {nanos, 0 success / 1 failure}. */
    private static void feed(CircuitBreaker cb, List<long[]> calls) {
        for (long[] c : calls) {
            assertThat(cb.tryAcquirePermission()).isTrue();
            if (c[1] == 0) {
                cb.onSuccess(c[0], TimeUnit.NANOSECONDS);
            } else {
                cb.onError(c[0], TimeUnit.NANOSECONDS, new ConnectException("refused"));
            }
        }
    }

    private static String describe(CircuitBreaker cb) {
        CircuitBreaker.Metrics m = cb.getMetrics();
        return cb.getState() + " buffered=" + m.getNumberOfBufferedCalls() + " ok=" + m.getNumberOfSuccessfulCalls()
                + " failed=" + m.getNumberOfFailedCalls() + " slow=" + m.getNumberOfSlowCalls()
                + " failureRate=" + m.getFailureRate() + " slowRate=" + m.getSlowCallRate();
    }

    private static long[] ok(long millis) {
        return new long[] {TimeUnit.MILLISECONDS.toNanos(millis), 0};
    }

    private static long[] failed(long millis) {
        return new long[] {TimeUnit.MILLISECONDS.toNanos(millis), 1};
    }

    @Test
    void permitsAndKeepsFastSuccessesWithoutBuildingItsStateMachine() {
        LazyBreaker cb = lazy();
        feed(cb, List.of(ok(3), ok(1000), ok(7)));
        cb.releasePermission();

        assertThat(cb.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(cb.getName()).isEqualTo("eu-west-1");
        assertThat(cb.toString()).isEqualTo("CircuitBreaker 'eu-west-1'");
        assertThat(health.isAvailable(EU)).isTrue();
        assertThat(cb.built()).isFalse();
    }

    @Test
    void aFailureBuildsItWithTheKeptSuccessesFirst() {
        List<long[]> calls = List.of(ok(3), ok(5), ok(2), failed(40), failed(40));
        LazyBreaker cb = lazy();
        feed(cb, calls);

        assertThat(cb.built()).isTrue();
        assertThat(describe(cb)).isEqualTo(upFront(calls)).startsWith("CLOSED buffered=5 ok=3 failed=2");
        feed(cb, List.of(failed(40)));
        assertThat(cb.getState()).as("3 of 6 failed: the window opens it as before")
                .isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void aSlowSuccessBuildsItAndCountsAsSlow() {
        List<long[]> calls = List.of(ok(3), ok(1001));
        LazyBreaker cb = lazy();
        feed(cb, calls);

        assertThat(cb.built()).isTrue();
        assertThat(describe(cb)).isEqualTo(upFront(calls)).contains("ok=2", "slow=1");
    }

    @Test
    void theFifthSuccessBuildsItAndTheWindowSlidesAsBefore() {
        List<long[]> calls = List.of(ok(1), ok(2), ok(3), ok(4), ok(5), ok(6), ok(7), failed(8), failed(9));
        LazyBreaker cb = lazy();
        feed(cb, calls.subList(0, 4));
        assertThat(cb.built()).isFalse();
        feed(cb, calls.subList(4, calls.size()));

        assertThat(cb.built()).isTrue();
        assertThat(describe(cb)).isEqualTo(upFront(calls)).startsWith("CLOSED buffered=6 ok=4 failed=2");
    }

    @Test
    void readingItsMetricsOrAnyTransitionBuildsItAndLosesNoSuccess() {
        LazyBreaker cb = lazy();
        feed(cb, List.of(ok(1), ok(2)));

        assertThat(cb.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(2);
        assertThat(cb.built()).isTrue();
        cb.transitionToOpenState();
        assertThat(health.state(EU)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.registry().circuitBreaker("eu-west-1")).isSameAs(cb);
    }

    @Test
    void aResetBeforeItIsBuiltForgetsTheKeptSuccessesWithoutBuildingIt() {
        LazyBreaker cb = lazy();
        feed(cb, List.of(ok(1), ok(2)));
        health.reset();

        assertThat(cb.built()).as("a snapshot restore's resetHealth builds no breaker").isFalse();
        feed(cb, List.of(ok(3)));
        assertThat(cb.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    }

    @Test
    void concurrentSuccessesWhileItIsBuiltAreAllRecorded() throws Exception {
        RegionHealth wide = new RegionHealth(List.of(EU),
                HealthConfig.builder().slidingWindowSize(400).minimumNumberOfCalls(400).build());
        CircuitBreaker cb = wide.circuitBreaker(EU);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 50; i++) {
                        cb.onSuccess(1_000, TimeUnit.NANOSECONDS);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cb.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(400);
    }

    @Test
    void aWaitInOpenUnderAMillisecondIsStillRefusedWhenHealthIsBuilt() {
        HealthConfig subMillisecond = HealthConfig.builder().waitInOpenState(Duration.ofNanos(500_000)).build();

        assertThatThrownBy(() -> new RegionHealth(List.of(EU), subMillisecond))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("waitDurationInOpenState");
    }
}
